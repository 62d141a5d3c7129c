import Foundation
import Testing
@testable import RBSCronKit

/// pg_cron's schedule syntax grew over its releases (its CHANGELOG.md and git history):
/// - `@restart`: 1.3.0 (commit 3c7318c, 2020-09-18, "Accept restart as an alias for reboot");
/// - `N seconds`: 1.5.0 (commit c15004f, 2023-02-04, "Add possibility to schedule jobs by
///   interval in seconds"; CHANGELOG 1.5.0: "Adds the possibility of scheduling a job with a
///   1-59 second interval");
/// - `$`: 1.6.0 (commit 956c07a, 2023-05-31, "add possibility to schedule jobs on the last day
///   of month"; CHANGELOG 1.6.0: "Adds scheduling on the last day of the month").
/// pg_cron 1.4.2 (Debian 12) refuses `30 seconds` and `0 0 $ * *` when asked.
struct CronPgCronVersionTests {
    @Test func parsesAndPrintsVersions() throws {
        #expect(PgCronVersion("1.6") == PgCronVersion(major: 1, minor: 6))
        #expect(PgCronVersion("1.6.4") == PgCronVersion(major: 1, minor: 6, patch: 4))
        #expect(PgCronVersion(" v1.6.7 ") == PgCronVersion(major: 1, minor: 6, patch: 7))
        // What `SELECT extversion FROM pg_extension` reports for pg_cron 1.4.2.
        #expect(PgCronVersion("1.4-1") == PgCronVersion(major: 1, minor: 4))
        for bad in ["", "1", "1.", ".6", "1.6.", "1.6.4.2", "a.b", "1.x", "-1.6", "1.-6", "1.6-", "1.6.4-1", "1 .6", "٣.٦", "99999999999999999999.1"] {
            #expect(PgCronVersion(bad) == nil, "'\(bad)'")
        }
        #expect(PgCronVersion.supabase.description == "1.6")
        #expect(PgCronVersion.debian.description == "1.4")
        #expect(PgCronVersion(major: 1, minor: 6, patch: 4).description == "1.6.4")
        #expect("\(PgCronVersion.supabase)" == "1.6")
        for text in ["1.4", "1.6.4", "2.0"] { #expect(PgCronVersion(text).map(String.init(describing:)) == text) }
    }

    @Test func ordersVersions() {
        let v = { (s: String) in PgCronVersion(s) ?? PgCronVersion(major: 0, minor: 0) }
        #expect(v("1.4") < v("1.5"))
        #expect(v("1.5") < v("1.6"))
        #expect(v("1.6") < v("1.6.4"))
        #expect(v("1.6.4") < v("1.10"))
        #expect(v("1.10") < v("2.0"))
        #expect(!(v("1.6.0") < v("1.6")))
        #expect(PgCronVersion.debian < PgCronVersion.supabase)
        #expect([v("1.6"), v("1.4"), v("1.5.2")].sorted().map(\.description) == ["1.4", "1.5.2", "1.6"])
    }

    @Test func codesAsItsText() throws {
        struct Box: Codable, Equatable { var version: PgCronVersion }
        let data = try JSONEncoder().encode(Box(version: PgCronVersion(major: 1, minor: 6, patch: 4)))
        #expect(String(decoding: data, as: UTF8.self) == #"{"version":"1.6.4"}"#)
        #expect(try JSONDecoder().decode(Box.self, from: data) == Box(version: PgCronVersion(major: 1, minor: 6, patch: 4)))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Box.self, from: Data(#"{"version":"1.x"}"#.utf8)) }
    }

    @Test func secondsNeedPgCron15() throws {
        let old = parseError("30 seconds", dialect: .pgCron, pgCronVersion: .debian)
        #expect(old?.reason == "'30 seconds' needs pg_cron 1.5 or later; this project runs pg_cron 1.4")
        #expect(old?.token == "30 seconds")
        #expect(old?.field == nil)
        #expect(parseError("1 SECOND", dialect: .pgCron, pgCronVersion: .debian)?.reason.contains("needs pg_cron 1.5 or later") == true)
        for version in ["1.5", "1.5.2", "1.6", "1.6.4"] {
            let s = try CronSchedule.parse("30 seconds", dialect: .pgCron, pgCronVersion: #require(PgCronVersion(version)))
            #expect(s.intervalSeconds == 30, "\(version)")
        }
    }

    @Test func lastDayNeedsPgCron16() throws {
        let v15 = try #require(PgCronVersion("1.5.2"))
        let old = parseError("0 12 $ * *", dialect: .pgCron, pgCronVersion: v15)
        #expect(old?.field == .dayOfMonth)
        #expect(old?.token == "$")
        #expect(old?.reason == "'$' (the last day of the month) needs pg_cron 1.6 or later; this project runs pg_cron 1.5.2")
        #expect(old?.errorDescription == "invalid cron expression '0 12 $ * *': day-of-month field: '$' (the last day of the month) needs pg_cron 1.6 or later; this project runs pg_cron 1.5.2")
        #expect(parseError("0 12 $ * *", dialect: .pgCron, pgCronVersion: .debian)?.reason.contains("this project runs pg_cron 1.4") == true)
        let s = try CronSchedule.parse("0 12 $ * *", dialect: .pgCron, pgCronVersion: .supabase)
        #expect(s.nextFires(after: instant("2024-02-01 00:00"), in: TZ.utc, count: 1) == [instant("2024-02-29 12:00")])
    }

    @Test func restartNeedsPgCron13() throws {
        let v12 = PgCronVersion(major: 1, minor: 2)
        #expect(parseError("@restart", dialect: .pgCron, pgCronVersion: v12)?.reason == "'@restart' needs pg_cron 1.3 or later; this project runs pg_cron 1.2; write '@reboot'")
        #expect(try CronSchedule.parse("@restart", dialect: .pgCron, pgCronVersion: .debian).neverFires)
        #expect(try CronSchedule.parse("@reboot", dialect: .pgCron, pgCronVersion: v12).neverFires)
    }

    /// The default is Supabase's 1.6, so callers that name no version keep today's behaviour;
    /// the other dialects ignore the version.
    @Test func defaultIsSupabaseAndOtherDialectsIgnoreIt() throws {
        #expect(try CronSchedule.parse("0 12 $ * *", dialect: .pgCron).pgCronVersion == .supabase)
        #expect(try CronSchedule.parse("30 seconds", dialect: .pgCron).intervalSeconds == 30)
        for dialect in [CronDialect.vixie, .vercel, .qstash] {
            let s = try CronSchedule.parse("0 9 * * 1", dialect: dialect, pgCronVersion: .debian)
            #expect(s.pgCronVersion == nil)
            #expect(s == (try CronSchedule.parse("0 9 * * 1", dialect: dialect)))
            #expect(parseError("0 0 $ * *", dialect: dialect, pgCronVersion: .debian)?.reason.contains("only understood by pg_cron") == true)
        }
        #expect(try CronSchedule.parse("0 9 * * 1", dialect: .pgCron, pgCronVersion: .debian).pgCronVersion == .debian)
    }

    /// The UTC entries for a pg_cron project only use what its version accepts: before 1.6 the
    /// day before the 1st cannot be written `$`, so such a translation is refused.
    @Test func utcEntriesRespectTheVersion() throws {
        let from = instant("2026-01-01 00:00")
        let kolkata = TZ.zone("Asia/Kolkata")
        let new = try CronSchedule.parse("0 2 1 * *", dialect: .pgCron)
        #expect(UTCCompiler.compile(schedule: new, zone: kolkata, from: from) == .exact(["30 20 $ * *"]))
        let old = try CronSchedule.parse("0 2 1 * *", dialect: .pgCron, pgCronVersion: .debian)
        guard case .unsupported(let why) = UTCCompiler.compile(schedule: old, zone: kolkata, from: from) else {
            Issue.record("expected a refusal for pg_cron 1.4"); return
        }
        #expect(why.contains("month boundary"), "\(why)")
        // What needs no `$` still compiles for 1.4.
        let daily = try CronSchedule.parse("0 9 * * *", dialect: .pgCron, pgCronVersion: .debian)
        #expect(UTCCompiler.compile(schedule: daily, zone: kolkata, from: from) == .exact(["30 3 * * *"]))
    }
}
