import Foundation
import Testing
@testable import RBSCronKit

/// What pg_cron and Debian's Vixie cron really accept, pinned against their behaviour.
///
/// Evidence, besides the sources named in each test:
/// - pg_cron 1.4.2 (Debian 12's postgresql-15-cron, extversion 1.4-1), asked with
///   `SELECT cron.schedule(…)`: accepts `@restart`, `*/60 10 * * *`, `0000005 * * * *`,
///   `0 0 * JAN mOn`; refuses `@REBOOT`, `30 seconds`, `0 0 $ * *`, `1/5 * * * *` and any
///   schedule of 1000 characters or more.
/// - Debian cron 3.0pl1-162, asked with its `crontab FILE`: accepts `0000005 * * * *`,
///   numbers of up to 999 characters, `*/60 10 * * *` and steps up to 2147483647; refuses
///   `@restart`, `@Daily` and a 1000-character number.
struct CronPgCronCompatibilityTests {
    /// pg_cron's entry.c (since 1.3.0, commit 3c7318c "Accept restart as an alias for reboot"):
    /// `if (!strcmp("reboot", cmd) || !strcmp("restart", cmd)) e->flags |= WHEN_REBOOT;`.
    /// rbscron accepts `@reboot` in the pg_cron dialect as a job with no fire times; `@restart`
    /// must be exactly that. Vixie cron (Debian, cronie) knows only `@reboot`.
    @Test func pgCronRestartIsReboot() throws {
        let reboot = try CronSchedule.parse("@reboot", dialect: .pgCron)
        let restart = try CronSchedule.parse("@restart", dialect: .pgCron)
        #expect(restart.kind == reboot.kind)
        #expect(restart.neverFires && restart.neverMatches)
        #expect(restart.next(after: instant("2024-05-01 00:00"), in: TZ.utc) == nil)
        #expect(restart.minimumIntervalSeconds == nil)
        #expect(restart.intervalSeconds == nil)
        #expect(!restart.isWildcardTime)
        #expect(restart.englishDescription == reboot.englishDescription)
        #expect(UTCCompiler.compile(schedule: restart, zone: TZ.zone("Europe/Berlin")) == .unsupported("@reboot has no fire times"))

        // Like every shortcut, it is compared with strcmp: lower case only.
        #expect(parseError("@RESTART", dialect: .pgCron)?.reason.contains("lower case") == true)
        #expect(parseError("@restart now", dialect: .pgCron)?.reason.contains("nothing may follow") == true)
        // Vixie cron refuses it; the message points at the pg_cron meaning.
        let vixie = parseError("@restart")
        #expect(vixie?.token == "@restart")
        #expect(vixie?.reason.contains("unknown shortcut '@restart'") == true, "\(vixie?.reason ?? "")")
        #expect(vixie?.reason.contains("pg_cron") == true, "\(vixie?.reason ?? "")")
    }

    /// pg_cron does not lower-case the whole schedule: job_metadata.c's TryParseInterval
    /// lower-cases only its own copy (`asc_tolower`) before `sscanf(" %u secon%c%c %c")`, so
    /// the interval's unit may be in any case. The five-field form goes through entry.c, where
    /// month and day names are compared with `strcasecmp` (any case, as in Debian's and
    /// cronie's entry.c) and shortcuts with `strcmp` (lower case only, as in Vixie cron).
    @Test func pgCronSecondsAndNamesInAnyCase() throws {
        for text in ["30 SECONDS", "30 sEcOnDs", "30 Seconds", " 30\tseconds "] {
            let s = try CronSchedule.parse(text, dialect: .pgCron)
            #expect(s.intervalSeconds == 30, "\(text)")
            #expect(s.englishDescription == "Every 30 seconds", "\(text)")
        }
        #expect(try CronSchedule.parse("1 SECOND", dialect: .pgCron).intervalSeconds == 1)
        #expect(try CronSchedule.parse("0030 SECONDS", dialect: .pgCron).intervalSeconds == 30)
        #expect(parseError("60 SECONDS", dialect: .pgCron)?.reason.contains("1 to 59") == true)
        // Other dialects still refuse intervals, whatever the case, and say why.
        #expect(parseError("30 SECONDS")?.reason == "'30 SECONDS' intervals are only understood by pg_cron")
        #expect(parseError("30 Seconds", dialect: .vercel)?.reason.contains("only understood by pg_cron") == true)

        // Names: any case in both dialects, and the same fires.
        let start = instant("2024-01-01 00:00")
        for dialect in [CronDialect.vixie, .pgCron] {
            let mixed = try CronSchedule.parse("0 0 * JAN,feB mOn-Fri", dialect: dialect)
            let numbers = try CronSchedule.parse("0 0 * 1,2 1-5", dialect: dialect)
            #expect(mixed.nextFires(after: start, in: TZ.utc, count: 60) == numbers.nextFires(after: start, in: TZ.utc, count: 60))
            // Shortcuts: lower case only.
            #expect(parseError("@DAILY", dialect: dialect)?.reason.contains("lower case") == true)
        }
    }

    /// pg_cron's get_range refuses a step larger than the field's maximum
    /// (`num3 < 0 || num3 > high`), added in pg_cron 1.6.5 (commit 5c10a8a, "Fix possible
    /// buffer underflow issue in cron parsing"). Older pg_cron (1.4.2 here) accepts them, but
    /// a job stored with one stops loading after an upgrade to 1.6.5, so rbscron refuses them
    /// for every pg_cron version. Such a step only ever selects the range's first value.
    ///
    /// Vixie cron accepts them: Debian's crontab installs `*/60 10 * * *`, cronie only prints
    /// "Step size … higher than possible maximum" (entry.c, 2023) and keeps the entry. Vercel
    /// and QStash publish nothing either way, so those dialects are left as they were (accepted).
    @Test func pgCronRefusesStepsAboveTheFieldMaximum() throws {
        let cases: [(String, CronField, String, String)] = [
            ("*/60 10 * * *", .minute, "*/60", "'0'"),
            ("* */24 * * *", .hour, "*/24", "'0'"),
            ("* * */32 * *", .dayOfMonth, "*/32", "'1'"),
            ("* * * */13 *", .month, "*/13", "'1'"),
            ("* * * * */8", .dayOfWeek, "*/8", "'0'"),
            ("10-50/60 * * * *", .minute, "10-50/60", "'10'"),
            ("0 0 * * 1,*/08", .dayOfWeek, "*/08", "'0'"),
        ]
        for (expr, field, token, single) in cases {
            let e = parseError(expr, dialect: .pgCron)
            #expect(e?.field == field, "\(expr)")
            #expect(e?.token == token, "\(expr)")
            #expect(e?.reason.contains("larger than") == true, "\(expr): \(e?.reason ?? "")")
            #expect(e?.reason.contains("write \(single)") == true, "\(expr): \(e?.reason ?? "")")
            #expect(e?.errorDescription?.contains("\(field.rawValue) field: ") == true, "\(expr)")
            // Vixie cron reads the step as selecting the first value only.
            #expect(parseError(expr) == nil, "\(expr) refused by vixie")
        }
        #expect(try fires("*/60 10 * * *", from: "2024-05-01 00:00", count: 2) == ["2024-05-01 10:00+00:00", "2024-05-02 10:00+00:00"])
        #expect(parseError("*/60 10 * * *", dialect: .qstash) == nil)
        // The field's maximum itself is a valid step.
        for expr in ["*/59 * * * *", "0 */23 * * *", "0 0 */31 * *", "0 0 1 */12 *", "0 0 * * */7"] {
            #expect(parseError(expr, dialect: .pgCron) == nil, "\(expr)")
        }
    }

    /// pg_cron's entry.c reads `$` only as the whole day-of-month field: when the field starts
    /// with `$`, the next character must be a blank (`if (!Is_Blank(ch)) goto eof`); anywhere
    /// else `$` is not a digit or name and get_number fails. So `$,15`, `15,$`, `$-3`, `$/2`
    /// are refused. Vixie cron has no `$` at all.
    @Test func pgCronDollarOnlyAloneInItsField() throws {
        for (expr, token) in [("0 0 $,15 * *", "$,15"), ("0 0 15,$ * *", "15,$"), ("0 0 $-3 * *", "$-3"),
                              ("0 0 $/2 * *", "$/2"), ("0 0 1-$ * *", "1-$"), ("0 0 $$ * *", "$$")] {
            let e = parseError(expr, dialect: .pgCron)
            #expect(e?.field == .dayOfMonth, "\(expr)")
            #expect(e?.token == token, "\(expr)")
            #expect(e?.reason.contains("only alone") == true, "\(expr): \(e?.reason ?? "")")
        }
        #expect(try fires("0 12 $ * *", from: "2024-04-16 00:00", count: 2, dialect: .pgCron) == ["2024-04-30 12:00+00:00", "2024-05-31 12:00+00:00"])
        #expect(parseError("0 0 $ * 1", dialect: .pgCron) == nil)
        #expect(parseError("0 $ * * *", dialect: .pgCron)?.field == .hour)
        #expect(parseError("0 0 $,15 * *")?.reason.contains("only understood by pg_cron") == true)
    }

    /// The UTC translation of a pg_cron schedule whose day 1 moves to the previous day used to
    /// produce `14,$`, which pg_cron refuses: the days and `$` now go in separate entries, or
    /// the translation is refused when the day-of-week field would make them fire twice.
    @Test func pgCronUTCEntriesKeepDollarAlone() throws {
        let from = instant("2026-01-01 00:00")
        let kolkata = TZ.zone("Asia/Kolkata")
        let schedule = try CronSchedule.parse("0 2 1,15 * *", dialect: .pgCron)
        let result = UTCCompiler.compile(schedule: schedule, zone: kolkata, from: from)
        #expect(result == .exact(["30 20 14 * *", "30 20 $ * *"]))
        if case .exact(let entries) = result {
            let to = from.addingTimeInterval(366 * 86_400)
            var utc: [Date] = []
            for entry in entries { utc += try CronSchedule.parse(entry, dialect: .pgCron).fires(from: from, to: to, in: TZ.utc) }
            #expect(utc.sorted() == schedule.fires(from: from, to: to, in: kolkata))
        }
        let withWeekday = try CronSchedule.parse("0 2 1,15 * 3", dialect: .pgCron)
        guard case .unsupported(let why) = UTCCompiler.compile(schedule: withWeekday, zone: kolkata, from: from) else {
            Issue.record("expected a refusal"); return
        }
        #expect(why.contains("'$'"), "\(why)")
    }

    /// Debian's get_number collects up to MAX_TEMPSTR - 1 = 999 characters and reads them with
    /// atoi, so leading zeros are fine in every field and in steps: its crontab installs
    /// `0000005 * * * *`, `5 0000010 00000031 000012 0000007`, `*/0000015`, `0-0000030/0000010`
    /// and a 999-character minute, and refuses a 1000-character one. pg_cron's entry.c is the
    /// same code (MAX_TEMPSTR 1000; pg_cron 1.4.2 installs `0000005 * * * *`), but refuses a
    /// whole schedule of 1000 bytes or more (MAX_FILE_BUFFER_LENGTH).
    /// Steps: Debian takes any step up to 2147483647 (INT_MAX); rbscron does too, but not the
    /// larger ones atoi wraps around (Debian reads `*/4294967297` as `*/1`).
    @Test func leadingZerosAsDebianCronReadsThem() throws {
        #expect(try fires("0000005 * * * *", from: "2024-05-01 10:00", count: 2) == ["2024-05-01 10:05+00:00", "2024-05-01 11:05+00:00"])
        let padded = try CronSchedule.parse("5 0000010 00000031 000012 0000007")
        let plain = try CronSchedule.parse("5 10 31 12 7")
        let start = instant("2024-01-01 00:00")
        #expect(padded.nextFires(after: start, in: TZ.utc, count: 20) == plain.nextFires(after: start, in: TZ.utc, count: 20))
        #expect(try fires("*/0000015 * * * *", from: "2024-05-01 10:00", count: 2) == ["2024-05-01 10:15+00:00", "2024-05-01 10:30+00:00"])
        #expect(try fires("0-0000030/0000010 * * * *", from: "2024-05-01 10:00", count: 3) == ["2024-05-01 10:10+00:00", "2024-05-01 10:20+00:00", "2024-05-01 10:30+00:00"])
        #expect(try CronSchedule.parse("0000005 * * * *").englishDescription == "At minute 5 past every hour")
        #expect(try fires("0 0 1 JAN-00012 *", from: "2024-05-01 10:00", count: 1) == ["2024-06-01 00:00+00:00"])

        // Up to 999 characters; longer is refused cleanly, naming the field.
        let longest = String(repeating: "0", count: 998) + "5"
        #expect(try fires(longest + " * * * *", from: "2024-05-01 10:00", count: 1) == ["2024-05-01 10:05+00:00"])
        let tooLong = String(repeating: "0", count: 999) + "5"
        let e = parseError("0 " + tooLong + " * * *")
        #expect(e?.field == .hour)
        #expect(e?.token == tooLong)
        #expect(e?.reason.contains("too long") == true, "\(e?.reason ?? "")")
        #expect(e?.reason.contains("1000 characters") == true, "\(e?.reason ?? "")")
        let huge = String(repeating: "7", count: 10_000)
        for expr in [huge + " * * * *", "*/" + huge + " * * * *", "1-" + huge + " * * * *", "0 0 * * " + huge] {
            let e = parseError(expr)
            #expect(e != nil, "a 10,000-digit number was accepted")
            #expect(e?.reason.contains("too long") == true)
            #expect((e?.reason.count ?? .max) < 200, "the reason quotes the whole number")
        }
        // Zeros do not hide a value out of range.
        #expect(parseError("00060 * * * *")?.reason == "'00060' is out of range (0-59)")
        #expect(parseError("0 0 * * 0008")?.reason.contains("out of range (0-7)") == true)
        #expect(parseError("0 0 00 * *")?.reason.contains("out of range (1-31)") == true)

        // Steps up to INT_MAX, as Debian's crontab accepts them; each selects only the first value.
        #expect(try fires("*/2147483647 * * * *", from: "2024-05-01 10:00", count: 1) == ["2024-05-01 11:00+00:00"])
        #expect(parseError("*/2147483648 * * * *")?.reason.contains("too large") == true)
        #expect(try CronSchedule.parse("*/100 * * * *").englishDescription == "Every hour")
        #expect(try CronSchedule.parse("0 */0006 * * *").englishDescription == "At minute 0, every 6 hours")

        // pg_cron reads numbers the same way, but not a schedule of 1000 characters or more.
        #expect(try CronSchedule.parse("0000005 * * * *", dialect: .pgCron).nextFires(after: start, in: TZ.utc, count: 1)
            == [instant("2024-01-01 00:05")])
        let almost = String(repeating: "0", count: 990) + "5 * * * *"  // 999 characters
        #expect(parseError(almost, dialect: .pgCron) == nil)
        let limit = parseError("0" + almost, dialect: .pgCron)
        #expect(limit?.field == nil)
        #expect(limit?.reason.contains("1000 bytes or more") == true, "\(limit?.reason ?? "")")
        #expect(parseError("0" + almost) == nil, "Vixie cron has no such limit")
    }
}
