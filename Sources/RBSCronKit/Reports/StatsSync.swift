import Foundation

/// What `stats --sync` read back from one layer.
public struct SyncSummary: Encodable, Sendable, Equatable {
    public var layer: String
    /// Project refs (pg_cron) or `qstash`.
    public var sources: [String]
    /// Events or history rows read.
    public var read: Int
    /// Rows that matched a job of the inventory and ended.
    public var matched: Int
    /// Runs that were new to the inventory.
    public var inserted: Int

    enum CodingKeys: String, CodingKey { case layer, sources, read, matched, inserted }
}

/// Reads the layers' own run history into `runs` as source `remote`.
public enum StatsSync {
    // MARK: QStash

    /// The schedule id rbscron gives a job on QStash.
    public static func qstashScheduleID(_ ref: JobRef) -> String { "rbs-\(ref.app)-\(ref.job)" }

    /// Turns QStash events into runs: one run per message that reached a final state (DELIVERED → ok,
    /// FAILED → http_error, or transport_error when no response status was recorded, CANCELED → skipped).
    /// ERROR and RETRY events are attempts of that run. Messages still in flight become runs on a later sync.
    /// Only messages whose schedule id is `rbs-<app>-<job>` of a QStash job in `jobs` are kept.
    public static func runs(fromQStash events: [QStashEvent], jobs: [Job], redactor: Redactor) -> [RemoteRun] {
        var byID: [String: JobRef] = [:]
        for job in jobs where job.layer == .qstash { byID[qstashScheduleID(job.ref)] = job.ref }
        var messages: [String: [QStashEvent]] = [:]
        for event in events {
            guard let schedule = event.scheduleId, byID[schedule] != nil else { continue }
            messages[event.messageId, default: []].append(event)
        }
        var result: [RemoteRun] = []
        for (messageID, list) in messages {
            let sorted = list.sorted { ($0.time, order($0.state)) < ($1.time, order($1.state)) }
            guard let terminal = sorted.last(where: { ["DELIVERED", "FAILED", "CANCELED"].contains($0.state) }),
                  let schedule = terminal.scheduleId, let ref = byID[schedule] else { continue }
            let created = sorted.first { $0.state == "CREATED" } ?? sorted[0]
            let errors = sorted.filter { $0.state == "ERROR" }
            let outcome: String
            var status = terminal.responseStatus ?? errors.last?.responseStatus
            switch terminal.state {
            case "DELIVERED":
                outcome = "ok"
                status = terminal.responseStatus
            case "CANCELED": outcome = "skipped"
            default: outcome = status == nil ? "transport_error" : "http_error"
            }
            let attempts = max(1, errors.count + (terminal.state == "DELIVERED" ? 1 : 0))
            let error = outcome == "ok" ? nil : (terminal.error ?? errors.last?.error).map { redactor.redact($0) }
            result.append(RemoteRun(
                job: ref, idempotencyKey: "qstash:\(messageID):\(terminal.state)",
                startedAt: Timestamp.date(ms: min(created.time, terminal.time)), finishedAt: Timestamp.date(ms: terminal.time),
                outcome: outcome, httpStatus: status, durationMs: nil, attempts: attempts, error: error))
        }
        return result.sorted { ($0.startedAt, $0.idempotencyKey) < ($1.startedAt, $1.idempotencyKey) }
    }

    private static func order(_ state: String) -> Int {
        ["CREATED": 0, "ACTIVE": 1, "IN_PROGRESS": 1, "ERROR": 2, "RETRY": 3, "DELIVERED": 4, "FAILED": 4,
         "CANCEL_REQUESTED": 4, "CANCELED": 5][state] ?? 2
    }

    /// Reads QStash's events since `since` for the QStash jobs of `jobs` and stores them.
    /// One `QSTASH_TOKEN` (global scope) serves the account.
    public static func syncQStash(store: InventoryStore, jobs: [Job], since: Date, transport: any HTTPTransport,
                                  baseURL: String, secrets: any SecretProvider) async throws -> SyncSummary? {
        let qstashJobs = jobs.filter { $0.layer == .qstash }
        guard let first = qstashJobs.first else { return nil }
        guard let token = try secrets.secret(app: first.app, key: SecretKeys.qstashToken), !token.isEmpty else {
            throw RemoteHistoryError.missingToken(service: QStashEventsClient.service, key: SecretKeys.qstashToken,
                                                  scope: first.app)
        }
        let client = QStashEventsClient(transport: transport, baseURL: baseURL, token: token)
        let events = try await client.allEvents(from: Timestamp.ms(since))
        let found = Self.runs(fromQStash: events, jobs: qstashJobs, redactor: Redactor(secrets: try secrets.valuesForRedaction()))
        let inserted = try store.insertRemoteRuns(found)
        return SyncSummary(layer: "qstash", sources: ["qstash"], read: events.count, matched: found.count, inserted: inserted)
    }

    // MARK: pg_cron

    /// The pg_cron job names that stand for `job`: `rbs-<app>-<job>`, and the seed's own name for the keep-alive.
    static let keepAliveJobName = "keep-alive-ping"

    /// Turns pg_cron history rows of project `projectRef` into runs (succeeded → ok; failed → timeout when the
    /// message says the statement timed out, else transport_error). `jobs` are the jobs of the apps on that project;
    /// `keep-alive-ping` (the seed's own job name) maps to the first of them with a job of that name.
    public static func runs(fromPgCron rows: [PgCronRunRow], projectRef: String, jobs: [Job], redactor: Redactor) -> [RemoteRun] {
        var byName: [String: JobRef] = [:]
        for job in jobs where job.layer == .pgCron {
            byName[PgCronSQL.jobName(app: job.app, job: job.name)] = job.ref
            if job.name == keepAliveJobName, byName[keepAliveJobName] == nil { byName[keepAliveJobName] = job.ref }
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

    /// Reads pg_cron's history since `since` from every Supabase project of the apps of `jobs` that have pg_cron
    /// jobs, through the Management API (`SUPABASE_ACCESS_TOKEN`, the app's scope or global), and stores it.
    public static func syncPgCron(store: InventoryStore, inventory: Inventory, jobs: [Job], since: Date,
                                  transport: any HTTPTransport, baseURL: String,
                                  secrets: any SecretProvider) async throws -> SyncSummary? {
        let pgJobs = jobs.filter { $0.layer == .pgCron }
        var appsByRef: [String: [String]] = [:]
        for app in inventory.apps where pgJobs.contains(where: { $0.app == app.name }) {
            guard let ref = app.supabase?.projectRef, !ref.isEmpty else { continue }
            appsByRef[ref, default: []].append(app.name)
        }
        guard !appsByRef.isEmpty else { return nil }
        let redactor = Redactor(secrets: try secrets.valuesForRedaction())
        var summary = SyncSummary(layer: "pg_cron", sources: appsByRef.keys.sorted(), read: 0, matched: 0, inserted: 0)
        for ref in appsByRef.keys.sorted() {
            let apps = appsByRef[ref] ?? []
            let token = try PgCronHistoryClient.accessToken(apps: apps, projectRef: ref, secrets: secrets)
            let projectJobs = pgJobs.filter { apps.contains($0.app) }
            let keepAlive = projectJobs.contains { $0.name == keepAliveJobName } ? [keepAliveJobName] : []
            let query = PgCronHistoryClient.historyQuery(apps: apps, extraJobNames: keepAlive, sinceMs: Timestamp.ms(since))
            let rows = try await PgCronHistoryClient(transport: transport, baseURL: baseURL, token: token)
                .runs(projectRef: ref, query: query)
            let found = Self.runs(fromPgCron: rows, projectRef: ref, jobs: projectJobs, redactor: redactor)
            summary.read += rows.count
            summary.matched += found.count
            summary.inserted += try store.insertRemoteRuns(found)
        }
        return summary
    }
}
