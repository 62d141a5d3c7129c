import Foundation
import Testing

@testable import RBSCronKit

/// What a layer's API answers is read strictly, and a refusal made before any request says so.
@Suite("Remote answers and refusals", .timeLimit(.minutes(1)))
struct RemoteAnswerTests {
    @Test("a QStash events answer without an events list is an error, not 0 events", arguments: [
        #"{"messages": [{"id": "x"}]}"#, #"{}"#, #"{"events": null}"#, #"{"cursor": "abc"}"#,
    ])
    func wrongShapedEvents(body: String) async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, body) }
        let client = QStashEventsClient(transport: CurlTransport(userAgent: testUserAgent), baseURL: server.baseURL,
                                        token: "qstash-token-0123456789")
        await #expect {
            _ = try await client.page(cursor: nil, from: nil)
        } throws: { error in
            error.localizedDescription.contains("events")
        }
        await server.stop()
    }

    @Test("an empty page is still read as no events")
    func emptyPage() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, #"{"events": [], "cursor": ""}"#) }
        let client = QStashEventsClient(transport: CurlTransport(userAgent: testUserAgent), baseURL: server.baseURL,
                                        token: "qstash-token-0123456789")
        let page = try await client.page(cursor: nil, from: nil)
        await server.stop()
        #expect(page.events.isEmpty && page.cursor == nil)
    }

    @Test("a malformed project ref is refused before any request, and the message says no request was made")
    func badProjectRef() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "[]") }
        let client = PgCronHistoryClient(transport: CurlTransport(userAgent: testUserAgent), baseURL: server.baseURL,
                                         token: "sbp_token_0123456789")
        await #expect {
            _ = try await client.rows(PgCronRunRow.self, projectRef: "abc\u{1B}[2J", query: "SELECT 1")
        } throws: { error in
            let text = error.localizedDescription
            return !text.contains("sent a response") && text.contains("no request") && !text.contains("\u{1B}")
        }
        await server.stop()
        #expect(server.requests.isEmpty)
    }
}
