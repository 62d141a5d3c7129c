import Foundation
import Testing

@testable import RBSCronKit

/// `HealthChecker` against real loopback servers through `CurlTransport`.
@Suite("health checks", .timeLimit(.minutes(2)))
struct HealthCheckTests {
    static let fixedNow = Date(timeIntervalSince1970: 1_775_822_400)  // 2026-04-10T12:00:00Z

    static func app(_ name: String, base: String, path: String = "/health", method: HTTPMethod = .HEAD,
                    expect: Int = 200, active: Bool = true) -> App {
        App(name: name, displayName: name.capitalized, baseURL: base, platform: .vercel,
            health: HealthTarget(path: path, method: method, expectedStatus: expect), active: active)
    }

    static func checker() -> HealthChecker {
        HealthChecker(transport: CurlTransport(userAgent: testUserAgent), now: { fixedNow })
    }

    static func run(_ apps: [App], jobs: [Job] = [], options: HealthCheckOptions = HealthCheckOptions()) async throws -> HealthReport {
        try await checker().run(inventory: Inventory(apps: apps, jobs: jobs), options: options)
    }

    @Test("an app answering the expected status quickly is up, with a timing breakdown")
    func up() async throws {
        let server = try HealthStubServer { _ in .init(status: 200) }
        // A generous --slow: on a loaded machine a quick answer must still count as up, not degraded.
        let report = try await Self.run([Self.app("alpha", base: server.baseURL)], options: HealthCheckOptions(slowMs: 60_000))
        await server.stop()

        let result = try #require(report.results.first)
        #expect(result.status == .up)
        #expect(result.httpStatus == 200)
        #expect(result.method == "HEAD")
        #expect(result.url == server.baseURL + "/health")
        #expect(result.reason == nil && result.detail == nil)
        #expect(result.checkedAt == Self.fixedNow)
        let t = result.timings
        let marks = [t.dnsMs, t.connectMs, t.tlsMs, t.firstByteMs].compactMap { $0 }
        #expect(marks.count == 4)
        #expect(marks == marks.sorted() && (marks.last ?? .infinity) <= t.totalMs)
        #expect(server.requests.map(\.method) == ["HEAD"])
        #expect(!report.anyDown)
    }

    @Test("an app slower than --slow is degraded, not down")
    func slowIsDegraded() async throws {
        let server = try HealthStubServer { _ in .init(status: 200, delayMs: 300) }
        let report = try await Self.run([Self.app("alpha", base: server.baseURL)],
                                        options: HealthCheckOptions(slowMs: 100))
        await server.stop()

        let result = try #require(report.results.first)
        #expect(result.status == .degraded)
        #expect(result.reason == .slow)
        #expect(result.timings.totalMs >= 300)
        #expect(!report.anyDown)
        #expect(report.degradedCount == 1)
    }

    @Test("a 500 is down with the status as the reason")
    func serverError() async throws {
        let server = try HealthStubServer { _ in .init(status: 500) }
        let report = try await Self.run([Self.app("alpha", base: server.baseURL)])
        await server.stop()

        let result = try #require(report.results.first)
        #expect(result.status == .down)
        #expect(result.reason == .httpStatus)
        #expect(result.httpStatus == 500)
        #expect(result.detail == "HTTP 500, expected 200")
        #expect(report.anyDown)
    }

    @Test("a refused connection is down: refused, no HTTP status, the time spent recorded")
    func refused() async throws {
        let refusing = try RawTCPServer.refusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        let report = try await Self.run([Self.app("alpha", base: "http://127.0.0.1:\(port)")])
        let result = try #require(report.results.first)
        #expect(result.status == .down)
        #expect(result.reason == .refused)
        #expect(result.httpStatus == nil)
        // The time until the refusal is recorded: more than nothing, far less than the 10 s timeout.
        #expect(result.timings.firstByteMs == nil)
        #expect(result.timings.totalMs > 0 && result.timings.totalMs < 10_000)
        #expect(result.detail?.contains("127.0.0.1:\(port)") == true)
    }

    @Test("a HEAD answered 405 is retried once with GET, and the GET decides")
    func headNotAllowed() async throws {
        let server = try HealthStubServer { seen in .init(status: seen.method == "HEAD" ? 405 : 200) }
        let report = try await Self.run([Self.app("alpha", base: server.baseURL)])
        await server.stop()

        let result = try #require(report.results.first)
        #expect(result.status == .up)
        #expect(result.method == "GET")
        #expect(server.requests.map(\.method) == ["HEAD", "GET"])
    }

    @Test("a 405 to the GET retry is down, and the retry happens only once")
    func getAlsoNotAllowed() async throws {
        let server = try HealthStubServer { _ in .init(status: 405) }
        let report = try await Self.run([Self.app("alpha", base: server.baseURL)])
        await server.stop()

        let result = try #require(report.results.first)
        #expect(result.status == .down)
        #expect(result.httpStatus == 405)
        #expect(server.requests.map(\.method) == ["HEAD", "GET"])
    }

    @Test("a health target that says GET is requested with GET only; the expected status is the app's")
    func configuredGET() async throws {
        let server = try HealthStubServer { seen in .init(status: seen.path == "/status" ? 204 : 404) }
        let report = try await Self.run([Self.app("alpha", base: server.baseURL, path: "/status", method: .GET, expect: 204)])
        await server.stop()

        #expect(report.results.first?.status == .up)
        #expect(server.requests.map(\.method) == ["GET"])
        #expect(server.requests.map(\.path) == ["/status"])
    }

    @Test("an app that does not answer within --timeout is down: timeout")
    func timeout() async throws {
        // The answer would come after 20 s; the check must give up long before (bounds wide for a loaded machine).
        let server = try HealthStubServer { _ in .init(status: 200, delayMs: 20_000) }
        let report = try await Self.run([Self.app("alpha", base: server.baseURL)],
                                        options: HealthCheckOptions(timeoutMs: 300))
        await server.stop()

        let result = try #require(report.results.first)
        #expect(result.status == .down)
        #expect(result.reason == .timeout)
        #expect(result.detail == "no answer within 300ms")
        #expect(result.timings.totalMs >= 250 && result.timings.totalMs < 15_000)
    }

    @Test("inactive apps are skipped unless named; an unknown app is an error with a suggestion")
    func selection() async throws {
        let server = try HealthStubServer { _ in .init(status: 200) }
        let apps = [Self.app("alpha", base: server.baseURL), Self.app("sleepy", base: server.baseURL, active: false)]
        let all = try await Self.run(apps)
        let named = try await Self.run(apps, options: HealthCheckOptions(app: "sleepy"))
        await server.stop()

        #expect(all.results.map(\.app) == ["alpha"])
        #expect(named.results.map(\.app) == ["sleepy"])
        await #expect(throws: InventoryQueryError.unknownApp("alpah", suggestion: "alpha")) {
            try await Self.run(apps, options: HealthCheckOptions(app: "alpah"))
        }
    }

    @Test("failures are classified: DNS, TLS, redirects, bad URLs, other transfer errors")
    func reasons() {
        #expect(HealthChecker.describe(.couldNotResolve("nope.invalid")).0 == .dns)
        #expect(HealthChecker.describe(.tls("127.0.0.1:443: bad cert")).0 == .tls)
        #expect(HealthChecker.describe(.tooManyRedirects(5)).0 == .redirect)
        #expect(HealthChecker.describe(.redirectRefused("ftp://x")).0 == .redirect)
        #expect(HealthChecker.describe(.unsupportedScheme("ftp://x/")).0 == .invalidURL)
        #expect(HealthChecker.describe(.transport(code: 56, message: "recv failure")).0 == .transport)
        #expect(HealthChecker.describe(.timedOut(10)).1 == "no answer within 10s")
    }

    @Test("300 apps from an in-memory store: all checked once, at most --concurrency in flight, all recorded")
    func hundredsAtOnce() async throws {
        let server = try HealthStubServer { seen in .init(status: seen.path.hasPrefix("/app/") ? 200 : 404, delayMs: 50) }
        let apps = (0..<300).map { Self.app("app-\($0)", base: server.baseURL, path: "/app/\($0)") }
        let store = try InventoryStore.inMemory(seed: Inventory(apps: apps, jobs: []))
        let inventory = try store.inventory()
        let progress = TestLocked<[Int]>([])
        let report = try await Self.checker().run(inventory: inventory, options: HealthCheckOptions(concurrency: 40)) { done, total in
            #expect(total == 300)
            progress.withLock { $0.append(done) }
        }
        try store.recordHealthChecks(report.results.map(\.record))
        await server.stop()

        #expect(report.results.map(\.app) == apps.map(\.name), "results come back in inventory order")
        #expect(report.upCount == 300)
        #expect(Set(server.requests.map(\.path)).count == 300)
        #expect(server.requests.count == 300)
        #expect(server.maxInFlight <= 40)
        #expect(server.maxInFlight > 1, "the checks ran in parallel")
        #expect(progress.withLock { $0.sorted() } == Array(1...300))
        #expect(try store.healthChecks(limit: 1000).count == 300)
    }

    @Test("a down fan-out parent names the apps whose jobs it fires, transitively, and only those")
    func dependentsOfDownParent() async throws {
        let server = try HealthStubServer { seen in .init(status: seen.path == "/hub" ? 503 : 200) }
        let apps = [Self.app("hub", base: server.baseURL, path: "/hub"), Self.app("leaf-a", base: server.baseURL),
                    Self.app("leaf-b", base: server.baseURL), Self.app("deep", base: server.baseURL),
                    Self.app("loner", base: server.baseURL)]
        let beat = JobRef(app: "hub", job: "heartbeat")
        let jobs = [
            Job(app: "hub", name: "heartbeat", path: "/api/cron/heartbeat", layer: .qstash, schedule: "*/30 * * * *", auth: .qstash),
            Job(app: "hub", name: "own-child", path: "/api/cron/own", layer: .fanout, triggeredBy: beat, order: 1),
            Job(app: "leaf-a", name: "keep-alive", path: "/api/cron/keep-alive", layer: .fanout, triggeredBy: beat, order: 2),
            Job(app: "leaf-b", name: "dispatcher", path: "/api/cron/dispatcher", layer: .fanout, triggeredBy: beat, order: 3),
            Job(app: "leaf-b", name: "paused", path: "/api/cron/paused", layer: .fanout, enabled: false, triggeredBy: beat, order: 4),
            Job(app: "deep", name: "after-dispatch", path: "/api/cron/after", layer: .fanout,
                triggeredBy: JobRef(app: "leaf-b", job: "dispatcher"), order: 1),
            Job(app: "loner", name: "nightly", path: "/api/cron/nightly", layer: .vercel, schedule: "0 3 * * *"),
        ]
        let report = try await Self.run(apps, jobs: jobs)
        await server.stop()

        let hub = try #require(report.results.first { $0.app == "hub" })
        #expect(hub.status == .down)
        #expect(hub.dependentsAffected == [
            AffectedDependent(app: "deep", jobs: ["deep/after-dispatch"], triggeredBy: ["hub/heartbeat"]),
            AffectedDependent(app: "leaf-a", jobs: ["leaf-a/keep-alive"], triggeredBy: ["hub/heartbeat"]),
            AffectedDependent(app: "leaf-b", jobs: ["leaf-b/dispatcher"], triggeredBy: ["hub/heartbeat"]),
        ])
        #expect(report.results.filter { $0.app != "hub" }.allSatisfy { $0.status == .up && $0.dependentsAffected.isEmpty })
    }

    @Test("in the embedded ecosystem, Colectiva down costs Agora, La Hoja and Servilleta their jobs; Camino's stay home")
    func seedHeartbeat() throws {
        let graph = FanOutGraph(inventory: try EmbeddedEcosystem.inventory())
        let colectiva = graph.dependentsLost(ifDown: "colectiva")
        #expect(colectiva.map(\.app) == ["agora", "la-hoja", "servilleta"])
        #expect(colectiva.flatMap(\.jobs) == ["agora/keep-alive", "la-hoja/dispatcher", "servilleta/expire-tasks"])
        #expect(colectiva.allSatisfy { $0.triggeredBy == ["colectiva/ecosystem-heartbeat"] })
        #expect(graph.dependentsLost(ifDown: "camino").isEmpty, "the dispatcher's 18 sub-jobs are Camino's own")
        #expect(graph.dependentsLost(ifDown: "agora").isEmpty)
    }

    @Test("a fan-out cycle in the links does not loop")
    func cycle() {
        let a = JobRef(app: "a", job: "x"), b = JobRef(app: "b", job: "y")
        let graph = FanOutGraph(inventory: Inventory(apps: [], jobs: [
            Job(app: "a", name: "x", path: "/x", layer: .fanout, triggeredBy: b),
            Job(app: "b", name: "y", path: "/y", layer: .fanout, triggeredBy: a),
        ]))
        #expect(graph.dependentsLost(ifDown: "a") == [AffectedDependent(app: "b", jobs: ["b/y"], triggeredBy: ["a/x"])])
    }
}

/// `health_checks` in the store.
@Suite("health check records")
struct HealthStoreTests {
    static func result(_ app: String, _ status: HealthStatus, at date: Date) -> HealthResult {
        HealthResult(app: app, url: "https://\(app).example.test/", method: "HEAD", status: status,
                     httpStatus: status == .down ? 500 : 200, expectedStatus: 200,
                     reason: status == .down ? .httpStatus : nil, detail: nil,
                     timings: HealthTimings(dnsMs: 1, connectMs: 2, tlsMs: 3, firstByteMs: 4, totalMs: 5), checkedAt: date)
    }

    @Test("results are stored with their timings; pruning drops only the older ones")
    func recordAndPrune() throws {
        let store = try InventoryStore.inMemory()
        let now = Date(timeIntervalSince1970: 1_775_822_400)
        try store.recordHealthChecks([
            Self.result("alpha", .up, at: now.addingTimeInterval(-31 * 86_400)),
            Self.result("alpha", .down, at: now.addingTimeInterval(-1 * 86_400)),
            Self.result("beta", .up, at: now),
        ].map(\.record))
        let alpha = try store.healthChecks(app: "alpha")
        #expect(alpha.map(\.status) == [.down, .up], "newest first")
        #expect(alpha.first?.reason == "http_status")
        #expect(alpha.first?.httpStatus == 500)
        #expect(alpha.first?.totalMs == 5 && alpha.first?.tlsMs == 3)
        // cleanup's retention (30 days for health checks) removes only the old one.
        func pruned() throws -> Int? {
            try store.pruneHistory(policy: .defaults, now: now).tables.first { $0.table == "health_checks" }?.rows
        }
        #expect(try pruned() == 1)
        #expect(try store.healthChecks().map(\.app) == ["beta", "alpha"])
        #expect(try pruned() == 0)
    }
}
