import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

/// The scripted Vercel of the client and layer tests: the stand-in loaded with ``VercelScript`` and a fixed clock.
enum VercelFixtures {
    static let token = "vercel-token-0123456789abcdef"
    /// A fixed clock, two and a half hours after a whole hour: the scripted fires are an hour and a half earlier.
    static let now = Date(timeIntervalSince1970: 1_794_999_600 + 9_000)
    static let anchor = VercelScript.anchor(now: now)

    static func standIn() throws -> VercelStandIn {
        let standIn = try VercelStandIn(token: token)
        VercelScript.load(into: standIn, anchor: anchor)
        return standIn
    }

    static func client(_ standIn: VercelStandIn, token: String = token) throws -> VercelClient {
        VercelClient(transport: CurlTransport(userAgent: "rbscron-test"),
                     endpoints: try VercelEndpoints.from(environment: standIn.environment), token: token)
    }
}

/// The Vercel API client over real HTTP against the loopback Vercel stand-in: parsing, paging and typed errors.
@Suite("Vercel client against the loopback stand-in")
struct VercelClientTests {
    static let token = VercelFixtures.token
    static let now = VercelFixtures.now
    static let anchor = VercelFixtures.anchor
    static func standIn() throws -> VercelStandIn { try VercelFixtures.standIn() }
    static func client(_ standIn: VercelStandIn, token: String = VercelFixtures.token) throws -> VercelClient {
        try VercelFixtures.client(standIn, token: token)
    }

    @Test("a project's crons: definitions, enabled and disabled instants, the deployment; teamId is sent")
    func projectCrons() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        let client = try Self.client(standIn)
        let project = try await client.project(VercelScript.project, team: VercelScript.team)
        #expect(project.id == VercelScript.projectID && project.accountId == VercelScript.team)
        let crons = try #require(project.crons)
        #expect(crons.definitions.map(\.path) == VercelScript.definitions.map(\.path))
        #expect(crons.definitions.allSatisfy { $0.schedule == "0 * * * *" && $0.host == "app.example.com" })
        #expect(crons.disabledAt == nil && crons.deploymentId == "dpl_current")
        #expect(crons.enabledAt == Self.anchor.addingTimeInterval(-7 * 86_400))
        #expect(standIn.requests.last?.query["teamId"] == VercelScript.team)
        #expect(standIn.requests.last?.authorization == "Bearer \(Self.token)")

        let paused = try await client.project("prj_paused", team: nil)
        #expect(paused.crons?.disabledAt == Self.anchor.addingTimeInterval(-3_600))
        #expect(standIn.requests.last?.query["teamId"] == nil)
    }

    @Test("errors are typed: 404 not found, 403 refused (never with the token), a bad identifier sends nothing")
    func projectErrors() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        await #expect(throws: VercelAPIError.notFound(service: VercelClient.projectService,
                                                      detail: #"{"error": {"code": "not_found", "message": "Project not found"}}"#)) {
            try await Self.client(standIn).project("no-such-project", team: nil)
        }
        // The project's team is not this one: Vercel answers as if it did not exist.
        await #expect(throws: VercelAPIError.self) { try await Self.client(standIn).project(VercelScript.project, team: "team_other") }

        let wrong = "wrong-token-abcdef0123456789"
        standIn.override("/v9/projects/", status: 403, body: #"{"error": {"message": "token \#(wrong) may not read this"}}"#)
        let refused = try Self.client(standIn, token: wrong)
        do {
            _ = try await refused.project(VercelScript.project, team: nil)
            Issue.record("a refused token must throw")
        } catch {
            #expect(error.isRefusal)
            guard case .refused(_, let status, _) = error else { return }
            #expect(status == 403)
            let text = error.errorDescription ?? ""
            #expect(!text.contains(wrong) && text.contains("[REDACTED]") && text.contains("rbscron secret set global VERCEL_TOKEN"))
        }

        let none = NoRequestTransport()
        let offline = VercelClient(transport: none, token: Self.token)
        await #expect(throws: VercelAPIError.badIdentifier(field: "project id or name", value: "../teams")) {
            try await offline.project("../teams", team: nil)
        }
        await #expect(throws: VercelAPIError.badIdentifier(field: "team id", value: "team x")) {
            try await offline.project("web-app", team: "team x")
        }
        #expect(none.counter.count == 0)
    }

    @Test("the request log is read page by page while hasMoreRows, newest first, with ISO timestamps parsed")
    func requestLogPaging() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        let from = Self.now.addingTimeInterval(-86_400)
        let log = try await Self.client(standIn).requestLog(projectID: VercelScript.projectID, ownerID: VercelScript.team,
                                                             from: from, to: Self.now)
        #expect(log.complete && log.pages == 3 && log.unreadableRows == 0)
        #expect(log.rows.count == 7)
        #expect(log.rows.map(\.timestamp) == log.rows.map(\.timestamp).sorted(by: >))
        let broken = try #require(log.rows.first { $0.requestId == "req-broken" })
        #expect(broken.timestamp == Self.anchor.addingTimeInterval(1.5))
        #expect(broken.statusCode == 500 && broken.requestMethod == "GET" && broken.requestPath == "/api/cron/broken")
        #expect(broken.environment == "production" && broken.deploymentId == "dpl_current")
        let pages = standIn.requests.filter { $0.path == "/api/logs/request-logs" }
        #expect(pages.map { $0.query["page"] } == ["0", "1", "2"])
        #expect(pages.allSatisfy { $0.query["projectId"] == VercelScript.projectID && $0.query["ownerId"] == VercelScript.team })
        #expect(pages.first?.query["startDate"] == String(VercelScript.ms(from)))
        #expect(pages.first?.query["endDate"] == String(VercelScript.ms(Self.now)))
    }

    @Test("paging stops at the page limit and says the read is incomplete")
    func requestLogPageLimit() async throws {
        let standIn = try VercelStandIn(token: Self.token)
        defer { standIn.stop() }
        let rows = (0...VercelClient.maxLogPages).map { i in
            VercelStandInRow(requestId: "r\(i)", timestampMs: VercelScript.ms(Self.anchor) + Int64(i) * 1_000, path: "/x", status: 200)
        }
        standIn.add(VercelStandInProject(id: "prj_busy", name: "busy", accountId: "user_1", cronsJSON: nil), rows: rows)
        standIn.paging(logRows: 1, schedules: 1)
        let log = try await Self.client(standIn).requestLog(projectID: "prj_busy", ownerID: "user_1",
                                                             from: Self.anchor, to: Self.now)
        #expect(!log.complete && log.pages == VercelClient.maxLogPages && log.rows.count == VercelClient.maxLogPages)
        #expect(log.rows.first?.requestId == "r\(VercelClient.maxLogPages)")
    }

    @Test("an answer without rows, rows nobody can read, or one too large is an error; odd rows are skipped and counted")
    func requestLogShapes() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        let client = try Self.client(standIn)
        func read() async throws(VercelAPIError) -> VercelRequestLog {
            try await client.requestLog(projectID: VercelScript.projectID, ownerID: VercelScript.team, from: Self.anchor, to: Self.now)
        }
        standIn.override("/api/logs/", status: 200, body: #"{"logs": [], "pagination": {"hasMore": false}}"#)
        await #expect(throws: VercelAPIError.malformed(service: VercelClient.logService, detail: "no `rows` in the answer")) {
            try await read()
        }
        standIn.override("/api/logs/", status: 200, body: #"{"rows": [{"requestId": "a"}, {"timestamp": "yesterday"}], "hasMoreRows": false}"#)
        await #expect(throws: VercelAPIError.self) { try await read() }
        standIn.override("/api/logs/", status: 200, body: """
            {"rows": [{"requestId": "a", "timestamp": "2026-11-30T10:00:01Z", "requestPath": "/api/cron/ok", "statusCode": 200},
                      {"requestId": "b", "timestamp": "1795000000000", "requestPath": "/api/cron/ok"},
                      {"requestId": "c", "timestamp": "not a time", "requestPath": "/api/cron/ok"}], "hasMoreRows": false}
            """)
        let mixed = try await read()
        #expect(mixed.rows.map(\.requestId) == ["a", "b"] && mixed.unreadableRows == 1)
        #expect(mixed.rows[0].timestamp == Date(timeIntervalSince1970: 1_796_032_801))
        #expect(mixed.rows[1].timestamp == Date(timeIntervalSince1970: 1_795_000_000) && mixed.rows[1].statusCode == nil)

        standIn.override("/api/logs/", status: 200, body: #"{"rows": [], "pad": ""# + String(repeating: "x", count: VercelClient.maxBodyBytes) + #""}"#)
        await #expect(throws: VercelAPIError.tooLarge(service: VercelClient.logService, limitBytes: VercelClient.maxBodyBytes)) {
            try await read()
        }
        standIn.override("/api/logs/", status: 502, body: "upstream \(Self.token) failed")
        do {
            _ = try await read()
            Issue.record("a 502 must throw")
        } catch {
            #expect(error == .http(service: VercelClient.logService, status: 502, detail: "upstream [REDACTED] failed"))
        }
    }

    @Test("Vercel Schedules are listed page by page by cursor, with state, creation, jitter and target")
    func schedulesPaging() async throws {
        let standIn = try Self.standIn()
        defer { standIn.stop() }
        let schedules = try await Self.client(standIn).schedules(projectID: VercelScript.projectID, team: VercelScript.team)
        #expect(schedules.map(\.name) == ["ok", "late", "broken"])
        let ok = schedules[0]
        #expect(ok.isActive && ok.jitterMinutes == 5 && ok.cron == "0 * * * *" && ok.timezone == "UTC")
        #expect(ok.targetType == "path" && ok.targetPath == "/api/cron/ok" && ok.source == "static" && ok.namespace == "default")
        #expect(ok.createdAt == Self.anchor.addingTimeInterval(-86_400))
        #expect(schedules[1].state == "inactive" && !schedules[1].isActive)
        #expect(schedules[2].targetType == "function" && schedules[2].targetPath == nil)
        let pages = standIn.requests.filter { $0.path == "/v1/schedules" }
        #expect(pages.map { $0.query["cursor"] } == [nil, "2"])
        #expect(pages.allSatisfy { $0.query["namespace"] == "default" && $0.query["projectId"] == VercelScript.projectID
            && $0.query["teamId"] == VercelScript.team })

        // A cursor that never changes ends the listing instead of looping.
        standIn.override("/v1/schedules", status: 200, body: #"{"data": [{"name": "x", "state": "active"}], "cursor": "same"}"#)
        let before = standIn.requests.count
        let looped = try await Self.client(standIn).schedules(projectID: VercelScript.projectID, team: nil)
        #expect(looped.count == 2 && standIn.requests.count - before == 2)
        standIn.override("/v1/schedules", status: 200, body: #"{"schedules": []}"#)
        await #expect(throws: VercelAPIError.malformed(service: VercelClient.scheduleService, detail: "no `data` in the answer")) {
            try await Self.client(standIn).schedules(projectID: VercelScript.projectID, team: nil)
        }
    }

    @Test("base URLs come from the environment, http and https only")
    func endpoints() throws {
        #expect(try VercelEndpoints.from(environment: [:]) == VercelEndpoints(api: "https://api.vercel.com", logs: "https://vercel.com",
                                                                             schedules: "https://vercel-schedules.com"))
        let custom = try VercelEndpoints.from(environment: ["VERCEL_API_URL": "http://127.0.0.1:9/", "VERCEL_LOGS_URL": "",
                                                            "VERCEL_SCHEDULE_BASE_URL": "https://vss.example.test"])
        #expect(custom.api == "http://127.0.0.1:9" && custom.logs == "https://vercel.com" && custom.schedules == "https://vss.example.test")
        #expect(throws: VercelAPIError.invalidBaseURL(variable: "VERCEL_LOGS_URL", value: "file:///etc/passwd")) {
            try VercelEndpoints.from(environment: ["VERCEL_LOGS_URL": "file:///etc/passwd"])
        }
    }
}
