import Foundation
import Testing

@testable import RBSCronKit

/// A dead letter's replay sends what the first run sent, never the redacted text kept for display.
@Suite("Replaying dead letters whose body held a secret", .timeLimit(.minutes(1)))
struct DeadLetterReplayTests {
    static let masterKey = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()

    func workspace(_ store: InventoryStore, environment: [String: String] = [:], time: FakeTime = FakeTime()) -> Workspace {
        Workspace(store: store, environment: environment, clock: time.environment(),
                  transport: { CurlTransport(userAgent: testUserAgent) })
    }

    func deadLetter(_ store: InventoryStore, _ workspace: Workspace) async throws -> Data {
        let body = Data(#"{"token":"\#(testCronSecret)","batch":7}"#.utf8)
        var options = TriggerRequest(mode: .jobs([JobRef(app: "shop", job: "webhook")])).options
        options.body = body
        _ = try await workspace.trigger(TriggerRequest(mode: .jobs([JobRef(app: "shop", job: "webhook")]), options: options))
        let letter = try #require(try store.openDeadLetters().first)
        #expect(letter.payload?.contains("[REDACTED]") == true, "what is shown stays redacted")
        #expect(letter.payload?.contains(testCronSecret) == false)
        return body
    }

    @Test("without a master key to seal it, a redacted body is not replayed; the replay says why")
    func redactedReplayRefused() async throws {
        let healthy = TestLocked(false)
        let server = try await LoopbackHTTPServer.start { _ in healthy.withLock { $0 } ? .text(200, "ok") : .text(503, "down") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("webhook", auth: .none)])
        let env = ["RBSCRON_SECRET_SHOP_CRON_SECRET": testCronSecret]
        let ws = workspace(store, environment: env)
        _ = try await deadLetter(store, ws)
        healthy.withLock { $0 = true }
        let replay = try await ws.trigger(TriggerRequest(mode: .replayDeadLetters(app: nil, limit: 10)))
        await server.stop()
        #expect(server.requests.count == 1, "only the first run was sent")
        #expect(!server.requests.contains { String(decoding: $0.body, as: UTF8.self).contains("[REDACTED]") })
        let run = try #require(replay.runs.first)
        #expect(run.outcome != .ok && run.error?.contains("redacted") == true, "\(run.error ?? "")")
        #expect(replay.failed)
        #expect(try store.openDeadLetters().count == 1, "it stays open")
    }

    @Test("with a master key, the body is kept sealed and the replay sends it as it was")
    func sealedReplay() async throws {
        let healthy = TestLocked(false)
        let server = try await LoopbackHTTPServer.start { _ in healthy.withLock { $0 } ? .text(200, "ok") : .text(503, "down") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("webhook", auth: .none)])
        let env = ["RBSCRON_SECRET_SHOP_CRON_SECRET": testCronSecret, "RBSCRON_MASTER_KEY": Self.masterKey]
        let ws = workspace(store, environment: env)
        let body = try await deadLetter(store, ws)
        healthy.withLock { $0 = true }
        let replay = try await ws.trigger(TriggerRequest(mode: .replayDeadLetters(app: nil, limit: 10)))
        await server.stop()
        #expect(replay.runs.first?.outcome == .ok)
        #expect(server.requests.last?.body == body)
        #expect(try store.openDeadLetters().isEmpty)
    }
}
