import Foundation
import Testing
@testable import RBSCronKit

/// Each rule of `schedule check` on a small inventory that breaks it, and one that does not.
@Suite struct ScheduleCheckTests {
    func check(_ apps: [App], _ jobs: [Job], app: String? = nil) -> ScheduleCheckReport {
        ScheduleCheck.run(Inventory(apps: apps, jobs: jobs), app: app, now: Fixture.now)
    }

    @Test func vercelCallsWithGetSoAPostJobIsAnError() throws {
        let report = check([Fixture.app("a")], [
            Fixture.job("a", "post", layer: .vercel, schedule: "0 14 * * *", method: .POST),
            Fixture.job("a", "get", layer: .vercel, schedule: "0 15 * * *", method: .GET),
        ])
        let found = report.findings(rule: "vercel.method-get")
        #expect(found.map(\.job) == ["a/post"])
        #expect(found.first?.severity == .error)
        #expect(found.first?.message.contains("POST /api/cron/post") == true)
        #expect(found.first?.fix.contains("GET") == true)
        #expect(report.hasErrors)
    }

    @Test func vercelFiresInUTCSoALocalZoneIsFlaggedWithTheUTCEntries() throws {
        let report = check([Fixture.app("a")], [
            Fixture.job("a", "local", layer: .vercel, schedule: "0 8 * * *", timezone: "America/Mexico_City"),
            Fixture.job("a", "utc", layer: .vercel, schedule: "0 8 * * *"),
            Fixture.job("a", "etc-utc", layer: .vercel, schedule: "0 9 * * *", timezone: "Etc/UTC"),
        ])
        let found = try #require(report.findings(rule: "vercel.timezone").first)
        #expect(report.findings(rule: "vercel.timezone").count == 1)
        #expect(found.job == "a/local")
        #expect(found.fix.contains("'0 14 * * *'"))
    }

    @Test func hobbyPlanAllowsOnceADayAndOnlyHourlyPrecision() throws {
        let hobby = check([Fixture.app("a", plan: .hobby)], [
            Fixture.job("a", "often", layer: .vercel, schedule: "*/30 * * * *"),
            Fixture.job("a", "daily", layer: .vercel, schedule: "15 6 * * *"),
        ])
        #expect(hobby.findings(rule: "vercel.hobby-frequency").map(\.job) == ["a/often"])
        #expect(hobby.findings(rule: "vercel.hobby-frequency").first?.severity == .error)
        #expect(hobby.findings(rule: "vercel.hobby-precision").map(\.job) == ["a/daily"])
        #expect(hobby.findings(rule: "vercel.hobby-precision").first?.severity == .info)

        let unknown = check([Fixture.app("a")], [
            Fixture.job("a", "often", layer: .vercel, schedule: "*/30 * * * *"),
            Fixture.job("a", "daily", layer: .vercel, schedule: "15 6 * * *"),
        ])
        #expect(unknown.findings(rule: "vercel.plan-unknown").map(\.job) == ["a/often"])
        #expect(unknown.findings(rule: "vercel.plan-unknown").first?.severity == .info)
        #expect(unknown.findings(rule: "vercel.hobby-frequency").isEmpty)

        let pro = check([Fixture.app("a", plan: .pro)], [Fixture.job("a", "often", layer: .vercel, schedule: "*/30 * * * *")])
        #expect(pro.findings.isEmpty)
    }

    @Test func aVercelProjectHoldsAtMostOneHundredCrons() {
        let jobs = (0..<101).map { Fixture.job("a", "j\($0)", layer: .vercel, schedule: "\($0 % 60) \($0 / 60) * * *") }
        let over = check([Fixture.app("a", plan: .pro)], jobs)
        #expect(over.findings(rule: "vercel.job-limit").map(\.job) == ["a"])
        #expect(over.findings(rule: "vercel.job-limit").first?.message.contains("101") == true)
        let at = check([Fixture.app("a", plan: .pro)], Array(jobs.prefix(100)))
        #expect(at.findings(rule: "vercel.job-limit").isEmpty)
    }

    @Test func qstashHasOneMinuteResolution() {
        // Built in code: the manifest validator would refuse these before they were stored.
        let report = check([Fixture.app("q", platform: .firebase)], [
            Fixture.job("q", "seconds", layer: .qstash, schedule: "30 seconds"),
            Fixture.job("q", "last-day", layer: .qstash, schedule: "0 0 $ * *"),
            Fixture.job("q", "six-fields", layer: .qstash, schedule: "0 0 0 * * *"),
            Fixture.job("q", "fine", layer: .qstash, schedule: "*/15 * * * *"),
        ])
        #expect(report.findings(rule: "qstash.resolution").map(\.job) == ["q/last-day", "q/seconds"])
        #expect(report.findings(rule: "schedule.invalid").map(\.job) == ["q/six-fields"])
        #expect(report.findings(rule: "schedule.invalid").first?.message.contains("expected 5 fields") == true)
        #expect(!report.findings.contains { $0.job == "q/fine" })
    }

    @Test func qstashNeedsCronTZForALocalZone() {
        let report = check([Fixture.app("q", platform: .firebase)], [
            Fixture.job("q", "bare", layer: .qstash, schedule: "0 9 * * 1", timezone: "Europe/Madrid"),
            Fixture.job("q", "prefixed", layer: .qstash, schedule: "CRON_TZ=Europe/Madrid 0 9 * * 1", timezone: "Europe/Madrid"),
        ])
        #expect(report.findings(rule: "qstash.timezone").map(\.job) == ["q/bare"])
        #expect(report.findings(rule: "qstash.timezone").first?.fix.contains("'CRON_TZ=Europe/Madrid 0 9 * * 1'") == true)
    }

    @Test func pgCronRunsAtMostEightJobsAtOnceCountingTimeouts() throws {
        let app = Fixture.app("db", supabase: true)
        let nine = (0..<9).map { Fixture.job("db", "j\($0)", layer: .pgCron, schedule: "0 * * * *", sql: "SELECT \($0)") }
        let over = check([app], nine)
        let found = try #require(over.findings(rule: "pg_cron.concurrency").first)
        #expect(found.job == "db" && found.severity == .error)
        #expect(found.message.contains("9 pg_cron jobs run at once at 2026-04-10T00:00:00Z"))

        #expect(check([app], Array(nine.prefix(8))).findings(rule: "pg_cron.concurrency").isEmpty)

        // Different minutes, short runs: never together.
        let staggered = (0..<9).map { Fixture.job("db", "j\($0)", layer: .pgCron, schedule: "\($0) * * * *", timeout: 30_000, sql: "SELECT 1") }
        #expect(check([app], staggered).findings(rule: "pg_cron.concurrency").isEmpty)

        // Same minutes, but each may run 10 minutes: they overlap.
        let long = (0..<9).map { Fixture.job("db", "j\($0)", layer: .pgCron, schedule: "\($0) * * * *", timeout: 600_000, sql: "SELECT 1") }
        #expect(check([app], long).findings(rule: "pg_cron.concurrency").count == 1)
    }

    @Test func pgCronPeakIgnoresOverlapsOfOneJobWithItself() {
        // A 30-second job that may run 5 minutes is still one running job.
        let jobs = [Fixture.job("db", "fast", layer: .pgCron, schedule: "30 seconds", timeout: 300_000, sql: "SELECT 1")]
        let peak = ScheduleCheck.pgCronPeak(jobs: jobs, from: Fixture.now, days: 1)
        #expect(peak.jobs == ["db/fast"])
    }

    @Test func pgCronJobsMayRunTenMinutes() {
        let report = check([Fixture.app("db", supabase: true)], [
            Fixture.job("db", "long", layer: .pgCron, schedule: "0 3 * * *", timeout: 660_000),
            Fixture.job("db", "ok", layer: .pgCron, schedule: "0 4 * * *", timeout: 600_000),
        ])
        #expect(report.findings(rule: "pg_cron.timeout").map(\.job) == ["db/long"])
        #expect(report.findings(rule: "pg_cron.timeout").first?.message.contains("11m") == true)
    }

    @Test func pgCronFiresInGMTSoALocalJobGetsItsUTCEntries() throws {
        let report = check([Fixture.app("db", supabase: true)], [
            Fixture.job("db", "voice", layer: .pgCron, schedule: "*/15 9-18 * * 1-6", timezone: "America/Mexico_City"),
        ])
        let found = try #require(report.findings(rule: "pg_cron.timezone").first)
        #expect(found.severity == .error)
        #expect(found.fix.contains("'*/15 15-23 * * 1-6' + '*/15 0 * * 0,2-6'"))
    }

    @Test func pgCronInAZoneWithDSTIsToldToUseSeasonalEntriesOrQStash() throws {
        let report = check([Fixture.app("db", supabase: true)], [
            Fixture.job("db", "ny", layer: .pgCron, schedule: "0 9 * * *", timezone: "America/New_York"),
        ])
        let fix = try #require(report.findings(rule: "pg_cron.timezone").first?.fix)
        #expect(fix.contains("CRON_TZ=America/New_York 0 9 * * *"))
        #expect(fix.contains("'0 14 * * *'") && fix.contains("'0 13 * * *'"))
    }

    @Test func pgCronNeedsASupabaseProject() {
        let report = check([Fixture.app("f", platform: .firebase)], [
            Fixture.job("f", "x", layer: .pgCron, schedule: "0 3 * * *", sql: "SELECT 1"),
        ])
        #expect(report.findings(rule: "pg_cron.no-supabase").map(\.job) == ["f/x"])
    }

    @Test func aFanOutChildOfAnotherAppIsASinglePointOfFailure() throws {
        let report = check([Fixture.app("hub", platform: .firebase), Fixture.app("leaf"), Fixture.app("self")], [
            Fixture.job("hub", "heartbeat", layer: .qstash, schedule: "*/30 * * * *"),
            Fixture.job("leaf", "work", layer: .fanout, parent: "hub/heartbeat", order: 1),
            Fixture.job("hub", "own-child", layer: .fanout, parent: "hub/heartbeat", order: 2),
        ])
        let found = report.findings(rule: "fanout.cross-app")
        #expect(found.map(\.job) == ["leaf/work"])
        let first = try #require(found.first)
        #expect(first.severity == .warning)
        #expect(first.message.contains("hub/heartbeat") && first.message.contains("outage of hub"))
        #expect(first.fix.contains("leaf's vercel.json"))
        #expect(first.fix.contains("{\"path\": \"/api/cron/work\", \"schedule\": \"*/30 * * * *\"}"))
        #expect(first.fix.contains("more than once a day needs the Pro plan"))
    }

    @Test func aFanOutChildOfADisabledParentNeverRuns() {
        let report = check([Fixture.app("a")], [
            Fixture.job("a", "parent", layer: .vercel, schedule: "0 1 * * *", enabled: false),
            Fixture.job("a", "child", layer: .fanout, parent: "a/parent", order: 1),
            Fixture.job("a", "manual-parent", layer: .manual, path: "/hooks/go"),
            Fixture.job("a", "child2", layer: .fanout, parent: "a/manual-parent", order: 1),
        ])
        #expect(report.findings(rule: "fanout.parent-disabled").map(\.job) == ["a/child", "a/child2"])
    }

    @Test func aCronEndpointNothingSchedulesIsFlagged() {
        let report = check([Fixture.app("a", plan: .pro)], [
            Fixture.job("a", "cleanup", layer: .manual, path: "/api/cron/cleanup"),
            Fixture.job("a", "webhook", layer: .manual, path: "/api/hooks/replay"),
            Fixture.job("a", "twin", layer: .manual, path: "/api/cron/twin"),
            Fixture.job("a", "twin-scheduled", layer: .vercel, schedule: "0 2 * * *", path: "/api/cron/twin"),
        ])
        #expect(report.findings(rule: "manual.unscheduled").map(\.job) == ["a/cleanup"])
    }

    @Test func httpJobsFiredOnlyByTheDatabaseAreFlaggedForTheApp() {
        let dbOnly = check([Fixture.app("p", supabase: true)], [
            Fixture.job("p", "reminders", layer: .pgCron, schedule: "0 * * * *", method: .POST),
            Fixture.job("p", "keep-alive", layer: .pgCron, schedule: "0 12 */3 * *", sql: "SELECT keep_alive()"),
        ])
        #expect(dbOnly.findings(rule: "pg_cron.http-only").map(\.job) == ["p"])
        #expect(dbOnly.findings(rule: "pg_cron.http-only").first?.message.contains("reminders") == true)

        let withVercel = check([Fixture.app("p", plan: .pro, supabase: true)], [
            Fixture.job("p", "reminders", layer: .pgCron, schedule: "0 * * * *", method: .POST),
            Fixture.job("p", "daily", layer: .vercel, schedule: "0 5 * * *"),
        ])
        #expect(withVercel.findings(rule: "pg_cron.http-only").isEmpty)
    }

    @Test func aSupabaseProjectWithoutWeeklyActivityIsFlagged() {
        #expect(check([Fixture.app("s", supabase: true)], []).findings(rule: "supabase.keep-alive").map(\.job) == ["s"])
        let monthly = check([Fixture.app("s", supabase: true)], [
            Fixture.job("s", "monthly", layer: .pgCron, schedule: "0 3 1 * *", sql: "SELECT 1"),
        ])
        #expect(monthly.findings(rule: "supabase.keep-alive").first?.message.contains("gap of") == true)
        let kept = check([Fixture.app("s", supabase: true)], [
            Fixture.job("s", "keep-alive-ping", layer: .pgCron, schedule: "0 12 */3 * *", sql: "SELECT keep_alive()"),
        ])
        #expect(kept.findings(rule: "supabase.keep-alive").isEmpty)
    }

    @Test func disabledJobsAreNotCheckedAndTheAppFilterNarrows() {
        let apps = [Fixture.app("a"), Fixture.app("b")]
        let jobs = [
            Fixture.job("a", "off", layer: .vercel, schedule: "0 1 * * *", method: .POST, enabled: false),
            Fixture.job("b", "on", layer: .vercel, schedule: "0 1 * * *", method: .POST),
        ]
        #expect(check(apps, jobs).findings(rule: "vercel.method-get").map(\.job) == ["b/on"])
        let onlyA = check(apps, jobs, app: "a")
        #expect(onlyA.findings.isEmpty && onlyA.appsChecked == 1 && onlyA.jobsChecked == 1)
    }

    @Test func findingsAreSortedBySeverityAndCounted() {
        let report = check([Fixture.app("a")], [
            Fixture.job("a", "often", layer: .vercel, schedule: "*/30 * * * *"),             // info
            Fixture.job("a", "cleanup", layer: .manual, path: "/api/cron/cleanup"),          // warning
            Fixture.job("a", "post", layer: .vercel, schedule: "0 1 * * *", method: .POST),  // error
        ])
        #expect(report.findings.map(\.severity) == [.error, .warning, .info])
        #expect(report.counts == ScheduleCheckReport.Counts(error: 1, warning: 1, info: 1))
    }

    @Test func everyRuleIdUsedIsListed() {
        let ids = Set(ScheduleCheck.rules.map(\.id))
        #expect(ids.count == ScheduleCheck.rules.count)
        let report = ScheduleCheck.run((try? EmbeddedEcosystem.inventory()) ?? Inventory(apps: [], jobs: []), now: Fixture.now)
        for finding in report.findings { #expect(ids.contains(finding.rule), "unlisted rule \(finding.rule)") }
    }

    /// Seed 000's known gaps, found from the data of the embedded inventory.
    @Test func theEmbeddedEcosystemShowsTheAuditsGaps() throws {
        let inventory = try EmbeddedEcosystem.inventory()
        let report = ScheduleCheck.run(inventory, now: Fixture.now)
        #expect(report.hasErrors)
        #expect(report.findings(rule: "vercel.method-get").map(\.job) == ["camino/daily-dispatcher"])
        #expect(report.findings(rule: "fanout.cross-app").map(\.job) == ["agora/keep-alive", "la-hoja/dispatcher", "servilleta/expire-tasks"])
        #expect(report.findings(rule: "pg_cron.http-only").map(\.job) == ["plenura"])
        #expect(report.findings(rule: "pg_cron.timezone").map(\.job) == ["camino/voice-outbound"])
        let manual = Set(report.findings(rule: "manual.unscheduled").map(\.job))
        #expect(manual.isSuperset(of: ["caracol/cleanup-dead-letter", "la-hoja/cleanup-dead-letter", "caracol/mancha-retry"]))
        #expect(manual == Set(inventory.jobs.filter { $0.layer == .manual }.map(\.ref.description)))
        #expect(report.appsChecked == 11 && report.jobsChecked == 69)
    }
}
