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

    /// pg_cron's run history since `since` from every Supabase project of the apps of `jobs` that have pg_cron jobs.
    public func history(jobs: [Job], since: Date) async throws -> LayerHistory? {
        let pgJobs = jobs.filter { $0.layer == .pgCron }
        var appsByRef: [String: [String]] = [:]
        for app in inventory.apps where pgJobs.contains(where: { $0.app == app.name }) {
            guard let ref = app.supabase?.projectRef, !ref.isEmpty else { continue }
            appsByRef[ref, default: []].append(app.name)
        }
        guard !appsByRef.isEmpty else { return nil }
        var history = LayerHistory(summary: SyncSummary(layer: "pg_cron", sources: appsByRef.keys.sorted(), read: 0, matched: 0),
                                   runs: [])
        for ref in appsByRef.keys.sorted() {
            let apps = appsByRef[ref] ?? []
            let token = try PgCronHistoryClient.accessToken(apps: apps, projectRef: ref, secrets: secrets)
            let projectJobs = pgJobs.filter { apps.contains($0.app) }
            let keepAlive = projectJobs.contains { $0.name == PgCronSQL.keepAliveJobName } ? [PgCronSQL.keepAliveJobName] : []
            let query = PgCronHistoryClient.historyQuery(apps: apps, extraJobNames: keepAlive, sinceMs: Timestamp.ms(since))
            let rows = try await PgCronHistoryClient(transport: transport, baseURL: baseURL, token: token, redactor: redactor)
                .runs(projectRef: ref, query: query)
            let found = Self.runs(from: rows, projectRef: ref, jobs: projectJobs, redactor: redactor)
            history.summary.read += rows.count
            history.summary.matched += found.count
            history.runs += found
        }
        return history
    }

    /// Turns pg_cron history rows of project `projectRef` into runs (succeeded → ok; failed → timeout when the
    /// message says the statement timed out, else transport_error). `jobs` are the jobs of the apps on that project;
    /// `keep-alive-ping` (the seed's own job name) maps to the first of them with a job of that name.
    public static func runs(from rows: [PgCronRunRow], projectRef: String, jobs: [Job], redactor: Redactor) -> [RemoteRun] {
        var byName: [String: JobRef] = [:]
        for job in jobs where job.layer == .pgCron {
            byName[ScheduleID.of(app: job.app, job: job.name)] = job.ref
            if job.name == PgCronSQL.keepAliveJobName, byName[PgCronSQL.keepAliveJobName] == nil { byName[PgCronSQL.keepAliveJobName] = job.ref }
        }
        return rows.compactMap { row in
            guard let job = byName[row.jobname], let start = row.startMs else { return nil }
            let end = max(row.endMs ?? start, start)
            let outcome: String
            if row.status == "succeeded" {
                outcome = "ok"
            } else {
                let message = (row.returnMessage ?? "").lowercased()
                outcome = message.contains("timeout") || message.contains("canceling statement") ? "timeout" : "transport_error"
            }
            return RemoteRun(job: job, idempotencyKey: "pgcron:\(projectRef):\(row.runid)",
                             startedAt: Timestamp.date(ms: start), finishedAt: Timestamp.date(ms: end), outcome: outcome,
                             durationMs: row.endMs == nil ? nil : Double(end - start), attempts: 1,
                             error: outcome == "ok" ? nil : row.returnMessage.map { redactor.redact($0) })
        }
    }
}
