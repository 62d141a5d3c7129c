import Foundation

/// Why a pg_cron migration could not be written to disk.
public enum PgCronSyncError: Error, LocalizedError, Sendable, Equatable {
    case unwritable(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .unwritable(let path, let reason): return "cannot write the migration '\(path)': \(reason)"
        }
    }
}

/// `schedule plan|apply --layer pg_cron`: the migration from ``PgCronSQL/scheduleMigration(app:jobs:previouslyScheduled:now:)``
/// as a plan (every job it schedules is a `create`: the SQL replaces jobs by name and sweeps stale ones itself,
/// so it does not depend on what the database holds) and as a file.
public enum PgCronSync {
    /// Where `apply` writes migrations unless told otherwise.
    public static let defaultDirectory = "supabase/migrations"

    /// What the database's `cron.job` holds, when it could be read, for matching foreign jobs.
    public struct Remote: Sendable {
        /// The rows of `cron.job`; nil when it was not read (then `unreadable` says why).
        public var rows: [PgCronJobRow]?
        public var projectRef: String?
        public var unreadable: String?
        /// The secret values a command is compared with (never printed).
        public var known: [ScopedSecret]

        public init(rows: [PgCronJobRow]?, projectRef: String?, unreadable: String? = nil, known: [ScopedSecret] = []) {
            self.rows = rows
            self.projectRef = projectRef
            self.unreadable = unreadable
            self.known = known
        }
    }

    /// The plan: every entry the migration schedules, as it schedules it (a local-time job's UTC entries with
    /// their UTC schedules, the entries rbscron adds with what they are for), the SQL and the file name the
    /// migration would get in `directory`. Every line describes the migration it prints.
    ///
    /// With `remote` (the database's `cron.job`), a job made outside rbscron that does an entry's work (its command
    /// calls the job's path, or is the keep-alive pattern's `SELECT keep_alive()` / `cleanup_cron_history()`) makes
    /// that entry an `adopt`: the migration unschedules it by name in the statement that schedules rbscron's. A
    /// foreign command holding a credential is a `critical` issue.
    public static func plan(app: App, jobs: [Job], directory: String = defaultDirectory, now: Date,
                            remote: Remote? = nil) throws -> LayerPlan {
        try planned(app: app, jobs: jobs, directory: directory, now: now, remote: remote).plan
    }

    static func planned(app: App, jobs: [Job], directory: String, now: Date, remote: Remote?) throws
        -> (plan: LayerPlan, outcomes: [AdoptionOutcome]) {
        let base = try PgCronSQL.scheduleMigration(app: app, jobs: jobs, previouslyScheduled: nil, now: now)
        let byRef = Dictionary(jobs.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        var issues: [PlanIssue] = []
        var matched: [String: [PgCronJobRow]] = [:]
        var leaksByEntry: [String: [Adoption.Leak]] = [:]
        let project = remote?.projectRef.map { " of project \($0)" } ?? ""
        if let remote, remote.rows == nil {
            issues.append(PlanIssue(severity: .warning, job: nil, message: "cron.job\(project) was not read (\(remote.unreadable ?? "unknown reason")): "
                + "jobs made outside rbscron that do the same work cannot be matched, and applying beside them would fire them twice"))
        }
        for row in remote?.rows ?? [] {
            let mine = (row.jobname?.hasPrefix(ScheduleID.prefix) ?? false)
                || row.command.trimmingCharacters(in: .whitespaces).hasPrefix("/* rbscron:")
            guard !mine else { continue }
            let entry = Adoption.pgCronEntry(jobname: row.jobname, command: row.command, app: app, jobs: jobs)
                .flatMap { base.jobNames.contains($0) ? $0 : nil }
            let name = row.jobname.map { "'\($0)'" } ?? "without a name"
            let leaks = Adoption.leaks(in: row.command, known: remote?.known ?? [])
            let entryJob = entry.flatMap { e in base.entries.first { $0.jobName == e }?.job }
            for leak in leaks {
                let (scope, key) = Adoption.secretToRotate(leak, app: app.name, job: entryJob.flatMap { byRef[$0] })
                let fix = entry == nil
                    ? "It does no inventory job's work, so rbscron will not replace it: move the credential into Vault (or remove the job), then rotate it: "
                    : "`rbscron schedule apply --layer pg_cron --app \(app.name) --adopt` replaces the job; then rotate it: "
                issues.append(PlanIssue(severity: .critical, job: entryJob?.description,
                    message: "the pg_cron job \(name) (jobid \(row.jobid))\(project) holds \(leak.described) in its command: anyone who "
                        + "can read cron.job, its run history or the migration that made it has it. " + fix
                        + "`rbscron secret rotate \(scope) \(key) --generate`, then the steps it prints (Vault, the app's setting)"))
            }
            guard let entry else { continue }
            guard row.jobname != nil else {
                issues.append(PlanIssue(severity: .warning, job: entryJob?.description,
                    message: "the pg_cron job \(row.jobid)\(project) has no name but does the work of \(entry): unschedule it by id "
                        + "(SELECT cron.unschedule(\(row.jobid))) when applying, or it fires beside rbscron's"))
                continue
            }
            matched[entry, default: []].append(row)
            leaksByEntry[entry, default: []] += leaks
        }
        let adopting = matched.values.flatMap { $0.compactMap(\.jobname) }.sorted()
        let migration = adopting.isEmpty ? base
            : try PgCronSQL.scheduleMigration(app: app, jobs: jobs, previouslyScheduled: nil, now: now, adopting: adopting)
        let utc = TimeZone(identifier: "UTC") ?? TimeZone.current
        func firstFire(_ name: String) -> Date? {
            let entry = migration.entries.first { $0.jobName == name }
            let siblings = migration.entries.filter { $0.job != nil && $0.job == entry?.job }
            return (siblings.isEmpty ? [entry].compactMap { $0 } : siblings).compactMap { e in
                (try? CronSchedule.parse(e.schedule, dialect: .pgCron, pgCronVersion: app.pgCronVersion))?.next(after: now, in: utc)
            }.min()
        }
        var outcomes: [AdoptionOutcome] = []
        let items = migration.entries.map { entry -> PlanItem in
            let job = entry.job.flatMap { byRef[$0] }
            if let note = entry.note, note.hasPrefix("WARNING: "), let ref = entry.job {
                issues.append(PlanIssue(severity: .warning, job: ref.description, message: String(note.dropFirst(9))))
            }
            let target = job.map { $0.path.map { "\($0)" } ?? "SQL" } ?? "SQL"
            let note = entry.note.map { $0.hasPrefix("WARNING: ") ? String($0.dropFirst(9)) : $0 }
            guard let rows = matched[entry.jobName] else {
                return PlanItem(id: entry.jobName, job: entry.job?.description, action: .create, schedule: entry.schedule,
                                target: target, note: note)
            }
            var changes: [FieldChange] = []
            for row in rows where row.schedule != entry.schedule {
                changes.append(FieldChange(field: "schedule", from: row.schedule, to: entry.schedule))
            }
            let names = rows.compactMap(\.jobname)
            var text = "made outside rbscron (\(names.joined(separator: ", "))); the migration unschedules "
                + "\(names.count == 1 ? "it" : "them") in the statement that schedules \(entry.jobName)"
            let leaks = leaksByEntry[entry.jobName] ?? []
            var rotate: String?
            if let leak = leaks.first {
                let (scope, key) = Adoption.secretToRotate(leak, app: app.name, job: job)
                rotate = "\(scope)/\(key)"
                text += "; its command holds \(leak.described): rotate \(scope)/\(key) after adopting"
            }
            if let note { text = note + "; " + text }
            let fire = firstFire(entry.jobName)
            outcomes.append(AdoptionOutcome(job: entry.job?.description ?? app.name, id: entry.jobName, replaced: names,
                                            firstFire: fire, rotate: rotate,
                                            note: "takes effect when the migration is applied"))
            return PlanItem(id: entry.jobName, job: entry.job?.description, action: .adopt, schedule: entry.schedule, target: target,
                            changes: changes, note: text,
                            adopts: rows.map { ForeignEntry(id: $0.jobname ?? "#\($0.jobid)", schedule: $0.schedule,
                                                            target: InlineCredentials.mask($0.command)) },
                            firstFire: fire)
        }
        let file = (directory as NSString).appendingPathComponent((migration.fileName as NSString).lastPathComponent)
        return (LayerPlan(layer: .pgCron, app: app.name, items: items, issues: issues, file: file, sql: migration.sql), outcomes)
    }

    /// Writes the migration into `directory` (created if needed) unless `dryRun`; returns the report with the path.
    /// A file of that name never is overwritten: when it already holds this very migration nothing is written
    /// (applying twice in one second is a no-op), and when it holds another, the migration takes the next free
    /// second in its timestamp, so it still sorts after the one it follows.
    ///
    /// A plan that adopts foreign jobs is refused without `adopt` (nothing is written).
    public static func apply(app: App, jobs: [Job], directory: String = defaultDirectory, now: Date, dryRun: Bool,
                             remote: Remote? = nil, adopt: Bool = false) throws -> LayerApplyReport {
        var (plan, outcomes) = try Self.planned(app: app, jobs: jobs, directory: directory, now: now, remote: remote)
        let adopting = plan.items.filter { $0.action == .adopt }
        if !adopting.isEmpty && !adopt && !dryRun {
            throw LayerSyncError.adoptionNeeded(.pgCron, jobs: adopting.map { $0.job ?? $0.id })
        }
        var alreadyWritten = false
        if !dryRun {
            for second in 1...60 {
                guard let file = plan.file, let existing = FileManager.default.contents(atPath: file) else { break }
                if existing == Data((plan.sql ?? "").utf8) {
                    alreadyWritten = true
                    break
                }
                (plan, outcomes) = try Self.planned(app: app, jobs: jobs, directory: directory, now: now.addingTimeInterval(Double(second)),
                                                    remote: remote)
            }
        }
        var report = LayerApplyReport(plan: plan, dryRun: dryRun, created: plan.items.filter { $0.action == .create }.map(\.id),
                                      adopted: outcomes)
        guard !dryRun, let file = plan.file, let sql = plan.sql else { return report }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PgCronSyncError.unwritable(path: directory, reason: SystemErrorText.describe(error))
        }
        if !alreadyWritten { try OutputFile.create(sql, at: file) }
        report.written = file
        return report
    }
}
