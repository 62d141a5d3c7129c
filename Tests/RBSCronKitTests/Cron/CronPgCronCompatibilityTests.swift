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
}
