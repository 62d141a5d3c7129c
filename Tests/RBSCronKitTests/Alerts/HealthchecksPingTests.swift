import Foundation
import RBSCronTestSupport
import Testing

@testable import RBSCronKit

#if canImport(Glibc)
import Glibc
#endif

@Suite("--ping: the healthchecks.io protocol around a run", .timeLimit(.minutes(1)))
struct HealthchecksPingTests {
    struct Outcome: PingOutcome {
        var pingSucceeded: Bool
        var pingSummary: String
    }

    struct Boom: Error, LocalizedError {
        var errorDescription: String? { "the database said no to ping-secret-0123456789" }
    }

    static let secret = "ping-secret-0123456789"

    func ping(_ server: LoopbackServer, path: String = "/ping/5f1c0b9e-uuid") -> HealthchecksPing {
        HealthchecksPing(url: server.baseURL + path, transport: CurlTransport(userAgent: testUserAgent),
                         redactor: Redactor(secrets: [Self.secret]), runID: "run-1", sleep: { _ in })
    }

    @Test("start, then success: the same rid on both")
    func success() async throws {
        let server = try LoopbackServer(status: 200, body: "OK")
        defer { server.stop() }
        let report = try await ping(server).around(problems: { Issue.record("unexpected problem: \($0)") }) {
            Outcome(pingSucceeded: true, pingSummary: "all good")
        }
        #expect(report.pingSucceeded)
        #expect(server.paths == ["/ping/5f1c0b9e-uuid/start", "/ping/5f1c0b9e-uuid"])
        #expect(server.requests.map { $0.query["rid"] } == ["run-1", "run-1"])
        #expect(server.requests.map(\.method) == ["POST", "POST"])
        #expect(server.requests.last?.text == "all good")
    }

    @Test("a failed run: /fail with a short redacted body")
    func failure() async throws {
        let server = try LoopbackServer(status: 200, body: "OK")
        defer { server.stop() }
        let long = "job shop/x failed with \(Self.secret)\n" + String(repeating: "x", count: 5000)
        _ = try await ping(server).around(problems: { _ in }) { Outcome(pingSucceeded: false, pingSummary: long) }
        #expect(server.paths == ["/ping/5f1c0b9e-uuid/start", "/ping/5f1c0b9e-uuid/fail"])
        let body = try #require(server.requests.last?.text)
        #expect(!body.contains(Self.secret) && body.contains("[REDACTED]"))
        #expect(body.count <= HealthchecksPing.bodyLimit + 1)
    }

    @Test("a run that throws: /fail with the error, redacted, and the error rethrown")
    func thrown() async throws {
        let server = try LoopbackServer(status: 200, body: "OK")
        defer { server.stop() }
        await #expect(throws: Boom.self) {
            _ = try await ping(server).around(problems: { _ in }) { () async throws -> Outcome in throw Boom() }
        }
        #expect(server.paths.last == "/ping/5f1c0b9e-uuid/fail")
        #expect(server.requests.last?.text == "rbscron failed: the database said no to [REDACTED]")
    }

    @Test("a ping service that is down changes nothing but a warning; 5xx is tried again, the URL never shown")
    func serviceDown() async throws {
        let refused = try LoopbackListener.open(listening: false)
        defer { close(refused.fd) }
        let url = "http://127.0.0.1:\(refused.port)/ping/\(Self.secret)"
        let problems = TestLocked<[String]>([])
        let pinger = HealthchecksPing(url: url, transport: CurlTransport(userAgent: testUserAgent), redactor: .none, sleep: { _ in })
        let report = try await pinger.around(problems: { p in problems.withLock { $0.append(p) } }) {
            Outcome(pingSucceeded: true, pingSummary: "fine")
        }
        #expect(report.pingSucceeded)
        let said = problems.withLock { $0 }
        #expect(said.count == 2 && said.allSatisfy { $0.contains("was not delivered") })
        #expect(said.allSatisfy { !$0.contains(Self.secret) })
        let flaky = TestLocked(0)
        let server = try LoopbackServer { _ in flaky.withLock { $0 += 1; return $0 == 1 } ? .text(502, "bad gateway") : .text(200, "OK") }
        defer { server.stop() }
        #expect(await ping(server).send(.success, body: "x") == nil)
        #expect(server.requests.count == 2)
    }

    @Test("the URL of each signal keeps the query and adds rid")
    func urls() throws {
        let pinger = HealthchecksPing(url: "https://hc-ping.com/abc/?k=1", transport: CurlTransport(userAgent: testUserAgent),
                                      redactor: .none, runID: "r")
        #expect(pinger.url(for: .start) == "https://hc-ping.com/abc/start?k=1&rid=r")
        #expect(pinger.url(for: .success) == "https://hc-ping.com/abc?k=1&rid=r")
        #expect(pinger.url(for: .fail) == "https://hc-ping.com/abc/fail?k=1&rid=r")
        #expect(pinger.shownURL == "https://hc-ping.com/…(28 chars)")
        #expect(HealthchecksPing.problem("hc-ping.com/abc") == "it is not an absolute URL")
        #expect(HealthchecksPing.problem("https://hc-ping.com/abc") == nil)
    }

    @Test("trigger reports summarise their runs for the ping")
    func triggerSummary() {
        var report = TriggerReport(mode: .due(app: nil, at: Date(), windowMs: 1000), dryRun: false)
        let at = Date()
        report.runs = [
            RunReport(runID: 1, job: JobRef(app: "shop", job: "a"), source: .due, outcome: .ok, httpStatus: 200, attempts: 1,
                      durationMs: 1, timings: nil, error: nil, startedAt: at, finishedAt: at, scheduledFor: nil,
                      responseExcerpt: nil, deadLetterID: nil, breakerProbe: false),
            RunReport(runID: 2, job: JobRef(app: "shop", job: "b"), source: .due, outcome: .httpError, httpStatus: 503, attempts: 1,
                      durationMs: 1, timings: nil, error: "HTTP 503: busy", startedAt: at, finishedAt: at, scheduledFor: nil,
                      responseExcerpt: nil, deadLetterID: nil, breakerProbe: false),
        ]
        #expect(!report.pingSucceeded)
        #expect(report.pingSummary == "trigger: 2 runs, 1 not ok\nshop/b http_error 503: HTTP 503: busy")
    }
}
