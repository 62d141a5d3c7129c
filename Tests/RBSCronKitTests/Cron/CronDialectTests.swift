import Foundation
import Testing
@testable import RBSCronKit

struct CronDialectTests {
    @Test func dialectRawValues() {
        #expect(CronDialect.allCases.map(\.rawValue) == ["vixie", "vercel", "qstash", "pg_cron"])
        #expect(CronField.dayOfMonth.rawValue == "day-of-month")
    }

    @Test func vercelRefusesNamesShortcutsAndExtraFields() {
        let refusals: [(String, CronField?, String)] = [
            ("0 9 * * MON", .dayOfWeek, "not accepted by Vercel"),
            ("0 9 * jan *", .month, "not accepted by Vercel"),
            ("@daily", nil, "'@' shortcuts"),
            ("0 9 * * * *", nil, "expected 5 fields"),
            ("0 9 1 * 1", .dayOfWeek, "both day-of-month"),
            ("0 9 * * 7", .dayOfWeek, "0-6 only"),
            ("0 9 * * 5-7", .dayOfWeek, "0-6 only"),
            ("0 0 $ * *", .dayOfMonth, "pg_cron"),
            ("CRON_TZ=Europe/Berlin 0 9 * * *", nil, "QStash"),
        ]
        for (expr, field, fragment) in refusals {
            let e = parseError(expr, dialect: .vercel)
            #expect(e != nil, "\(expr) accepted by vercel")
            #expect(e?.field == field, "\(expr)")
            #expect(e?.reason.contains(fragment) == true, "\(expr): \(e?.reason ?? "")")
        }
    }

    @Test func vercelIsAlwaysUTC() throws {
        let s = try CronSchedule.parse("0 9 * * 1-5", dialect: .vercel)
        let berlin = TZ.zone("Europe/Berlin")
        let next = s.next(after: instant("2024-05-06 00:00"), in: berlin)
        #expect(next.map { local($0, TZ.utc) } == "2024-05-06 09:00+00:00")
        #expect(s.englishDescription.hasSuffix("(UTC)"))
        // Steps, ranges and a `*`-prefixed day field are fine.
        #expect(parseError("*/5 0-6 */2 1-12/3 *", dialect: .vercel) == nil)
    }

    @Test func qstashTimeZonePrefix() throws {
        let s = try CronSchedule.parse("CRON_TZ=America/New_York 0 9 * * *", dialect: .qstash)
        #expect(s.timeZone?.identifier == "America/New_York")
        // The prefix zone wins over the zone passed in.
        let next = s.next(after: instant("2024-07-01 00:00"), in: TZ.utc)
        #expect(next.map { local($0, TZ.utc) } == "2024-07-01 13:00+00:00")
        #expect(try CronSchedule.parse("0 9 * * *", dialect: .qstash).timeZone == nil)

        let unknown = parseError("CRON_TZ=Mars/Olympus 0 9 * * *", dialect: .qstash)
        #expect(unknown?.token == "Mars/Olympus")
        #expect(unknown?.errorDescription == "invalid cron expression 'CRON_TZ=Mars/Olympus 0 9 * * *': unknown time zone 'Mars/Olympus' in CRON_TZ; use an IANA name such as 'Europe/Berlin'")
        #expect(parseError("CRON_TZ= 0 9 * * *", dialect: .qstash)?.reason.contains("names no time zone") == true)
        #expect(parseError("TZ=UTC 0 9 * * *", dialect: .qstash)?.reason.contains("CRON_TZ=Zone") == true)
        #expect(parseError("@daily", dialect: .qstash)?.reason.contains("'0 0 * * *'") == true)
        #expect(parseError("CRON_TZ=UTC 0 9 * *", dialect: .qstash)?.reason.contains("expected 5 fields") == true)
        #expect(parseError("0 9 * * * CRON_TZ=UTC", dialect: .qstash) != nil)
    }

    @Test func pgCronLastDayAndSeconds() throws {
        #expect(try fires("0 12 $ * *", from: "2024-01-15 00:00", count: 3, dialect: .pgCron) == ["2024-01-31 12:00+00:00", "2024-02-29 12:00+00:00", "2024-03-31 12:00+00:00"])
        // `$` must be the whole field in pg_cron (see CronPgCronCompatibilityTests).
        #expect(parseError("0 12 15,$ * *", dialect: .pgCron)?.field == .dayOfMonth)
        let s = try CronSchedule.parse("30 seconds", dialect: .pgCron)
        #expect(s.intervalSeconds == 30)
        #expect(s.minimumIntervalSeconds == 30)
        #expect(s.next(after: Date(timeIntervalSince1970: 95), in: TZ.utc) == Date(timeIntervalSince1970: 120))
        #expect(try CronSchedule.parse("1 second", dialect: .pgCron).intervalSeconds == 1)
        #expect(parseError("60 seconds", dialect: .pgCron)?.reason.contains("1 to 59") == true)
        #expect(parseError("0 seconds", dialect: .pgCron)?.reason.contains("1 to 59") == true)
        #expect(parseError("x seconds", dialect: .pgCron) != nil)
        #expect(parseError("5/10 * * * *", dialect: .pgCron)?.reason.contains("step without a range") == true)
        #expect(parseError("0 0 $-3 * *", dialect: .pgCron) != nil)
        #expect(parseError("0 $ * * *", dialect: .pgCron)?.field == .hour)
        #expect(parseError("@daily", dialect: .pgCron) == nil)
        #expect(parseError("0 9 * * MON", dialect: .pgCron) == nil)
    }
}
