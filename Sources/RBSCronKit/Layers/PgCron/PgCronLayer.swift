import Foundation

/// The pg_cron layer of Supabase projects: a migration per app (plan, apply), `cron.job` (remote) and the run
/// history (history), read through the Management API with each project's `SUPABASE_ACCESS_TOKEN`.
public struct PgCronLayer: LayerSync {
    public let inventory: Inventory
    public let secrets: any SecretProvider
    public let transport: any HTTPTransport
    /// The Management API (`SUPABASE_API_URL`, else Supabase's).
    public let baseURL: String
    public let redactor: Redactor
    public var layer: Layer { .pgCron }


    public init(inventory: Inventory, secrets: any SecretProvider, transport: any HTTPTransport,
                baseURL: String = PgCronHistoryClient.defaultBaseURL, redactor: Redactor? = nil) throws {
        self.inventory = inventory
        self.secrets = secrets
        self.transport = transport
        self.baseURL = baseURL
        self.redactor = try redactor ?? Redactor.hiding(secrets)
    }

    public func plan(_ request: LayerRequest) async throws -> LayerPlan {
        try PgCronSync.plan(app: try requiredApp(request, in: inventory), jobs: inventory.jobs,
                            directory: request.migrationsDirectory, now: request.now)
    }

    public func apply(_ request: LayerRequest, dryRun: Bool) async throws -> LayerApplyReport {
        try PgCronSync.apply(app: try requiredApp(request, in: inventory), jobs: inventory.jobs,
                             directory: request.migrationsDirectory, now: request.now, dryRun: dryRun)
    }

    public func remote(_ request: LayerRequest) async throws -> RemoteSchedules {
        .pgCron(try await PgCronRemote.list(inventory: inventory, app: request.app, transport: transport, baseURL: baseURL,
                                            secrets: secrets, redactor: redactor))
    }

    /// What was learnt of each project before (how far its history was read), by project ref.
    public var knownProjects: [String: ProjectState] = [:]

    /// pg_cron's history since `since` (or since the last sync of the project, when that is earlier, so that
    /// nothing between two syncs is lost) from every Supabase project of the apps of `jobs` with pg_cron jobs.
    ///
    /// For each project: its status first (a paused project runs nothing: its jobs become unobserved, not missed;
    /// one that cannot be reached is skipped with a warning), then its pg_cron version and whether it keeps
    /// rbscron's fire history. HTTP jobs are judged by `rbscron.fires` (collected first): the endpoint's real
    /// answer, never pg_cron's "succeeded". SQL jobs by `cron.job_run_details`.
    public func history(jobs: [Job], since: Date, now: Date) async throws -> LayerHistory? {
        let pgJobs = jobs.filter { $0.layer == .pgCron }
        var appsByRef: [String: [String]] = [:]
        var noProject: [Job] = []
        for app in inventory.apps where pgJobs.contains(where: { $0.app == app.name }) {
            guard let ref = app.supabase?.projectRef, !ref.isEmpty else {
                noProject += pgJobs.filter { $0.app == app.name }
                continue
            }
            appsByRef[ref, default: []].append(app.name)
        }
        guard !pgJobs.isEmpty else { return nil }
        var history = LayerHistory(summary: SyncSummary(layer: "pg_cron", sources: appsByRef.keys.sorted(), read: 0, matched: 0),
                                   runs: [])
        history.observations = noProject.map {
            LayerObservation(job: $0.ref, layer: .pgCron, observedAt: now, historyFrom: nil,
                             note: "no supabase.project_ref for \($0.app) in the inventory, so its database cannot be read")
        }
        for ref in appsByRef.keys.sorted() {
            let apps = appsByRef[ref] ?? []
            let token: String
            do {
                token = try PgCronHistoryClient.accessToken(apps: apps, projectRef: ref, secrets: secrets)
            } catch let error as RemoteHistoryError {
                // Without this project's token its jobs are unobserved; the other projects are still read.
                let reason = error.errorDescription ?? "\(error)"
                history.warnings.append("pg_cron of project \(ref) (\(apps.joined(separator: ", "))) not read: \(reason)")
                history.observations += pgJobs.filter { apps.contains($0.app) }.map {
                    LayerObservation(job: $0.ref, layer: .pgCron, observedAt: now, historyFrom: nil,
                                     note: "no \(SecretKeys.supabaseAccessToken) to read \(PgCronHistoryClient.service) with (see `rbscron secret set`)")
                }
                continue
            }
            let client = PgCronHistoryClient(transport: transport, baseURL: baseURL, token: token, redactor: redactor)
            var state = ProjectState(projectRef: ref, status: .active, checkedAt: now)
            do {
                state.providerStatus = try await client.projectStatus(projectRef: ref)
            } catch {
                // A refused token is the operator's to fix: it fails the sync. Anything else is the project.
                if case .http(_, let status, _) = error, status == 401 || status == 403 { throw error }
                state.status = .unreachable
                state.detail = error.errorDescription
            }
            if let provider = state.providerStatus, PgCronHistoryClient.pausedStatuses.contains(provider) {
                state.status = .paused
                state.detail = "Supabase reports the project \(provider): its pg_cron runs nothing until it is restored"
            }
            let projectJobs = pgJobs.filter { apps.contains($0.app) }
            func unobserved(_ reason: String) {
                history.observations += projectJobs.map {
                    LayerObservation(job: $0.ref, layer: .pgCron, observedAt: now, historyFrom: nil, note: reason)
                }
            }
            guard state.status == .active else {
                history.projects.append(state)
                history.warnings.append("pg_cron of project \(ref) (\(apps.joined(separator: ", "))) not read: "
                                        + (state.detail ?? state.status.rawValue) + "; its jobs are unobserved")
                unobserved("project \(state.status.rawValue)")
                continue
            }
            let from = min(since, knownProjects[ref]?.syncedUntil ?? since)
            do {
                let read = try await read(project: ref, apps: apps, jobs: projectJobs, from: from, client: client)
                state.pgCronVersion = read.pgCronVersion
                state.syncedUntil = read.runs.map(\.startedAt).max()
                history.summary.read += read.rows
                history.summary.matched += read.runs.count
                history.runs += read.runs
                history.observations += Self.observations(jobs: projectJobs, read: read, from: from, now: now)
            } catch let error as RemoteHistoryError {
                if case .http(_, let status, _) = error, status == 401 || status == 403 { throw error }
                if case .missingToken = error { throw error }
                state.status = .unreachable
                state.detail = error.errorDescription
                history.warnings.append("pg_cron of project \(ref) (\(apps.joined(separator: ", "))) not read: "
                                        + (error.errorDescription ?? "\(error)") + "; its jobs are unobserved")
                unobserved("project unreachable")
            }
            history.projects.append(state)
        }
        history.summary.warnings = history.warnings
        return history
    }

    struct ProjectRead {
        var runs: [RemoteRun]
        var rows: Int
        var pgCronVersion: String?
        /// Whether the database keeps rbscron's fire history.
        var hasHistory = false
        /// Calls pg_net has not answered yet, per job.
        var pending: [JobRef: [FireEvidence]] = [:]
        /// Per job: whether any of its pg_cron entries is active (absent: none is scheduled).
        var scheduleStates: [JobRef: LayerScheduleState] = [:]
        /// Per job: when its first entry was scheduled.
        var scheduledSince: [JobRef: Date] = [:]
    }

    /// How long the app's database keeps what rbscron reads: its own fire history (``PgCronSQL/historyRetentionDays``)
    /// for HTTP jobs, and pg_cron's `job_run_details` (the weekly cleanup keeps 7 days) otherwise.
    static func retention(httpJob: Bool, hasHistory: Bool) -> TimeInterval {
        httpJob && hasHistory ? Double(PgCronSQL.historyRetentionDays) * 86_400 : 7 * 86_400
    }

    /// One observation per job of a project that was read: from where the read started (or what the database still
    /// keeps), its schedule's state in `cron.job`, and its calls still waiting for pg_net's answer.
    static func observations(jobs: [Job], read: ProjectRead, from: Date, now: Date) -> [LayerObservation] {
        jobs.map { job in
            let kept = now.addingTimeInterval(-retention(httpJob: job.sql == nil, hasHistory: read.hasHistory))
            return LayerObservation(job: job.ref, layer: .pgCron, observedAt: now, historyFrom: max(from, kept),
                                    scheduleState: read.scheduleStates[job.ref] ?? .absent,
                                    scheduleCreatedAt: read.scheduledSince[job.ref], pending: read.pending[job.ref] ?? [])
        }
    }

    struct Probe: Decodable {
        var hasHistory: Bool
        var hasScheduleTimes: Bool?
        var pgCronVersion: String?
        enum CodingKeys: String, CodingKey {
            case hasHistory = "has_history", hasScheduleTimes = "has_schedule_times", pgCronVersion = "pg_cron_version"
        }
    }

    struct Collected: Decodable {
        var collected: Int64?
        var lost: Int64?
        var pruned: Int64?
    }

    /// One project's history: the probe, the collector (so answers pg_net already has are counted), the fires of
    /// its HTTP jobs and pg_cron's own runs.
    func read(project ref: String, apps: [String], jobs: [Job], from: Date, client: PgCronHistoryClient) async throws -> ProjectRead {
        let probe = try await client.rows(Probe.self, projectRef: ref, query: Self.probeQuery).first
        let hasHistory = probe?.hasHistory ?? false
        var fires: [PgCronFireRow] = []
        if hasHistory {
            _ = try await client.rows(Collected.self, projectRef: ref, query: Self.collectQuery)
            fires = try await client.rows(PgCronFireRow.self, projectRef: ref,
                                          query: Self.firesQuery(apps: apps, sinceMs: Timestamp.ms(from)))
        }
        let job = Self.jobsByName(jobs)
        var pending: [JobRef: [FireEvidence]] = [:]
        for fire in fires where fire.outcome == "pending" {
            guard let name = fire.jobName, let ref = job(name) else { continue }
            pending[ref, default: []].append(FireEvidence(
                at: Timestamp.date(ms: fire.firedMs), kind: .pending, by: "pg_cron",
                detail: "pg_net has not answered yet (the collector reads its answer every 5 minutes)"))
        }
        var states: [JobRef: LayerScheduleState] = [:]
        var created: [JobRef: Date] = [:]
        for row in try await client.rows(PgCronJobState.self, projectRef: ref,
                                         query: Self.jobStateQuery(apps: apps, knowsScheduleTimes: probe?.hasScheduleTimes == true)) {
            guard let ref = job(row.jobname) else { continue }
            if row.active { states[ref] = .active } else if states[ref] == nil { states[ref] = .paused }
            if let ms = row.firstScheduledMs {
                created[ref] = min(created[ref] ?? Timestamp.date(ms: ms), Timestamp.date(ms: ms))
            }
        }
        let keepAlive = jobs.contains { $0.name == PgCronSQL.keepAliveJobName } ? [PgCronSQL.keepAliveJobName] : []
        let query = PgCronHistoryClient.historyQuery(apps: apps, extraJobNames: keepAlive, sinceMs: Timestamp.ms(from),
                                                     linkFires: hasHistory)
        let rows = try await client.runs(projectRef: ref, query: query)
        let runs = Self.runs(from: rows, projectRef: ref, jobs: jobs, redactor: redactor, hasHistory: hasHistory)
            + Self.runs(from: fires, projectRef: ref, jobs: jobs, redactor: redactor)
        return ProjectRead(runs: runs, rows: rows.count + fires.count, pgCronVersion: probe?.pgCronVersion, hasHistory: hasHistory,
                           pending: pending, scheduleStates: states, scheduledSince: created)
    }

    /// A pg_cron job's name, whether it is active, and when rbscron first scheduled it (when the database says).
    struct PgCronJobState: Decodable {
        var jobname: String
        var active: Bool
        var firstScheduledMs: Int64?

        enum CodingKeys: String, CodingKey { case jobname, active, firstScheduledMs = "first_scheduled_ms" }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            jobname = try c.decode(String.self, forKey: .jobname)
            active = try c.decode(Bool.self, forKey: .active)
            firstScheduledMs = c.bigint(.firstScheduledMs)
        }
    }

    /// `cron.job`'s entries of rbscron's jobs for `apps` and the seed's keep-alive job: name, active flag, and (in a
    /// database that keeps rbscron's history) when each was first scheduled.
    static func jobStateQuery(apps: [String], knowsScheduleTimes: Bool) -> String {
        var names = apps.sorted().map { app -> String in
            let prefix = ScheduleID.appPrefix(app)
            return "left(j.jobname, \(prefix.utf8.count)) = \(SQLText.literal(prefix))"
        }
        names.append("j.jobname = \(SQLText.literal(PgCronSQL.keepAliveJobName))")
        let first = knowsScheduleTimes
            ? "(SELECT floor(extract(epoch FROM s.first_scheduled_at) * 1000)::bigint FROM \(PgCronSQL.invokerSchema).schedules s "
                + "WHERE s.job_name = j.jobname::text)"
            : "NULL::bigint"
        return "SELECT j.jobname::text AS jobname, j.active, \(first) AS first_scheduled_ms FROM cron.job j WHERE "
            + names.joined(separator: " OR ")
    }

    /// Whether the project keeps rbscron's fire history, and its pg_cron version.
    static let probeQuery = """
        SELECT to_regclass('\(PgCronSQL.invokerSchema).fires') IS NOT NULL AS has_history,
               to_regclass('\(PgCronSQL.invokerSchema).schedules') IS NOT NULL AS has_schedule_times,
               (SELECT extversion FROM pg_extension WHERE extname = 'pg_cron') AS pg_cron_version
        """

    /// Copies the answers pg_net has into the history before it is read.
    static let collectQuery = "SELECT collected, lost, pruned FROM \(PgCronSQL.invokerSchema).collect_http_responses()"

    /// The fires pg_cron made for `apps` since `sinceMs`: answered ones become runs, pending ones calls in flight.
    static func firesQuery(apps: [String], sinceMs: Int64) -> String {
        """
        SELECT f.id, f.job_name, f.cron_runid, floor(extract(epoch FROM f.fired_at) * 1000)::bigint AS fired_ms,
               floor(extract(epoch FROM coalesce(f.dispatched_at, f.fired_at)) * 1000)::bigint AS dispatched_ms,
               f.outcome, f.status_code, f.timed_out, left(f.error_msg, 500) AS error_msg, f.body_excerpt, f.timeout_ms,
               floor(extract(epoch FROM f.scheduled_for) * 1000)::bigint AS scheduled_ms
        FROM \(PgCronSQL.invokerSchema).fires f
        WHERE f.trigger IN ('cron', 'backfill') AND f.app = ANY (\(SQLText.textArray(apps.sorted())))
          AND f.fired_at >= to_timestamp(\(sinceMs / 1000))
        ORDER BY f.id
        """
    }

    /// The inventory job a pg_cron job name stands for: `rbs-<app>-<job>` and its UTC entries `….2`, `….3`, and the
    /// seed's `keep-alive-ping` (the first of `jobs` with a job of that name).
    static func jobsByName(_ jobs: [Job]) -> (String) -> JobRef? {
        var byName: [String: JobRef] = [:]
        for job in jobs where job.layer == .pgCron {
            byName[ScheduleID.of(job.ref)] = job.ref
            if job.name == PgCronSQL.keepAliveJobName, byName[PgCronSQL.keepAliveJobName] == nil {
                byName[PgCronSQL.keepAliveJobName] = job.ref
            }
        }
        return { name in byName[name] ?? byName[name.replacing(/\.[0-9]+$/, with: "")] }
    }

    /// Turns pg_cron history rows of project `projectRef` into runs. A SQL job is judged by pg_cron (succeeded → ok;
    /// failed → timeout when the statement timed out, else transport_error). An HTTP job is judged by its fire in
    /// `rbscron.fires` (``runs(from:projectRef:jobs:redactor:)-(PgCronFireRow…)``), never by pg_cron's "succeeded",
    /// which only means pg_net queued the request: here only a failed run (the invoker refused, no request was
    /// made) or a run with no fire on record (result unknown) becomes a run.
    public static func runs(from rows: [PgCronRunRow], projectRef: String, jobs: [Job], redactor: Redactor,
                            hasHistory: Bool = false) -> [RemoteRun] {
        let job = jobsByName(jobs)
        let http = Set(jobs.filter { $0.sql == nil }.map(\.ref))
        return rows.compactMap { row in
            guard let ref = job(row.jobname), let start = row.startMs else { return nil }
            let end = max(row.endMs ?? start, start)
            let outcome: String
            var error = row.returnMessage.map { redactor.redact($0) }
            if row.status != "succeeded" {
                let message = (row.returnMessage ?? "").lowercased()
                outcome = message.contains("timeout") || message.contains("canceling statement") ? "timeout" : "transport_error"
            } else if http.contains(ref) {
                if row.hasFire == true { return nil }  // the fire carries the endpoint's answer
                outcome = "unknown"
                error = hasHistory
                    ? "pg_cron ran the command, but rbscron's history holds no call for it; the endpoint's answer is unknown"
                    : "pg_cron only queued the request (pg_net): this database keeps no rbscron fire history, so the endpoint's "
                        + "answer is unknown. Apply `rbscron schedule apply --layer pg_cron --app \(ref.app)` to record it."
            } else {
                outcome = "ok"
                error = nil
            }
            return RemoteRun(job: ref, idempotencyKey: "pgcron:\(projectRef):\(row.runid)",
                             startedAt: Timestamp.date(ms: start), finishedAt: Timestamp.date(ms: end), outcome: outcome,
                             durationMs: row.endMs == nil || outcome == "unknown" ? nil : Double(end - start), attempts: 1,
                             error: error)
        }
    }

    /// Turns answered fires into runs with the endpoint's real outcome: a 2xx is ok; another status http_error;
    /// no answer transport_error; pg_net's timeout a timeout whose result is unknown (pg_net stopped waiting, the
    /// endpoint may have done the work); a fire pg_net forgot before it was collected is unknown.
    public static func runs(from fires: [PgCronFireRow], projectRef: String, jobs: [Job], redactor: Redactor) -> [RemoteRun] {
        let job = jobsByName(jobs)
        return fires.compactMap { fire in
            guard fire.outcome != "pending", let name = fire.jobName, let ref = job(name) else { return nil }
            var status = fire.statusCode
            let outcome: String, error: String?
            switch fire.outcome {
            case "ok":
                outcome = "ok"
                error = nil
            case "http_error":
                outcome = "http_error"
                let line = fire.bodyExcerpt.flatMap { $0.split(whereSeparator: \.isNewline).first.map(String.init) }
                error = "HTTP \(fire.statusCode.map(String.init) ?? "?")" + (line.map { ": \(redactor.remote($0))" } ?? "")
            case "timeout":
                outcome = "timeout"
                status = nil
                error = "pg_net stopped waiting after \(DurationText.format(milliseconds: fire.timeoutMs)); the endpoint may have "
                    + "finished the work, so its result is unknown"
            case "lost":
                outcome = "unknown"
                error = "pg_net no longer had the answer when it was collected (pg_net.ttl); the result is unknown"
            default:
                outcome = "transport_error"
                error = fire.errorMsg.map { redactor.remote($0) } ?? "pg_net could not make the request"
            }
            let key = fire.cronRunid.map { "pgcron:\(projectRef):\($0)" } ?? "pgcron:\(projectRef):fire:\(fire.id)"
            return RemoteRun(job: ref, idempotencyKey: key, startedAt: Timestamp.date(ms: fire.firedMs),
                             finishedAt: Timestamp.date(ms: max(fire.dispatchedMs ?? fire.firedMs, fire.firedMs)),
                             outcome: outcome, httpStatus: status, durationMs: nil, attempts: 1, error: error,
                             scheduledFor: fire.scheduledMs.map { Timestamp.date(ms: $0) },
                             responseExcerpt: fire.bodyExcerpt.map { redactor.remote($0) })
        }
    }
}

/// One answered fire of `rbscron.fires`, as ``PgCronLayer/firesQuery(apps:sinceMs:)`` returns it.
public struct PgCronFireRow: Sendable, Equatable, Decodable {
    public var id: Int64
    /// `rbs-<app>-<job>` (the base name, for every UTC entry of a job).
    public var jobName: String?
    public var cronRunid: Int64?
    public var firedMs: Int64
    public var dispatchedMs: Int64?
    /// ok, http_error, timeout, error, lost.
    public var outcome: String
    public var statusCode: Int?
    public var timedOut: Bool?
    public var errorMsg: String?
    public var bodyExcerpt: String?
    public var timeoutMs: Int
    /// The fire a backfill was made for (trigger `backfill`).
    public var scheduledMs: Int64?

    public init(id: Int64, jobName: String?, cronRunid: Int64? = nil, firedMs: Int64, dispatchedMs: Int64? = nil,
                outcome: String, statusCode: Int? = nil, timedOut: Bool? = nil, errorMsg: String? = nil,
                bodyExcerpt: String? = nil, timeoutMs: Int = 14_000, scheduledMs: Int64? = nil) {
        self.scheduledMs = scheduledMs
        self.id = id
        self.jobName = jobName
        self.cronRunid = cronRunid
        self.firedMs = firedMs
        self.dispatchedMs = dispatchedMs
        self.outcome = outcome
        self.statusCode = statusCode
        self.timedOut = timedOut
        self.errorMsg = errorMsg
        self.bodyExcerpt = bodyExcerpt
        self.timeoutMs = timeoutMs
    }

    enum CodingKeys: String, CodingKey {
        case id, jobName = "job_name", cronRunid = "cron_runid", firedMs = "fired_ms", dispatchedMs = "dispatched_ms",
             outcome, statusCode = "status_code", timedOut = "timed_out", errorMsg = "error_msg",
             bodyExcerpt = "body_excerpt", timeoutMs = "timeout_ms", scheduledMs = "scheduled_ms"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = c.bigint(.id), let fired = c.bigint(.firedMs) else {
            throw DecodingError.dataCorruptedError(forKey: .id, in: c, debugDescription: "id or fired_ms is missing")
        }
        self.id = id
        firedMs = fired
        jobName = try c.decodeIfPresent(String.self, forKey: .jobName)
        cronRunid = c.bigint(.cronRunid)
        dispatchedMs = c.bigint(.dispatchedMs)
        outcome = try c.decode(String.self, forKey: .outcome)
        statusCode = try c.decodeIfPresent(Int.self, forKey: .statusCode)
        timedOut = try c.decodeIfPresent(Bool.self, forKey: .timedOut)
        errorMsg = try c.decodeIfPresent(String.self, forKey: .errorMsg)
        bodyExcerpt = try c.decodeIfPresent(String.self, forKey: .bodyExcerpt)
        timeoutMs = try c.decodeIfPresent(Int.self, forKey: .timeoutMs) ?? PgCronSQL.maxTimeoutMs
        scheduledMs = c.bigint(.scheduledMs)
    }
}

/// What running a pg_cron job's own command once (`trigger --via pg_cron`) came to.
public struct PgCronRunNow: Sendable, Equatable {
    public var job: JobRef
    public var projectRef: String
    /// ok, http_error, timeout, transport_error or unknown (a RunOutcome raw value).
    public var outcome: RunOutcome
    public var httpStatus: Int?
    public var error: String?
    /// The first characters of the endpoint's answer, secret removed (HTTP jobs).
    public var responseExcerpt: String?
    public var startedAt: Date
    public var finishedAt: Date
}

extension PgCronLayer {
    /// How long `trigger --via pg_cron` waits for pg_net's answer: the longest call (14 s) and pg_net's batching.
    public static let runNowWaitSeconds = 20

    /// Runs `job`'s own pg_cron command once in its database, through the Management API, the way pg_cron would
    /// (pg_cron itself has no "run now"): an HTTP job's call goes through the invoker, Vault and pg_net exactly as its
    /// scheduled fires do, and its answer is read back from the fire history.
    public func runNow(_ job: Job, now: @Sendable () -> Date) async throws -> PgCronRunNow {
        let (ref, client) = try connect(job)
        let name = SQLText.literal(ScheduleID.of(job.ref))
        let started = now()
        let result = PgCronRunNow(job: job.ref, projectRef: ref, outcome: .ok, startedAt: started, finishedAt: started)
        return try await run(job, client: client, call: "\(PgCronSQL.invokerSchema).run_job_now(\(name))", result: result, now: now).result
    }

    /// What due mode's backfill of one missed fire came to.
    public enum Backfill: Sendable, Equatable {
        /// This runner claimed the fire in the app's database and ran the job's command; the fire's id there.
        case ran(PgCronRunNow, fireID: Int64?)
        /// Another runner (on any machine) had claimed this fire already: nothing was sent.
        case claimedElsewhere
        /// The database has no backfill function (its schedule migration predates it): nothing was sent.
        case unsupported
    }

    /// Due mode's backfill of `job`'s missed fire `scheduledFor`: claims (job, fire) in the app's database and runs the
    /// job's own command once, in one transaction (`rbscron.backfill`), so two runners on different machines never
    /// both fire it; then waits for pg_net's answer like ``runNow(_:now:)``.
    public func backfill(_ job: Job, scheduledFor: Date, runner: String, now: @Sendable () -> Date) async throws -> Backfill {
        let (ref, client) = try connect(job)
        struct Probe: Decodable { var present: Bool }
        let probe = try await client.rows(Probe.self, projectRef: ref, query: """
            SELECT to_regprocedure('\(PgCronSQL.invokerSchema).backfill(text,timestamptz,text)') IS NOT NULL AS present
            """).first
        guard probe?.present == true else { return .unsupported }
        let started = now()
        let result = PgCronRunNow(job: job.ref, projectRef: ref, outcome: .ok, startedAt: started, finishedAt: started)
        let call = "\(PgCronSQL.invokerSchema).backfill(\(SQLText.literal(ScheduleID.of(job.ref))), "
            + "to_timestamp(\(Timestamp.ms(scheduledFor)) / 1000.0), \(SQLText.literal(runner)))"
        let outcome = try await run(job, client: client, call: call, result: result, now: now)
        if outcome.fireCount == 0, outcome.result.outcome == .ok { return .claimedElsewhere }
        return .ran(outcome.result, fireID: outcome.fireID)
    }

    /// The project and an authorized client for `job`'s database.
    private func connect(_ job: Job) throws -> (String, PgCronHistoryClient) {
        guard job.layer == .pgCron else { throw PgCronRunNowError.notPgCron(job.ref, job.layer) }
        guard let ref = inventory.app(named: job.app)?.supabase?.projectRef, !ref.isEmpty else {
            throw PgCronRemoteError.noProjectRef(app: job.app)
        }
        let token = try PgCronHistoryClient.accessToken(apps: [job.app], projectRef: ref, secrets: secrets)
        return (ref, PgCronHistoryClient(transport: transport, baseURL: baseURL, token: token, redactor: redactor))
    }

    /// Runs `call` (a set-returning function of rbscron's schema that runs the job's command and returns its fires),
    /// then waits for the first fire's answer. No fire and no error: a SQL job that ran, or a claim held elsewhere.
    private func run(_ job: Job, client: PgCronHistoryClient, call: String, result start: PgCronRunNow,
                     now: @Sendable () -> Date) async throws -> (result: PgCronRunNow, fireCount: Int, fireID: Int64?) {
        let ref = start.projectRef
        let schema = PgCronSQL.invokerSchema
        var result = start
        let fires: [PgCronFireRow]
        do {
            fires = try await client.rows(PgCronFireRow.self, projectRef: ref, query: """
                SELECT f.id, f.job_name, f.cron_runid, floor(extract(epoch FROM f.fired_at) * 1000)::bigint AS fired_ms,
                       NULL::bigint AS dispatched_ms, f.outcome, f.status_code, f.timed_out, f.error_msg, f.body_excerpt,
                       f.timeout_ms
                FROM \(call) f
                """)
        } catch {
            // The command itself failed (the invoker refused: no Vault secret; a SQL job's error; no such job).
            result.outcome = .transportError
            result.error = error.errorDescription.map { redactor.remote($0) }
            result.finishedAt = now()
            return (result, 0, nil)
        }
        guard let fire = fires.first else {
            result.finishedAt = now()
            return (result, 0, nil)
        }
        let answered = try await client.rows(PgCronFireRow.self, projectRef: ref, query: """
            SELECT f.id, f.job_name, f.cron_runid, floor(extract(epoch FROM f.fired_at) * 1000)::bigint AS fired_ms,
                   floor(extract(epoch FROM f.dispatched_at) * 1000)::bigint AS dispatched_ms, f.outcome, f.status_code,
                   f.timed_out, f.error_msg, f.body_excerpt, f.timeout_ms
            FROM \(schema).wait_for_fire(\(fire.id), \(Self.runNowWaitSeconds)) f
            """).first ?? fire
        result.finishedAt = now()
        result.responseExcerpt = answered.bodyExcerpt
        if answered.outcome == "pending" {
            result.outcome = .unknown
            result.error = "pg_net had not answered within \(Self.runNowWaitSeconds) s; the call was made and its result is "
                + "unknown (stats --sync reads it later)"
            return (result, fires.count, fire.id)
        }
        var named = answered
        named.jobName = ScheduleID.of(job.ref)
        let run = Self.runs(from: [named], projectRef: ref, jobs: [job], redactor: redactor).first
        result.outcome = run.flatMap { RunOutcome(rawValue: $0.outcome) } ?? .unknown
        result.httpStatus = run?.httpStatus
        result.error = run?.error
        return (result, fires.count, fire.id)
    }
}

/// Why a job cannot be run through pg_cron.
public enum PgCronRunNowError: Error, LocalizedError, Sendable, Equatable {
    case notPgCron(JobRef, Layer)

    public var errorDescription: String? {
        switch self {
        case .notPgCron(let ref, let layer):
            return "\(ref) is on the \(layer.rawValue) layer; --via pg_cron runs only pg_cron jobs. Fire it directly: rbscron trigger \(ref)"
        }
    }
}

/// `cleanup --remote --layer pg_cron`: the fire history of each project collected and pruned now.
///
/// JSON: `layer` (`pg_cron`), `app`, `retention_days`, `projects[]` (`project_ref`, `apps`, `collected`, `lost`,
/// `pruned`, `error`).
public struct PgCronCleanupReport: Encodable, Sendable, Equatable {
    public struct Project: Encodable, Sendable, Equatable {
        public var projectRef: String
        public var apps: [String]
        public var collected: Int64 = 0
        public var lost: Int64 = 0
        public var pruned: Int64 = 0
        public var error: String?

        enum CodingKeys: String, CodingKey { case projectRef = "project_ref", apps, collected, lost, pruned, error }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(projectRef, forKey: .projectRef)
            try c.encode(apps, forKey: .apps)
            try c.encode(collected, forKey: .collected)
            try c.encode(lost, forKey: .lost)
            try c.encode(pruned, forKey: .pruned)
            try c.encode(error, forKey: .error)
        }
    }

    public var layer = Layer.pgCron
    public var app: String?
    public var retentionDays: Int
    public var projects: [Project]

    enum CodingKeys: String, CodingKey { case layer, app, retentionDays = "retention_days", projects }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layer, forKey: .layer)
        try c.encode(app, forKey: .app)
        try c.encode(retentionDays, forKey: .retentionDays)
        try c.encode(projects, forKey: .projects)
    }
}

extension PgCronLayer {
    /// Collects pg_net's answers and prunes the fire history older than `retentionDays` in every project of the
    /// apps with pg_cron HTTP jobs (or `app`'s), now, as the scheduled collector does every five minutes.
    public func cleanupHistory(app: String?, retentionDays: Int) async throws -> PgCronCleanupReport {
        var appsByRef: [String: [String]] = [:]
        for candidate in inventory.apps where app == nil || candidate.name == app {
            guard inventory.jobs.contains(where: { $0.app == candidate.name && $0.layer == .pgCron && $0.sql == nil }),
                  let ref = candidate.supabase?.projectRef, !ref.isEmpty else { continue }
            appsByRef[ref, default: []].append(candidate.name)
        }
        var report = PgCronCleanupReport(app: app, retentionDays: retentionDays, projects: [])
        for ref in appsByRef.keys.sorted() {
            let apps = appsByRef[ref] ?? []
            var project = PgCronCleanupReport.Project(projectRef: ref, apps: apps)
            do {
                let token = try PgCronHistoryClient.accessToken(apps: apps, projectRef: ref, secrets: secrets)
                let client = PgCronHistoryClient(transport: transport, baseURL: baseURL, token: token, redactor: redactor)
                let row = try await client.rows(Collected.self, projectRef: ref, query: """
                    SELECT collected, lost, pruned FROM \(PgCronSQL.invokerSchema).collect_http_responses(interval '\(retentionDays) days')
                    """).first
                project.collected = row?.collected ?? 0
                project.lost = row?.lost ?? 0
                project.pruned = row?.pruned ?? 0
            } catch let error as RemoteHistoryError {
                project.error = redactor.remote(error.errorDescription ?? "\(error)")
            }
            report.projects.append(project)
        }
        return report
    }
}
