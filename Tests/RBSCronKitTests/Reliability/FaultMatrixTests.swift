import Foundation
import Testing

@testable import RBSCronKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One way the far end can fail, and exactly what a trigger must record for it.
///
/// Every row fires one job through `JobTrigger` with the real libcurl transport, a temp-file
/// inventory and fake time (so backoff waits are recorded, not slept). Per-attempt timeouts are real.
struct Fault: Sendable, CustomTestStringConvertible {
    enum Far: String, Sendable {
        case refused, neverAnswers, slowHeaders, bodyCutByClose, bodyCutByReset, storm503, tooManyRequests, hugeBody
        case redirectLoop, crossHostRedirect, selfSignedTLS, selfSignedTLSInsecure, unresolvable
    }

    /// What the stored excerpt must be.
    enum Excerpt: Sendable, Equatable {
        case none
        case exactly(String)
        /// Starts with this text (secrets already shown as `[REDACTED]`), cut to the 4 KiB excerpt.
        case cutAfter(String)
    }

    var far: Far
    var label: String
    var retries: Int
    var timeoutMs: Int
    var method: HTTPMethod = .POST
    var insecure = false
    // What must be recorded.
    var outcome: RunOutcome
    var attempts: Int
    var httpStatus: Int?
    var deadLetter: Bool
    var excerpt: Excerpt
    /// The backoff waits between attempts (fake time: base 1000 ms, random 0.5).
    var waits: [Int]
    /// Words the run's error must contain (nil: no error).
    var error: String?
    /// Request heads the server must have seen (every hop), when it can count them.
    var serverRequests: Int?

    var testDescription: String { label }

    static let secretBody = #"{"error":"upstream down","token":"\#(testCronSecret)"}"#
    static let redactedBody = #"{"error":"upstream down","token":"[REDACTED]"}"#
    static let hugeBodyBytes = 8 * 1024 * 1024
    static let payload = #"{"batch":7}"#

    static let rows: [Fault] = [
        Fault(far: .refused, label: "connection refused", retries: 2, timeoutMs: 30_000,
              outcome: .transportError, attempts: 3, deadLetter: true, excerpt: .none, waits: [500, 1000],
              error: "refused"),
        Fault(far: .neverAnswers, label: "timeout: the server never answers", retries: 1, timeoutMs: 500,
              outcome: .timeout, attempts: 2, deadLetter: true, excerpt: .none, waits: [500],
              error: "did not complete within", serverRequests: 2),
        Fault(far: .slowHeaders, label: "slow headers trickling past the timeout", retries: 0, timeoutMs: 500,
              outcome: .timeout, attempts: 1, deadLetter: true, excerpt: .none, waits: [],
              error: "did not complete within", serverRequests: 1),
        Fault(far: .bodyCutByClose, label: "body cut short by a close (FIN)", retries: 1, timeoutMs: 30_000,
              outcome: .transportError, attempts: 2, deadLetter: true, excerpt: .none, waits: [500],
              error: "libcurl error", serverRequests: 2),
        Fault(far: .bodyCutByReset, label: "body cut short by a reset (RST, SO_LINGER 0)", retries: 1, timeoutMs: 30_000,
              outcome: .transportError, attempts: 2, deadLetter: true, excerpt: .none, waits: [500],
              error: "libcurl error", serverRequests: 2),
        Fault(far: .storm503, label: "a storm of 503: retries exhausted, dead letter", retries: 3, timeoutMs: 30_000,
              outcome: .httpError, attempts: 4, httpStatus: 503, deadLetter: true, excerpt: .exactly(redactedBody),
              waits: [500, 1000, 2000], error: "HTTP 503", serverRequests: 4),
        Fault(far: .tooManyRequests, label: "429 with Retry-After 2, then 200", retries: 2, timeoutMs: 30_000,
              outcome: .ok, attempts: 2, httpStatus: 200, deadLetter: false, excerpt: .exactly(#"{"processed":4}"#),
              waits: [2000], serverRequests: 2),
        Fault(far: .hugeBody, label: "an 8 MiB body: capped, drained, not retried", retries: 2, timeoutMs: 20_000,
              outcome: .ok, attempts: 1, httpStatus: 200, deadLetter: false,
              excerpt: .cutAfter(#"{"token":"[REDACTED]","data":"xxxx"#), waits: [], serverRequests: 1),
        Fault(far: .redirectLoop, label: "a redirect loop: refused after 5, not retried", retries: 2, timeoutMs: 30_000,
              outcome: .transportError, attempts: 1, deadLetter: false, excerpt: .none, waits: [],
              error: "redirected more than 5 times", serverRequests: 6),
        Fault(far: .crossHostRedirect, label: "a cross-host redirect: followed without the credential", retries: 2,
              timeoutMs: 30_000, outcome: .ok, attempts: 1, httpStatus: 200, deadLetter: false,
              excerpt: .exactly("landed"), waits: [], serverRequests: 1),
        Fault(far: .unresolvable, label: "an unresolvable name (.invalid)", retries: 1, timeoutMs: 30_000,
              outcome: .transportError, attempts: 2, deadLetter: true, excerpt: .none, waits: [500],
              error: "could not be resolved"),
    ]

    /// Rows that need python3 and openssl for a self-signed HTTPS server.
    static let tlsRows: [Fault] = [
        Fault(far: .selfSignedTLS, label: "a self-signed certificate: refused, not retried", retries: 2,
              timeoutMs: 10_000, method: .GET, outcome: .transportError, attempts: 1, deadLetter: false,
              excerpt: .none, waits: [], error: "TLS"),
        Fault(far: .selfSignedTLSInsecure, label: "a self-signed certificate with insecure: accepted", retries: 2,
              timeoutMs: 10_000, method: .GET, insecure: true, outcome: .ok, attempts: 1, httpStatus: 200,
              deadLetter: false, excerpt: .exactly("secure"), waits: []),
    ]

    static let matrix: [Fault] = rows + (SelfSignedHTTPSServer.toolsAvailable ? tlsRows : [])
}

/// A started far end: where the job points, and what it saw.
final class FaultEndpoint {
    let baseURL: String
    private let stopper: () async -> Void
    /// Request heads received (every hop of a redirect), when the server records them.
    let heads: TestLocked<[String]>
    /// Heads received by the target of a cross-host redirect.
    let landedHeads: TestLocked<[String]>
    /// Body bytes the server managed to send (the huge-body row).
    let bytesSent: TestLocked<Int>

    init(baseURL: String, heads: TestLocked<[String]> = TestLocked([]), landedHeads: TestLocked<[String]> = TestLocked([]),
         bytesSent: TestLocked<Int> = TestLocked(0), stop: @escaping () async -> Void) {
        self.baseURL = baseURL
        self.heads = heads
        self.landedHeads = landedHeads
        self.bytesSent = bytesSent
        self.stopper = stop
    }

    func stop() async { await stopper() }

    /// A raw server whose handler gets each connection after its request was read (and recorded).
    static func raw(_ respond: @escaping @Sendable (Int32, RawTCPServer, Int) -> Void) throws -> FaultEndpoint {
        let heads = TestLocked<[String]>([])
        let server = try RawTCPServer { fd, server in
            guard let head = RawTCPServer.readRequest(fd) else { return }
            let number = heads.withLock { $0.append(head); return $0.count }
            respond(fd, server, number)
        }
        return FaultEndpoint(baseURL: server.baseURL, heads: heads, stop: { await server.stop() })
    }

    static func start(_ far: Fault.Far) async throws -> FaultEndpoint {
        switch far {
        case .refused:
            let refusing = try RawTCPServer.refusingPort()
            return FaultEndpoint(baseURL: "http://127.0.0.1:\(refusing.port)", stop: { withExtendedLifetime(refusing) {} })
        case .unresolvable:
            return FaultEndpoint(baseURL: "http://rbscron-fault-matrix.invalid", stop: {})
        case .neverAnswers:
            return try raw { _, server, _ in
                while !server.isStopping { usleep(20_000) }
            }
        case .slowHeaders:
            return try raw { fd, server, _ in
                RawTCPServer.write(fd, "HTTP/1.1 200 OK\r\nX-Slow: ")
                while !server.isStopping {
                    guard RawTCPServer.write(fd, "a") else { return }
                    usleep(50_000)
                }
            }
        case .bodyCutByClose, .bodyCutByReset:
            return try raw { fd, _, _ in
                RawTCPServer.write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n")
                RawTCPServer.write(fd, String(repeating: "p", count: 100))
                if far == .bodyCutByClose {
                    shutdown(fd, Int32(SHUT_WR))
                    RawTCPServer.drainUntilClosed(fd)
                } else {
                    usleep(100_000)  // let the client read the head and the first bytes
                    RawTCPServer.resetOnClose(fd)  // the server's close then aborts the connection
                }
            }
        case .storm503:
            return try raw { fd, _, _ in
                RawTCPServer.respond(fd, status: 503, headers: ["Content-Type: application/json"], body: Fault.secretBody)
            }
        case .tooManyRequests:
            return try raw { fd, _, number in
                if number == 1 {
                    RawTCPServer.respond(fd, status: 429, headers: ["Retry-After: 2"], body: Fault.secretBody)
                } else {
                    RawTCPServer.respond(fd, status: 200, body: #"{"processed":4}"#)
                }
            }
        case .hugeBody:
            let sent = TestLocked(0)
            let endpoint = try raw { fd, _, _ in
                let prefix = Array(#"{"token":"\#(testCronSecret)","data":""#.utf8)
                let suffix = Array(#""}"#.utf8)
                let filler = [UInt8](repeating: UInt8(ascii: "x"), count: Fault.hugeBodyBytes - prefix.count - suffix.count)
                RawTCPServer.write(fd, "HTTP/1.1 200 OK\r\nContent-Length: \(Fault.hugeBodyBytes)\r\nConnection: close\r\n\r\n")
                let count = RawTCPServer.writeBytes(fd, prefix + filler + suffix)
                sent.withLock { $0 = count }
                RawTCPServer.drainUntilClosed(fd)
            }
            return FaultEndpoint(baseURL: endpoint.baseURL, heads: endpoint.heads, bytesSent: sent, stop: endpoint.stop)
        case .redirectLoop:
            return try raw { fd, server, _ in
                RawTCPServer.respond(fd, status: 302, headers: ["Location: \(server.baseURL)/loop"])
            }
        case .crossHostRedirect:
            let landedHeads = TestLocked<[String]>([])
            let target = try RawTCPServer { fd, _ in
                guard let head = RawTCPServer.readRequest(fd) else { return }
                landedHeads.withLock { $0.append(head) }
                RawTCPServer.respond(fd, status: 200, body: "landed")
            }
            // 127.0.0.1 → localhost: the same machine under another host name, so another origin.
            let origin = try raw { fd, _, _ in
                RawTCPServer.respond(fd, status: 307, headers: ["Location: http://localhost:\(target.port)/landing"])
            }
            return FaultEndpoint(baseURL: origin.baseURL, heads: origin.heads, landedHeads: landedHeads) {
                await origin.stop()
                await target.stop()
            }
        case .selfSignedTLS, .selfSignedTLSInsecure:
            let server = try SelfSignedHTTPSServer()
            return FaultEndpoint(baseURL: server.baseURL, stop: { server.stop() })
        }
    }
}

@Suite("fault matrix: one trigger against each misbehaving far end", .timeLimit(.minutes(1)))
struct FaultMatrixTests {
    @Test("each fault ends bounded, with exactly one finished run of the documented outcome", arguments: Fault.matrix)
    func fault(_ fault: Fault) async throws {
        let endpoint = try await FaultEndpoint.start(fault.far)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-fault-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = testJob("fault", auth: .cronSecret, timeoutMs: fault.timeoutMs, retries: fault.retries, method: fault.method)
        let app = App(name: "shop", displayName: "Shop", baseURL: endpoint.baseURL, platform: .vercel)
        let store = try InventoryStore.open(path: folder.appendingPathComponent("inventory.sqlite").path,
                                            seed: { Inventory(apps: [app], jobs: [job]) })
        let time = FakeTime()
        let trigger = try makeTrigger(store, time: time)
        let body = fault.method == .POST ? Fault.payload : nil
        let options = TriggerOptions(body: body.map { Data($0.utf8) }, insecure: fault.insecure,
                                     backoffBaseMs: 1000, backoffCapMs: 30_000)

        let clock = ContinuousClock()
        let began = clock.now
        let report = try await trigger.fire("fault", options)
        let elapsed = clock.now - began
        await endpoint.stop()

        // Bounded: each attempt ends within its own timeout (plus slack for a loaded machine); no hang.
        let bound = Duration.milliseconds(fault.attempts * fault.timeoutMs) + .seconds(15)
        #expect(elapsed < bound, "\(fault.label) took \(elapsed), beyond its bound \(bound)")

        #expect(report.outcome == fault.outcome, "\(report.error ?? "")")
        #expect(report.attempts == fault.attempts)
        #expect(report.httpStatus == fault.httpStatus)
        #expect(time.sleeps == fault.waits, "backoff waits")
        if let words = fault.error {
            #expect(report.error?.contains(words) == true, "error: \(report.error ?? "nil")")
        } else {
            #expect(report.error == nil)
        }

        // Exactly one row, finished, agreeing with the report.
        let runs = try store.runs()
        #expect(runs.count == 1, "one trigger, one run row (retries are attempts, not runs)")
        let run = try #require(runs.first)
        #expect(run.id == report.runID && run.state == "finished" && run.finishedAt != nil)
        #expect(run.outcome == fault.outcome && run.attempts == fault.attempts && run.httpStatus == fault.httpStatus)
        #expect(run.responseExcerpt == report.responseExcerpt && run.error == report.error)

        switch fault.excerpt {
        case .none:
            #expect(run.responseExcerpt == nil)
        case .exactly(let text):
            #expect(run.responseExcerpt == text)
        case .cutAfter(let prefix):
            let excerpt = try #require(run.responseExcerpt)
            #expect(excerpt.hasPrefix(prefix))
            #expect(excerpt.hasSuffix("…") && excerpt.utf8.count <= JobTrigger.excerptBytes + "…".utf8.count)
        }

        // The secret appears in no recorded text, whatever the server echoed.
        let letters = try store.deadLetters()
        let recorded = [run.responseExcerpt, run.error, report.error] + letters.flatMap { [$0.payload, $0.lastError] }
        #expect(!recorded.compactMap { $0 }.contains { $0.contains(testCronSecret) }, "a secret leaked into the record")

        #expect(letters.count == (fault.deadLetter ? 1 : 0), "dead letters: \(letters)")
        if fault.deadLetter, let letter = letters.first {
            #expect(letter.runID == report.runID && report.deadLetterID == letter.id)
            #expect(letter.attempts == fault.attempts && letter.payload == body && letter.resolvedAt == nil)
        }

        let heads = endpoint.heads.withLock { $0 }
        if let expected = fault.serverRequests { #expect(heads.count == expected, "requests the server saw") }
        // The credential reaches the job's own origin on every attempt...
        #expect(heads.allSatisfy { RawTCPServer.header("authorization", in: $0) == "Bearer \(testCronSecret)" })
        // ...and never the other host a redirect leads to.
        if fault.far == .crossHostRedirect {
            let landed = endpoint.landedHeads.withLock { $0 }
            #expect(landed.count == 1)
            #expect(landed.allSatisfy { RawTCPServer.header("authorization", in: $0) == nil })
            #expect(landed.first?.hasPrefix("POST /landing ") == true, "a 307 keeps the method")
        }
        if fault.far == .hugeBody {
            #expect(endpoint.bytesSent.withLock { $0 } == Fault.hugeBodyBytes, "the body past the cap was read and dropped")
        }
    }
}
