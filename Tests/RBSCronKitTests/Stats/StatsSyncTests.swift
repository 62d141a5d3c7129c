import Foundation
import GRDB
import Testing
@testable import RBSCronKit

@Suite("stats --sync: QStash events")
struct QStashEventsSyncTests {
    typealias F = StatsFixture
    let now = StatsFixture.now
    static let token = "qstash-test-token-0123456789"

    /// Events as QStash sends them: three deliveries of colectiva's heartbeat (one after an error), one
    /// failure, one in flight, and events of schedules that are not rbscron's.
    func events() -> [[String: Any]] {
        let base = Timestamp.ms(now) - 4 * 3_600_000
        var list: [[String: Any]] = []
        func add(_ offset: Int64, _ id: String, _ state: String, schedule: String? = "rbs-colectiva-heartbeat",
                 status: Int? = nil, error: String? = nil) {
            var e: [String: Any] = ["time": base + offset, "messageId": id, "state": state,
                                    "url": "https://colectiva.example.test/api/cron/heartbeat"]
            if let schedule { e["scheduleId"] = schedule }
            if let status { e["responseStatus"] = status }
            if let error { e["error"] = error }
            list.append(e)
        }
        add(0, "msg_1", "CREATED"); add(200, "msg_1", "ACTIVE"); add(900, "msg_1", "DELIVERED", status: 200)
        add(1_800_000, "msg_2", "CREATED"); add(1_800_300, "msg_2", "ERROR", status: 502, error: "bad gateway")
        add(1_800_400, "msg_2", "RETRY"); add(1_812_000, "msg_2", "DELIVERED", status: 200)
        add(3_600_000, "msg_3", "CREATED"); add(3_600_500, "msg_3", "ERROR", status: 500, error: "leaked \(Self.token)")
        add(3_700_000, "msg_3", "FAILED", status: 500, error: "retries exhausted \(Self.token)")
        add(5_400_000, "msg_4", "CREATED"); add(5_400_100, "msg_4", "ACTIVE")
        add(10, "msg_x", "DELIVERED", schedule: "someone-elses-schedule", status: 200)
        add(20, "msg_y", "DELIVERED", schedule: nil, status: 200)
        for i in 0..<7 { add(Int64(6_000_000 + i), "msg_p\(i)", "CREATED", schedule: "rbs-other-app-job") }
        return list
    }

    @Test("pages through cursors, maps final states to runs, and a second sync adds nothing")
    func syncPagesAndDedupes() async throws {
        let events = events()
        let json = try JSONSerialization.data(withJSONObject: events)
        let server = try await LoopbackHTTPServer.jsonStandIn { request in
            QStashEventsStandIn.respond(eventsJSON: json, pageSize: 4, token: Self.token, request: request)
        }
        defer { Task { await server.stop() } }
        let store = try F.store()
        let environment = ["RBSCRON_SECRET_GLOBAL_QSTASH_TOKEN": Self.token, "QSTASH_URL": server.baseURL]
        let since = now.addingTimeInterval(-F.day)
        let first = try #require(try await F.sync(store, layer: "qstash", app: "colectiva", environment: environment))
        #expect(first.read == events.count)
        #expect(first.matched == 3)
        #expect(first.inserted == 3)
        // 21 events at 4 a page: 6 requests, each after the first with the previous cursor; fromDate sent (the window's
        // start less the slack for messages begun before it); then the schedules, once.
        let requests = server.requests.filter { $0.path == "/v2/events" }
        #expect(requests.count == 6)
        #expect(server.requests.filter { $0.path == "/v2/schedules" }.count == 1)
        #expect(requests.first?.query["cursor"] == nil)
        #expect(requests.dropFirst().allSatisfy { $0.query["cursor"] != nil })
        #expect(requests.allSatisfy { $0.query["fromDate"] == String(Timestamp.ms(since.addingTimeInterval(-QStashSync.messageSlack))) })

        let second = try #require(try await F.sync(store, layer: "qstash", app: "colectiva", environment: environment))
        #expect(second.matched == 3)
        #expect(second.inserted == 0)
        #expect(try F.count("runs", in: store) == 3)

        let runs = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY started_at")
        }
        #expect(runs.map { $0["source"] as String } == ["remote", "remote", "remote"])
        #expect(runs.map { $0["outcome"] as String } == ["ok", "ok", "http_error"])
        #expect(runs.map { $0["attempts"] as Int } == [1, 2, 1])
        #expect(runs.map { $0["idempotency_key"] as String } == ["qstash:msg_1:DELIVERED", "qstash:msg_2:DELIVERED", "qstash:msg_3:FAILED"])
        let error: String = try #require(runs[2]["error"])
        #expect(!error.contains(Self.token))
        #expect(error.contains(Redactor.placeholder))

        // The job is now observed from its first delivery.
        let stats = try #require(try F.stats(store).job("colectiva/heartbeat"))
        #expect(stats.observation == .observed)
        #expect(stats.runs == 3)
        #expect(stats.failureStreak == 1)
    }

    @Test("a refused token is an error that does not echo the token")
    func unauthorized() async throws {
        let server = try await LoopbackHTTPServer.jsonStandIn { request in
            QStashEventsStandIn.respond(eventsJSON: Data("[]".utf8), pageSize: 4, token: "another-token", request: request)
        }
        defer { Task { await server.stop() } }
        do {
            _ = try await F.sync(try F.store(), layer: "qstash", app: "colectiva",
                                 environment: ["RBSCRON_SECRET_GLOBAL_QSTASH_TOKEN": Self.token, "QSTASH_URL": server.baseURL])
            Issue.record("expected an error")
        } catch let error as RemoteHistoryError {
            guard case .http(_, let status, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(status == 401)
            #expect(!(error.errorDescription ?? "").contains(Self.token))
        }
    }

    @Test("no token: nothing is sent, the layer's jobs are unobserved with the reason, the sync goes on")
    func missingToken() async throws {
        let server = try await LoopbackHTTPServer.jsonStandIn { request in
            QStashEventsStandIn.respond(eventsJSON: Data("[]".utf8), pageSize: 4, token: Self.token, request: request)
        }
        defer { Task { await server.stop() } }
        let store = try F.store()
        let summary = try #require(try await F.sync(store, layer: "qstash", app: "colectiva", environment: ["QSTASH_URL": server.baseURL]))
        #expect(server.requests.isEmpty)
        #expect(summary.read == 0 && summary.inserted == 0)
        #expect(summary.warnings.count == 1 && summary.warnings[0].contains("QSTASH_TOKEN"))
        let observation = try #require(try store.observations()[JobRef(app: "colectiva", job: "heartbeat")])
        #expect(observation.historyFrom == nil && observation.note?.contains("QSTASH_TOKEN") == true)
        let stats = try #require(try F.stats(store, since: F.day).job("colectiva/heartbeat"))
        #expect(stats.observation == .unobserved && stats.status == .grey)
        #expect(stats.observationNote?.contains("QSTASH_TOKEN") == true)
        #expect(stats.fireCounts[.unobserved] > 0 && stats.fireCounts[.missed] == 0)
    }

    @Test("QSTASH_URL and SUPABASE_API_URL override the base URLs")
    func baseURLs() throws {
        // stats --sync reads QStash's base URL the same way as the layer sync (one place).
        #expect(try QStashClient.baseURL(environment: [:]) == "https://qstash.upstash.io")
        #expect(try QStashClient.baseURL(environment: ["QSTASH_URL": "http://127.0.0.1:8080"]) == "http://127.0.0.1:8080")
        #expect(QStashEventsClient.defaultBaseURL == QStashClient.defaultBaseURL)
        #expect(PgCronHistoryClient.baseURL(environment: [:]) == "https://api.supabase.com")
        #expect(PgCronHistoryClient.baseURL(environment: ["SUPABASE_API_URL": "http://x.test"]) == "http://x.test")
    }

    @Test("pg_cron rows map to runs: an HTTP job's 'succeeded' is never ok; failed is timeout or transport_error; keep-alive by the seed's name")
    func pgCronMapping() {
        let rows = [
            PgCronRunRow(runid: 1, jobname: "rbs-camino-sync", status: "succeeded", startMs: 1_000, endMs: 1_250),
            PgCronRunRow(runid: 2, jobname: "rbs-camino-sync", status: "failed",
                         returnMessage: "ERROR: canceling statement due to statement timeout", startMs: 2_000, endMs: 17_000),
            PgCronRunRow(runid: 3, jobname: "keep-alive-ping", status: "failed", returnMessage: "function keep_alive() does not exist",
                         startMs: 3_000, endMs: 3_010),
            PgCronRunRow(runid: 4, jobname: "rbs-camino-unknown", status: "succeeded", startMs: 4_000, endMs: 4_001),
        ]
        let runs = PgCronLayer.runs(from: rows, projectRef: "abcd", jobs: F.jobs, redactor: Redactor(secrets: []))
        #expect(runs.map(\.idempotencyKey) == ["pgcron:abcd:1", "pgcron:abcd:2", "pgcron:abcd:3"])
        // sync calls an endpoint: pg_cron's "succeeded" only means pg_net queued the request.
        #expect(runs.map(\.outcome) == ["unknown", "timeout", "transport_error"])
        #expect(runs.map(\.job.job) == ["sync", "sync", "keep-alive-ping"])
        #expect(runs[0].durationMs == nil && runs[0].error?.contains("schedule apply --layer pg_cron") == true)
        #expect(runs[1].durationMs == 15_000)
        // A SQL job's "succeeded" is its real outcome.
        let sql = PgCronLayer.runs(from: [PgCronRunRow(runid: 5, jobname: "keep-alive-ping", status: "succeeded", startMs: 5_000,
                                                       endMs: 5_008)], projectRef: "abcd", jobs: F.jobs, redactor: .none)
        #expect(sql.map(\.outcome) == ["ok"] && sql.first?.durationMs == 8)
        // With the fire history: a run whose fire is on record is the fire's business; one without is unknown.
        let linked = PgCronLayer.runs(from: [
            PgCronRunRow(runid: 6, jobname: "rbs-camino-sync", status: "succeeded", startMs: 6_000, endMs: 6_010, hasFire: true),
            PgCronRunRow(runid: 7, jobname: "rbs-camino-sync", status: "succeeded", startMs: 7_000, endMs: 7_010, hasFire: false),
        ], projectRef: "abcd", jobs: F.jobs, redactor: .none, hasHistory: true)
        #expect(linked.map(\.idempotencyKey) == ["pgcron:abcd:7"] && linked.first?.outcome == "unknown")
    }

    @Test("fires map to the endpoint's real answer: ok, http_error with status, transport_error, timeout and lost unknown")
    func fireMapping() {
        let secret = "fire-secret-0123456789"
        let fires = [
            PgCronFireRow(id: 1, jobName: "rbs-camino-sync", cronRunid: 41, firedMs: 1_000, outcome: "ok", statusCode: 200),
            PgCronFireRow(id: 2, jobName: "rbs-camino-sync", cronRunid: 42, firedMs: 2_000, outcome: "http_error", statusCode: 401,
                          bodyExcerpt: "{\"error\":\"bad token \(secret)\"}"),
            PgCronFireRow(id: 3, jobName: "rbs-camino-sync.2", cronRunid: nil, firedMs: 3_000, outcome: "error",
                          errorMsg: "Couldn't connect to server"),
            PgCronFireRow(id: 4, jobName: "rbs-camino-sync", cronRunid: 44, firedMs: 4_000, outcome: "timeout", timedOut: true,
                          timeoutMs: 2_000),
            PgCronFireRow(id: 5, jobName: "rbs-camino-sync", cronRunid: 45, firedMs: 5_000, outcome: "lost"),
            PgCronFireRow(id: 6, jobName: "rbs-other-x", cronRunid: 46, firedMs: 6_000, outcome: "ok", statusCode: 200),
        ]
        let runs = PgCronLayer.runs(from: fires, projectRef: "abcd", jobs: F.jobs, redactor: Redactor(secrets: [secret]))
        #expect(runs.map(\.outcome) == ["ok", "http_error", "transport_error", "timeout", "unknown"])
        #expect(runs.map(\.httpStatus) == [200, 401, nil, nil, nil])
        #expect(runs.map(\.idempotencyKey) == ["pgcron:abcd:41", "pgcron:abcd:42", "pgcron:abcd:fire:3", "pgcron:abcd:44",
                                               "pgcron:abcd:45"])
        #expect(runs.allSatisfy { $0.job.job == "sync" })
        #expect(runs[1].error == "HTTP 401: {\"error\":\"bad token [REDACTED]\"}")
        #expect(runs[2].error == "Couldn't connect to server")
        #expect(runs[3].error?.contains("may have finished the work") == true)
    }

    @Test("the history query selects rbscron's and the keep-alive jobs, quoting names")
    func historyQuery() {
        let sql = PgCronHistoryClient.historyQuery(apps: ["camino", "la-hoja"], extraJobNames: ["keep-alive-ping"], sinceMs: 1_775_000_000_000)
        #expect(sql.contains("left(j.jobname, 11) = 'rbs-camino-'"))
        #expect(sql.contains("left(j.jobname, 12) = 'rbs-la-hoja-'"))
        #expect(sql.contains("'keep-alive-ping'"))
        #expect(sql.contains("to_timestamp(1775000000)"))
        #expect(sql.contains("cron.job_run_details d JOIN cron.job j"))
    }
}
