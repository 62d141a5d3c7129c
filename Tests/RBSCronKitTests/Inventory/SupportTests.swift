import Foundation
import Testing
@testable import RBSCronKit

@Suite struct SupportTests {
    @Test(arguments: [("500ms", 500), ("30s", 30_000), ("5m", 300_000), ("2h", 7_200_000), ("7d", 604_800_000),
                      ("1h30m", 5_400_000), ("0s", 0)])
    func durations(text: String, ms: Int) {
        #expect(DurationText.milliseconds(text) == ms)
    }

    @Test(arguments: ["", "5", "m", "5 minutes", "-5s", "5x", "99999999999999999999d", "1.5s"])
    func badDurations(text: String) {
        #expect(DurationText.milliseconds(text) == nil)
    }

    @Test func durationFormatting() {
        #expect(DurationText.format(milliseconds: 60_000) == "1m")
        #expect(DurationText.format(milliseconds: 1_500) == "1500ms")
        #expect(DurationText.format(milliseconds: 86_400_000) == "1d")
    }

    @Test func jobRefs() {
        #expect(JobRef("camino/daily-dispatcher") == JobRef(app: "camino", job: "daily-dispatcher"))
        #expect(JobRef("camino") == nil)
        #expect(JobRef("Camino/x") == nil)
        #expect(JobRef("a/b/c") == nil)
    }

    @Test func suggestions() {
        #expect(Suggest.closest(to: "camno", in: ["camino", "colectiva"]) == "camino")
        #expect(Suggest.closest(to: "zzzzzz", in: ["camino", "colectiva"]) == nil)
    }

    @Test func timestamps() throws {
        let date = try #require(Timestamp.parse("2026-03-08T07:00:00Z"))
        #expect(Timestamp.rfc3339(date) == "2026-03-08T07:00:00Z")
        #expect(Timestamp.rfc3339(date.addingTimeInterval(0.25)) == "2026-03-08T07:00:00.250Z")
        #expect(Timestamp.parse("2026-03-08T01:00:00-06:00") == date)
        #expect(Timestamp.parse("yesterday") == nil)
    }

    @Test func urlRules() {
        #expect(URLRules.problem(withBaseURL: "https://a.example.com") == nil)
        #expect(URLRules.problem(withBaseURL: "file:///etc/passwd") != nil)
        #expect(URLRules.problem(withBaseURL: "https://") != nil)
        #expect(URLRules.join("https://a.example.com/", "/api/x") == "https://a.example.com/api/x")
    }
}
