import Foundation

/// The SQL rbscron writes for Supabase pg_cron: the keep-alive migration (`keepalive --sql`) and the
/// schedule migration (`schedule plan|apply --layer pg_cron`).
///
/// Both are plain SQL meant to be saved under `supabase/migrations/` and are safe to apply again:
/// `cron.schedule(name, …)` replaces the job of the same name (pg_cron ≥ 1.3), functions are
/// `CREATE OR REPLACE`, and stale jobs are found in `cron.job` at apply time.
public enum PgCronSQL {
    /// pg_net timeouts are capped here so a call ends before Supabase's 15 s EarlyDrop limit.
    public static let maxTimeoutMs = 14_000
    /// The keep-alive job of the seed's migration (`keepalive --sql`), the same name in every project.
    public static let keepAliveJobName = "keep-alive-ping"
    /// The run-history cleanup job added to every schedule migration unless the app has its own.
    public static let cleanupJobName = "cleanup-cron-history"
    /// Its schedule: Sundays 03:00 in `cron.timezone`, as in the seed's keep-alive pattern.
    public static let cleanupSchedule = "0 3 * * 0"
    /// PostgreSQL's `name` type, which `cron.job.jobname` uses, holds 63 bytes.
    public static let maxJobNameBytes = 63
    /// The schema of the invoker function and of the fire history.
    public static let invokerSchema = "rbscron"
    /// The job that copies pg_net's answers into the history: `rbs-<app>-collect`.
    public static let collectorJobName = "collect"
    /// Every 5 minutes: far inside pg_net's 6-hour TTL, and cheap (tens of milliseconds).
    public static let collectorSchedule = "*/5 * * * *"
    /// Days the history (`rbscron.fires`) keeps a fire: the collector prunes older rows, and `cleanup --remote
    /// --layer pg_cron` uses the same figure.
    public static let historyRetentionDays = 14

    // MARK: Names


    /// The Vault secret holding the app's base URL (`https://…`, no trailing slash needed):
    /// `rbscron_<app>_base_url`, hyphens in the app slug written as underscores.
    public static func vaultBaseURLName(app: String) -> String { "rbscron_\(vaultSlug(app))_base_url" }

    /// The Vault secret holding the app's `CRON_SECRET`: `rbscron_<app>_cron_secret`.
    public static func vaultCronSecretName(app: String) -> String { "rbscron_\(vaultSlug(app))_cron_secret" }

    /// `supabase/migrations/<YYYYMMDDHHMMSS>_rbscron_keep_alive.sql`, UTC.
    public static func keepAliveFileName(now: Date) -> String {
        "supabase/migrations/\(migrationTimestamp(now))_rbscron_keep_alive.sql"
    }

    /// `supabase/migrations/<YYYYMMDDHHMMSS>_rbscron_pg_cron_<app>.sql`, UTC.
    public static func scheduleFileName(app: String, now: Date) -> String {
        "supabase/migrations/\(migrationTimestamp(now))_rbscron_pg_cron_\(vaultSlug(app)).sql"
    }

    /// `YYYYMMDDHHMMSS` in UTC, the prefix Supabase CLI orders migrations by.
    static func migrationTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let year = String(c.year ?? 1970)
        return year + two(c.month) + two(c.day) + two(c.hour) + two(c.minute) + two(c.second)
    }

    private static func vaultSlug(_ app: String) -> String { app.replacingOccurrences(of: "-", with: "_") }

    private static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    // MARK: Keep-alive

    /// The Supabase keep-alive migration: the ecosystem's pattern, unchanged, under a header that names
    /// the app and the suggested file name. Applying it twice leaves the same two jobs
    /// (`keep-alive-ping`, `cleanup-cron-history`).
    public static func keepAliveMigration(app: App, now: Date) -> String {
        var header = [
            "-- rbscron keep-alive migration for \(SQLText.comment(app.displayName)) (\(SQLText.comment(app.name)))",
        ]
        if let project = app.supabase, project.projectRef != nil || project.url != nil {
            let parts = [project.projectRef, project.url].compactMap { $0 }.map(SQLText.comment)
            header.append("-- Supabase project: \(parts.joined(separator: " "))")
        }
        header += [
            "-- Suggested file: \(keepAliveFileName(now: now))",
            "-- Generated \(rfc3339(now)) by `rbscron keepalive --sql`.",
            "--",
            "-- Free-tier Supabase projects pause after 7 days without activity. pg_cron runs a trivial",
            "-- query every 3 days (12:00 in cron.timezone, GMT on Supabase) and prunes its own run history",
            "-- weekly. Safe to apply more than once: cron.schedule(name, ...) replaces the job of that name.",
            "-- Apply it again after unpausing a project.",
            "",
        ]
        let body = """
            CREATE EXTENSION IF NOT EXISTS pg_cron;
            GRANT USAGE ON SCHEMA cron TO postgres;
            CREATE OR REPLACE FUNCTION keep_alive() RETURNS void LANGUAGE sql AS $$ SELECT 1; $$;
            SELECT cron.schedule('keep-alive-ping', '0 12 */3 * *', 'SELECT keep_alive()');
            -- Cleanup cron history weekly (prevents table bloat)
            CREATE OR REPLACE FUNCTION cleanup_cron_history() RETURNS void LANGUAGE sql AS $$
            DELETE FROM cron.job_run_details WHERE end_time < NOW() - INTERVAL '7 days';
            $$;
            SELECT cron.schedule('cleanup-cron-history', '0 3 * * 0', 'SELECT cleanup_cron_history()');

            """
        return header.joined(separator: "\n") + "\n" + body
    }

    // MARK: Schedule

    /// The marker that starts the command of every job rbscron schedules for `app`. The stale-job sweep
    /// only removes jobs carrying it, so app `la` never removes the jobs of app `la-hoja`.
    public static func commandMarker(app: String) -> String { "/* rbscron:\(app) */" }

    /// One pg_cron entry as the migration schedules it.
    public struct Entry: Sendable, Equatable {
        /// `rbs-<app>-<job>`, `rbs-<app>-<job>.2` for the extra UTC entries of a local-time job.
        public var jobName: String
        /// As written into `cron.job` (UTC for a job meant in a local zone that compiles exactly).
        public var schedule: String
        /// The inventory job it stands for; nil for the entries rbscron adds (collector, history cleanup).
        public var job: JobRef?
        /// What the plan should say about it (why it exists, how its schedule was derived).
        public var note: String?
        var command: String
        var comments: [String]
    }

    /// The pg_cron migration for one app.
    ///
    /// - Parameters:
    ///   - app: the app whose database the migration is for.
    ///   - jobs: inventory jobs; only this app's enabled `pg_cron` jobs are scheduled, others are ignored.
    ///   - previouslyScheduled: job names the database is known to hold (from a remote listing), used only
    ///     to report `unscheduledJobNames`; the SQL removes stale jobs by itself.
    ///   - now: the clock, for the file name and header.
    /// - Throws: `PgCronSQLError` for a job that cannot be scheduled on pg_cron.
    public static func scheduleMigration(
        app: App, jobs: [Job], previouslyScheduled: [String]?, now: Date
    ) throws -> PgCronMigration {
        guard Slug.isValid(app.name) else { throw PgCronSQLError.invalidName(app.name) }
        let appJobs = jobs.filter { $0.app == app.name }
        var seen = Set<String>()
        for job in appJobs where !seen.insert(job.name).inserted {
            throw PgCronSQLError.duplicateJob(job.ref)
        }

        var planned: [Entry] = []
        var usesHTTP = false
        var sqlJobs: [Job] = []
        for job in appJobs where job.layer == .pgCron && job.enabled {
            planned += try plan(job: job, app: app, now: now)
            if job.sql == nil { usesHTTP = true } else { sqlJobs.append(job) }
        }
        if usesHTTP {
            // pg_net keeps an answer only pg_net.ttl (6 hours by default): the collector copies it into
            // rbscron.fires while it is there, whether or not rbscron itself runs.
            planned.append(Entry(
                jobName: ScheduleID.of(app: app.name, job: collectorJobName), schedule: collectorSchedule, job: nil,
                note: "added by rbscron: copies pg_net's answers into rbscron.fires every 5 minutes, keeps \(historyRetentionDays) days",
                command: commandMarker(app: app.name) + " SELECT \(invokerSchema).collect_http_responses()",
                comments: ["added by rbscron: copies pg_net's answers into rbscron.fires every 5 minutes (pg_net keeps them "
                           + "6 hours) and prunes rows older than \(historyRetentionDays) days"]))
        }
        // The weekly run-history cleanup, unless the inventory already names a job `cleanup-cron-history`
        // for this app (enabled or not: its name would collide, and a disabled one was disabled on purpose).
        if !appJobs.contains(where: { $0.name == cleanupJobName }) {
            planned.append(Entry(
                jobName: ScheduleID.of(app: app.name, job: cleanupJobName), schedule: cleanupSchedule, job: nil,
                note: "added by rbscron: weekly prune of cron.job_run_details (rows older than 7 days)",
                command: commandMarker(app: app.name)
                    + " DELETE FROM cron.job_run_details WHERE end_time < now() - interval '7 days'",
                comments: ["added by rbscron: weekly prune of cron.job_run_details (rows older than 7 days)"]))
        }

        let names = planned.map(\.jobName)
        let prefix = ScheduleID.appPrefix(app.name)
        let removed = (previouslyScheduled ?? []).filter { $0.hasPrefix(prefix) && !names.contains($0) }
        let fileName = scheduleFileName(app: app.name, now: now)
        let calls = sqlJobs.flatMap { job in functionCalls(in: job.sql ?? "").map { (job.ref, $0) } }

        var out: [String] = []
        out.append(contentsOf: header(app: app, planned: planned, removed: previouslyScheduled == nil ? nil : removed,
                                      fileName: fileName, now: now, usesHTTP: usesHTTP))
        out.append("CREATE EXTENSION IF NOT EXISTS pg_cron;")
        out.append("")
        if usesHTTP {
            out.append(preflightSQL())
            out.append("")
        }
        if !planned.isEmpty {
            out.append(historySQL(app: app.name, http: usesHTTP))
            out.append("")
        }
        if let functions = supportFunctionsSQL(calls) {
            out.append(functions)
            out.append("")
        }
        out.append("-- Jobs (cron.schedule(name, ...) replaces a job of the same name, so this is safe to re-apply).")
        for item in planned {
            for comment in item.comments { out.append("-- \(SQLText.comment(comment))") }
            out.append("SELECT cron.schedule(\(SQLText.literal(item.jobName)), \(SQLText.literal(item.schedule)), "
                       + "\(SQLText.dollarQuoted(item.command)));")
        }
        if !planned.isEmpty {
            // When each entry first came to exist: fires before it were not pg_cron's to make.
            let values = planned.map { "(\(SQLText.literal($0.jobName)))" }.joined(separator: ", ")
            out.append("INSERT INTO \(invokerSchema).schedules (job_name) VALUES \(values) ON CONFLICT DO NOTHING;")
        }
        out.append("")
        out.append(sweepSQL(app: app.name, keep: names))
        out.append("")
        return PgCronMigration(fileName: fileName, sql: out.joined(separator: "\n"), jobNames: names,
                               unscheduledJobNames: removed, entries: planned)
    }

    private static let utcZones: Set<String> = ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Etc/Universal", "Universal", "Zulu"]

    /// The pg_cron entries of one job: one, or for a job meant in a local zone, the exact UTC entries
    /// (`rbs-<app>-<job>`, `rbs-<app>-<job>.2`, …) that fire at the same instants, since pg_cron fires
    /// in `cron.timezone` (GMT on Supabase).
    static func plan(job: Job, app: App, now: Date) throws -> [Entry] {
        guard Slug.isValid(job.name) else { throw PgCronSQLError.invalidName(job.name) }
        let name = ScheduleID.of(app: app.name, job: job.name)
        guard let schedule = job.schedule?.trimmingCharacters(in: .whitespaces), !schedule.isEmpty else {
            throw PgCronSQLError.missingSchedule(job.ref)
        }
        // cron.schedule refuses what the project's pg_cron cannot read: say so here, naming the version, rather than
        // let the migration fail half-applied.
        do {
            _ = try CronSchedule.parse(schedule, dialect: .pgCron, pgCronVersion: app.pgCronVersion)
        } catch {
            throw PgCronSQLError.invalidSchedule(job.ref, reason: error.localizedDescription)
        }
        var entries = [schedule]
        var comments: [String] = []
        var note: String?
        if !utcZones.contains(job.timezone) {
            let compiled = TimeZone(identifier: job.timezone).flatMap { zone in
                (try? CronSchedule.parse(schedule, dialect: .pgCron, pgCronVersion: app.pgCronVersion))
                    .map { UTCCompiler.compile(schedule: $0, zone: zone, from: now) }
            }
            if case .exact(let utc)? = compiled {
                entries = utc
                comments.append("\(job.ref) is meant as '\(schedule)' in \(job.timezone); pg_cron fires in cron.timezone "
                                + "(GMT on Supabase), so it runs as \(utc.count == 1 ? "this UTC entry" : "these \(utc.count) UTC entries"), "
                                + "checked to fire at the same instants over the next year.")
                note = "meant as '\(schedule)' in \(job.timezone); written as \(utc.count == 1 ? "a UTC entry" : "\(utc.count) UTC entries") "
                    + "that fire at the same instants"
            } else {
                comments.append("WARNING: \(job.ref) is meant in \(job.timezone), but pg_cron fires in cron.timezone "
                                + "(GMT on Supabase) and no fixed UTC entries fire at the same instants all year "
                                + "(see `rbscron schedule check`); '\(schedule)' is emitted unchanged.")
                note = "WARNING: meant in \(job.timezone), but no fixed UTC entries fire at the same instants all year; "
                    + "'\(schedule)' is written unchanged and fires in GMT"
            }
        }
        let names = entries.indices.map { $0 == 0 ? name : "\(name).\($0 + 1)" }
        for entryName in names where entryName.utf8.count > maxJobNameBytes {
            throw PgCronSQLError.jobNameTooLong(jobName: entryName)
        }
        let command = try command(job: job, app: app, comments: &comments)
        return zip(names, entries).enumerated().map { i, pair in
            Entry(jobName: pair.0, schedule: pair.1, job: job.ref, note: i == 0 ? note : "UTC entry \(i + 1) of \(name)",
                  command: command, comments: i == 0 ? comments : [])
        }
    }

    /// The command a job's entries run: its SQL, or a call of the invoker function with the job's own name (every
    /// UTC entry of a local-time job shares it), so each fire is recorded against its job.
    private static func command(job: Job, app: App, comments: inout [String]) throws -> String {
        let marker = commandMarker(app: app.name)
        if let sql = job.sql {
            let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw PgCronSQLError.missingCommand(job.ref) }
            return "\(marker) \(trimmed)"
        }
        guard let path = job.path, !path.isEmpty else { throw PgCronSQLError.missingCommand(job.ref) }
        guard path.hasPrefix("/") else { throw PgCronSQLError.invalidPath(job.ref, path: path) }
        guard job.method == .POST || job.method == .GET else { throw PgCronSQLError.unsupportedMethod(job.ref, job.method) }
        guard job.auth == .cronSecret else { throw PgCronSQLError.unsupportedAuth(job.ref, job.auth) }
        guard job.timeoutMs > 0 else { throw PgCronSQLError.invalidTimeout(job.ref, milliseconds: job.timeoutMs) }
        let timeout = min(job.timeoutMs, maxTimeoutMs)
        if job.timeoutMs > maxTimeoutMs {
            comments.append("\(job.ref): timeout \(DurationText.format(milliseconds: job.timeoutMs)) capped at "
                            + "\(DurationText.format(milliseconds: maxTimeoutMs)) to stay under the 15 s EarlyDrop limit.")
        }
        let call = "SELECT \(invokerSchema).invoke_cron_endpoint(\(SQLText.literal(path)), "
            + "\(SQLText.literal(job.method.rawValue)), \(timeout), \(SQLText.literal(ScheduleID.of(job.ref))))"
        return "\(marker) \(call)"
    }

    private static func header(
        app: App, planned: [Entry], removed: [String]?, fileName: String, now: Date, usesHTTP: Bool
    ) -> [String] {
        var lines = [
            "-- rbscron pg_cron schedule for \(SQLText.comment(app.displayName)) (\(app.name))",
            "-- Suggested file: \(fileName)",
            "-- Generated \(rfc3339(now)) by `rbscron schedule apply --layer pg_cron --app \(app.name)`.",
            "-- Safe to apply more than once. Jobs named \(ScheduleID.of(app: app.name, job: "*")) that are no longer in the",
            "-- inventory are unscheduled by the DO block at the end; other jobs are never touched.",
            "--",
            "-- Jobs:",
        ]
        for item in planned { lines.append("--   \(item.jobName)  \(SQLText.comment(item.schedule))") }
        if let removed {
            lines.append(removed.isEmpty ? "-- Unscheduled: none"
                         : "-- Unscheduled: " + removed.map(SQLText.comment).joined(separator: ", "))
        }
        if usesHTTP {
            let urlName = vaultBaseURLName(app: app.name)
            let secretName = vaultCronSecretName(app: app.name)
            lines += [
                "--",
                "-- HTTP jobs call \(invokerSchema).invoke_cron_endpoint, which reads two Supabase Vault secrets when it runs",
                "-- (never stored in this file):",
                "--   \(urlName)     the app's base URL",
                "--   \(secretName)  the app's CRON_SECRET (sent as Authorization: Bearer)",
                "-- Create them once in the SQL editor, not in a migration:",
                "--   select vault.create_secret(\(SQLText.comment(SQLText.literal(app.baseURL))), '\(urlName)');",
                "--   select vault.create_secret('<CRON_SECRET>', '\(secretName)');",
                "-- Rotate with vault.update_secret(id, '<new value>'); the next run uses it. Without the secret",
                "-- the function raises an error and makes no request.",
                "--",
                "-- pg_net only queues each request, so pg_cron reports every call as succeeded. The invoker records",
                "-- every call in \(invokerSchema).fires, and \(ScheduleID.of(app: app.name, job: collectorJobName)) copies pg_net's answer into it",
                "-- (status, timeout, error, the first 300 characters of the body with the secret removed) before",
                "-- pg_net's TTL (6 hours) drops it. Rows are kept \(historyRetentionDays) days. `rbscron stats --sync` reads them.",
            ]
        }
        lines.append("")
        return lines
    }

    /// Stops the migration early, with a sentence, when pg_net or Vault are not there.
    private static func preflightSQL() -> String {
        let body = """

            BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                             WHERE n.nspname = 'net' AND p.proname IN ('http_post', 'http_get'))
                 OR to_regclass('net._http_response') IS NULL THEN
                RAISE EXCEPTION 'rbscron: pg_net is not enabled in this database (net.http_post or net._http_response is missing); enable the pg_net extension, then apply this migration again';
              END IF;
              IF to_regclass('vault.decrypted_secrets') IS NULL THEN
                RAISE EXCEPTION 'rbscron: Supabase Vault (vault.decrypted_secrets) is missing; enable the supabase_vault extension, then apply this migration again';
              END IF;
            END

            """
        return "-- Preflight: pg_net and Vault must be enabled.\nDO \(SQLText.dollarQuoted(body, base: "preflight"));"
    }

    /// Unschedules this app's rbscron jobs that the inventory no longer has, reading `cron.job` at apply time.
    static func sweepSQL(app: String, keep: [String]) -> String {
        let prefix = ScheduleID.appPrefix(app)
        let body = """

            DECLARE
              stale record;
            BEGIN
              FOR stale IN
                SELECT j.jobid, j.jobname FROM cron.job j
                WHERE left(j.jobname, \(prefix.utf8.count)) = \(SQLText.literal(prefix))
                  AND left(j.command, \(commandMarker(app: app).utf8.count)) = \(SQLText.literal(commandMarker(app: app)))
                  AND NOT (j.jobname = ANY (\(SQLText.textArray(keep))))
                ORDER BY j.jobid
              LOOP
                PERFORM cron.unschedule(stale.jobid);
                IF to_regclass('\(invokerSchema).schedules') IS NOT NULL THEN
                  DELETE FROM \(invokerSchema).schedules s WHERE s.job_name = stale.jobname;
                END IF;
                RAISE NOTICE 'rbscron: unscheduled %', stale.jobname;
              END LOOP;
            END

            """
        return "-- Unschedule \(prefix)* jobs that are no longer in the inventory.\nDO \(SQLText.dollarQuoted(body, base: "sweep"));"
    }
}
