import Foundation
import RBSCronTestSupport
import Testing

/// `list schedules --remote --layer pg_cron|vercel` through the built binary: pg_cron against a loopback Management
/// API stand-in (SUPABASE_API_URL), vercel against a vercel.json in the scratch folder.
@Suite("list schedules --remote for pg_cron and vercel through the binary")
struct RemoteListCommandTests {
    static let token = "sbp_e2e_management_token_\(UUID().uuidString.prefix(8))"

    /// `hub` and `leaf` each have a Supabase project; `lone` has pg_cron jobs but no project ref.
    static let manifest = """
        version: 1
        apps:
          - name: hub
            display_name: Hub
            base_url: https://hub.example.test
            platform: vercel
            supabase: {url: "https://hubref.supabase.co", project_ref: hubref}
            jobs:
              - {name: sync, path: /api/cron/sync, layer: pg_cron, schedule: "0 * * * *"}
          - name: leaf
            display_name: Leaf
            base_url: https://leaf.example.test
            platform: vercel
            supabase: {url: "https://leafref.supabase.co", project_ref: leafref}
          - name: lone
            display_name: Lone
            base_url: https://lone.example.test
            platform: vercel
            jobs:
              - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none}
        """

    /// cron.job of project `hubref` as the Management API answers it: rbscron's job (its second UTC entry too) and a
    /// job someone made by hand.
    static let hubRows = """
        [{"jobid": 1, "jobname": "rbs-hub-sync", "schedule": "0 * * * *", "command": "/* rbscron:hub */ SELECT 1",
          "active": true, "database": "postgres", "username": "postgres", "last_runid": 9, "last_status": "failed",
          "last_start_ms": 1775815200000, "last_end_ms": 1775815201000},
         {"jobid": 2, "jobname": "rbs-hub-sync.2", "schedule": "30 * * * *", "command": "/* rbscron:hub */ SELECT 1",
          "active": true, "database": "postgres", "username": "postgres", "last_runid": null, "last_status": null,
          "last_start_ms": null, "last_end_ms": null},
         {"jobid": 5, "jobname": "vacuum-by-hand", "schedule": "0 4 * * *", "command": "VACUUM", "active": false,
          "database": "postgres", "username": "postgres", "last_runid": null, "last_status": null,
          "last_start_ms": null, "last_end_ms": null}]
        """

    static func managementAPI() throws -> LoopbackServer {
        try LoopbackServer { request in
            let isQuery = request.path == "/v1/projects/hubref/database/query"
            guard request.authorization == "Bearer \(token)" else { return .json(401, isQuery ? hubRows : #"{"message":"not found"}"#) }
            // The project's pg_cron release: Supabase's.
            if isQuery, String(decoding: request.body, as: UTF8.self).contains("pg_extension") {
                return .json(201, #"[{"extversion": "1.6"}]"#)
            }
            return .json(request.method == "POST" && isQuery ? 201 : 404, isQuery ? hubRows : #"{"message":"not found"}"#)
        }
    }

    func setUp(_ p: RBSCronProcess) async throws {
        let file = p.home.appendingPathComponent("apps.yaml")
        try Data(Self.manifest.utf8).write(to: file)
        let imported = try await p.run(["import", file.path, "--yes"])
        #expect(imported.status == 0, "import failed: \(imported.stderr)")
    }

    @Test("pg_cron: no token is refused before any request (exit 1, the secret named); a project that fails does not hide the one read")
    func pgCron() async throws {
        let server = try Self.managementAPI()
        defer { server.stop() }
        let p = try RBSCronProcess()
        defer { p.cleanup() }
        try await setUp(p)
        let api = ["SUPABASE_API_URL": server.baseURL]

        let denied = try await p.run(["list", "schedules", "--remote", "--layer", "pg_cron"], env: api)
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("hubref") && denied.stderr.contains("leafref"))
        #expect(denied.stderr.contains("SUPABASE_ACCESS_TOKEN") && denied.stderr.contains("rbscron secret set"))
        #expect(denied.stderr.contains("not read (no Supabase project ref): lone"))
        #expect(server.paths.isEmpty)

        // hub's token from the environment (the CI way); leaf has none.
        let withToken = api.merging(["RBSCRON_SECRET_HUB_SUPABASE_ACCESS_TOKEN": Self.token]) { _, new in new }
        let partial = try await p.run(["list", "schedules", "--remote", "--layer", "pg_cron"], env: withToken)
        #expect(partial.status == 1)
        #expect(partial.stdout.contains("project hubref (hub, pg_cron 1.6)"))
        #expect(partial.stdout.contains("rbs-hub-sync.2"))
        #expect(partial.stdout.contains("failed 2026-04-10T10:00:00Z"))
        #expect(partial.stdout.contains("vacuum-by-hand") && partial.stdout.contains("foreign"))
        #expect(partial.stdout.contains("3 jobs, 1 foreign"))
        #expect(!partial.stdout.contains("leafref"))
        #expect(partial.stderr.contains("Error: pg_cron of project leafref (leaf)") && partial.stderr.contains("SUPABASE_ACCESS_TOKEN"))
        #expect(server.paths == ["/v1/projects/hubref/database/query", "/v1/projects/hubref/database/query"])

        let json = try await p.run(["list", "schedules", "--remote", "--layer", "pg_cron", "--json"], env: withToken)
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["layer"] as? String == "pg_cron")
        #expect(report["apps_without_project_ref"] as? [String] == ["lone"])
        let projects = try #require(report["projects"] as? [[String: Any]])
        #expect(projects.map { $0["project_ref"] as? String } == ["hubref", "leafref"])
        #expect(projects[0]["error"] is NSNull)
        #expect((projects[1]["error"] as? String)?.contains("SUPABASE_ACCESS_TOKEN") == true)
        let jobs = try #require(projects[0]["jobs"] as? [[String: Any]])
        #expect(jobs.map { $0["job"] as? String } == ["hub/sync", "hub/sync", nil])
        #expect(jobs.map { $0["managed"] as? Bool } == [true, true, false])
        let lastRun = try #require(jobs[0]["last_run"] as? [String: Any])
        #expect(lastRun["status"] as? String == "failed")
        #expect(lastRun["start_time"] as? String == "2026-04-10T10:00:00Z")
        #expect(jobs[1]["last_run"] is NSNull)

        let one = try await p.run(["list", "schedules", "--remote", "--layer", "pg_cron", "--app", "hub"], env: withToken)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("rbs-hub-sync") && one.stderr.isEmpty)

        // The inventory records pg_cron 1.4 for hub's project, which runs 1.6: a warning, and the listing still succeeds.
        let recorded = p.home.appendingPathComponent("recorded.yaml")
        try Data(Self.manifest.replacingOccurrences(of: "project_ref: hubref}", with: "project_ref: hubref, pg_cron_version: \"1.4\"}").utf8)
            .write(to: recorded)
        #expect(try await p.run(["import", recorded.path, "--yes"]).status == 0)
        let differs = try await p.run(["list", "schedules", "--remote", "--layer", "pg_cron", "--app", "hub"], env: withToken)
        #expect(differs.status == 0, "\(differs.stderr)")
        #expect(differs.stderr.contains("warning: project hubref (hub) runs pg_cron 1.6, but the inventory records 1.4"))
        #expect(differs.stderr.contains("record `supabase: {pg_cron_version: \"1.6\"}` for hub"))

        let noRef = try await p.run(["list", "schedules", "--remote", "--layer", "pg_cron", "--app", "lone"], env: withToken)
        #expect(noRef.status == 1)
        #expect(noRef.stderr.contains("lone has no Supabase project ref"))

        for outcome in [denied, partial, json, one, differs, noRef] {
            #expect(!outcome.stdout.contains(Self.token) && !outcome.stderr.contains(Self.token))
        }
    }

    @Test("vercel: the app's vercel.json crons matched to its jobs, foreign ones flagged; no file is exit 1; usage errors exit 64")
    func vercel() async throws {
        let p = try RBSCronProcess()
        defer { p.cleanup() }
        let file = p.home.appendingPathComponent("deployed.json").path
        try Data("""
            {"framework": "sveltekit", "crons": [
              {"path": "/api/cron/generate-routes", "schedule": "0 12 * * 1-5"},
              {"path": "/api/cron/legacy-export", "schedule": "0 3 * * *"}
            ]}
            """.utf8).write(to: URL(fileURLWithPath: file))

        let listed = try await p.run(["list", "schedules", "--remote", "--layer", "vercel", "--app", "baul", "--vercel-json", file, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        #expect(report["layer"] as? String == "vercel" && report["app"] as? String == "baul" && report["file"] as? String == file)
        let crons = try #require(report["crons"] as? [[String: Any]])
        #expect(crons.map { $0["path"] as? String } == ["/api/cron/generate-routes", "/api/cron/legacy-export"])
        #expect(crons[0]["job"] as? String == "baul/generate-routes")
        #expect(crons[1]["job"] is NSNull)

        let table = try await p.run(["list", "schedules", "--remote", "--layer", "vercel", "--app", "baul", "--vercel-json", file])
        #expect(table.status == 0)
        #expect(table.stdout.contains("baul/generate-routes") && table.stdout.contains("foreign"))
        #expect(table.stdout.contains("2 crons in \(file), 1 foreign"))

        // Like `schedule plan`, ./vercel.json by default (the binary runs in the scratch folder), but here a missing
        // file is an error: it is the layer.
        let none = try await p.run(["list", "schedules", "--remote", "--layer", "vercel", "--app", "baul"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("'vercel.json'") && none.stderr.contains("--vercel-json"))
        try FileManager.default.copyItem(atPath: file, toPath: p.home.appendingPathComponent("vercel.json").path)
        let byDefault = try await p.run(["list", "schedules", "--remote", "--layer", "vercel", "--app", "baul"])
        #expect(byDefault.status == 0 && byDefault.stdout.contains("2 crons in vercel.json"), "\(byDefault.stderr)")

        for arguments in [
            ["list", "schedules", "--remote"],
            ["list", "schedules", "--remote", "--layer", "manual"],
            ["list", "schedules", "--remote", "--layer", "vercel", "--vercel-json", file],
            ["list", "schedules", "--layer", "vercel", "--app", "baul", "--vercel-json", file],
            ["list", "schedules", "--remote", "--layer", "pg_cron", "--vercel-json", file],
        ] {
            let usage = try await p.run(arguments)
            #expect(usage.status == 64, "\(arguments): \(usage.stderr)")
        }
        let noLayer = try await p.run(["list", "schedules", "--remote"])
        #expect(noLayer.stderr.contains("add --layer qstash, pg_cron or vercel"))
    }
}
