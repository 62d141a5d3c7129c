import Foundation
import Testing
@testable import RBSCronKit

/// `schedule next` and `schedule timeline` reports.
@Suite struct ScheduleReportsTests {
    @Test func nextListsFiresStrictlyAfterFromInTheZone() throws {
        let report = try ScheduleReports.next(expression: "0 14 * * *", dialect: .vixie, zone: TZ.utc,
                                              from: Fixture.date("2026-03-08T00:00:00Z"), count: 3)
        #expect(report.fires.map(Timestamp.rfc3339) == ["2026-03-08T14:00:00Z", "2026-03-09T14:00:00Z", "2026-03-10T14:00:00Z"])
        #expect(report.timezone == "UTC" && report.job == nil && report.dialect == .vixie)
        #expect(report.description.contains("14:00"))

        let atFrom = try ScheduleReports.next(expression: "0 14 * * *", dialect: .vixie, zone: TZ.utc,
                                              from: Fixture.date("2026-03-08T14:00:00Z"), count: 1)
        #expect(atFrom.fires.map(Timestamp.rfc3339) == ["2026-03-09T14:00:00Z"])
    }

    @Test func nextFollowsTheZoneAcrossDST() throws {
        // 09:00 in New York is 14:00 UTC before 8 March 2026 and 13:00 UTC after.
        let report = try ScheduleReports.next(expression: "0 9 * * *", dialect: .vixie, zone: TZ.zone("America/New_York"),
                                              from: Fixture.date("2026-03-07T00:00:00Z"), count: 2)
        #expect(report.fires.map(Timestamp.rfc3339) == ["2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z"])
        #expect(report.timezone == "America/New_York")
    }

    @Test func vercelIgnoresTheZoneAndQStashPrefixWins() throws {
        let vercel = try ScheduleReports.next(expression: "0 14 * * *", dialect: .vercel, zone: TZ.zone("Asia/Tokyo"),
                                              from: Fixture.date("2026-03-08T00:00:00Z"), count: 1)
        #expect(vercel.timezone == "UTC" && vercel.fires.map(Timestamp.rfc3339) == ["2026-03-08T14:00:00Z"])
        let qstash = try ScheduleReports.next(expression: "CRON_TZ=Asia/Tokyo 0 9 * * *", dialect: .qstash, zone: TZ.utc,
                                              from: Fixture.date("2026-03-08T00:00:00Z"), count: 1)
        #expect(qstash.timezone == "Asia/Tokyo" && qstash.fires.map(Timestamp.rfc3339) == ["2026-03-09T00:00:00Z"])
    }

    @Test func aBadExpressionNamesFieldAndToken() {
        #expect(throws: CronError.self) {
            try ScheduleReports.next(expression: "0 14 * * FRI-MON", dialect: .vixie, zone: TZ.utc, from: Fixture.now, count: 1)
        }
        do {
            _ = try ScheduleReports.next(expression: "0 14 * * FRI-MON", dialect: .vixie, zone: TZ.utc, from: Fixture.now, count: 1)
        } catch {
            #expect(error.field == .dayOfWeek && error.token == "FRI-MON")
            #expect(error.localizedDescription.hasPrefix("invalid cron expression '0 14 * * FRI-MON': day-of-week field: "))
        }
    }

    @Test func nextOfAJobUsesItsDialectAndZoneAndAChildFollowsItsParent() throws {
        let inventory = Inventory(apps: [Fixture.app("a"), Fixture.app("b")], jobs: [
            Fixture.job("a", "local", layer: .pgCron, schedule: "*/15 9-18 * * 1-6", timezone: "America/Mexico_City", sql: "SELECT 1"),
            Fixture.job("a", "parent", layer: .qstash, schedule: "*/30 * * * *"),
            Fixture.job("b", "child", layer: .fanout, parent: "a/parent", order: 1),
            Fixture.job("b", "grandchild", layer: .fanout, parent: "b/child", order: 1),
            Fixture.job("b", "by-hand", layer: .manual),
        ])
        let from = Fixture.date("2026-04-11T00:50:00Z")  // Friday 18:50 in Mexico City
        let local = try ScheduleReports.next(job: try inventory.resolve("a/local"), in: inventory, from: from, count: 2)
        #expect(local.dialect == .pgCron && local.timezone == "America/Mexico_City" && local.job == "a/local")
        #expect(local.fires.map(Timestamp.rfc3339) == ["2026-04-11T15:00:00Z", "2026-04-11T15:15:00Z"])

        let grandchild = try ScheduleReports.next(job: try inventory.resolve("b/grandchild"), in: inventory, from: from, count: 2)
        #expect(grandchild.via == "a/parent" && grandchild.expression == "*/30 * * * *")
        #expect(grandchild.fires.map(Timestamp.rfc3339) == ["2026-04-11T01:00:00Z", "2026-04-11T01:30:00Z"])

        #expect(throws: ScheduleError.unscheduledJob("b/by-hand", layer: .manual)) {
            try ScheduleReports.next(job: try inventory.resolve("b/by-hand"), in: inventory, from: from, count: 1)
        }
    }

    // MARK: Timeline

    let hub = Inventory(apps: [Fixture.app("hub", platform: .firebase), Fixture.app("leaf"), Fixture.app("quiet")], jobs: [
        Fixture.job("hub", "heartbeat", layer: .qstash, schedule: "0 * * * *"),
        Fixture.job("leaf", "work", layer: .fanout, parent: "hub/heartbeat", order: 2),
        Fixture.job("leaf", "first", layer: .fanout, parent: "hub/heartbeat", order: 1),
        Fixture.job("hub", "daily", layer: .qstash, schedule: "30 1 * * *"),
        Fixture.job("hub", "off", layer: .qstash, schedule: "* * * * *", enabled: false),
        Fixture.job("quiet", "by-hand", layer: .manual),
    ])

    @Test func timelineListsFiresInTheHalfOpenWindowWithChildrenAtTheirParent() {
        let report = ScheduleReports.timeline(hub, TimelineRequest(from: Fixture.date("2026-04-10T00:00:00Z"), hours: 2, zone: TZ.utc))
        let rows = report.fires.map { "\(Timestamp.rfc3339($0.at)) \($0.job) \($0.triggeredBy ?? "-")" }
        #expect(rows == [
            "2026-04-10T00:00:00Z hub/heartbeat -",
            "2026-04-10T00:00:00Z leaf/first hub/heartbeat",
            "2026-04-10T00:00:00Z leaf/work hub/heartbeat",
            "2026-04-10T01:00:00Z hub/heartbeat -",
            "2026-04-10T01:00:00Z leaf/first hub/heartbeat",
            "2026-04-10T01:00:00Z leaf/work hub/heartbeat",
            "2026-04-10T01:30:00Z hub/daily -",
        ])
        #expect(report.fires[1].layer == .fanout && report.fires[1].order == 1)
        #expect(Timestamp.rfc3339(report.to) == "2026-04-10T02:00:00Z")
    }

    @Test func timelineFiltersByApp() {
        let report = ScheduleReports.timeline(hub, TimelineRequest(from: Fixture.date("2026-04-10T00:00:00Z"), hours: 2, app: "leaf", zone: TZ.utc))
        #expect(Set(report.fires.map(\.job)) == ["leaf/first", "leaf/work"])
        #expect(report.heat.map(\.app) == ["leaf"])
    }

    @Test func burstsCountAnAppsRequestsAndALayersOwnFires() {
        let inventory = Inventory(apps: [Fixture.app("a", platform: .firebase), Fixture.app("b", platform: .firebase)], jobs: [
            Fixture.job("a", "one", layer: .qstash, schedule: "0 12 * * *"),
            Fixture.job("a", "two", layer: .qstash, schedule: "0 12 * * *"),
            Fixture.job("b", "three", layer: .qstash, schedule: "0 12 * * *"),
            Fixture.job("a", "child", layer: .fanout, parent: "b/three", order: 1),
            Fixture.job("b", "later", layer: .qstash, schedule: "1 12 * * *"),
        ])
        let request = TimelineRequest(from: Fixture.date("2026-04-10T00:00:00Z"), hours: 24, zone: TZ.utc, burstThreshold: 3)
        let bursts = ScheduleReports.timeline(inventory, request).bursts
        #expect(bursts.map { "\($0.kind.rawValue) \($0.key) \($0.count)" } == ["app a 3", "layer qstash 3"])
        #expect(bursts[0].jobs.sorted() == ["a/child", "a/one", "a/two"])
        #expect(Timestamp.rfc3339(bursts[0].minute) == "2026-04-10T12:00:00Z")
        var higher = request
        higher.burstThreshold = 4
        #expect(ScheduleReports.timeline(inventory, higher).bursts.isEmpty)
    }

    @Test func heatCountsFiresPerHourOfDayInTheZone() {
        let report = ScheduleReports.timeline(hub, TimelineRequest(
            from: Fixture.date("2026-04-10T00:00:00Z"), hours: 48, zone: TZ.zone("America/Mexico_City")))
        let heat = Dictionary(uniqueKeysWithValues: report.heat.map { ($0.app, $0) })
        #expect(heat["hub"]?.hours == Array(repeating: 2, count: 19) + [4] + Array(repeating: 2, count: 4))  // 01:30Z is 19:30 in Mexico City
        #expect(heat["hub"]?.total == 50)
        #expect(heat["leaf"]?.total == 96)
        #expect(heat["quiet"]?.total == 0 && heat["quiet"]?.hours.count == 24)
    }
}
