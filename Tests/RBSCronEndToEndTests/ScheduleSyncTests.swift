import Foundation
import QStashStandIn
import Testing

/// `schedule plan|apply|pause|resume` and `list schedules` through the built binary, with QSTASH_URL pointing at
/// the QStash stand-in started in this process.
@Suite("schedule plan/apply through the binary", .serialized)
struct ScheduleSyncTests {
    static let token = "e2e-qstash-token-0001"
    static let masterKey = Data((0..<32).map { UInt8($0) }).base64EncodedString()

    /// Runs the binary (which waits off the cooperative pool, so the in-process stand-in keeps answering meanwhile).
    func run(_ p: RBSCronProcess, _ arguments: [String], stdin: String? = nil, env: [String: String] = [:]) async throws -> Outcome {
        try await p.run(arguments, stdin: stdin, env: env)
    }

    @Test("plan --exit-code exits 2 on drift, apply makes it so, then plan --exit-code exits 0; the token never shows")
    func driftCheck() async throws {
        let standIn = try await QStashStandIn.start(token: Self.token)
        let p = try RBSCronProcess()
        defer { p.cleanup() }
        let env = ["QSTASH_URL": standIn.baseURL, "RBSCRON_MASTER_KEY": Self.masterKey]
        let stored = try await run(p, ["secret", "set", "global", "QSTASH_TOKEN"], stdin: Self.token, env: env)
        #expect(stored.status == 0, "\(stored.stderr)")

        let drift = try await run(p, ["schedule", "plan", "--layer", "qstash", "--app", "colectiva", "--exit-code"], env: env)
        #expect(drift.status == 2, "\(drift.stderr)")
        #expect(drift.stdout.contains("rbs-colectiva-ecosystem-heartbeat") && drift.stdout.contains("15 to create"))

        let apply = try await run(p, ["schedule", "apply", "--layer", "qstash", "--app", "colectiva"], env: env)
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("did: 15 created, 0 updated, 0 deleted"))
        #expect(standIn.schedules.count == 15)
        #expect(standIn.schedules.first { $0.scheduleId == "rbs-colectiva-ecosystem-heartbeat" }?.cron == "*/30 * * * *")

        let clean = try await run(p, ["schedule", "plan", "--layer", "qstash", "--app", "colectiva", "--exit-code", "--json"], env: env)
        #expect(clean.status == 0, "\(clean.stderr)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any])
        #expect(plan["drift"] as? Bool == false)
        #expect((plan["summary"] as? [String: Int])?["unchanged"] == 15)

        let paused = try await run(p, ["schedule", "pause", "colectiva/daily-brain"], env: env)
        #expect(paused.status == 0 && paused.stdout.contains("paused rbs-colectiva-daily-brain"), "\(paused.stderr)")
        let listed = try await run(p, ["list", "schedules", "--remote", "--layer", "qstash", "--app", "colectiva", "--json"], env: env)
        #expect(listed.status == 0, "\(listed.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 15)
        #expect(entries.first { $0["id"] as? String == "rbs-colectiva-daily-brain" }?["paused"] as? Bool == true)
        #expect(entries.allSatisfy { $0["next_schedule_time"] is String && $0["last_schedule_states"] is [String: Any] })
        let resumed = try await run(p, ["schedule", "resume", "colectiva/daily-brain"], env: env)
        #expect(resumed.status == 0 && standIn.schedules.allSatisfy { !$0.isPaused })

        for outcome in [drift, apply, clean, listed] {
            #expect(!outcome.stdout.contains(Self.token) && !outcome.stderr.contains(Self.token))
        }
        await standIn.stop()
    }

    @Test("no QSTASH_TOKEN: exit 1 with a sentence saying how to store it, and QStash is never called")
    func missingToken() async throws {
        let standIn = try await QStashStandIn.start(token: Self.token)
        let p = try RBSCronProcess()
        defer { p.cleanup() }
        let outcome = try await run(p, ["schedule", "plan", "--layer", "qstash", "--exit-code"], env: ["QSTASH_URL": standIn.baseURL])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("QSTASH_TOKEN") && outcome.stderr.contains("rbscron secret set"))
        #expect(standIn.requests.isEmpty)
        await standIn.stop()
    }

    @Test("cleanup --remote deletes only rbscron's schedules that left the inventory; --dry-run deletes nothing")
    func remoteCleanup() async throws {
        let standIn = try await QStashStandIn.start(token: Self.token)
        let p = try RBSCronProcess()
        defer { p.cleanup() }
        let env = ["QSTASH_URL": standIn.baseURL, "RBSCRON_MASTER_KEY": Self.masterKey]
        #expect(try await run(p, ["secret", "set", "global", "QSTASH_TOKEN"], stdin: Self.token, env: env).status == 0)
        #expect(try await run(p, ["schedule", "apply", "--layer", "qstash", "--app", "caracol"], env: env).status == 0)
        // caracol's stamp queue is disabled in the inventory: its schedule is now an orphan.
        let exported = try await run(p, ["export"])
        let file = p.home.appendingPathComponent("inventory.yaml")
        let edited = exported.stdout.replacingOccurrences(of: "- name: process-failed-queue\n",
                                                          with: "- name: process-failed-queue\n    enabled: false\n")
        #expect(edited != exported.stdout)
        try Data(edited.utf8).write(to: file)
        let imported = try await run(p, ["import", file.path, "--yes"])
        #expect(imported.status == 0, "\(imported.stderr)")

        let dry = try await run(p, ["cleanup", "--remote", "--layer", "qstash", "--dry-run", "--json"], env: env)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("rbs-caracol-process-failed-queue") && dry.stdout.contains("\"dry_run\" : true"))
        let done = try await run(p, ["cleanup", "--remote", "--layer", "qstash"], env: env)
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("deleted 1 orphan schedules"))
        let again = try await run(p, ["cleanup", "--remote", "--layer", "qstash"], env: env)
        #expect(again.stdout.contains("deleted 0 orphan schedules"))
        for outcome in [dry, done, again] { #expect(!outcome.stdout.contains(Self.token) && !outcome.stderr.contains(Self.token)) }
        #expect(try await run(p, ["cleanup", "--remote"]).status == 64)
        #expect(try await run(p, ["cleanup", "--remote", "--layer", "vercel"]).status == 64)
        #expect(try await run(p, ["cleanup", "--app", "caracol"]).status == 64)
    }

    @Test("vercel: apply rewrites the crons of vercel.json and a second plan --exit-code is clean; usage errors exit 64")
    func vercel() async throws {
        let p = try RBSCronProcess()
        defer { p.cleanup() }
        let file = p.home.appendingPathComponent("vercel.json").path
        try Data("{\n  \"framework\": \"sveltekit\",\n  \"crons\": []\n}\n".utf8).write(to: URL(fileURLWithPath: file))
        let drift = try await run(p, ["schedule", "plan", "--layer", "vercel", "--app", "baul", "--vercel-json", file, "--exit-code"])
        #expect(drift.status == 2 && drift.stdout.contains("2 to create"), "\(drift.stderr)")
        let apply = try await run(p, ["schedule", "apply", "--layer", "vercel", "--app", "baul", "--vercel-json", file])
        #expect(apply.status == 0, "\(apply.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("{\n  \"framework\": \"sveltekit\",\n  \"crons\": [\n"))
        #expect(text.contains("\"path\": \"/api/cron/generate-routes\""))
        let clean = try await run(p, ["schedule", "plan", "--layer", "vercel", "--app", "baul", "--vercel-json", file, "--exit-code"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let usage = try await run(p, ["schedule", "plan", "--layer", "vercel"])
        #expect(usage.status == 64 && usage.stderr.contains("--app"))
    }

    @Test("pg_cron: plan prints the SQL and job names; apply writes the migration into --out and prints its path")
    func pgCron() async throws {
        let p = try RBSCronProcess()
        defer { p.cleanup() }
        let plan = try await run(p, ["schedule", "plan", "--layer", "pg_cron", "--app", "camino"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("SELECT cron.schedule('rbs-camino-sync-constanza-invoices'"))
        #expect(plan.stdout.contains("rbs-camino-voice-outbound"))
        let out = p.home.appendingPathComponent("migrations").path
        let apply = try await run(p, ["schedule", "apply", "--layer", "pg_cron", "--app", "camino", "--out", out])
        #expect(apply.status == 0, "\(apply.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(files.count == 1 && files[0].hasSuffix("_rbscron_pg_cron_camino.sql"))
        #expect(apply.stdout.contains("wrote \(out)/\(files[0])"))
    }

    @Test("list schedules shows the inventory's scheduled jobs by layer; every new subcommand's help has examples")
    func listAndHelp() async throws {
        let p = try RBSCronProcess()
        defer { p.cleanup() }
        let listed = try await run(p, ["list", "schedules", "--layer", "qstash", "--app", "caracol", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["id"] as? String } == ["rbs-caracol-process-failed-queue"])
        for command in [["schedule", "plan"], ["schedule", "apply"], ["schedule", "pause"], ["schedule", "resume"], ["list", "schedules"]] {
            let help = try await run(p, command + ["--help"])
            #expect(help.status == 0 && help.stdout.contains("Examples:"), "\(command)")
        }
        let remoteVercel = try await run(p, ["list", "schedules", "--remote", "--layer", "vercel"])
        #expect(remoteVercel.status == 64)
    }
}
