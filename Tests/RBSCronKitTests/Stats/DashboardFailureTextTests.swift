import Foundation
import Testing
@testable import RBSCronKit

/// What the dashboard shows of a failure: the outcome and the HTTP status, never the endpoint's response text.
@Suite("stats --html: no response text")
struct DashboardFailureTextTests {
    typealias F = StatsFixture
    let now = StatsFixture.now

    func render(error: String, deadLetterError: String, displayName: String? = nil) throws -> String {
        let store = try F.store()
        let fire = now.addingTimeInterval(-F.hour)
        try F.insert([F.RunRow(source: "due", scheduledFor: fire, startedAt: fire.addingTimeInterval(3), outcome: "http_error",
                               httpStatus: 500, durationMs: 210, error: error, excerpt: error)], into: store)
        try F.insertDeadLetter("camino", "sync", at: now.addingTimeInterval(-F.day), error: deadLetterError, into: store)
        return try Dashboard.render(store: store, report: try F.stats(store))
    }

    @Test("a failure shows HTTP 500, not the body that came with it (runs and dead letters)")
    func noResponseText() throws {
        let html = try render(error: "HTTP 500: b64=c2VjcmV0LWJvZHktdGV4dA== internal", deadLetterError: "HTTP 503: upstream said b64=QUJD")
        #expect(!html.contains("b64="))
        #expect(!html.contains("internal"))
        #expect(!html.contains("upstream said"))
        #expect(html.contains("HTTP 500"))
        #expect(html.contains("HTTP 503"))
    }

    @Test("a dead letter QStash holds shows its status, not the body QStash kept")
    func layerDeadLetter() throws {
        let html = try render(error: "HTTP 500", deadLetterError: "QStash gave up after 4 attempt(s): HTTP 502 upstream said b64=QUJD")
        #expect(!html.contains("upstream said") && !html.contains("b64="))
        #expect(html.contains("QStash gave up after 4 attempt(s): HTTP 502"))
    }

    @Test("rbscron's own words for a transport failure stay")
    func transportErrorsStay() throws {
        let html = try render(error: "HTTP 500", deadLetterError: "The request did not complete within 30 seconds.")
        #expect(html.contains("did not complete within 30 seconds"))
    }
}
