import Foundation
import Testing
@testable import RBSCronKit

@Suite("stats arithmetic and missed fires")
struct StatsEngineTests {
    typealias F = StatsFixture
    let now = StatsFixture.now

    @Test("nearest-rank percentiles")
    func percentiles() {
        #expect(StatsEngine.percentile([], 0.5) == nil)
        #expect(StatsEngine.percentile([7], 0.95) == 7)
        #expect(StatsEngine.percentile([1, 2, 3, 4], 0.5) == 2)
        #expect(StatsEngine.percentile([1, 2, 3, 4], 0.95) == 4)
        let hundred = (1...100).map(Double.init)
        #expect(StatsEngine.percentile(hundred, 0.95) == 95)
        #expect(StatsEngine.percentile(hundred, 0.5) == 50)
    }

    @Test("runs, success rate, p50/p95/max, streak and last failure from constructed runs")
    func arithmetic() throws {
        let store = try F.store()
        var rows: [F.RunRow] = []
        // 20 runs in the window, one an hour from 20 h ago, durations 100…2000 ms.
        for i in 0..<20 {
            let outcome: String
            switch i {
            case 3, 18: outcome = "http_error"
            case 7: outcome = "skipped"
            case 19: outcome = "timeout"
            default: outcome = "ok"
            }
            rows.append(F.RunRow(startedAt: now.addingTimeInterval(-Double(20 - i) * F.hour), outcome: outcome,
                                 httpStatus: outcome == "http_error" ? 503 : nil, durationMs: Double(i + 1) * 100,
                                 error: outcome == "ok" ? nil : "boom \(i)"))
        }
        // Outside the window: not counted in runs or percentiles.
        rows.append(F.RunRow(startedAt: now.addingTimeInterval(-10 * F.day), outcome: "http_error", durationMs: 99_000))
        // In flight: not counted.
        rows.append(F.RunRow(startedAt: now.addingTimeInterval(-60), state: "started", outcome: nil))
        try F.insert(rows, into: store)

        let stats = try #require(try F.stats(store).job("camino/hourly"))
        #expect(stats.runs == 20)
        #expect(stats.successes == 16)
        #expect(stats.skipped == 1)
        #expect(stats.failures == 3)
        #expect(stats.successRate == 16.0 / 19.0)
        #expect(stats.p50Ms == 1000)
        #expect(stats.p95Ms == 1900)
        #expect(stats.maxMs == 2000)
        #expect(stats.failureStreak == 2)
        #expect(stats.lastSuccessAt == now.addingTimeInterval(-3 * F.hour))
        let failure = try #require(stats.lastFailure)
        #expect(failure.outcome == "timeout")
        #expect(failure.error == "boom 19")
        #expect(failure.at == now.addingTimeInterval(-F.hour))
        #expect(stats.status == .red)
        #expect(stats.observation == .unobserved)
        #expect(stats.missedFires == nil)
    }

    @Test("the streak counts failures since the latest success, even before the window")
    func streakAcrossWindow() throws {
        let store = try F.store()
        try F.insert([
            F.RunRow(startedAt: now.addingTimeInterval(-20 * F.day), outcome: "ok"),
            F.RunRow(startedAt: now.addingTimeInterval(-15 * F.day), outcome: "http_error", httpStatus: 500),
            F.RunRow(startedAt: now.addingTimeInterval(-2 * F.day), state: "abandoned", outcome: nil),
            F.RunRow(startedAt: now.addingTimeInterval(-1 * F.day), outcome: "skipped"),
        ], into: store)
        let stats = try #require(try F.stats(store).job("camino/hourly"))
        #expect(stats.failureStreak == 2)
        #expect(stats.runs == 2)
        #expect(stats.successRate == 0)
        #expect(stats.lastFailure?.outcome == "abandoned")
        #expect(try F.stats(store).problemJobs.map(\.ref.description).contains("camino/hourly"))
    }

    @Test("due runs make a job observed; fires without a run are missed")
    func missedFiresDue() throws {
        let store = try F.store()
        // Hourly fires from 23 h ago to 1 h ago, all fired by due mode except three.
        var rows: [F.RunRow] = []
        for h in 1...23 where ![5, 9, 17].contains(h) {
            let fire = now.addingTimeInterval(-Double(h) * F.hour)
            rows.append(F.RunRow(source: "due", scheduledFor: fire, startedAt: fire.addingTimeInterval(400), durationMs: 200))
        }
        try F.insert(rows, into: store)
        let stats = try #require(try F.stats(store, since: F.day).job("camino/hourly"))
        #expect(stats.observation == .observed)
        #expect(stats.observedSince == now.addingTimeInterval(-23 * F.hour + 400))
        #expect(stats.expectedFires == 23)
        #expect(stats.missedFires == 3)
        #expect(stats.lastMissedFire == now.addingTimeInterval(-5 * F.hour))
        #expect(stats.status == .amber)
        #expect(try F.stats(store, since: F.day).problemJobs.count == 1)
    }

    @Test("only manual runs: the job stays unobserved and grey, never green")
    func unobserved() throws {
        let store = try F.store()
        try F.insert((1...5).map { F.RunRow(startedAt: now.addingTimeInterval(-Double($0) * F.hour), durationMs: 10) }, into: store)
        let report = try F.stats(store)
        let stats = try #require(report.job("camino/hourly"))
        #expect(stats.observation == .unobserved)
        #expect(stats.missedFires == nil)
        #expect(stats.expectedFires == nil)
        #expect(stats.status == .grey)
        #expect(report.job("colectiva/heartbeat")?.status == .grey)
        #expect(report.job("colectiva/by-hand")?.observation == .unscheduled)
        #expect(report.problemJobs.isEmpty)
    }

    @Test("remote runs without a fire time cover a fire within 15 minutes after it")
    func remoteTolerance() throws {
        let store = try F.store()
        var rows: [F.RunRow] = []
        // Half-hourly fires from 10 h ago to 30 min ago; the window (since 10 h) starts just after the first.
        for k in 1...20 {
            let fire = now.addingTimeInterval(-Double(k) * 1800)
            let delay: TimeInterval = k == 6 ? 20 * 60 : 120  // one delivered 20 minutes late: too late to count
            rows.append(F.RunRow(app: "colectiva", job: "heartbeat", source: "remote", startedAt: fire.addingTimeInterval(delay)))
        }
        try F.insert(rows, into: store)
        let stats = try #require(try F.stats(store, since: 10 * F.hour).job("colectiva/heartbeat"))
        #expect(stats.observation == .observed)
        #expect(stats.expectedFires == 19)
        #expect(stats.missedFires == 1)
        #expect(stats.lastMissedFire == now.addingTimeInterval(-6 * 1800))
    }

    @Test("fires are counted only since the job entered the inventory and within --since")
    func windowStart() throws {
        let store = try F.store(addedAt: now.addingTimeInterval(-5 * F.hour))
        try F.insert([F.RunRow(source: "due", scheduledFor: now.addingTimeInterval(-48 * F.hour),
                               startedAt: now.addingTimeInterval(-48 * F.hour))], into: store)
        let week = try #require(try F.stats(store).job("camino/hourly"))
        // Fires 4 h, 3 h, 2 h and 1 h ago (not 5 h ago: the job was added then; not now: too recent).
        #expect(week.expectedFires == 4)
        #expect(week.missedFires == 4)
        #expect(week.status == .red)
        let twoHours = try #require(try F.stats(store, since: 2 * F.hour).job("camino/hourly"))
        #expect(twoHours.expectedFires == 1)
        #expect(twoHours.missedFires == 1)
        #expect(twoHours.runs == 0)
        #expect(twoHours.status == .red)
    }

    @Test("an observed job whose fires all ran is green")
    func greenObserved() throws {
        let store = try F.store()
        var rows: [F.RunRow] = []
        for h in 1...30 {
            let fire = now.addingTimeInterval(-Double(h) * F.hour)
            rows.append(F.RunRow(source: "due", scheduledFor: fire, startedAt: fire.addingTimeInterval(5), durationMs: 300))
        }
        try F.insert(rows, into: store)
        let stats = try #require(try F.stats(store, since: F.day).job("camino/hourly"))
        #expect(stats.missedFires == 0)
        #expect(stats.expectedFires == 23)
        #expect(stats.status == .green)
    }

    @Test("app uptime counts up and degraded checks; p95 latency")
    func appHealth() throws {
        let store = try F.store()
        let statuses = ["up", "up", "down", "up", "degraded", "up", "up", "up", "up", "up"]
        for (i, status) in statuses.enumerated() {
            try F.insertHealth("camino", at: now.addingTimeInterval(-Double(10 - i) * F.hour), status: status,
                               totalMs: Double(i + 1) * 10, into: store)
        }
        try F.insertHealth("camino", at: now.addingTimeInterval(-9 * F.day), status: "down", totalMs: 9999, into: store)
        let app = try #require(try F.stats(store).apps.first { $0.app == "camino" })
        #expect(app.checks == 10)
        #expect(app.uptime == 0.9)
        #expect(app.p95LatencyMs == 100)
        #expect(app.lastStatus == "up")
        #expect(app.status == .amber)
        #expect(try F.stats(store).apps.first { $0.app == "colectiva" }?.status == .grey)
    }

    @Test("filters: app, APP/JOB, and unknown names with a suggestion")
    func filters() throws {
        let store = try F.store()
        #expect(try F.stats(store, app: "colectiva").jobs.map(\.job) == ["heartbeat", "by-hand"])
        #expect(try F.stats(store, job: "camino/sync").jobs.map(\.job) == ["sync"])
        #expect(try F.stats(store, app: "camino", job: "sync").jobs.count == 1)
        #expect(throws: StatsError.unknownApp("camin", suggestion: "camino")) { try F.stats(store, app: "camin") }
        #expect(throws: StatsError.self) { try F.stats(store, job: "camino/nope") }
    }

    @Test("the JSON shape: sorted snake_case keys, nulls kept")
    func jsonShape() throws {
        let store = try F.store()
        let json = try ReportJSON.encode(try F.stats(store, job: "camino/hourly"))
        for key in ["\"generated_at\"", "\"fires_checked_until\"", "\"tolerance_ms\" : 900000", "\"success_rate\" : null",
                    "\"p95_ms\" : null", "\"failure_streak\" : 0", "\"observation\" : \"unobserved\"", "\"missed_fires\" : null",
                    "\"last_failure\" : null", "\"status\" : \"grey\""] {
            #expect(json.contains(key), "missing \(key)")
        }
    }

    @Test("next fire: on the job's schedule; none for a fan-out or manual job, nor for pg_cron jobs of a paused project")
    func nextFire() throws {
        let store = try F.store()
        func next(_ name: String) throws -> Date? {
            try F.stats(store).jobs.first { $0.ref.description == name }?.nextFireAt
        }
        // 2026-04-10T12:00:00Z: the hourly job's next fire is 13:00, the */30 pg_cron job's 12:30.
        #expect(try next("camino/hourly") == now.addingTimeInterval(F.hour))
        #expect(try next("camino/sync") == now.addingTimeInterval(F.hour / 2))
        #expect(try next("colectiva/by-hand") == nil)
        // Supabase reports camino's project paused: its pg_cron runs nothing, so no next fire; Vercel still fires.
        try store.recordProjectStates([ProjectState(projectRef: "abcd", status: .paused, checkedAt: now)])
        #expect(try next("camino/sync") == nil && next("camino/keep-alive-ping") == nil)
        #expect(try next("camino/hourly") == now.addingTimeInterval(F.hour))
        // Unreachable is not paused: pg_cron may well be firing.
        try store.recordProjectStates([ProjectState(projectRef: "abcd", status: .unreachable, checkedAt: now)])
        #expect(try next("camino/sync") == now.addingTimeInterval(F.hour / 2))
    }
}
