import Foundation
import Testing
@testable import RBSCronKit

struct CronScheduleAPITests {
    @Test func nextIsStrictlyAfter() throws {
        let s = try CronSchedule.parse("0 * * * *")
        let on = instant("2024-05-01 10:00")
        #expect(s.next(after: on, in: TZ.utc) == instant("2024-05-01 11:00"))
        #expect(s.next(after: on.addingTimeInterval(-0.5), in: TZ.utc) == on)
    }

    @Test func firesWindowIsHalfOpen() throws {
        let s = try CronSchedule.parse("*/15 * * * *")
        let got = s.fires(from: instant("2024-05-01 10:00"), to: instant("2024-05-01 11:00"), in: TZ.utc)
        #expect(got.map { local($0, TZ.utc) } == ["2024-05-01 10:15+00:00", "2024-05-01 10:30+00:00", "2024-05-01 10:45+00:00", "2024-05-01 11:00+00:00"])
        #expect(s.fires(from: instant("2024-05-01 10:00"), to: instant("2024-05-02 10:00"), in: TZ.utc, limit: 3).count == 3)
    }

    @Test func previousWithinLookback() throws {
        let daily = try CronSchedule.parse("0 9 * * *")
        let at = instant("2024-05-03 08:00")
        #expect(daily.previous(atOrBefore: at, in: TZ.utc, lookback: 86_400) == instant("2024-05-02 09:00"))
        #expect(daily.previous(atOrBefore: at, in: TZ.utc, lookback: 3600) == nil)
        #expect(daily.previous(atOrBefore: instant("2024-05-03 09:00"), in: TZ.utc, lookback: 60) == instant("2024-05-03 09:00"))
        // Exactly at the edge of the lookback counts.
        #expect(daily.previous(atOrBefore: at, in: TZ.utc, lookback: 23 * 3600) == instant("2024-05-02 09:00"))
        let minutely = try CronSchedule.parse("* * * * *")
        #expect(minutely.previous(atOrBefore: instant("2024-05-03 08:00:30"), in: TZ.utc, lookback: 7 * 86_400) == instant("2024-05-03 08:00"))
        let monthly = try CronSchedule.parse("0 0 1 * *")
        #expect(monthly.previous(atOrBefore: at, in: TZ.utc, lookback: 40 * 86_400) == instant("2024-05-01 00:00"))
    }

    @Test func minimumInterval() throws {
        #expect(try CronSchedule.parse("*/15 9-18 * * 1-6").minimumIntervalSeconds == 900)
        #expect(try CronSchedule.parse("0 0,23 * * *").minimumIntervalSeconds == 3600)
        #expect(try CronSchedule.parse("0 9 * * *").minimumIntervalSeconds == 86_400)
        #expect(try CronSchedule.parse("0 9 * * 1").minimumIntervalSeconds == 7 * 86_400)
        #expect(try CronSchedule.parse("0 9 * * 1,2").minimumIntervalSeconds == 86_400)
        #expect(try CronSchedule.parse("@reboot").minimumIntervalSeconds == nil)
        #expect(try CronSchedule.parse("0 0 30 2 *").minimumIntervalSeconds == nil)
    }

    @Test func hashableAndEquatable() throws {
        let a = try CronSchedule.parse("0 9 * * *")
        let b = try CronSchedule.parse("0 9 * * *")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(try a != CronSchedule.parse("0 9 * * *", dialect: .vercel))
    }

    @Test func unsupportedDatesGiveNil() throws {
        let s = try CronSchedule.parse("* * * * *")
        #expect(s.next(after: Date(timeIntervalSince1970: .infinity), in: TZ.utc) == nil)
        #expect(s.next(after: Date(timeIntervalSince1970: .nan), in: TZ.utc) == nil)
        #expect(s.next(after: Date.distantFuture.addingTimeInterval(1e12), in: TZ.utc) == nil)
    }
}
