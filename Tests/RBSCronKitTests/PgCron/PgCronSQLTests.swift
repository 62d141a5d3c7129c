import Foundation
import Testing
@testable import RBSCronKit

/// The generated text itself, without a server.
@Suite("pg_cron SQL generation")
struct PgCronSQLTests {
    static let now = Date(timeIntervalSince1970: 1_775_822_400)  // 2026-04-10T12:00:00Z
    static let baul = App(name: "baul", displayName: "Baúl", baseURL: "https://baul.example.test", platform: .vercel,
                          supabase: SupabaseProject(url: "https://xyz.supabase.co", projectRef: "xyz"))

    static func http(_ name: String, app: String = "baul", schedule: String? = "0 * * * *", method: HTTPMethod = .POST,
                     auth: AuthKind = .cronSecret, timeoutMs: Int = 10_000, timezone: String = "UTC",
                     layer: Layer = .pgCron, enabled: Bool = true, path: String? = nil) -> Job {
        Job(app: app, name: name, path: path ?? "/api/cron/\(name)", method: method, layer: layer, schedule: schedule,
            timezone: timezone, auth: auth, timeoutMs: timeoutMs, enabled: enabled)
    }

    // MARK: quoting

    @Test("dollar tags avoid the text, including a text that ends where the tag would close early")
    func dollarTags() {
        #expect(SQLText.dollarTag(for: "SELECT 1") == "$rbs$")
        #expect(SQLText.dollarTag(for: "SELECT $$x$$") == "$rbs$")
        #expect(SQLText.dollarTag(for: "SELECT '$rbs$'") == "$rbs1$")
        #expect(SQLText.dollarTag(for: "SELECT '$rbs$ $rbs1$'") == "$rbs2$")
        // "…$rbs" + "$rbs$" would contain "$rbs$" one position early.
        #expect(SQLText.dollarTag(for: "SELECT 1 -- $rbs") == "$rbs1$")
        #expect(SQLText.dollarTag(for: "SELECT 1 -- $") == "$rbs$")
        // A combining mark after the tag hides it from Character comparison, not from PostgreSQL.
        #expect(SQLText.dollarTag(for: "SELECT '$rbs$\u{301}'") == "$rbs1$")
        #expect(SQLText.dollarQuoted("a$rbs$b") == "$rbs1$a$rbs$b$rbs1$")
    }

    @Test("literals double single quotes; backslashes switch to dollar quoting")
    func literals() {
        #expect(SQLText.literal("o'brien") == "'o''brien'")
        #expect(SQLText.literal("") == "''")
        #expect(SQLText.literal("a\\b") == "$lit$a\\b$lit$")
        #expect(SQLText.textArray([]) == "ARRAY[]::text[]")
        #expect(SQLText.textArray(["a", "b'c"]) == "ARRAY['a', 'b''c']::text[]")
        #expect(SQLText.comment("two\nlines\r\nhere") == "two lines here")
    }

    // MARK: names

    @Test("file names, vault names and job names")
    func names() {
        #expect(PgCronSQL.keepAliveFileName(now: Self.now) == "supabase/migrations/20260410120000_rbscron_keep_alive.sql")
        #expect(PgCronSQL.scheduleFileName(app: "la-hoja", now: Self.now)
                == "supabase/migrations/20260410120000_rbscron_pg_cron_la_hoja.sql")
        #expect(PgCronSQL.migrationTimestamp(Date(timeIntervalSince1970: 0)) == "19700101000000")
        #expect(PgCronSQL.vaultBaseURLName(app: "la-hoja") == "rbscron_la_hoja_base_url")
        #expect(PgCronSQL.vaultCronSecretName(app: "la-hoja") == "rbscron_la_hoja_cron_secret")
        #expect(ScheduleID.of(app: "la-hoja", job: "dispatcher") == "rbs-la-hoja-dispatcher")
    }

    // MARK: keep-alive

    @Test("keep-alive migration: header names the app and file, body is the seed pattern")
    func keepAlive() {
        let sql = PgCronSQL.keepAliveMigration(app: Self.baul, now: Self.now)
        #expect(sql.hasPrefix("-- rbscron keep-alive migration for Baúl (baul)\n"))
        #expect(sql.contains("-- Supabase project: xyz https://xyz.supabase.co\n"))
        #expect(sql.contains("-- Suggested file: supabase/migrations/20260410120000_rbscron_keep_alive.sql\n"))
        for line in [
            "CREATE EXTENSION IF NOT EXISTS pg_cron;",
            "GRANT USAGE ON SCHEMA cron TO postgres;",
            "CREATE OR REPLACE FUNCTION keep_alive() RETURNS void LANGUAGE sql AS $$ SELECT 1; $$;",
            "SELECT cron.schedule('keep-alive-ping', '0 12 */3 * *', 'SELECT keep_alive()');",
            "DELETE FROM cron.job_run_details WHERE end_time < NOW() - INTERVAL '7 days';",
            "SELECT cron.schedule('cleanup-cron-history', '0 3 * * 0', 'SELECT cleanup_cron_history()');",
        ] {
            #expect(sql.contains(line + "\n"), "missing: \(line)")
        }
        // A display name cannot break out of the comment.
        var evil = Self.baul
        evil.displayName = "Baúl\nDROP TABLE x;"
        evil.supabase = nil
        let text = PgCronSQL.keepAliveMigration(app: evil, now: Self.now)
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("DROP") })
        #expect(!text.contains("Supabase project:"))
    }

    // MARK: schedule

    @Test("only this app's enabled pg_cron jobs are scheduled, plus the collector and the weekly cleanup")
    func selection() throws {
        let jobs = [
            Self.http("a"),
            Self.http("b", enabled: false),
            Self.http("c", layer: .vercel),
            Self.http("d", app: "camino"),
            Job(app: "baul", name: "keep-alive-ping", path: nil, sql: "SELECT keep_alive()", layer: .pgCron,
                schedule: "0 12 */3 * *", auth: .none),
        ]
        let m = try PgCronSQL.scheduleMigration(app: Self.baul, jobs: jobs, previouslyScheduled: nil, now: Self.now)
        #expect(m.jobNames == ["rbs-baul-a", "rbs-baul-keep-alive-ping", "rbs-baul-collect", "rbs-baul-cleanup-cron-history"])
        #expect(m.fileName == "supabase/migrations/20260410120000_rbscron_pg_cron_baul.sql")
        #expect(m.unscheduledJobNames.isEmpty)
        // Each HTTP job passes its own name, so its fires are recorded against it.
        #expect(m.sql.contains("SELECT cron.schedule('rbs-baul-a', '0 * * * *', $rbs$/* rbscron:baul */ SELECT rbscron.invoke_cron_endpoint('/api/cron/a', 'POST', 10000, 'rbs-baul-a')$rbs$);"))
        #expect(m.sql.contains("SELECT cron.schedule('rbs-baul-collect', '*/5 * * * *', $rbs$/* rbscron:baul */ SELECT rbscron.collect_http_responses()$rbs$);"))
        #expect(m.sql.contains("ARRAY['rbs-baul-a', 'rbs-baul-keep-alive-ping', 'rbs-baul-collect', 'rbs-baul-cleanup-cron-history']::text[]"))
        // The job calls keep_alive(): the migration creates it, so the job cannot fail for want of it.
        #expect(m.sql.contains("CREATE OR REPLACE FUNCTION public.keep_alive() RETURNS void LANGUAGE sql AS $$ SELECT 1; $$;"))
        #expect(!m.sql.contains("rbs-baul-b'"))
        #expect(!m.sql.contains("/api/cron/c'"))
    }

    @Test("the inventory's own cleanup-cron-history replaces the built-in one, even when disabled")
    func cleanupCollision() throws {
        let own = Job(app: "baul", name: "cleanup-cron-history", path: nil, sql: "SELECT cleanup_cron_history()",
                      layer: .pgCron, schedule: "0 4 * * 0", auth: .none)
        let m = try PgCronSQL.scheduleMigration(app: Self.baul, jobs: [own], previouslyScheduled: nil, now: Self.now)
        #expect(m.jobNames == ["rbs-baul-cleanup-cron-history"])
        #expect(m.sql.contains("'rbs-baul-cleanup-cron-history', '0 4 * * 0', $rbs$/* rbscron:baul */ SELECT cleanup_cron_history()$rbs$"))
        var disabled = own
        disabled.enabled = false
        let none = try PgCronSQL.scheduleMigration(app: Self.baul, jobs: [disabled], previouslyScheduled: nil, now: Self.now)
        #expect(none.jobNames.isEmpty)
        #expect(none.sql.contains("ARRAY[]::text[]"), "an empty inventory sweeps every rbs-baul- job")
    }

    @Test("SQL-only migrations need neither pg_net nor Vault")
    func sqlOnly() throws {
        let m = try PgCronSQL.scheduleMigration(app: Self.baul, jobs: [], previouslyScheduled: nil, now: Self.now)
        #expect(!m.sql.contains("invoke_cron_endpoint"))
        #expect(!m.sql.contains("vault."))
        #expect(!m.sql.contains("net."))
        let h = try PgCronSQL.scheduleMigration(app: Self.baul, jobs: [Self.http("a")], previouslyScheduled: nil, now: Self.now)
        #expect(h.sql.contains("CREATE OR REPLACE FUNCTION rbscron.invoke_cron_endpoint(path text, method text, timeout_ms int)"))
        #expect(h.sql.contains("WHERE s.name = 'rbscron_baul_cron_secret'"))
        #expect(h.sql.contains("--   rbscron_baul_base_url "))
        #expect(h.sql.contains("select vault.create_secret('https://baul.example.test', 'rbscron_baul_base_url');"))
        #expect(h.sql.contains("timeout_milliseconds := v_timeout"))
        #expect(h.sql.contains("LEAST(GREATEST(coalesce(timeout_ms, 14000), 1), 14000)"))
    }

    @Test("no bearer token is ever written: only the concatenation with the vault value")
    func noInlineToken() throws {
        let m = try PgCronSQL.scheduleMigration(app: Self.baul, jobs: [Self.http("a"), Self.http("g", method: .GET)],
                                                previouslyScheduled: nil, now: Self.now)
        let bearer = try Regex("Bearer [A-Za-z0-9_\\-\\.]")
        #expect(m.sql.firstMatch(of: bearer) == nil)
        #expect(m.sql.contains("'Authorization', 'Bearer ' || v_token"))
    }

    @Test("local-time jobs become exact UTC entries, or a warning where DST makes that impossible; long timeouts are capped")
    func warnings() throws {
        let jobs = [
            Self.http("mx", schedule: "30 23 * * 1-5", timezone: "America/Mexico_City"),
            Self.http("ny", schedule: "0 9 * * *", timezone: "America/New_York"),
            Self.http("utc", timezone: "Etc/UTC"),
            Self.http("slow", timeoutMs: 60_000),
        ]
        let m = try PgCronSQL.scheduleMigration(app: Self.baul, jobs: jobs, previouslyScheduled: nil, now: Self.now)
        // Mexico City has no DST: 23:30 Mon–Fri local is 05:30 Tue–Sat UTC, one exact entry.
        #expect(m.sql.contains("SELECT cron.schedule('rbs-baul-mx', '30 5 * * 2-6'"))
        #expect(m.sql.contains("baul/mx is meant as '30 23 * * 1-5' in America/Mexico_City; pg_cron fires in cron.timezone (GMT on Supabase), so it runs as this UTC entry"))
        #expect(m.sql.contains("-- WARNING: baul/ny is meant in America/New_York, but pg_cron fires in cron.timezone (GMT on Supabase) and no fixed UTC entries fire at the same instants all year (see `rbscron schedule check`); '0 9 * * *' is emitted unchanged.\nSELECT cron.schedule('rbs-baul-ny'"))
        #expect(!m.sql.contains("baul/utc is meant"))
        #expect(m.sql.contains("-- baul/slow: timeout 1m capped at 14s to stay under the 15 s EarlyDrop limit."))
        #expect(m.sql.contains("invoke_cron_endpoint('/api/cron/slow', 'POST', 14000, 'rbs-baul-slow')"))
        // The entries say the same to the plan: the exact compile as a note, the impossible one as a warning.
        #expect(m.entries.first { $0.jobName == "rbs-baul-mx" }?.note?.hasPrefix("meant as '30 23 * * 1-5' in America/Mexico_City") == true)
        #expect(m.entries.first { $0.jobName == "rbs-baul-ny" }?.note?.hasPrefix("WARNING: meant in America/New_York") == true)
    }

    @Test("previously scheduled names become the plan's removals, only for this app's prefix")
    func previouslyScheduled() throws {
        let m = try PgCronSQL.scheduleMigration(
            app: Self.baul, jobs: [Self.http("a")],
            previouslyScheduled: ["rbs-baul-a", "rbs-baul-old", "keep-alive-ping", "rbs-camino-x"], now: Self.now)
        #expect(m.unscheduledJobNames == ["rbs-baul-old"])
        #expect(m.sql.contains("-- Unscheduled: rbs-baul-old\n"))
    }

    @Test("jobs pg_cron cannot run are refused with a reason")
    func errors() throws {
        func attempt(_ jobs: [Job], app: App = Self.baul) -> PgCronSQLError? {
            do {
                _ = try PgCronSQL.scheduleMigration(app: app, jobs: jobs, previouslyScheduled: nil, now: Self.now)
                return nil
            } catch let error as PgCronSQLError {
                return error
            } catch {
                return nil
            }
        }
        let ref = JobRef(app: "baul", job: "a")
        #expect(attempt([Self.http("a", schedule: nil)]) == .missingSchedule(ref))
        #expect(attempt([Self.http("a", schedule: "  ")]) == .missingSchedule(ref))
        #expect(attempt([Self.http("a", method: .DELETE)]) == .unsupportedMethod(ref, .DELETE))
        #expect(attempt([Self.http("a", auth: .qstash)]) == .unsupportedAuth(ref, .qstash))
        #expect(attempt([Self.http("a", timeoutMs: 0)]) == .invalidTimeout(ref, milliseconds: 0))
        #expect(attempt([Self.http("a", path: "api/x")]) == .invalidPath(ref, path: "api/x"))
        #expect(attempt([Job(app: "baul", name: "a", path: nil, layer: .pgCron, schedule: "0 * * * *")]) == .missingCommand(ref))
        #expect(attempt([Self.http("a"), Self.http("a", layer: .vercel)]) == .duplicateJob(ref))
        #expect(attempt([Self.http("Bad'Name")]) == .invalidName("Bad'Name"))
        var badApp = Self.baul
        badApp.name = "x'; DROP"
        #expect(attempt([], app: badApp) == .invalidName("x'; DROP"))
        let long = String(repeating: "j", count: 60)
        #expect(attempt([Self.http(long)]) == .jobNameTooLong(jobName: "rbs-baul-\(long)"))
        // Disabled or other-layer jobs are not checked: they are not scheduled.
        #expect(attempt([Self.http("a", schedule: nil, enabled: false)]) == nil)
        #expect(PgCronSQLError.missingSchedule(ref).errorDescription?.contains("baul/a") == true)
    }
}
