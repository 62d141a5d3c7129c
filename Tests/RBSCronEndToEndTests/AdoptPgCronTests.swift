import Foundation
import RBSCronTestSupport
import Testing

/// Taking over Camino's database as seed 000 describes it, on the real PostgreSQL + pg_cron + pg_net + Vault of
/// `scripts/pg-test-server.sh`: the copied keep-alive migration, `sync-constanza-invoices` with its bearer token
/// written into the command, and `voice-outbound` through an `invoke_cron_endpoint`-style function.
@Suite("schedule apply --adopt on pg_cron through the binary", .serialized,
       .enabled(if: PgTestDatabase.shouldRun, Comment(rawValue: PgTestDatabase.skipReason)))
struct AdoptPgCronTests {
    /// Seed 000's keep-alive pattern, "identical across all" seven projects.
    static let keepAliveMigration = """
        CREATE EXTENSION IF NOT EXISTS pg_cron;
        GRANT USAGE ON SCHEMA cron TO postgres;
        CREATE OR REPLACE FUNCTION keep_alive() RETURNS void LANGUAGE sql AS $$ SELECT 1; $$;
        SELECT cron.schedule('keep-alive-ping', '0 12 */3 * *', 'SELECT keep_alive()');
        -- Cleanup cron history weekly (prevents table bloat)
        CREATE OR REPLACE FUNCTION cleanup_cron_history() RETURNS void LANGUAGE sql AS $$
        DELETE FROM cron.job_run_details WHERE end_time < NOW() - INTERVAL '7 days';
        $$;
        SELECT cron.schedule('cleanup-cron-history', '0 3 * * 0', 'SELECT cleanup_cron_history()');
        """

    /// Camino's hand-written migration (20260102_setup_pg_cron.sql): the known gap, a bearer in cron.job.
    static func caminoMigration(bearer: String) -> String {
        """
        SELECT cron.schedule('sync-constanza-invoices', '0 */6 * * *', $cmd$
          SELECT net.http_post(
            url := 'https://camino.redbroomsoftware.com/api/cron/sync-constanza-invoices',
            headers := '{"Authorization": "Bearer \(bearer)", "Content-Type": "application/json"}'::jsonb,
            body := '{}'::jsonb)
        $cmd$);
        SELECT cron.schedule('voice-outbound', '*/15 15-23 * * 1-6',
          $cmd$SELECT invoke_cron_endpoint('/api/cron/voice-outbound', 'POST')$cmd$);
        SELECT cron.schedule('nightly-vacuum', '0 4 * * *', 'VACUUM');
        UPDATE cron.job SET active = false;
        """
    }

    /// The embedded inventory with Camino's Supabase project ref recorded (what an operator does first).
    func importWithProjectRef(_ rbs: RBSCronProcess) async throws {
        let exported = try await rbs.run(["export"])
        #expect(exported.status == 0, "\(exported.stderr)")
        var lines = exported.stdout.components(separatedBy: "\n")
        let camino = try #require(lines.firstIndex { $0.contains("name: camino") })
        let supabase = try #require(lines[camino...].firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("supabase:") })
        let indent = String(lines[supabase].prefix { $0 == " " })
        lines[supabase] = indent + "supabase: {project_ref: camino}"
        let file = rbs.home.appendingPathComponent("ecosystem.yaml")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let imported = try await rbs.run(["import", file.path])
        #expect(imported.status == 0, "\(imported.stderr)")
    }

    func jsonObject(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("Camino: adopted once each, the token gone from cron.job, critical until rotated, a second apply changes nothing",
          .timeLimit(.minutes(5)))
    func camino() async throws {
        let db = try await PgTestDatabase.open()
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let bearer = "camino-hardcoded-\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let accessToken = "sbp_adopt\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        try await db.exec(Self.keepAliveMigration)
        try await db.exec(Self.caminoMigration(bearer: bearer))
        let api = try PgCronBinaryTests.managementAPI(db: db, ref: "camino", token: accessToken)
        defer { api.stop() }
        let env = ["SUPABASE_API_URL": api.baseURL]
        try await importWithProjectRef(rbs)
        #expect(try await rbs.run(["secret", "set", "global", "SUPABASE_ACCESS_TOKEN"], stdin: accessToken).status == 0)
        // The token in the migration is Camino's CRON_SECRET: rbscron holds it too.
        #expect(try await rbs.run(["secret", "set", "camino", "CRON_SECRET"], stdin: bearer).status == 0)

        // Before: every hand-made job of Camino is an adopt item; the token is a critical issue, in plan and audit.
        let plan = try await rbs.run(["schedule", "plan", "--layer", "pg_cron", "--app", "camino", "--json"], env: env)
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned = try jsonObject(plan.stdout)
        let items = try #require(planned["items"] as? [[String: Any]])
        let adopt = Dictionary(uniqueKeysWithValues: items.filter { $0["action"] as? String == "adopt" }.map {
            ($0["id"] as? String ?? "", (($0["adopts"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        })
        #expect(adopt == ["rbs-camino-sync-constanza-invoices": ["sync-constanza-invoices"],
                          "rbs-camino-voice-outbound": ["voice-outbound"],
                          "rbs-camino-keep-alive-ping": ["keep-alive-ping"],
                          "rbs-camino-cleanup-cron-history": ["cleanup-cron-history"]])
        let issues = try #require(planned["issues"] as? [[String: Any]])
        #expect(issues.contains { $0["severity"] as? String == "critical" && ($0["message"] as? String)?.contains("camino/CRON_SECRET") == true })
        let gate = try await rbs.run(["schedule", "plan", "--layer", "pg_cron", "--app", "camino", "--exit-code"], env: env)
        #expect(gate.status == 2 && gate.stdout.contains("critical:") && gate.stdout.contains("4 to adopt"))
        keepForReading("plan-camino.txt", "$ rbscron schedule plan --layer pg_cron --app camino\n"
                       + gate.stdout.replacingOccurrences(of: api.baseURL, with: "<api>"))
        let audit = try await rbs.run(["audit", "--app", "camino", "--dry-run", "--json"], env: env)
        #expect(audit.status == 2, "\(audit.stderr)")
        #expect(audit.stdout.contains("pgcron.credential-in-command"))
        let listed = try await rbs.run(["list", "schedules", "--remote", "--layer", "pg_cron", "--app", "camino", "--json"], env: env)
        #expect(listed.status == 0 && listed.stdout.contains("\"adoptable_by\" : \"camino/sync-constanza-invoices\""), "\(listed.stdout)")

        // Without --adopt nothing is written.
        let out = rbs.home.appendingPathComponent("migrations")
        let refused = try await rbs.run(["schedule", "apply", "--layer", "pg_cron", "--app", "camino", "--out", out.path], env: env)
        #expect(refused.status == 1 && refused.stderr.contains("--adopt"))
        #expect(!FileManager.default.fileExists(atPath: out.path))

        let applied = try await rbs.run(["schedule", "apply", "--layer", "pg_cron", "--app", "camino", "--out", out.path,
                                         "--adopt", "--yes"], env: env)
        #expect(applied.status == 0, "\(applied.stderr)")
        keepForReading("apply-camino.txt", "$ rbscron schedule apply --layer pg_cron --app camino --adopt --yes\n"
                       + applied.stdout.replacingOccurrences(of: out.path, with: "supabase/migrations"))
        #expect(applied.stdout.contains("adopted camino/sync-constanza-invoices") && applied.stdout.contains("rbscron secret rotate camino CRON_SECRET --generate"))
        #expect(applied.stdout.contains("vault.update_secret"))
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: out.path).first)
        let migration = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
        for text in [plan.stdout, plan.stderr, gate.stdout, audit.stdout, listed.stdout, applied.stdout, applied.stderr, migration] {
            #expect(!text.contains(bearer) && !text.contains(accessToken))
        }

        // Vault does not hold Camino's URL and secret yet: the migration refuses whole, the hand-made jobs keep running.
        let jobsBefore = try await db.cronJobs()
        let early = try await db.run(migration)
        #expect(early.status != 0 && early.stderr.contains("Vault lacks"))
        #expect(try await db.cronJobs() == jobsBefore)
        try await db.createSecret("rbscron_camino_base_url", "https://camino.redbroomsoftware.com")
        try await db.createSecret("rbscron_camino_cron_secret", bearer)
        let done = try await db.run(migration)
        #expect(done.status == 0, "\(done.stderr)")

        // Each job scheduled exactly once; one keep-alive and one history cleanup; the token nowhere in cron.job.
        let jobs = try await db.cronJobs()
        #expect(jobs.map(\.jobname).sorted() == [
            "nightly-vacuum", "rbs-camino-cleanup-cron-history", "rbs-camino-collect", "rbs-camino-keep-alive-ping",
            "rbs-camino-sync-constanza-invoices", "rbs-camino-voice-outbound", "rbs-camino-voice-outbound.2",
        ])
        #expect(jobs.filter { $0.command.contains("keep_alive()") }.count == 1)
        #expect(jobs.filter { $0.command.contains("cleanup_cron_history()") }.count == 1)
        #expect(jobs.filter { $0.command.contains("/api/cron/sync-constanza-invoices") }.count == 1)
        #expect(try await db.exec("SELECT count(*) FROM cron.job WHERE command LIKE \(db.quote("%" + bearer + "%"))")
                    .trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // After: nothing left to adopt, but the secret was exposed and not rotated since: still critical.
        let after = try jsonObject(try await rbs.run(["schedule", "plan", "--layer", "pg_cron", "--app", "camino", "--json"],
                                                     env: env).stdout)
        keepForReading("plan-camino-after.txt", "$ rbscron schedule plan --layer pg_cron --app camino\n"
                       + (try await rbs.run(["schedule", "plan", "--layer", "pg_cron", "--app", "camino"], env: env)).stdout)
        #expect(((after["summary"] as? [String: Int])?["adopt"]) == 0)
        let pending = (after["issues"] as? [[String: Any]] ?? []).filter { $0["severity"] as? String == "critical" }
        #expect(pending.count == 1 && (pending.first?["message"] as? String)?.contains("not adopted cleanly") == true)
        let auditAfter = try await rbs.run(["audit", "--app", "camino", "--dry-run", "--json"], env: env)
        #expect(auditAfter.stdout.contains("adopt.rotation-pending") && !auditAfter.stdout.contains("pgcron.credential-in-command"))

        // Rotated: cleared in plan and audit.
        let rotated = try await rbs.run(["secret", "rotate", "camino", "CRON_SECRET", "--generate"])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let clean = try jsonObject(try await rbs.run(["schedule", "plan", "--layer", "pg_cron", "--app", "camino", "--json"],
                                                     env: env).stdout)
        #expect(!(clean["issues"] as? [[String: Any]] ?? []).contains { $0["severity"] as? String == "critical" })
        let auditClean = try await rbs.run(["audit", "--app", "camino", "--dry-run", "--json"], env: env)
        #expect(!auditClean.stdout.contains("adopt.rotation-pending") && !auditClean.stdout.contains("pgcron.credential-in-command"))

        // A second apply adopts nothing and its migration leaves cron.job as it is.
        let second = try await rbs.run(["schedule", "apply", "--layer", "pg_cron", "--app", "camino", "--out", out.path,
                                        "--adopt", "--yes", "--json"], env: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect((try jsonObject(second.stdout)["adopted"] as? [Any])?.isEmpty == true)
        let written = try #require(try jsonObject(second.stdout)["written"] as? String)
        let secondSQL = try String(contentsOfFile: written, encoding: .utf8)
        #expect(try await db.run(secondSQL).status == 0)
        #expect(try await db.cronJobs() == jobs)
    }
}
