import Foundation
import Testing

@testable import RBSCronKit

/// `KeepalivePinger` against a loopback stand-in for Supabase's PostgREST.
@Suite("keep-alive pings", .timeLimit(.minutes(1)))
struct KeepaliveTests {
    static let now = Date(timeIntervalSince1970: 1_775_822_400)  // 2026-04-10T12:00:00Z
    static let anon = "anon-key-\(UUID().uuidString)"
    static let serviceRole = "service-role-\(UUID().uuidString)"

    /// PostgREST as far as the keep-alive needs it: 401 without the right key in both headers,
    /// `/rest/v1/` (GET) and `/rest/v1/rpc/keep_alive` (POST, answered 204 like a void function).
    static func supabase(acceptedKeys: Set<String> = [anon, serviceRole]) throws -> HealthStubServer {
        try HealthStubServer { seen in
            guard let key = seen.headers["apikey"], acceptedKeys.contains(key), seen.headers["authorization"] == "Bearer \(key)" else {
                return .init(status: 401, body: #"{"message":"Invalid API key"}"#)
            }
            switch (seen.method, seen.path) {
            case ("GET", "/rest/v1/"): return .init(status: 200, body: "{}")
            case ("POST", "/rest/v1/rpc/keep_alive"): return .init(status: 204, body: "")
            default: return .init(status: 404)
            }
        }
    }

    static func app(_ name: String, url: String?) -> App {
        App(name: name, displayName: name.capitalized, baseURL: "https://\(name).example.test", platform: .vercel,
            supabase: SupabaseProject(url: url, projectRef: url == nil ? nil : "ref\(name.count)"))
    }

    static func keepAliveJob(_ app: String, sql: String = "SELECT keep_alive()") -> Job {
        Job(app: app, name: "keep-alive-ping", path: nil, sql: sql, layer: .pgCron, schedule: "0 12 */3 * *", auth: .none)
    }

    static func pinger(_ secrets: any SecretProvider) -> KeepalivePinger {
        KeepalivePinger(transport: CurlTransport(userAgent: testUserAgent), secrets: secrets, now: { now })
    }

    @Test("a project running the keep-alive pg_cron job gets the RPC, with apikey and Bearer from the anon key")
    func rpcWithAnonKey() async throws {
        let server = try Self.supabase()
        let inventory = Inventory(apps: [Self.app("baul", url: server.baseURL)], jobs: [Self.keepAliveJob("baul")])
        let secrets = StaticSecrets(["baul": [SecretKeys.supabaseAnonKey: Self.anon, SecretKeys.supabaseServiceRoleKey: Self.serviceRole]])
        let report = try await Self.pinger(secrets).run(inventory: inventory, project: nil)
        await server.stop()

        let result = try #require(report.results.first)
        #expect(result.outcome == .ok)
        #expect(result.mode == .rpc)
        #expect(result.httpStatus == 204)
        #expect(result.key == SecretKeys.supabaseAnonKey)
        #expect(result.pingedAt == Self.now)
        #expect(!report.anyFailed)
        let seen = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(seen.method == "POST" && seen.path == "/rest/v1/rpc/keep_alive")
        #expect(seen.headers["apikey"] == Self.anon)
        #expect(seen.headers["authorization"] == "Bearer \(Self.anon)")
        #expect(seen.headers["content-type"] == "application/json")
        #expect(seen.body == "{}")
        #expect(result.record == KeepalivePingRecord(app: "baul", pingedAt: Self.now, ok: true, httpStatus: 204,
                                                      error: nil, totalMs: result.totalMs))
        // Nothing in the report carries the key's value.
        let json = try ReportJSON.encode(report.results)
        #expect(!json.contains(Self.anon) && !json.contains(Self.serviceRole))
    }

    @Test("without the keep-alive job: GET /rest/v1/; with only a service-role key, that key is used")
    func restWithServiceRole() async throws {
        let server = try Self.supabase()
        let inventory = Inventory(apps: [Self.app("plenura", url: server.baseURL + "/")],
                                  jobs: [Self.keepAliveJob("plenura", sql: "SELECT refresh_stats()")])
        let secrets = StaticSecrets(["global": [SecretKeys.supabaseServiceRoleKey: Self.serviceRole]])
        let report = try await Self.pinger(secrets).run(inventory: inventory, project: "plenura")
        await server.stop()

        let result = try #require(report.results.first)
        #expect(result.outcome == .ok && result.mode == .rest && result.method == "GET")
        #expect(result.key == SecretKeys.supabaseServiceRoleKey)
        #expect(result.url == server.baseURL + "/rest/v1/")
        #expect(server.requests.map(\.path) == ["/rest/v1/"])
        #expect(server.requests.first?.headers["authorization"] == "Bearer \(Self.serviceRole)")
    }

    @Test("no URL: not configured; no key: denied without a request; a rejected key: failed; the others still run")
    func mixedProjects() async throws {
        let server = try Self.supabase(acceptedKeys: [Self.anon])
        let inventory = Inventory(apps: [
            Self.app("agora", url: server.baseURL),
            Self.app("patadas", url: nil),
            Self.app("la-hoja", url: server.baseURL),
            Self.app("camino", url: server.baseURL),
            App(name: "colectiva", displayName: "Colectiva", baseURL: "https://colectiva.example.test", platform: .firebase),
        ], jobs: [Self.keepAliveJob("agora")])
        let secrets = StaticSecrets([
            "agora": [SecretKeys.supabaseAnonKey: Self.anon],
            "camino": [SecretKeys.supabaseAnonKey: "a-stale-key"],
        ])
        let report = try await Self.pinger(secrets).run(inventory: inventory, project: nil)
        await server.stop()

        #expect(report.results.map(\.app) == ["agora", "patadas", "la-hoja", "camino"], "apps without Supabase are not listed")
        #expect(report.results.map(\.outcome) == [.ok, .notConfigured, .denied, .failed])
        #expect(report.results[2].reason?.contains("SUPABASE_ANON_KEY") == true)
        #expect(report.results[3].httpStatus == 401)
        #expect(report.results[3].reason?.contains("refused SUPABASE_ANON_KEY") == true)
        #expect(report.anyFailed)
        #expect(server.requests.count == 2, "only agora and camino were sent a request")
        #expect(report.results.compactMap(\.record).map(\.app) == ["agora", "camino"])
    }

    @Test("secrets that cannot be opened deny every configured project, saying why")
    func unavailableSecrets() async throws {
        let server = try Self.supabase()
        let inventory = Inventory(apps: [Self.app("baul", url: server.baseURL), Self.app("patadas", url: nil)], jobs: [])
        let report = try await Self.pinger(UnavailableSecrets(reason: "No master key was found")).run(inventory: inventory, project: nil)
        await server.stop()

        #expect(report.results.map(\.outcome) == [.denied, .notConfigured])
        #expect(report.results[0].reason?.contains("No master key was found") == true)
        #expect(server.requests.isEmpty)
    }

    @Test("a refused connection is a failed ping with the reason")
    func refused() async throws {
        let refusing = try RawTCPServer.refusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        let inventory = Inventory(apps: [Self.app("baul", url: "http://127.0.0.1:\(port)")], jobs: [])
        let report = try await Self.pinger(StaticSecrets(["baul": [SecretKeys.supabaseAnonKey: Self.anon]]))
            .run(inventory: inventory, project: nil)
        #expect(report.results.first?.outcome == .failed)
        #expect(report.results.first?.reason?.contains("refused") == true)
        #expect(report.results.first?.record?.ok == false)
    }

    @Test("--project must name an app with a Supabase project")
    func projectSelection() throws {
        let inventory = Inventory(apps: [Self.app("baul", url: nil),
                                         App(name: "caracol", displayName: "Caracol", baseURL: "https://c.example.test", platform: .vercel)],
                                  jobs: [])
        #expect(throws: KeepaliveError.noSupabaseProject(app: "caracol", withProjects: ["baul"])) {
            try KeepalivePinger.projects(in: inventory, project: "caracol")
        }
        #expect(throws: InventoryQueryError.self) { try KeepalivePinger.projects(in: inventory, project: "bual") }
        #expect(try KeepalivePinger.projects(in: inventory, project: nil).map(\.name) == ["baul"])
    }

    @Test("the RPC is chosen only for a pg_cron job running SELECT keep_alive() in the app itself")
    func rpcDetection() {
        let inventory = Inventory(apps: [], jobs: [
            Self.keepAliveJob("a", sql: "  select   KEEP_ALIVE() ;\n"),
            Self.keepAliveJob("b", sql: "SELECT keep_alive_v2()"),
            Job(app: "c", name: "keep-alive", path: "/api/cron/keep-alive", layer: .fanout),
        ])
        #expect(KeepalivePinger.hasKeepAliveFunction(app: "a", in: inventory))
        #expect(!KeepalivePinger.hasKeepAliveFunction(app: "b", in: inventory))
        #expect(!KeepalivePinger.hasKeepAliveFunction(app: "c", in: inventory))
        #expect(!KeepalivePinger.hasKeepAliveFunction(app: "d", in: inventory))
    }

    @Test("the embedded ecosystem's Supabase projects have no URL yet: every one is not configured, nothing is sent")
    func seedIsNotConfigured() async throws {
        let inventory = try EmbeddedEcosystem.inventory()
        let report = try await Self.pinger(UnavailableSecrets(reason: "unused")).run(inventory: inventory, project: nil)
        #expect(!report.results.isEmpty)
        #expect(report.results.allSatisfy { $0.outcome == .notConfigured })
        #expect(!report.anyFailed)
    }
}

/// `keepalive --status`: the arithmetic against an injected clock, from the stored pings.
@Suite("keep-alive status")
struct KeepaliveStatusTests {
    static let now = KeepaliveTests.now
    static let day: TimeInterval = 86_400

    @Test("4.9 days ok, 5 warn, 6 still warn, 6.1 overdue (exit 2), never pinged unknown, no URL not configured")
    func arithmetic() throws {
        let names = ["four-nine", "five", "six", "six-one", "never", "no-url"]
        let apps = names.map { KeepaliveTests.app($0, url: $0 == "no-url" ? nil : "https://\($0).supabase.example") }
        let store = try InventoryStore.inMemory(seed: Inventory(apps: apps, jobs: []))
        try store.recordKeepalivePings([
            KeepalivePingRecord(app: "four-nine", pingedAt: Self.now.addingTimeInterval(-4.9 * Self.day), ok: true, httpStatus: 204),
            KeepalivePingRecord(app: "five", pingedAt: Self.now.addingTimeInterval(-5 * Self.day), ok: true, httpStatus: 204),
            KeepalivePingRecord(app: "six", pingedAt: Self.now.addingTimeInterval(-6 * Self.day), ok: true, httpStatus: 204),
            KeepalivePingRecord(app: "six-one", pingedAt: Self.now.addingTimeInterval(-6.1 * Self.day), ok: true, httpStatus: 204),
            // A later failure does not reset the clock; its error is shown.
            KeepalivePingRecord(app: "six-one", pingedAt: Self.now.addingTimeInterval(-1 * Self.day), ok: false, httpStatus: 540,
                                error: "HTTP 540: the project is paused"),
            KeepalivePingRecord(app: "never", pingedAt: Self.now.addingTimeInterval(-2 * Self.day), ok: false, error: "refused"),
        ])
        let report = try KeepaliveStatusReport.build(inventory: try store.inventory(), project: nil,
                                                     history: try store.keepaliveHistory(), now: Self.now)
        #expect(report.entries.map(\.app) == names)
        #expect(report.entries.map(\.state) == [.ok, .warn, .warn, .overdue, .unknown, .notConfigured])
        #expect(report.anyOverdue)
        let sixOne = report.entries[3]
        #expect(abs((sixOne.daysSince ?? 0) - 6.1) < 1e-9)
        #expect(sixOne.lastError == "HTTP 540: the project is paused")
        #expect(sixOne.lastAttemptAt == Self.now.addingTimeInterval(-1 * Self.day))
        #expect(sixOne.pausesAfter == Self.now.addingTimeInterval(0.9 * Self.day))
        #expect(report.entries[4].lastSuccessAt == nil && report.entries[4].daysSince == nil)

        let withoutOverdue = try KeepaliveStatusReport.build(inventory: try store.inventory(), project: "five",
                                                             history: try store.keepaliveHistory(), now: Self.now)
        #expect(withoutOverdue.entries.map(\.state) == [.warn])
        #expect(!withoutOverdue.anyOverdue)
    }

    @Test("the thresholds themselves")
    func thresholds() {
        #expect(KeepaliveStatusReport.state(daysSince: 0) == .ok)
        #expect(KeepaliveStatusReport.state(daysSince: 4.999) == .ok)
        #expect(KeepaliveStatusReport.state(daysSince: 5) == .warn)
        #expect(KeepaliveStatusReport.state(daysSince: 6) == .warn)
        #expect(KeepaliveStatusReport.state(daysSince: 6.001) == .overdue)
        #expect(KeepaliveStatusReport.state(daysSince: 30) == .overdue)
    }

    @Test("the JSON shape: snake_case keys, nulls kept, RFC 3339 times")
    func jsonShape() throws {
        let app = KeepaliveTests.app("baul", url: "https://abcd.supabase.co")
        let report = try KeepaliveStatusReport.build(
            inventory: Inventory(apps: [app], jobs: []), project: nil,
            history: ["baul": KeepaliveHistory(lastSuccess: Self.now.addingTimeInterval(-5.5 * Self.day),
                                               lastAttempt: Self.now.addingTimeInterval(-5.5 * Self.day))],
            now: Self.now)
        let json = try ReportJSON.encode(report.entries)
        let object = try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])?.first)
        #expect(Set(object.keys) == ["app", "project_ref", "url", "state", "last_success_at", "days_since", "pauses_after",
                                     "last_attempt_at", "last_error"])
        #expect(object["state"] as? String == "warn")
        #expect(object["days_since"] as? Double == 5.5)
        #expect(object["last_success_at"] as? String == "2026-04-05T00:00:00Z")
        #expect(object["pauses_after"] as? String == "2026-04-12T00:00:00Z")
        #expect(object["last_error"] is NSNull)
    }
}

/// `keepalive --sql`: which project, and the migration's name.
@Suite("keep-alive SQL")
struct KeepaliveSQLTests {
    @Test("one project named: the seed migration with the suggested file name; none named among several: choose")
    func build() throws {
        let inventory = try EmbeddedEcosystem.inventory()
        let report = try KeepaliveSQLReport.build(inventory: inventory, project: "baul", now: KeepaliveTests.now)
        #expect(report.app == "baul")
        #expect(report.suggestedPath == "supabase/migrations/20260410120000_rbscron_keep_alive.sql")
        #expect(report.fileName == "20260410120000_rbscron_keep_alive.sql")
        #expect(report.sql.contains("SELECT cron.schedule('keep-alive-ping', '0 12 */3 * *', 'SELECT keep_alive()');"))
        #expect(report.sql.contains("SELECT cron.schedule('cleanup-cron-history', '0 3 * * 0', 'SELECT cleanup_cron_history()');"))
        #expect(report.sql.contains("Baúl"))

        #expect(throws: KeepaliveError.self) { try KeepaliveSQLReport.build(inventory: inventory, project: nil, now: KeepaliveTests.now) }
        let single = Inventory(apps: [KeepaliveTests.app("solo", url: nil)], jobs: [])
        #expect(try KeepaliveSQLReport.build(inventory: single, project: nil, now: KeepaliveTests.now).app == "solo")
        #expect(throws: KeepaliveError.noProjects) {
            try KeepaliveSQLReport.build(inventory: Inventory(apps: [], jobs: []), project: nil, now: KeepaliveTests.now)
        }
    }
}
