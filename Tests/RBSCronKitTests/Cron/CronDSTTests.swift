import Foundation
import Testing
@testable import RBSCronKit

/// Debian cron's DST rules (as cronsim models them), in four kinds of zone.
struct CronDSTTests {
    @Test func newYorkSpringForward() throws {
        // 2024-03-10 02:00 EST → 03:00 EDT.
        #expect(try fires("30 2 * * *", from: "2024-03-09 12:00", in: "America/New_York", count: 2) == ["2024-03-10 03:00-04:00", "2024-03-11 02:30-04:00"])
        #expect(try fires("*/30 1-3 * * *", from: "2024-03-10 00:00", in: "America/New_York", count: 4) == ["2024-03-10 01:00-05:00", "2024-03-10 01:30-05:00", "2024-03-10 03:00-04:00", "2024-03-10 03:30-04:00"])
        // Two fixed times in the gap collapse into one run right after the jump.
        #expect(try fires("0,30 2 * * *", from: "2024-03-09 12:00", in: "America/New_York", count: 2) == ["2024-03-10 03:00-04:00", "2024-03-11 02:00-04:00"])
    }

    @Test func newYorkFallBack() throws {
        // 2024-11-03 02:00 EDT → 01:00 EST: a fixed job runs once, a wildcard job twice.
        #expect(try fires("30 1 * * *", from: "2024-11-02 12:00", in: "America/New_York", count: 2) == ["2024-11-03 01:30-04:00", "2024-11-04 01:30-05:00"])
        #expect(try fires("0 * * * *", from: "2024-11-03 00:30", in: "America/New_York", count: 3) == ["2024-11-03 01:00-04:00", "2024-11-03 01:00-05:00", "2024-11-03 02:00-05:00"])
        // Starting inside the second pass of the repeated hour, the fixed job already ran.
        let ny = TZ.zone("America/New_York")
        let secondPass = instant("2024-11-03 06:10", TZ.utc)  // 01:10 EST
        let s = try CronSchedule.parse("45 1 * * *")
        #expect(s.next(after: secondPass, in: ny).map { local($0, ny) } == "2024-11-04 01:45-05:00")
    }

    @Test func berlin() throws {
        // Spring 2024-03-31 02:00 → 03:00; autumn 2024-10-27 03:00 → 02:00.
        #expect(try fires("30 2 * * *", from: "2024-03-30 12:00", in: "Europe/Berlin", count: 2) == ["2024-03-31 03:00+02:00", "2024-04-01 02:30+02:00"])
        #expect(try fires("*/30 2 * * *", from: "2024-03-30 12:00", in: "Europe/Berlin", count: 2) == ["2024-04-01 02:00+02:00", "2024-04-01 02:30+02:00"])
        #expect(try fires("30 2 * * *", from: "2024-10-26 12:00", in: "Europe/Berlin", count: 2) == ["2024-10-27 02:30+02:00", "2024-10-28 02:30+01:00"])
        #expect(try fires("*/30 2 * * *", from: "2024-10-26 12:00", in: "Europe/Berlin", count: 5) == ["2024-10-27 02:00+02:00", "2024-10-27 02:30+02:00", "2024-10-27 02:00+01:00", "2024-10-27 02:30+01:00", "2024-10-28 02:00+01:00"])
    }

    @Test func mexicoCityHasNoDSTSince2022() throws {
        // 2022-04-03 still sprang forward; 2024-04-07 does not.
        #expect(try fires("30 2 * * *", from: "2022-04-02 12:00", in: "America/Mexico_City", count: 2) == ["2022-04-03 03:00-05:00", "2022-04-04 02:30-05:00"])
        #expect(try fires("30 2 * * *", from: "2024-04-06 12:00", in: "America/Mexico_City", count: 2) == ["2024-04-07 02:30-06:00", "2024-04-08 02:30-06:00"])
        #expect(try fires("*/30 2 * * *", from: "2024-10-26 12:00", in: "America/Mexico_City", count: 3) == ["2024-10-27 02:00-06:00", "2024-10-27 02:30-06:00", "2024-10-28 02:00-06:00"])
    }

    @Test func lordHoweHalfHourShift() throws {
        // Spring 2024-10-06 02:00 +10:30 → 02:30 +11:00; autumn 2024-04-07 02:00 +11:00 → 01:30 +10:30.
        #expect(try fires("15 2 * * *", from: "2024-10-05 12:00", in: "Australia/Lord_Howe", count: 2) == ["2024-10-06 02:30+11:00", "2024-10-07 02:15+11:00"])
        #expect(try fires("*/15 2 * * *", from: "2024-10-05 12:00", in: "Australia/Lord_Howe", count: 3) == ["2024-10-06 02:30+11:00", "2024-10-06 02:45+11:00", "2024-10-07 02:00+11:00"])
        #expect(try fires("45 1 * * *", from: "2024-04-06 12:00", in: "Australia/Lord_Howe", count: 2) == ["2024-04-07 01:45+11:00", "2024-04-08 01:45+10:30"])
        #expect(try fires("*/15 1 * * *", from: "2024-04-06 12:00", in: "Australia/Lord_Howe", count: 6) == ["2024-04-07 01:00+11:00", "2024-04-07 01:15+11:00", "2024-04-07 01:30+11:00", "2024-04-07 01:45+11:00", "2024-04-07 01:30+10:30", "2024-04-07 01:45+10:30"])
        // 03:00 exists on the spring day and the wildcard job runs then. (cronsim steps whole
        // hours of real time here and lands on 03:30; rbscron follows the wall clock.)
        #expect(try fires("*/15 3 * * *", from: "2024-10-05 12:00", in: "Australia/Lord_Howe", count: 2) == ["2024-10-06 03:00+11:00", "2024-10-06 03:15+11:00"])
    }

    @Test func qstashZoneAppliesDSTRules() throws {
        let s = try CronSchedule.parse("CRON_TZ=Europe/Berlin 30 2 * * *", dialect: .qstash)
        let next = s.next(after: instant("2024-03-30 12:00"), in: TZ.utc)
        #expect(next.map { local($0, TZ.zone("Europe/Berlin")) } == "2024-03-31 03:00+02:00")
    }
}
