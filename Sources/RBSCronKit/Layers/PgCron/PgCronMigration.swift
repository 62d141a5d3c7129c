import Foundation

/// A pg_cron migration written by `schedule plan|apply --layer pg_cron`.
public struct PgCronMigration: Sendable, Equatable {
    /// Suggested path inside the app's repository: `supabase/migrations/<YYYYMMDDHHMMSS>_rbscron_pg_cron_<app>.sql`.
    public var fileName: String
    /// The migration itself. It holds no secret value: the invoker reads them from Supabase Vault at call time.
    public var sql: String
    /// The pg_cron job names the migration schedules, in the order it schedules them.
    public var jobNames: [String]
    /// Names from `previouslyScheduled` that the migration unschedules (empty when that list was not given).
    /// The migration removes stale jobs by itself whatever the database holds; this is for the plan display.
    public var unscheduledJobNames: [String]
    /// Every entry the migration schedules, in order, with the schedule it writes and why.
    public var entries: [PgCronSQL.Entry]

    public init(fileName: String, sql: String, jobNames: [String], unscheduledJobNames: [String] = [],
                entries: [PgCronSQL.Entry] = []) {
        self.fileName = fileName
        self.sql = sql
        self.jobNames = jobNames
        self.unscheduledJobNames = unscheduledJobNames
        self.entries = entries
    }
}

/// Why a pg_cron migration could not be written. The command layer turns these into sentences.
public enum PgCronSQLError: Error, Equatable, Sendable {
    /// The app or job name is not a slug, so it cannot be part of a pg_cron job name.
    case invalidName(String)
    /// `rbs-<app>-<job>` is longer than the 63 bytes of PostgreSQL's `name` type (pg_cron would truncate it).
    case jobNameTooLong(jobName: String)
    /// Two jobs of the app have the same name.
    case duplicateJob(JobRef)
    /// A pg_cron job without a schedule.
    case missingSchedule(JobRef)
    /// A schedule the project's pg_cron refuses (the reason names the version).
    case invalidSchedule(JobRef, reason: String)
    /// A pg_cron job with neither an HTTP path nor SQL.
    case missingCommand(JobRef)
    /// The HTTP path does not start with `/`.
    case invalidPath(JobRef, path: String)
    /// pg_net calls are made with `net.http_post` or `net.http_get` only.
    case unsupportedMethod(JobRef, HTTPMethod)
    /// The invoker sends `Authorization: Bearer <cron secret>`; other auth kinds cannot be sent from pg_cron.
    case unsupportedAuth(JobRef, AuthKind)
    /// A timeout that is zero or negative.
    case invalidTimeout(JobRef, milliseconds: Int)
}

extension PgCronSQLError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case .invalidName(let name):
            return "'\(name)' is not a slug (lowercase letters, digits and single hyphens); rename it before scheduling it on pg_cron."
        case .jobNameTooLong(let jobName):
            return "The pg_cron job name '\(jobName)' is longer than 63 bytes, which PostgreSQL would truncate; shorten the app or job name."
        case .duplicateJob(let ref):
            return "The job \(ref) appears more than once; job names must be unique within an app."
        case .missingSchedule(let ref):
            return "The pg_cron job \(ref) has no schedule; give it one or move it to the manual layer."
        case .invalidSchedule(let ref, let reason):
            return "The pg_cron job \(ref) cannot be scheduled: \(reason). Rewrite the schedule, or record the project's "
                + "pg_cron release (`supabase: {pg_cron_version: \"1.6\"}`) if it is newer."
        case .missingCommand(let ref):
            return "The pg_cron job \(ref) has neither a path nor SQL; give it one of them."
        case .invalidPath(let ref, let path):
            return "The path '\(path)' of \(ref) must start with '/'."
        case .unsupportedMethod(let ref, let method):
            return "The pg_cron job \(ref) uses \(method.rawValue); pg_cron calls endpoints with POST or GET only."
        case .unsupportedAuth(let ref, let auth):
            return "The pg_cron job \(ref) uses auth '\(auth.rawValue)'; pg_cron HTTP jobs send the app's cron secret (auth cron_secret)."
        case .invalidTimeout(let ref, let ms):
            return "The timeout \(ms) ms of \(ref) must be positive."
        }
    }
}
