import Foundation
import Testing
@testable import RBSCronKit

/// No control character from any text reaches the dashboard, nor a terminal.
@Suite("stats --html: no control characters")
struct DashboardTextTests {
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

    @Test("control characters are written visibly in the page", arguments: ["\u{1B}]0;pwned\u{7}", "\u{1B}[2J", "a\u{0}b", "\u{202E}txt"])
    func controlCharacters(text: String) throws {
        #expect(!Dashboard.escape(text).unicodeScalars.contains { ControlCharacters.isControl($0) })
        let html = try render(error: "HTTP 500", deadLetterError: "The request failed: \(text)")
        #expect(!html.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0 || $0.value == 0x07 || $0.value == 0x202E })
    }

    @Test("the escaping function writes each control character visibly and leaves other text alone")
    func escapeFunction() {
        #expect(ControlCharacters.escape("\u{1B}]0;title\u{7}") == "\\x1b]0;title\\x07")
        #expect(ControlCharacters.escape("a\r\nb\tc") == "a\\x0d\\x0ab\\x09c")
        #expect(ControlCharacters.escape("a\r\nb\tc", keepingLineBreaks: true) == "a\\x0d\nb\tc")
        #expect(ControlCharacters.escape("\u{9B}31m \u{202E}") == "\\x9b31m \\u{202e}")
        #expect(ControlCharacters.escape("Baúl — ok ✓") == "Baúl — ok ✓")
    }
}
