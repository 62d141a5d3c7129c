import Foundation
import GRDB
import Testing
@testable import RBSCronKit

/// The dashboard of a failing ecosystem: what needs attention comes first, worst first, with its reasons.
@Suite("stats --html: needs attention, app state, job cells, keep-alive, dead letters, impact")
struct DashboardAttentionTests {
    typealias F = StatsFixture
    let now = StatsFixture.now

    static let longError = "The request did not complete within 30 seconds: step 7 of 18 <optimize-prices> & the "
        + "remaining steps were skipped while waiting on the upstream ledger, which never answered the final call"

    /// The fixture's inventory plus a fan-out job of a third app fired by colectiva's heartbeat.
    func store() throws -> InventoryStore {
        let apps = F.apps + [App(name: "agora", displayName: "Agora", baseURL: "https://agora.example.test", platform: .vercel)]
        let jobs = F.jobs + [Job(app: "agora", name: "keep-alive", path: "/api/cron/keep-alive", layer: .fanout,
                                 triggeredBy: JobRef(app: "colectiva", job: "heartbeat"), order: 1)]
        return try InventoryStore.inMemory(seed: Inventory(apps: apps, jobs: jobs), now: now.addingTimeInterval(-30 * F.day))
    }

    /// camino's checks pass while camino/hourly fails (3 in a row, the last with a long error) and camino/sync
    /// missed fires; colectiva is down; camino's keep-alive only ever failed; four dead letters of one job and one
    /// QStash holds.
    func failing() throws -> (StatsReport, DashboardFacts, String) {
        let store = try store()
        var rows: [F.RunRow] = []
        for h in 1...24 {
            let fire = now.addingTimeInterval(-Double(h) * F.hour)
            let failed = h <= 3
            rows.append(F.RunRow(source: "due", scheduledFor: fire, startedAt: fire.addingTimeInterval(3),
                                 outcome: failed ? "timeout" : "ok", durationMs: Double(200 + h),
                                 error: failed ? (h == 1 ? Self.longError : "timed out") : nil))
        }
        // camino/sync: due runs every 30 minutes for the day, except the last three hours (six missed fires).
        for half in 7...48 {
            let fire = now.addingTimeInterval(-Double(half) * 1800)
            rows.append(F.RunRow(job: "sync", source: "due", scheduledFor: fire, startedAt: fire.addingTimeInterval(2), durationMs: 90))
        }
        try F.insert(rows, into: store)
        for k in 0..<3 {
            try F.insertHealth("camino", at: now.addingTimeInterval(-Double(k) * F.hour), status: "up", totalMs: 100, into: store)
        }
        try store.writer.write { db in
            try db.execute(sql: """
                INSERT INTO health_checks (app, checked_at, status, method, http_status, reason, total_ms)
                VALUES ('colectiva', ?, 'down', 'HEAD', 503, 'http_status', 80)
                """, arguments: [Timestamp.ms(now.addingTimeInterval(-60))])
            for k in 0..<2 {
                try db.execute(sql: """
                    INSERT INTO keepalive_pings (app, pinged_at, ok, http_status, error) VALUES ('camino', ?, 0, 401, ?)
                    """, arguments: [Timestamp.ms(now.addingTimeInterval(-Double(k + 1) * F.day)), "HTTP 401: the anon key was refused"])
            }
            try db.execute(sql: """
                INSERT INTO dead_letters (app, job, last_error, attempts, created_at, origin, remote_id)
                VALUES ('colectiva', 'heartbeat', 'QStash gave up after 4 attempt(s): HTTP 503', 4, ?, 'qstash', 'dlq-1')
                """, arguments: [Timestamp.ms(now.addingTimeInterval(-2 * F.hour))])
        }
        for k in 0..<4 {
            try F.insertDeadLetter("camino", "hourly", at: now.addingTimeInterval(-Double(k + 1) * F.hour),
                                   error: "gave up after \(k + 1) tries", into: store)
        }
        let report = try F.stats(store)
        var facts = try store.dashboardFacts(jobs: report.jobs.map(\.ref), now: report.generatedAt)
        facts.audits = try store.latestAuditProbes()
        let html = try Dashboard.render(store: store, report: report)
        return (report, facts, html)
    }

    @Test("the needs-attention panel comes first and lists the failing items worst first")
    func attentionPanel() throws {
        let (report, facts, html) = try failing()
        let items = Dashboard.attention(report: report, facts: facts, inventory: try store().inventory())
        let kinds = items.map(\.kind)
        #expect(Array(kinds.prefix(3)) == [.appDown, .keepAlive, .jobFailing])
        #expect(items.first?.subject == "colectiva")
        #expect(items.contains { $0.kind == .missedFires && $0.subject == "camino/sync" && $0.text.hasPrefix("6 of ") })
        #expect(items.contains { $0.kind == .deadLetters && $0.subject == "camino/hourly" && $0.text.hasPrefix("4 unresolved") })
        // Red before amber, all the way down.
        let severities = items.map(\.colour.severity)
        #expect(severities == severities.sorted(by: >))
        // On the page: before the first app, in the same order.
        let panel = try #require(html.range(of: "class=\"attention\""))
        let firstApp = try #require(html.range(of: "<section class=\"app\""))
        #expect(panel.lowerBound < firstApp.lowerBound)
        let down = try #require(html.range(of: "data-kind=\"app_down\" data-subject=\"colectiva\""))
        let failingJob = try #require(html.range(of: "data-kind=\"job_failing\" data-subject=\"camino/hourly\""))
        let letters = try #require(html.range(of: "data-kind=\"dead_letters\" data-subject=\"camino/hourly\""))
        #expect(down.lowerBound < failingJob.lowerBound && failingJob.lowerBound < letters.lowerBound)
    }

    @Test("an app whose checks pass but whose job fails is not green")
    func appStateIsWorstOfHealthAndJobs() throws {
        let (report, _, html) = try failing()
        let camino = try #require(report.apps.first { $0.app == "camino" })
        #expect(camino.status == .green)
        #expect(camino.overallStatus == .red)
        #expect(html.contains(#"data-app="camino" data-status="red" data-health="green""#))
        // And a healthy app with nothing wrong stays as its checks say.
        let agora = try #require(report.apps.first { $0.app == "agora" })
        #expect(agora.overallStatus == agora.status.worse(report.job("agora/keep-alive")?.status ?? .grey))
    }

    @Test("missed fires are a count; unobserved or unscheduled is a badge, not the missed cell")
    func missedAsCount() throws {
        let (_, _, html) = try failing()
        let sync = try #require(row(html, "camino/sync"))
        #expect(sync.contains("<td class=\"missed\"><span class=\"bad\"><b>6</b> / "))
        let manual = try #require(row(html, "colectiva/by-hand"))
        #expect(manual.contains("<td class=\"missed\">–</td>"))
        #expect(manual.contains("<span class=\"badge\">unscheduled</span>"))
        for word in ["unobserved", "unscheduled"] { #expect(!html.contains("<td class=\"missed\">\(word)")) }
    }

    @Test("the last error is on the page in full, escaped, in a details element; last run and next fire are relative")
    func fullError() throws {
        let (_, _, html) = try failing()
        let hourly = try #require(row(html, "camino/hourly"))
        #expect(hourly.contains("<details>"))
        #expect(hourly.contains(Dashboard.escape(Self.longError)))
        #expect(!html.contains("<optimize-prices>"))
        #expect(hourly.contains("<td class=\"last-run\"><time datetime=\"2026-04-10T11:00:03Z\" title=\"2026-04-10T11:00:03Z\">60 min ago</time>"))
        #expect(hourly.contains("<td class=\"next\"><time datetime=\"2026-04-10T13:00:00Z\" title=\"2026-04-10T13:00:00Z\">in 1 h</time>"))
        // One mark per run, coloured by outcome: the three failures are red.
        #expect(hourly.components(separatedBy: "data-outcome=\"timeout\"").count - 1 == 3)
        #expect(hourly.components(separatedBy: "data-outcome=\"ok\"").count - 1 == DashboardFacts.runMarks - 3)
    }

    @Test("a keep-alive whose pings failed shows the failure and its reason, not \"never pinged\"")
    func keepAliveFailure() throws {
        let (_, facts, html) = try failing()
        #expect(facts.keepAlive["camino"]?.failuresSinceOk == 2)
        let section = try #require(html.range(of: "<section class=\"keepalive\"").map { String(html[$0.lowerBound...]) })
        #expect(!section.contains("never pinged"))
        #expect(section.contains("HTTP 401: the anon key was refused"))
        #expect(section.contains("(2 in a row)"))
        #expect(section.contains("data-app=\"camino\""))
    }

    @Test("dead letters: one row per job with a count; QStash's stay apart, held by qstash")
    func deadLettersGrouped() throws {
        let (_, facts, html) = try failing()
        #expect(facts.deadLetterGroups.map(\.count) == [4, 1])
        #expect(html.components(separatedBy: "data-dead=\"camino/hourly\"").count - 1 == 1)
        #expect(html.contains("<td class=\"count\">4</td>"))
        #expect(html.contains("gave up after 1 tries"))
        #expect(html.contains("data-dead=\"colectiva/heartbeat\" data-origin=\"qstash\""))
        #expect(html.contains("held by qstash"))
    }

    @Test("a down app shows why and the apps that lose background jobs")
    func impact() throws {
        let (report, _, html) = try failing()
        let colectiva = try #require(report.apps.first { $0.app == "colectiva" })
        #expect(colectiva.lastReason == "http_status" && colectiva.lastHTTPStatus == 503)
        #expect(colectiva.dependentsAffected.map(\.app) == ["agora"])
        #expect(html.contains("down: HTTP 503"))
        #expect(html.contains("colectiva down → agora lose background jobs"))
    }

    @Test("dead-letter groups: counted per job and holder, newest reason kept, largest first")
    func grouping() {
        let t = now
        let letters = [
            DeadLetterSummary(app: "a", job: "x", lastError: "newest", attempts: 3, createdAt: t, replayCount: 1),
            DeadLetterSummary(app: "b", job: "y", lastError: "only", attempts: 1, createdAt: t.addingTimeInterval(-10), replayCount: 0),
            DeadLetterSummary(app: "a", job: "x", lastError: "older", attempts: 2, createdAt: t.addingTimeInterval(-60), replayCount: 2),
            DeadLetterSummary(app: "a", job: "x", lastError: "held", attempts: 4, createdAt: t.addingTimeInterval(-5), replayCount: 0,
                              origin: "qstash"),
        ]
        let groups = DeadLetterGroup.group(letters)
        #expect(groups.map(\.count) == [2, 1, 1])
        #expect(groups[0].newestError == "newest" && groups[0].replays == 3 && groups[0].origin == "rbscron")
        #expect(groups[1].origin == "qstash" && groups[1].newestError == "held")
    }

    /// The `<tr>` of one job on the page.
    func row(_ html: String, _ job: String) -> String? {
        guard let start = html.range(of: "data-job=\"\(job)\"") else { return nil }
        let rest = html[start.lowerBound...]
        return rest.range(of: "</tr>").map { String(rest[..<$0.upperBound]) }
    }
}
