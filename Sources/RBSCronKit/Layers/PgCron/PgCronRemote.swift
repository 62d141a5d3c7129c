import Foundation

/// One row of `cron.job` with the latest `cron.job_run_details` row of that job, as ``PgCronRemote/jobsQuery`` returns it.
public struct PgCronJobRow: Sendable, Equatable, Decodable {
    public var jobid: Int64
    /// pg_cron allows unnamed jobs (`cron.schedule(schedule, command)`).
    public var jobname: String?
    public var schedule: String
    public var command: String
    public var active: Bool
    public var database: String?
    public var username: String?
    public var lastRunid: Int64?
    public var lastStatus: String?
    public var lastStartMs: Int64?
    public var lastEndMs: Int64?

    public init(jobid: Int64, jobname: String?, schedule: String, command: String, active: Bool = true,
                database: String? = nil, username: String? = nil, lastRunid: Int64? = nil, lastStatus: String? = nil,
                lastStartMs: Int64? = nil, lastEndMs: Int64? = nil) {
        self.jobid = jobid
        self.jobname = jobname
        self.schedule = schedule
        self.command = command
        self.active = active
        self.database = database
        self.username = username
        self.lastRunid = lastRunid
        self.lastStatus = lastStatus
        self.lastStartMs = lastStartMs
        self.lastEndMs = lastEndMs
    }

    enum CodingKeys: String, CodingKey {
        case jobid, jobname, schedule, command, active, database, username, lastRunid = "last_runid",
             lastStatus = "last_status", lastStartMs = "last_start_ms", lastEndMs = "last_end_ms"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let jobid = c.bigint(.jobid) else {
            throw DecodingError.dataCorruptedError(forKey: .jobid, in: c, debugDescription: "jobid is missing")
        }
        self.jobid = jobid
        jobname = try c.decodeIfPresent(String.self, forKey: .jobname)
        schedule = try c.decode(String.self, forKey: .schedule)
        command = try c.decode(String.self, forKey: .command)
        active = try c.decodeIfPresent(Bool.self, forKey: .active) ?? true
        database = try c.decodeIfPresent(String.self, forKey: .database)
        username = try c.decodeIfPresent(String.self, forKey: .username)
        lastRunid = c.bigint(.lastRunid)
        lastStatus = try c.decodeIfPresent(String.self, forKey: .lastStatus)
        lastStartMs = c.bigint(.lastStartMs)
        lastEndMs = c.bigint(.lastEndMs)
    }
}

/// One pg_cron job as `list schedules --remote --layer pg_cron` reports it.
///
/// JSON: `jobid`, `jobname`, `job`, `managed`, `schedule`, `command`, `active`, `database`, `username`,
/// `last_run` (`runid`, `status`, `start_time`, `end_time`, or null when the job has no run on record).
public struct PgCronRemoteJob: Encodable, Sendable, Equatable {
    /// The latest row of `cron.job_run_details` for the job.
    public struct LastRun: Encodable, Sendable, Equatable {
        public var runid: Int64
        /// pg_cron's status: starting, running, sending, connecting, succeeded, failed.
        public var status: String?
        public var startTime: Date?
        public var endTime: Date?

        enum CodingKeys: String, CodingKey { case runid, status, startTime = "start_time", endTime = "end_time" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(runid, forKey: .runid)
            try c.encode(status, forKey: .status)
            try c.encode(startTime, forKey: .startTime)
            try c.encode(endTime, forKey: .endTime)
        }
    }

    public var jobid: Int64
    public var jobname: String?
    /// The inventory job it stands for (`APP/JOB`); nil for a job rbscron cannot attribute (foreign).
    public var job: String?
    /// True for the jobs rbscron writes: `rbs-<app>-<job>` (and `.2`, `.3`… entries), and the seed's keep-alive
    /// names (`keep-alive-ping`, `cleanup-cron-history`) that `keepalive --sql` schedules.
    public var managed: Bool
    /// A job made outside rbscron that does this inventory job's work (`APP/JOB`, or `APP` for the history cleanup
    /// rbscron adds): `schedule apply --layer pg_cron --adopt` replaces it.
    public var adoptableBy: String?
    public var schedule: String
    /// The job's SQL, with every stored secret and any credential written into it literally hidden.
    public var command: String
    public var active: Bool
    public var database: String?
    public var username: String?
    public var lastRun: LastRun?

    /// Neither an inventory job nor one of rbscron's names.
    public var isForeign: Bool { job == nil && !managed }

    enum CodingKeys: String, CodingKey {
        case jobid, jobname, job, address, managed, adoptableBy = "adoptable_by", schedule, command, active, database,
             username, lastRun = "last_run"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(jobid, forKey: .jobid)
        try c.encode(jobname, forKey: .jobname)
        try c.encode(job, forKey: .job)
        try c.encode(job, forKey: .address)
        try c.encode(managed, forKey: .managed)
        try c.encode(adoptableBy, forKey: .adoptableBy)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(command, forKey: .command)
        try c.encode(active, forKey: .active)
        try c.encode(database, forKey: .database)
        try c.encode(username, forKey: .username)
        try c.encode(lastRun, forKey: .lastRun)
    }
}

/// One Supabase project as the listing read it: its jobs and its pg_cron release, or why it could not be read.
///
/// JSON: `project_ref`, `apps`, `pg_cron_version` (the database's `extversion`, or null when not read or not
/// installed), `recorded_pg_cron_version` (what the inventory records, Supabase's 1.6 by default), `jobs`, `error`
/// (a sentence, or null when the project was read).
public struct PgCronRemoteProject: Encodable, Sendable, Equatable {
    public var projectRef: String
    /// The inventory apps on this project that are in play.
    public var apps: [String]
    /// `extversion` of pg_cron in the project's database, as it reads (`1.6`, `1.4-1`).
    public var pgCronVersion: String?
    /// The release the inventory records for the project (its apps' `supabase.pg_cron_version`, else 1.6).
    public var recordedPgCronVersion: PgCronVersion = .supabase
    public var jobs: [PgCronRemoteJob]
    /// Why the project could not be read (no token, HTTP error, unreachable); never carries the token.
    public var error: String?

    public init(projectRef: String, apps: [String], pgCronVersion: String? = nil,
                recordedPgCronVersion: PgCronVersion = .supabase, jobs: [PgCronRemoteJob], error: String?) {
        self.projectRef = projectRef
        self.apps = apps
        self.pgCronVersion = pgCronVersion
        self.recordedPgCronVersion = recordedPgCronVersion
        self.jobs = jobs
        self.error = error
    }

    /// A sentence when the database runs another pg_cron release (major.minor) than the inventory records: schedules
    /// are checked against the recorded one, so they may be refused (or wrongly refused) by the real one.
    public var versionWarning: String? {
        guard let text = pgCronVersion, let actual = PgCronVersion(text),
              (actual.major, actual.minor) != (recordedPgCronVersion.major, recordedPgCronVersion.minor) else { return nil }
        let apps = apps.joined(separator: ", ")
        return "project \(projectRef) (\(apps)) runs pg_cron \(actual), but the inventory records \(recordedPgCronVersion): "
            + "schedules are checked against \(recordedPgCronVersion) (`N seconds` needs 1.5, `$` needs 1.6); record "
            + "`supabase: {pg_cron_version: \"\(actual.major).\(actual.minor)\"}` for \(apps) (rbscron export, edit, rbscron import)"
    }

    enum CodingKeys: String, CodingKey {
        case projectRef = "project_ref", apps, pgCronVersion = "pg_cron_version",
             recordedPgCronVersion = "recorded_pg_cron_version", jobs, error
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(projectRef, forKey: .projectRef)
        try c.encode(apps, forKey: .apps)
        try c.encode(pgCronVersion, forKey: .pgCronVersion)
        try c.encode(recordedPgCronVersion, forKey: .recordedPgCronVersion)
        try c.encode(jobs, forKey: .jobs)
        try c.encode(error, forKey: .error)
    }
}

/// `list schedules --remote --layer pg_cron`: every project read, in project-ref order.
///
/// JSON: `layer` (`pg_cron`), `app` (the `--app`, or null), `projects`, and `apps_without_project_ref` (apps with
/// pg_cron jobs in the inventory but no Supabase project ref, so nothing could be read for them).
public struct PgCronRemoteReport: Encodable, Sendable, Equatable {
    public var layer = Layer.pgCron
    public var app: String?
    public var projects: [PgCronRemoteProject]
    public var appsWithoutProjectRef: [String]

    /// The projects that could not be read.
    public var failures: [PgCronRemoteProject] { projects.filter { $0.error != nil } }

    /// One sentence per project whose pg_cron release differs from the inventory's.
    public var versionWarnings: [String] { projects.compactMap(\.versionWarning) }

    enum CodingKeys: String, CodingKey { case layer, app, projects, appsWithoutProjectRef = "apps_without_project_ref" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layer, forKey: .layer)
        try c.encode(app, forKey: .app)
        try c.encode(projects, forKey: .projects)
        try c.encode(appsWithoutProjectRef, forKey: .appsWithoutProjectRef)
    }
}

/// Why the pg_cron listing could not start (a project that fails is reported in the listing instead).
public enum PgCronRemoteError: Error, LocalizedError, Sendable, Equatable {
    /// `--app` names an app without a Supabase project ref.
    case noProjectRef(app: String)
    /// No app of the inventory has a Supabase project ref.
    case noProjects

    public var errorDescription: String? {
        switch self {
        case .noProjectRef(let app):
            return "\(app) has no Supabase project ref, so there is no database to read; set supabase.project_ref "
                + "for it (rbscron export, edit, rbscron import)."
        case .noProjects:
            return "no app in the inventory has a Supabase project ref, so there is no pg_cron to read; set "
                + "supabase.project_ref for the apps that have one (rbscron export, edit, rbscron import)."
        }
    }
}

/// What pg_cron itself holds in each Supabase project, read through the Management API with the same client and
/// token rules as `stats --sync` (``PgCronHistoryClient``).
public enum PgCronRemote {
    /// The names the seed's keep-alive migration (`keepalive --sql`) gives its jobs, in every project alike.
    public static let seedJobNames = [PgCronSQL.keepAliveJobName, PgCronSQL.cleanupJobName]

    /// Commands longer than this many characters are cut (and end in `…`), after redaction: a secret cut in two
    /// would no longer match the value the redactor looks for.
    public static let maxCommandCharacters = 4000

    /// The read-only query: every job of `cron.job` with its latest run. The latest run per job comes from one
    /// hash-aggregated pass over `cron.job_run_details` (which has no index on `jobid`) and a primary-key lookup.
    public static let jobsQuery = """
        WITH latest AS (
          SELECT d.jobid, max(d.runid) AS runid FROM cron.job_run_details d GROUP BY d.jobid
        )
        SELECT j.jobid, j.jobname::text AS jobname, j.schedule,
               j.command,
               j.active, j.database::text AS database, j.username::text AS username,
               r.runid AS last_runid, r.status AS last_status,
               floor(extract(epoch FROM r.start_time) * 1000)::bigint AS last_start_ms,
               floor(extract(epoch FROM r.end_time) * 1000)::bigint AS last_end_ms
        FROM cron.job j
        LEFT JOIN latest l ON l.jobid = j.jobid
        LEFT JOIN cron.job_run_details r ON r.runid = l.runid
        ORDER BY j.jobname NULLS LAST, j.jobid
        """

    /// Whose a pg_cron job is, from its name alone (the command is not trusted):
    /// - `rbs-<app>-<job>`, or `rbs-<app>-<job>.N` for the extra UTC entries of a local-time job: rbscron's; `job` is
    ///   `APP/JOB` when `<app>` is an app of the inventory (the longest that fits, so `rbs-la-hoja-x` is `la-hoja`'s).
    /// - `keep-alive-ping` and `cleanup-cron-history` (the seed's keep-alive names): rbscron's; `job` is the first of
    ///   `projectApps` with an inventory job of that name, as `stats --sync` attributes its history.
    /// - anything else, or no name: foreign (`job` nil, not managed).
    public static func attribute(jobname: String?, projectApps: [String], allApps: [String], jobs: [Job])
        -> (job: String?, managed: Bool) {
        guard let name = jobname, !name.isEmpty else { return (nil, false) }
        if name.hasPrefix(ScheduleID.prefix) {
            guard let owner = ScheduleID.owner(of: name, apps: allApps) else { return (nil, true) }
            var rest = Substring(name.dropFirst(ScheduleID.appPrefix(owner).count))
            // Slugs hold no dots, so a `.N` suffix (N ≥ 2) can only be an extra entry of a compiled local-time job.
            if let dot = rest.lastIndex(of: ".") {
                let suffix = rest[rest.index(after: dot)...]
                if !suffix.isEmpty, suffix.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(suffix), n >= 2 {
                    rest = rest[..<dot]
                }
            }
            // The collector is rbscron's own entry beside the app's jobs, not one of them.
            if rest.isEmpty || (rest == PgCronSQL.collectorJobName && !jobs.contains { $0.app == owner && $0.name == String(rest) }) {
                return (nil, true)
            }
            return ("\(owner)/\(rest)", true)
        }
        if seedJobNames.contains(name) {
            let app = projectApps.first { app in jobs.contains { $0.app == app && $0.name == name } }
            return (app.map { "\($0)/\(name)" }, true)
        }
        return (nil, false)
    }

    /// The project's pg_cron release (no row when the extension is not installed).
    public static let versionQuery = "SELECT extversion::text AS extversion FROM pg_extension WHERE extname = 'pg_cron'"

    struct VersionRow: Decodable { var extversion: String? }

    static func shorten(_ command: String) -> String {
        command.count <= maxCommandCharacters ? command : String(command.prefix(maxCommandCharacters)) + "…"
    }

    /// The listing entries of one project's rows: attributed, redacted, and with `--app` (`only`) keeping that app's
    /// jobs and the foreign ones (a foreign job in the app's database is plausibly the app's).
    /// In name order (by bytes, as PostgreSQL's `name` sorts), unnamed jobs last, then by job id.
    public static func jobs(from rows: [PgCronJobRow], projectApps: [String], allApps: [String], jobs: [Job],
                            only app: String?, redactor: Redactor, apps: [App] = []) -> [PgCronRemoteJob] {
        let sorted = rows.sorted { a, b in
            switch (a.jobname, b.jobname) {
            case let (x?, y?) where x != y: return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a.jobid < b.jobid
            }
        }
        return sorted.compactMap { row in
            let (job, managed) = attribute(jobname: row.jobname, projectApps: projectApps, allApps: allApps, jobs: jobs)
            if let app, let job, !job.hasPrefix("\(app)/") { return nil }
            let lastRun = row.lastRunid.map {
                PgCronRemoteJob.LastRun(runid: $0, status: row.lastStatus, startTime: row.lastStartMs.map(Timestamp.date(ms:)),
                                        endTime: row.lastEndMs.map(Timestamp.date(ms:)))
            }
            return PgCronRemoteJob(
                jobid: row.jobid, jobname: row.jobname, job: job, managed: managed,
                adoptableBy: adoptable(row, projectApps: projectApps, jobs: jobs, apps: apps),
                schedule: redactor.redact(row.schedule), command: shorten(redactor.remote(row.command)),
                active: row.active, database: row.database, username: row.username, lastRun: lastRun)
        }
    }

    /// The inventory job (or the app, for its history cleanup) whose work a job made outside rbscron does, among the
    /// project's apps. The seed's keep-alive names count as foreign here: the copied keep-alive migration made them,
    /// and rbscron's own migration schedules `rbs-<app>-…` entries in their place.
    static func adoptable(_ row: PgCronJobRow, projectApps: [String], jobs: [Job], apps: [App]) -> String? {
        for name in projectApps {
            guard let app = apps.first(where: { $0.name == name }),
                  let entry = Adoption.pgCronEntry(jobname: row.jobname, command: row.command, app: app, jobs: jobs) else { continue }
            let rest = String(entry.dropFirst(ScheduleID.appPrefix(name).count))
            return jobs.contains { $0.app == name && $0.name == rest } ? "\(name)/\(rest)" : name
        }
        return nil
    }

    /// Reads `cron.job` of every Supabase project of the inventory (or of `app`'s project), each with its
    /// `SUPABASE_ACCESS_TOKEN` (the app's scope, else global). Projects are read in parallel; one that cannot be read
    /// (no token: refused before any request; an HTTP error; unreachable) carries its `error` and the others are
    /// still listed.
    ///
    /// - Throws: ``PgCronRemoteError`` when there is no project to read; the secret store's errors.
    public static func list(inventory: Inventory, app: String?, transport: any HTTPTransport, baseURL: String,
                            secrets: any SecretProvider, redactor: Redactor? = nil) async throws -> PgCronRemoteReport {
        let pgCronApps = Set(inventory.jobs.filter { $0.layer == .pgCron }.map(\.app))
        var appsByRef: [String: [String]] = [:]
        var withoutRef: [String] = []
        for candidate in inventory.apps.sorted(by: { $0.name < $1.name }) where app == nil || candidate.name == app {
            if let ref = candidate.supabase?.projectRef, !ref.isEmpty {
                appsByRef[ref, default: []].append(candidate.name)
            } else if candidate.name == app {
                throw PgCronRemoteError.noProjectRef(app: candidate.name)
            } else if pgCronApps.contains(candidate.name) {
                withoutRef.append(candidate.name)
            }
        }
        guard !appsByRef.isEmpty else { throw PgCronRemoteError.noProjects }

        // Tokens first, in this task: a missing one is this project's error and no request is made for it.
        var tokens: [String: Result<String, RemoteHistoryError>] = [:]
        for (ref, apps) in appsByRef {
            do {
                tokens[ref] = .success(try PgCronHistoryClient.accessToken(apps: apps, projectRef: ref, secrets: secrets))
            } catch let error as RemoteHistoryError {
                tokens[ref] = .failure(error)
            }
        }
        var hidden: [String] = []
        for case .success(let token) in tokens.values { hidden.append(token) }
        let redactor = try (redactor ?? Redactor.hiding(secrets)).adding(hidden)
        let allApps = inventory.apps.map(\.name)
        var recorded: [String: PgCronVersion] = [:]
        for (ref, apps) in appsByRef {
            recorded[ref] = apps.lazy.compactMap { inventory.app(named: $0)?.supabase?.pgCronVersion }.first ?? .supabase
        }

        let projects = await withTaskGroup(of: PgCronRemoteProject.self) { group in
            for (ref, apps) in appsByRef {
                let token = tokens[ref] ?? .failure(.missingToken(service: PgCronHistoryClient.service,
                                                                  key: SecretKeys.supabaseAccessToken, scope: ref))
                let recordedVersion = recorded[ref] ?? .supabase
                group.addTask {
                    var project = PgCronRemoteProject(projectRef: ref, apps: apps, recordedPgCronVersion: recordedVersion,
                                                      jobs: [], error: nil)
                    do throws(RemoteHistoryError) {
                        let client = PgCronHistoryClient(transport: transport, baseURL: baseURL, token: try token.get(), redactor: redactor)
                        let rows = try await client.rows(PgCronJobRow.self, projectRef: ref, query: Self.jobsQuery)
                        project.pgCronVersion = try await client.rows(VersionRow.self, projectRef: ref, query: Self.versionQuery)
                            .first?.extversion
                        project.jobs = Self.jobs(from: rows, projectApps: apps, allApps: allApps, jobs: inventory.jobs,
                                                 only: app, redactor: redactor, apps: inventory.apps)
                    } catch {
                        project.error = redactor.remote(error.errorDescription ?? "\(error)")
                    }
                    return project
                }
            }
            var done: [PgCronRemoteProject] = []
            for await project in group { done.append(project) }
            return done
        }
        return PgCronRemoteReport(app: app, projects: projects.sorted { $0.projectRef < $1.projectRef },
                                  appsWithoutProjectRef: withoutRef)
    }
}
