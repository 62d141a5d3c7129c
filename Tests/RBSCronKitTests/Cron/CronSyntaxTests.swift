import Foundation
import Testing
@testable import RBSCronKit

struct CronSyntaxTests {
    @Test func stepsRangesAndLists() throws {
        #expect(try fires("*/20 * * * *", from: "2024-05-01 10:05", count: 3) == ["2024-05-01 10:20+00:00", "2024-05-01 10:40+00:00", "2024-05-01 11:00+00:00"])
        #expect(try fires("10-20/5 * * * *", from: "2024-05-01 10:05", count: 4) == ["2024-05-01 10:10+00:00", "2024-05-01 10:15+00:00", "2024-05-01 10:20+00:00", "2024-05-01 11:10+00:00"])
        // `a/n` means a through the field maximum.
        #expect(try fires("50/4 * * * *", from: "2024-05-01 10:05", count: 4) == ["2024-05-01 10:50+00:00", "2024-05-01 10:54+00:00", "2024-05-01 10:58+00:00", "2024-05-01 11:50+00:00"])
        #expect(try fires("0 1,5-6,22/2 * * *", from: "2024-05-01 00:00", count: 5) == ["2024-05-01 01:00+00:00", "2024-05-01 05:00+00:00", "2024-05-01 06:00+00:00", "2024-05-01 22:00+00:00", "2024-05-02 01:00+00:00"])
    }

    /// Vixie sets only `a` for `a-a/n`; cronsim (wrongly) reads it as `a/n`.
    @Test func singleValueRangeWithStep() throws {
        #expect(try fires("48-48/3 * * * *", from: "2024-05-01 10:00", count: 2) == ["2024-05-01 10:48+00:00", "2024-05-01 11:48+00:00"])
    }

    @Test func namesAreCaseInsensitiveInListsAndRanges() throws {
        let a = try CronSchedule.parse("0 12 * jan,Mar-may mon-FRI")
        let b = try CronSchedule.parse("0 12 * 1,3-5 1-5")
        let start = instant("2024-01-01 00:00")
        #expect(a.nextFires(after: start, in: TZ.utc, count: 40) == b.nextFires(after: start, in: TZ.utc, count: 40))
        #expect(try fires("0 0 1 feb *", from: "2024-01-15 00:00", count: 1) == ["2024-02-01 00:00+00:00"])
    }

    @Test func sundayIsZeroOrSeven() throws {
        let zero = try fires("0 9 * * 0", from: "2024-05-01 00:00", count: 3)
        #expect(zero == ["2024-05-05 09:00+00:00", "2024-05-12 09:00+00:00", "2024-05-19 09:00+00:00"])
        #expect(try fires("0 9 * * 7", from: "2024-05-01 00:00", count: 3) == zero)
        #expect(try fires("0 9 * * SUN", from: "2024-05-01 00:00", count: 3) == zero)
        // 5-7 is Friday, Saturday, Sunday.
        #expect(try fires("0 9 * * 5-7", from: "2024-05-01 00:00", count: 3) == ["2024-05-03 09:00+00:00", "2024-05-04 09:00+00:00", "2024-05-05 09:00+00:00"])
    }

    @Test func dayRuleEitherMatchesWhenBothRestricted() throws {
        // 2024-05-13 is a Monday; day 15 is a Wednesday.
        #expect(try fires("0 0 15 * 1", from: "2024-05-12 12:00", count: 3) == ["2024-05-13 00:00+00:00", "2024-05-15 00:00+00:00", "2024-05-20 00:00+00:00"])
    }

    @Test func dayRuleStarPrefixMeansBothMustMatch() throws {
        // dom `*/2` starts with `*`: odd days that are also Mondays (2024-05-13 is day 13).
        #expect(try fires("0 0 */2 * 1", from: "2024-05-01 00:00", count: 3) == ["2024-05-13 00:00+00:00", "2024-05-27 00:00+00:00", "2024-06-03 00:00+00:00"])
        // Same set of days written without the star: OR rule, so many more days match.
        #expect(try fires("0 0 1-31/2 * 1", from: "2024-05-01 00:00", count: 3) == ["2024-05-03 00:00+00:00", "2024-05-05 00:00+00:00", "2024-05-06 00:00+00:00"])
        // dow `*/7` (Sunday) with day 1: only when the 1st is a Sunday (2024-09-01).
        #expect(try fires("0 0 1 * */7", from: "2024-05-01 00:00", count: 1) == ["2024-09-01 00:00+00:00"])
    }

    @Test func shortcuts() throws {
        #expect(try fires("@yearly", from: "2024-05-01 00:00", count: 1) == ["2025-01-01 00:00+00:00"])
        #expect(try fires("@annually", from: "2024-05-01 00:00", count: 1) == ["2025-01-01 00:00+00:00"])
        #expect(try fires("@monthly", from: "2024-05-01 00:00", count: 1) == ["2024-06-01 00:00+00:00"])
        #expect(try fires("@weekly", from: "2024-05-01 00:00", count: 2) == ["2024-05-05 00:00+00:00", "2024-05-12 00:00+00:00"])
        #expect(try fires("@daily", from: "2024-05-01 00:00", count: 1) == ["2024-05-02 00:00+00:00"])
        #expect(try fires("@midnight", from: "2024-05-01 00:00", count: 1) == ["2024-05-02 00:00+00:00"])
        #expect(try fires("@hourly", from: "2024-05-01 00:00", count: 1) == ["2024-05-01 01:00+00:00"])
        let reboot = try CronSchedule.parse("@reboot")
        #expect(reboot.neverFires)
        #expect(reboot.next(after: Date(), in: TZ.utc) == nil)
        #expect(try CronSchedule.parse("@hourly").isWildcardTime)
        #expect(try !CronSchedule.parse("@daily").isWildcardTime)
    }

    @Test func impossibleDatesTerminateWithNil() throws {
        for expr in ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 2 */2"] {
            let s = try CronSchedule.parse(expr)
            #expect(s.neverMatches, "\(expr)")
            #expect(s.next(after: Date(), in: TZ.zone("Europe/Berlin")) == nil)
            #expect(s.previous(atOrBefore: Date(), in: TZ.utc, lookback: 86_400 * 400) == nil)
        }
        // Possible only in leap years on a Sunday: found far ahead but still found.
        #expect(try fires("0 0 29 2 */7", from: "2024-03-01 00:00", count: 1) == ["2032-02-29 00:00+00:00"])
        // Wildcard job whose only matches fall in the skipped hour of New York: never fires.
        let gap = try CronSchedule.parse("* 2 8-14 3 */7")
        #expect(gap.next(after: instant("2024-01-01 00:00"), in: TZ.zone("America/New_York")) == nil)
    }

    @Test func whitespaceAndExpressionKept() throws {
        let s = try CronSchedule.parse("  0\t9 * *   1-5 ")
        #expect(s.expression == "  0\t9 * *   1-5 ")
        #expect(s.dialect == .vixie)
        #expect(try fires("  0\t9 * *   1-5 ", from: "2024-05-03 10:00", count: 1) == ["2024-05-06 09:00+00:00"])
    }

    @Test func errorsNameFieldAndToken() {
        let e = parseError("0 14 * * FRI-MON")
        #expect(e?.field == .dayOfWeek)
        #expect(e?.token == "FRI-MON")
        #expect(e?.errorDescription == "invalid cron expression '0 14 * * FRI-MON': day-of-week field: range 'FRI-MON' goes backwards (5 > 1)")

        let cases: [(String, CronField?, String?, String)] = [
            ("0 14 * *", nil, nil, "expected 5 fields"),
            ("0 0 14 * * *", nil, nil, "found 6"),
            ("", nil, nil, "empty"),
            ("60 * * * *", .minute, "60", "'60' is out of range (0-59)"),
            ("0 24 * * *", .hour, "24", "out of range (0-23)"),
            ("0 0 0 * *", .dayOfMonth, "0", "out of range (1-31)"),
            ("0 0 * 13 *", .month, "13", "out of range (1-12)"),
            ("0 0 * * 8", .dayOfWeek, "8", "out of range (0-7)"),
            ("0 1-30 * * *", .hour, "1-30", "'30' in '1-30' is out of range"),
            ("*/0 * * * *", .minute, "*/0", "step 0 in '*/0' must be at least 1"),
            ("*/x * * * *", .minute, "*/x", "step 'x' in '*/x' is not a number"),
            ("*/ * * * *", .minute, "*/", "missing step"),
            ("1,,2 * * * *", .minute, "1,,2", "empty item in list '1,,2'"),
            ("1, * * * *", .minute, "1,", "empty item"),
            ("0 0 * FOO *", .month, "FOO", "unknown name 'FOO'"),
            ("0 0 * * FUN", .dayOfWeek, "FUN", "unknown name 'FUN'"),
            ("0 0 * * MONDAY", .dayOfWeek, "MONDAY", "unknown name"),
            ("0 0 * JAN-FOO *", .month, "FOO", "unknown name 'FOO' in 'JAN-FOO'"),
            ("a * * * *", .minute, "a", "'a' is not a number"),
            ("0 0 L * *", .dayOfMonth, "L", "Quartz syntax"),
            ("0 0 ? * 1", .dayOfMonth, "?", "Quartz syntax"),
            ("0 0 * * 1#2", .dayOfWeek, "1#2", "unknown name"),
            ("1-2-3 * * * *", .minute, "1-2-3", "more than one '-'"),
            ("-5 * * * *", .minute, "-5", "missing start of range"),
            ("5- * * * *", .minute, "5-", "missing end of range"),
            ("/5 * * * *", .minute, "/5", "missing value before '/'"),
            ("9999999999 * * * *", .minute, "9999999999", "out of range"),
            ("*/9999999999 * * * *", .minute, "*/9999999999", "too large"),
            ("0 0 $ * *", .dayOfMonth, "$", "only understood by pg_cron"),
            ("@Daily", nil, "@Daily", "lower case"),
            ("@fortnightly", nil, "@fortnightly", "unknown shortcut"),
            ("@daily extra", nil, "extra", "nothing may follow"),
            ("30 seconds", nil, "30 seconds", "only understood by pg_cron"),
            ("CRON_TZ=UTC 0 0 * * *", nil, "CRON_TZ=UTC", "only understood by QStash"),
        ]
        for (expr, field, token, fragment) in cases {
            guard let error = parseError(expr) else {
                Issue.record("'\(expr)' was accepted")
                continue
            }
            #expect(error.field == field, "\(expr)")
            #expect(error.token == token, "\(expr)")
            #expect(error.reason.contains(fragment), "\(expr): \(error.reason)")
            #expect(error.errorDescription?.hasPrefix("invalid cron expression '\(expr)': ") == true)
            if let field {
                #expect(error.errorDescription?.contains("\(field.rawValue) field: ") == true, "\(expr)")
            }
        }
    }
}
