import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

@Suite("stats --html dashboard")
struct DashboardTests {
    typealias F = StatsFixture
    let now = StatsFixture.now

    /// A store with a failing job, an unobserved one, dead letters, pings and a secret-looking excerpt.
    func dashboard() throws -> (StatsReport, String) {
        let store = try F.store()
        var rows: [F.RunRow] = []
        for h in 1...48 {
            let fire = now.addingTimeInterval(-Double(h) * F.hour)
            rows.append(F.RunRow(source: "due", scheduledFor: fire, startedAt: fire.addingTimeInterval(3),
                                 outcome: h <= 2 ? "http_error" : "ok", httpStatus: h <= 2 ? 500 : 200,
                                 durationMs: Double(200 + h * 7), error: h <= 2 ? "HTTP 500 <b>Internal</b> & more" : nil,
                                 excerpt: "SECRET-EXCERPT-VALUE"))
        }
        rows.append(F.RunRow(app: "colectiva", job: "heartbeat", source: "manual", startedAt: now.addingTimeInterval(-F.hour),
                             durationMs: 120))
        try F.insert(rows, into: store)
        try F.insertDeadLetter("camino", "sync", at: now.addingTimeInterval(-F.day), error: "gave up <after> 3", into: store)
        try F.insertDeadLetter("camino", "sync", at: now.addingTimeInterval(-F.day), error: "resolved one", resolved: true, into: store)
        try F.insertPing("camino", at: now.addingTimeInterval(-3 * F.day), ok: true, into: store)
        let report = try F.stats(store)
        return (report, try Dashboard.render(store: store, report: report))
    }

    @Test("escaping covers the five HTML specials")
    func escaping() {
        #expect(Dashboard.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(Dashboard.escape("Baúl — ok") == "Baúl — ok")
    }

    @Test("status board: a failing job is red, an unobserved one grey; legend with every colour")
    func structure() throws {
        let (report, html) = try dashboard()
        #expect(report.job("camino/hourly")?.status == .red)
        #expect(html.contains(#"data-job="camino/hourly" data-status="red""#))
        #expect(html.contains(#"data-job="colectiva/heartbeat" data-status="grey""#))
        #expect(html.contains(#"data-job="camino/sync" data-status="grey""#))
        for colour in StatusColour.allCases { #expect(html.contains("status-\(colour.rawValue)")) }
        #expect(html.contains("Legend"))
        #expect(html.contains("unobserved"))
        // Heat strip and sparkline per job, inline SVG.
        #expect(html.components(separatedBy: "class=\"heat\"").count - 1 == report.jobs.count)
        #expect(html.components(separatedBy: "class=\"spark\"").count - 1 == report.jobs.count)
        #expect(html.contains("data-outcome=\"http_error\""))
        // Recent failures, dead letters (unresolved only), keep-alive days left (7 − 3).
        #expect(html.contains("Recent failures"))
        #expect(html.contains("1 unresolved"))
        #expect(!html.contains("resolved one"))
        #expect(html.contains("4.0"))
        #expect(html.contains("Keep-alive"))
    }

    @Test("every text is escaped; no excerpt, payload, script or external resource")
    func safety() throws {
        let (_, html) = try dashboard()
        #expect(html.contains("Hourly &lt;sync&gt; &amp; &quot;report&quot;"))
        #expect(!html.contains("<sync>"))
        // An HTTP failure shows its status, not the text that came with it.
        #expect(html.contains("<td class=\"err\">HTTP 500</td>"))
        #expect(!html.contains("Internal"))
        #expect(html.contains("gave up &lt;after&gt; 3"))
        #expect(!html.contains("SECRET-EXCERPT-VALUE"))
        #expect(!html.contains("payload-secret-ish"))
        for forbidden in ["<script", "src=", "href=", "url(", "@import", "http://", "https://", "<link"] {
            #expect(!html.lowercased().contains(forbidden), "found \(forbidden)")
        }
    }

    @Test("keep-alive days left: seven minus the days since the last good ping, never negative")
    func daysLeft() {
        #expect(Dashboard.keepAliveDaysLeft(lastOk: now.addingTimeInterval(-2.5 * F.day), now: now) == 4.5)
        #expect(Dashboard.keepAliveDaysLeft(lastOk: now.addingTimeInterval(-9 * F.day), now: now) == 0)
        #expect(Dashboard.keepAliveDaysLeft(lastOk: nil, now: now) == nil)
    }

    static var chromium: String? {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["RBSCRON_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var shouldRender: Bool { chromium != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    @Test("headless Chromium renders the page to a PNG that is not blank",
          .enabled(if: DashboardTests.shouldRender, "chromium not installed (Debian package: chromium)"))
    func screenshot() async throws {
        let chromium = try #require(Self.chromium, "chromium is required under CI=true (Debian package: chromium)")
        let (_, html) = try dashboard()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-dash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("dashboard.html"), png = dir.appendingPathComponent("dashboard.png")
        try Data(html.utf8).write(to: page)
        let render = try await Self.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                             "--user-data-dir=\(dir.path)/profile", "--screenshot=\(png.path)",
                                             "--window-size=1000,700", page.absoluteString])
        #expect(render == 0)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let check = try await Self.run("/usr/bin/env", ["python3", root.appendingPathComponent("bench/png_check.py").path, png.path,
                                                 "--min-colours", "24", "--min-ink", "0.03"])
        #expect(check == 0, "the screenshot looks blank")
    }

    static func run(_ tool: String, _ arguments: [String]) async throws -> Int32 {
        // chromium's helper processes may keep inherited pipes open after it exits: send the output nowhere.
        try await runTool(tool, arguments, discardOutput: true, timeout: 120).status
    }
}
