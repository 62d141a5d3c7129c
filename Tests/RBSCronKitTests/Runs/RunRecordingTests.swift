import Foundation
import Testing

@testable import RBSCronKit

/// A fired request's outcome reaches the operator even when the inventory cannot store it.
@Suite("Recording runs on a full disk", .timeLimit(.minutes(1)))
struct RunRecordingTests {
    func workspace(_ store: InventoryStore, environment: [String: String] = [:], time: FakeTime = FakeTime()) -> Workspace {
        Workspace(store: store, environment: environment, clock: time.environment(),
                  transport: { CurlTransport(userAgent: testUserAgent) })
    }

    @Test("when the final write fails, the report still says what happened and that it was not recorded")
    func finalWriteFails() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "{\"processed\":4}") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("ping", auth: .none)])
        store.faults.withLock { $0.failRunCompletion = true }
        let report = try await workspace(store).trigger(TriggerRequest(mode: .jobs([JobRef(app: "shop", job: "ping")])))
        await server.stop()
        #expect(server.requests.count == 1, "the request went out")
        let run = try #require(report.runs.first)
        #expect(run.outcome == .ok && run.httpStatus == 200 && run.responseExcerpt == "{\"processed\":4}")
        #expect(run.notRecorded?.contains("disk") == true || run.notRecorded?.isEmpty == false)
        #expect(report.unrecorded.map(\.job) == [JobRef(app: "shop", job: "ping")])
        #expect(try store.runs().first?.state == "started", "the row stays as the request left it")
    }

    @Test("with too little free space for the outcome, nothing is sent")
    func preflight() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "ok") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("ping", auth: .none)])
        store.faults.withLock { $0.availableBytes = 4096 }
        await #expect {
            _ = try await workspace(store).trigger(TriggerRequest(mode: .jobs([JobRef(app: "shop", job: "ping")])))
        } throws: { error in
            let text = error.localizedDescription
            return text.contains("free") && text.contains("nothing was sent")
        }
        await server.stop()
        #expect(server.requests.isEmpty)
        #expect(try store.runs().isEmpty)
    }
}
