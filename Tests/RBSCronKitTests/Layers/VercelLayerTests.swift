import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

/// `VercelLayer.history` against the loopback Vercel stand-in: the runs and observations of both modes, and what
/// happens when Vercel cannot be read.
@Suite("Vercel layer history against the loopback stand-in")
struct VercelLayerTests {
    static let token = VercelFixtures.token
    static let now = VercelFixtures.now
    static let anchor = VercelFixtures.anchor
    static func standIn() throws -> VercelStandIn { try VercelFixtures.standIn() }

    static func inventory(plan: String = "pro") throws -> Inventory {
        try Manifest.load(yaml: VercelScript.manifest(baseURL: "https://web.example.test", plan: plan), file: "vercel.yaml")
    }

    static func layer(_ standIn: VercelStandIn, inventory: Inventory? = nil,
                      secrets: StaticSecrets = StaticSecrets(["global": [SecretKeys.vercelToken: token]]),
                      mode: @escaping @Sendable (App) -> VercelLayer.Mode = { _ in .crons },
                      environment: [String: String]? = nil) throws -> VercelLayer {
        try VercelLayer(inventory: inventory ?? Self.inventory(), secrets: secrets, transport: CurlTransport(userAgent: "rbscron-test"),
                        environment: environment ?? standIn.environment, mode: mode)
    }

    static func observation(_ history: LayerHistory, _ app: String, _ job: String) -> LayerObservation? {
        history.observations.first { $0.job == JobRef(app: app, job: job) }
    }

    @Test("crons mode: request-log calls become runs; every job gets its state and how far the log was read")
    func cronsMode() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        var inventory = try Self.inventory()
        inventory.jobs.append(Job(app: "web", name: "gone", path: "/api/cron/gone", method: .GET, layer: .vercel, schedule: "0 3 * * *"))
        inventory.jobs.append(Job(app: "web", name: "queue", path: "/api/queue", layer: .qstash, schedule: "0 3 * * *", auth: .qstash))
        let since = Self.now.addingTimeInterval(-2 * 86_400)
        let history = try #require(try await Self.layer(standIn, inventory: inventory).history(jobs: inventory.jobs, since: since, now: Self.now))

        // In call order: paused's at +1 s, then +1.5 s, +2 s and the late one at +7 min.
        #expect(history.runs.map(\.idempotencyKey) == ["vercel:req-paused", "vercel:req-broken", "vercel:req-ok", "vercel:req-late"])
        let byKey = Dictionary(uniqueKeysWithValues: history.runs.map { ($0.idempotencyKey, $0) })
        let ok = try #require(byKey["vercel:req-ok"])
        #expect(ok.job == JobRef(app: "web", job: "ok") && ok.outcome == "ok" && ok.httpStatus == 200)
        #expect(ok.startedAt == Self.anchor.addingTimeInterval(2) && ok.attempts == 1)
        #expect(ok.error?.contains("Vercel does not say whether Vercel Cron or someone else made this call") == true)
        #expect(byKey["vercel:req-late"]?.startedAt == Self.anchor.addingTimeInterval(420))
        let broken = try #require(byKey["vercel:req-broken"])
        #expect(broken.job == JobRef(app: "web", job: "broken") && broken.outcome == "http_error" && broken.httpStatus == 500)
        #expect(byKey["vercel:req-paused"]?.job == JobRef(app: "paused", job: "ok"))
        // A preview call, a HEAD, a POST (Vercel Cron calls with GET) and other paths are no fires.
        #expect(!history.runs.contains { $0.job.job == "silent" })

        #expect(history.summary.layer == "vercel" && history.summary.sources == ["web-app", "paused-app"])
        #expect(history.summary.read == 8 && history.summary.matched == 4)
        #expect(history.warnings.isEmpty)

        // Pro keeps about a day: the log counts as read from then, not from --since.
        let dayAgo = Self.now.addingTimeInterval(-86_400)
        for job in ["ok", "late", "broken", "silent"] {
            let o = try #require(Self.observation(history, "web", job))
            #expect(o.layer == .vercel && o.observedAt == Self.now && o.historyFrom == dayAgo && o.scheduleState == .active)
            #expect(o.scheduleCreatedAt == Self.anchor.addingTimeInterval(-7 * 86_400) && o.pending.isEmpty && o.note == nil)
        }
        let gone = try #require(Self.observation(history, "web", "gone"))
        #expect(gone.scheduleState == .absent && gone.historyFrom == dayAgo && gone.note?.contains("no entry for /api/cron/gone") == true)
        let paused = try #require(Self.observation(history, "paused", "ok"))
        #expect(paused.scheduleState == .paused && paused.historyFrom == dayAgo)
        #expect(paused.note == "Vercel Cron is disabled for the project since \(Timestamp.rfc3339(Self.anchor.addingTimeInterval(-3_600)))")
        let blind = try #require(Self.observation(history, "blind", "ok"))
        #expect(blind.historyFrom == nil && blind.scheduleState == nil && blind.note?.contains("no vercel_project") == true)
        #expect(Self.observation(history, "web", "queue") == nil)
        #expect(history.observations.count == 7)
        #expect(standIn.requests.filter { $0.path == "/api/logs/request-logs" }.allSatisfy { $0.query["startDate"] == String(VercelScript.ms(since)) })
        // The owner of a personal project is its account.
        #expect(standIn.requests.contains { $0.path == "/api/logs/request-logs" && $0.query["projectId"] == "prj_paused"
            && $0.query["ownerId"] == "user_1" })
    }

    @Test("a read cut short at the page limit covers back to its oldest row, and only when rows came newest first")
    func partialCoverage() {
        let rows = (0..<5).map { i in
            VercelRequestLogRow(requestId: "r\(i)", timestamp: Self.now.addingTimeInterval(Double(-60 * i)), requestPath: "/x")
        }
        let cut = VercelRequestLog(rows: rows, pages: VercelClient.maxLogPages, complete: false, unreadableRows: 0)
        #expect(VercelLayer.coverage(cut, since: Self.anchor, now: Self.now, retention: VercelLogRetention.pro)
            == Self.now.addingTimeInterval(-240))
        var shuffled = cut
        shuffled.rows.swapAt(0, 1)
        #expect(VercelLayer.coverage(shuffled, since: Self.anchor, now: Self.now, retention: VercelLogRetention.pro) == nil)
        // Complete, a row older than the assumed retention shows the log reaches back to it.
        let complete = VercelRequestLog(rows: rows, pages: 1, complete: true, unreadableRows: 0)
        #expect(VercelLayer.coverage(complete, since: Self.anchor, now: Self.now, retention: 120) == Self.now.addingTimeInterval(-240))
    }

    @Test("on Hobby the log is assumed to keep an hour, unless an older row shows it keeps more")
    func hobbyRetention() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        let inventory = try Self.inventory(plan: "hobby")
        let history = try #require(try await Self.layer(standIn, inventory: inventory)
            .history(jobs: inventory.jobs, since: Self.now.addingTimeInterval(-86_400), now: Self.now))
        // web's oldest row is at anchor + 1.5 s, older than an hour before now.
        #expect(Self.observation(history, "web", "ok")?.historyFrom == Self.anchor.addingTimeInterval(1.5))
        // A long --since does not ask Vercel for more than anyone says it keeps.
        let month = try #require(try await Self.layer(standIn, inventory: inventory)
            .history(jobs: inventory.jobs, since: Self.now.addingTimeInterval(-30 * 86_400), now: Self.now))
        #expect(month.runs.count == 4)
        #expect(standIn.requests.last { $0.path == "/api/logs/request-logs" }?.query["startDate"]
            == String(VercelScript.ms(Self.now.addingTimeInterval(-VercelLogRetention.longestReported))))
        let bare = VercelRequestLog(rows: [], pages: 1, complete: true, unreadableRows: 0)
        #expect(VercelLayer.coverage(bare, since: Self.anchor, now: Self.now, retention: VercelLogRetention.assumed(plan: .hobby))
            == Self.now.addingTimeInterval(-3_600))
        #expect(VercelLayer.coverage(bare, since: Self.now.addingTimeInterval(-60), now: Self.now,
                                     retention: VercelLogRetention.assumed(plan: nil)) == Self.now.addingTimeInterval(-60))
    }

    @Test("a deployed schedule that differs from the inventory's is noted")
    func scheduleDrift() throws {
        let crons = VercelProjectCrons(enabledAt: Self.anchor, definitions: [VercelCronDefinition(path: "/api/cron/ok?x=1", schedule: "5 * * * *")])
        let job = Job(app: "web", name: "ok", path: "/api/cron/ok", method: .GET, layer: .vercel, schedule: "0 * * * *")
        let fact = try #require(VercelLayer.cronFacts(crons, jobs: [job])[job.ref])
        #expect(fact.state == .active && fact.createdAt == Self.anchor && fact.method == "GET")
        #expect(fact.note?.contains("'5 * * * *', the inventory's '0 * * * *'") == true)
        #expect(VercelLayer.cronFacts(nil, jobs: [job])[job.ref]?.state == .absent)
    }

    @Test("schedules mode: state from Vercel Schedules; a function target is unobservable; deliveries from the log")
    func schedulesMode() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        let inventory = try Self.inventory()
        let layer = try Self.layer(standIn, mode: { $0.name == "web" ? .schedules : .crons })
        let history = try #require(try await layer.history(jobs: inventory.jobs, since: Self.now.addingTimeInterval(-86_400), now: Self.now))
        let dayAgo = Self.now.addingTimeInterval(-86_400)

        let ok = try #require(Self.observation(history, "web", "ok"))
        #expect(ok.scheduleState == .active && ok.scheduleCreatedAt == Self.anchor.addingTimeInterval(-86_400))
        #expect(ok.historyFrom == dayAgo && ok.note == nil)
        let late = try #require(Self.observation(history, "web", "late"))
        #expect(late.scheduleState == .paused && late.note == "the schedule late is inactive in Vercel Schedules")
        let broken = try #require(Self.observation(history, "web", "broken"))
        #expect(broken.scheduleState == .active && broken.historyFrom == nil)
        #expect(broken.note?.contains("calls the function target of broken, not a path") == true)
        let silent = try #require(Self.observation(history, "web", "silent"))
        #expect(silent.scheduleState == .absent && silent.historyFrom == dayAgo)
        // The paused app stays on legacy Cron.
        #expect(Self.observation(history, "paused", "ok")?.scheduleState == .paused)

        let webRuns = history.runs.filter { $0.job.app == "web" }
        #expect(webRuns.map(\.job.job).sorted() == ["late", "ok"])
        #expect(!history.runs.contains { $0.idempotencyKey == "vercel:req-broken" })
        #expect(standIn.requests.contains { $0.path == "/v1/schedules" })
        #expect(!standIn.requests.contains { $0.path == "/v1/schedules" && $0.query["projectId"] == "prj_paused" })
    }

    @Test("without a VERCEL_TOKEN nothing is sent; the jobs' notes and one warning say how to store it")
    func missingToken() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        let inventory = try Self.inventory()
        let history = try #require(try await Self.layer(standIn, secrets: StaticSecrets())
            .history(jobs: inventory.jobs, since: Self.now.addingTimeInterval(-86_400), now: Self.now))
        #expect(standIn.requests.isEmpty && history.runs.isEmpty)
        let expected = "no VERCEL_TOKEN: store it with `rbscron secret set global VERCEL_TOKEN --from-env VERCEL_TOKEN` "
            + "to read Vercel's request log"
        for ref in [("web", "ok"), ("web", "silent"), ("paused", "ok")] {
            let o = try #require(Self.observation(history, ref.0, ref.1))
            #expect(o.historyFrom == nil && o.note == expected)
        }
        #expect(Self.observation(history, "blind", "ok")?.note?.contains("no vercel_project") == true)
        #expect(history.warnings.count == 1)
        #expect(history.warnings.first?.hasPrefix("Vercel not read for web, paused: no VERCEL_TOKEN") == true)
        #expect(history.summary.sources.isEmpty && history.summary.warnings == history.warnings)

        // An app-scoped token serves that app only.
        let scoped = try #require(try await Self.layer(standIn, secrets: StaticSecrets(["web": [SecretKeys.vercelToken: Self.token]]))
            .history(jobs: inventory.jobs, since: Self.now.addingTimeInterval(-86_400), now: Self.now))
        #expect(scoped.summary.sources == ["web-app"])
        #expect(Self.observation(scoped, "paused", "ok")?.historyFrom == nil)
    }

    @Test("a refused token, a missing project, a vanished log endpoint or an odd answer leave the jobs unobserved, never throw")
    func unreadable() async throws {
        let inventory = try Self.inventory()
        let since = Self.now.addingTimeInterval(-86_400)
        let wrong = "revoked-token-0123456789"
        do {
            let standIn = try Self.standIn()
            defer { standIn.stop() }
            let history = try #require(try await Self.layer(standIn, secrets: StaticSecrets(["global": [SecretKeys.vercelToken: wrong]]))
                .history(jobs: inventory.jobs, since: since, now: Self.now))
            #expect(history.runs.isEmpty)
            #expect(Self.observation(history, "web", "ok")?.note == "Vercel's project API refused VERCEL_TOKEN (HTTP 403)")
            #expect(history.warnings.count == 2 && history.warnings.allSatisfy { $0.contains("refused VERCEL_TOKEN") })
            #expect(!history.warnings.joined().contains(wrong))
        }
        do {
            let standIn = try Self.standIn()
            defer { standIn.stop() }
            var renamed = inventory
            renamed.apps = renamed.apps.map { app in
                var app = app
                if app.name == "web" { app.vercelProject = "renamed-app" }
                return app
            }
            let history = try #require(try await Self.layer(standIn, inventory: renamed).history(jobs: renamed.jobs, since: since, now: Self.now))
            let note = try #require(Self.observation(history, "web", "ok")?.note)
            #expect(note.contains("404") && note.contains("check `vercel_project` and `vercel_team` of web"))
            #expect(Self.observation(history, "paused", "ok")?.historyFrom != nil)
            #expect(history.warnings.count == 1)
        }
        do {
            let standIn = try Self.standIn()
            defer { standIn.stop() }
            standIn.override("/api/logs/", status: 404, body: #"{"error": {"code": "not_found"}}"#)
            let history = try #require(try await Self.layer(standIn).history(jobs: inventory.jobs, since: since, now: Self.now))
            let ok = try #require(Self.observation(history, "web", "ok"))
            #expect(ok.scheduleState == .active && ok.historyFrom == nil && ok.note?.contains("does not document") == true)
            #expect(Self.observation(history, "paused", "ok")?.scheduleState == .paused)
            #expect(history.runs.isEmpty && history.warnings.count == 2)
        }
        do {
            let standIn = try Self.standIn()
            defer { standIn.stop() }
            standIn.override("/v9/projects/", status: 200, body: "[1, 2, 3]")
            let history = try #require(try await Self.layer(standIn).history(jobs: inventory.jobs, since: since, now: Self.now))
            #expect(Self.observation(history, "web", "ok")?.note?.hasPrefix("Vercel not readable: Vercel's project API sent an answer") == true)
            #expect(history.warnings.count == 2)
        }
        do {
            let standIn = try Self.standIn()
            defer { standIn.stop() }
            standIn.override("/v1/schedules", status: 404, body: "{}")
            let history = try #require(try await Self.layer(standIn, mode: { _ in .schedules }).history(jobs: inventory.jobs, since: since, now: Self.now))
            let ok = try #require(Self.observation(history, "web", "ok"))
            #expect(ok.scheduleState == nil && ok.historyFrom != nil && ok.note?.hasPrefix("schedule state unknown") == true)
            #expect(history.runs.contains { $0.idempotencyKey == "vercel:req-ok" })
        }
    }

    @Test("no Vercel jobs: nothing to read; a base URL that is not http(s) is refused before anything is sent")
    func nothingOrRefused() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        let inventory = try Self.inventory()
        let none = try await Self.layer(standIn).history(jobs: inventory.jobs.filter { $0.layer != .vercel }, since: Self.anchor, now: Self.now)
        #expect(none == nil)
        await #expect(throws: VercelAPIError.invalidBaseURL(variable: "VERCEL_API_URL", value: "ftp://vercel.example")) {
            try await Self.layer(standIn, environment: ["VERCEL_API_URL": "ftp://vercel.example"])
                .history(jobs: inventory.jobs, since: Self.anchor, now: Self.now)
        }
        #expect(standIn.requests.isEmpty)
    }
}
