import Foundation
import Testing

/// `schedule migrate`, `schedule timeline --budget` and the per-layer manifest fields through the built binary.
@Suite("the layers as they are now, through the binary")
struct LayersCommandTests {
    static let caminoVercelJSON = """
        {
          "$schema": "https://openapi.vercel.sh/vercel.json",
          "framework": "sveltekit",
          "crons": [
            { "path": "/api/cron/daily-dispatcher", "schedule": "0 14 * * *" }
          ],
          "regions": ["iad1"]
        }

        """

    @Test("Camino moves to Vercel Schedules with --write: vercel.json, the inventory and the export say so; check has no error left")
    func caminoMigration() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("camino/vercel.json")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(Self.caminoVercelJSON.utf8).write(to: file)

        let before = try await rbs.run(["schedule", "check", "--exit-code"])
        #expect(before.status == 2)
        #expect(before.stdout.contains("camino/daily-dispatcher  [vercel.method-get]"))
        #expect(before.stdout.contains("camino/voice-outbound  [pg_cron.timezone]"))

        // A dry look first: nothing is written, the candidates are named.
        let look = try await rbs.run(["schedule", "migrate", "--layer", "vercel", "--app", "camino", "--vercel-json", file.path,
                                      "--from", "2026-05-01T00:00:00Z"])
        #expect(look.status == 0, "\(look.stderr)")
        #expect(look.stdout.contains("camino/daily-dispatcher  '0 14 * * *'  GET → POST  UTC   365 of 365 kept  preserved"))
        #expect(look.stdout.contains("camino/voice-outbound '*/15 9-18 * * 1-6' in America/Mexico_City"))
        #expect(look.stdout.contains("nothing written"))
        #expect(try String(contentsOf: file, encoding: .utf8) == Self.caminoVercelJSON)

        let write = try await rbs.run(["schedule", "migrate", "--layer", "vercel", "--app", "camino", "--vercel-json", file.path,
                                       "--move", "voice-outbound", "--from", "2026-05-01T00:00:00Z", "--write", "--exit-code", "--json"])
        #expect(write.status == 0, "\(write.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(write.stdout.utf8)) as? [String: Any])
        #expect(report["preserved"] as? Bool == true && report["recorded"] as? Bool == true)
        #expect(report["moved"] as? [String] == ["voice-outbound"])
        #expect(report["written"] as? String == file.path)
        let jobs = try #require(report["jobs"] as? [[String: Any]])
        #expect(jobs.map { $0["job"] as? String } == ["camino/daily-dispatcher", "camino/voice-outbound"])
        #expect(jobs.map { $0["method_after"] as? String } == ["POST", "POST"])
        #expect(jobs.map { $0["zone_after"] as? String } == ["UTC", "America/Mexico_City"])

        let written = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        #expect(written["crons"] == nil && written["framework"] as? String == "sveltekit")
        let schedules = try #require(written["schedules"] as? [String: [String: Any]])
        #expect(schedules["voice-outbound"]?["timezone"] as? String == "America/Mexico_City")
        #expect(schedules["daily-dispatcher"]?["timezone"] == nil)

        let after = try await rbs.run(["schedule", "check", "--exit-code"])
        #expect(after.status == 0, "\(after.stdout)")
        #expect(!after.stdout.contains("vercel.method-get") && !after.stdout.contains("pg_cron.timezone"))
        #expect(after.stdout.hasPrefix("schedule check: 11 apps, 69 jobs: 0 errors"))

        let plan = try await rbs.run(["schedule", "plan", "--layer", "vercel", "--app", "camino", "--vercel-json", file.path,
                                      "--exit-code"])
        #expect(plan.status == 0, "\(plan.stdout)")
        let exported = try await rbs.run(["export"])
        #expect(exported.stdout.contains("vercel_mode: schedules"))
        #expect(exported.stdout.contains("- name: voice-outbound\n    path: /api/cron/voice-outbound\n    method: POST\n    layer: vercel\n"))
    }

    @Test("the same result from a manifest: Camino in schedules mode with voice-outbound on vercel imports and checks clean")
    func caminoFromTheManifest() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        var manifest = try await rbs.run(["export"]).stdout
        manifest = manifest.replacingOccurrences(of: "  platform: vercel\n  supabase: {}\n  notes: The ecosystem's primary dispatcher.",
                                                 with: "  platform: vercel\n  vercel_mode: schedules\n  supabase: {}\n  notes: The ecosystem's primary dispatcher.")
        manifest = manifest.replacingOccurrences(of: "path: /api/cron/voice-outbound\n    method: POST\n    layer: pg_cron",
                                                 with: "path: /api/cron/voice-outbound\n    method: POST\n    layer: vercel")
        #expect(manifest.contains("vercel_mode: schedules") && manifest.contains("voice-outbound\n    method: POST\n    layer: vercel"))
        let file = rbs.home.appendingPathComponent("m.yaml")
        try Data(manifest.utf8).write(to: file)
        let imported = try await rbs.run(["import", file.path, "--yes"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let check = try await rbs.run(["schedule", "check", "--json", "--exit-code"])
        #expect(check.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        #expect((report["counts"] as? [String: Int])?["error"] == 0)
    }

    @Test("timeline --budget: Colectiva's forecast per day; on the free plan --exit-code exits 2 for its 15 schedules")
    func budget() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let json = try await rbs.run(["schedule", "timeline", "--budget", "--app", "colectiva", "--from", "2026-05-01T00:00:00Z",
                                      "--hours", "168", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["days"] as? Int == 7)
        let budget = try #require((report["budgets"] as? [[String: Any]])?.first)
        let days = try #require(budget["days"] as? [[String: Any]])
        #expect(days.map { $0["messages"] as? Int } == [240, 228, 232, 228, 232, 228, 228])
        #expect((budget["peak"] as? [String: Any])?["date"] as? String == "2026-05-01")
        #expect(budget["plan"] is NSNull && budget["daily_limit"] is NSNull)

        let text = try await rbs.run(["schedule", "timeline", "--budget", "--from", "2026-05-01T00:00:00Z"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("Budget 2026-05-01 → 2026-06-01 (31 UTC days)"))
        #expect(text.stdout.contains("colectiva      qstash   -     15"))

        var manifest = try await rbs.run(["export"]).stdout
        manifest = manifest.replacingOccurrences(of: "  platform: firebase\n  notes: 'Firebase app: QStash only",
                                                 with: "  platform: firebase\n  qstash_plan: free\n  notes: 'Firebase app: QStash only")
        #expect(manifest.contains("qstash_plan: free"))
        let file = rbs.home.appendingPathComponent("free.yaml")
        try Data(manifest.utf8).write(to: file)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        let over = try await rbs.run(["schedule", "timeline", "--budget", "--app", "colectiva", "--exit-code",
                                      "--from", "2026-05-01T00:00:00Z"])
        #expect(over.status == 2)
        #expect(over.stdout.contains("15/10") && over.stdout.contains("over: schedules"))
        let check = try await rbs.run(["schedule", "check", "--app", "colectiva"])
        #expect(check.stdout.contains("colectiva  [qstash.schedule-limit]"))
    }

    @Test("usage errors exit 64 with a sentence; an unknown job to move exits 1")
    func errors() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        for (arguments, message) in [
            (["schedule", "migrate", "--layer", "qstash", "--app", "camino"], "only the vercel layer migrates"),
            (["schedule", "migrate", "--layer", "vercel", "--app", "Camino"], "is not an app slug"),
            (["schedule", "timeline", "--budget", "--tz", "America/Mexico_City"], "its days are UTC days"),
            (["schedule", "timeline", "--budget", "--burst", "4"], "--burst does not apply to --budget"),
            (["schedule", "timeline", "--exit-code"], "--exit-code is for --budget"),
        ] {
            let outcome = try await rbs.run(arguments)
            #expect(outcome.status == 64, "\(arguments)")
            #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        }
        let move = try await rbs.run(["schedule", "migrate", "--layer", "vercel", "--app", "camino", "--move", "nope"])
        #expect(move.status == 1)
        #expect(move.stderr.contains("camino has no job 'nope'"))
        let sql = try await rbs.run(["schedule", "migrate", "--layer", "vercel", "--app", "camino", "--move", "keep-alive-ping"])
        #expect(sql.status == 1)
        #expect(sql.stderr.contains("camino/keep-alive-ping cannot move to Vercel Schedules: it runs SQL inside the database"))
    }
}
