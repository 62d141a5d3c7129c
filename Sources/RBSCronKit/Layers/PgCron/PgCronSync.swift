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

    /// The plan: the job names, the SQL and the file name the migration would get in `directory`.
    public static func plan(app: App, jobs: [Job], directory: String = defaultDirectory, now: Date) throws -> LayerPlan {
        let migration = try PgCronSQL.scheduleMigration(app: app, jobs: jobs, previouslyScheduled: nil, now: now)
        let byName = Dictionary(jobs.filter { $0.app == app.name && $0.layer == .pgCron && $0.enabled }
            .map { (ScheduleID.of(app: app.name, job: $0.name), $0) }, uniquingKeysWith: { a, _ in a })
        let items = migration.jobNames.map { name in
            let job = byName[name]
            return PlanItem(id: name, job: job?.ref.description, action: .create,
                            schedule: job?.schedule ?? (name.hasSuffix(PgCronSQL.cleanupJobName) ? PgCronSQL.cleanupSchedule : nil),
                            target: job.map { $0.path ?? "SQL" } ?? "SQL",
                            note: job == nil ? "added by rbscron: weekly prune of cron.job_run_details" : nil)
        }
        var issues: [PlanIssue] = []
        for job in byName.values.sorted(by: { $0.ref < $1.ref }) where !["UTC", "Etc/UTC", "GMT", "Etc/GMT"].contains(job.timezone) {
            issues.append(PlanIssue(severity: .warning, job: job.ref.description,
                                    message: "meant in \(job.timezone), but pg_cron fires in cron.timezone (GMT on Supabase); the schedule is written unchanged"))
        }
        let file = (directory as NSString).appendingPathComponent((migration.fileName as NSString).lastPathComponent)
        return LayerPlan(layer: .pgCron, app: app.name, items: items, issues: issues, file: file, sql: migration.sql)
    }

    /// Writes the migration into `directory` (created if needed) unless `dryRun`; returns the report with the path.
    /// A file of that name never is overwritten: when it already holds this very migration nothing is written
    /// (applying twice in one second is a no-op), and when it holds another, the migration takes the next free
    /// second in its timestamp, so it still sorts after the one it follows.
    public static func apply(app: App, jobs: [Job], directory: String = defaultDirectory, now: Date, dryRun: Bool) throws -> LayerApplyReport {
        var plan = try Self.plan(app: app, jobs: jobs, directory: directory, now: now)
        var alreadyWritten = false
        if !dryRun {
            for second in 1...60 {
                guard let file = plan.file, let existing = FileManager.default.contents(atPath: file) else { break }
                if existing == Data((plan.sql ?? "").utf8) {
                    alreadyWritten = true
                    break
                }
                plan = try Self.plan(app: app, jobs: jobs, directory: directory, now: now.addingTimeInterval(Double(second)))
            }
        }
        var report = LayerApplyReport(plan: plan, dryRun: dryRun, created: plan.items.map(\.id))
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
