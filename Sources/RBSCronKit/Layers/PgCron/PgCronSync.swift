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

    /// The plan: every entry the migration schedules, as it schedules it (a local-time job's UTC entries with
    /// their UTC schedules, the entries rbscron adds with what they are for), the SQL and the file name the
    /// migration would get in `directory`. Every line describes the migration it prints.
    public static func plan(app: App, jobs: [Job], directory: String = defaultDirectory, now: Date) throws -> LayerPlan {
        let migration = try PgCronSQL.scheduleMigration(app: app, jobs: jobs, previouslyScheduled: nil, now: now)
        let byRef = Dictionary(jobs.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        var issues: [PlanIssue] = []
        let items = migration.entries.map { entry -> PlanItem in
            let job = entry.job.flatMap { byRef[$0] }
            if let note = entry.note, note.hasPrefix("WARNING: "), let ref = entry.job {
                issues.append(PlanIssue(severity: .warning, job: ref.description, message: String(note.dropFirst(9))))
            }
            return PlanItem(id: entry.jobName, job: entry.job?.description, action: .create, schedule: entry.schedule,
                            target: job.map { $0.path.map { "\($0)" } ?? "SQL" } ?? "SQL",
                            note: entry.note.map { $0.hasPrefix("WARNING: ") ? String($0.dropFirst(9)) : $0 })
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
