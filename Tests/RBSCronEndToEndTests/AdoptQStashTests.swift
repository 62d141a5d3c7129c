import Foundation
import QStashStandIn
import RBSCronTestSupport
import Testing

/// With `RBSCRON_ADOPT_TRANSCRIPTS=DIR`, the adoption tests leave the human output of their plans there, for the
/// README's walk-through; otherwise nothing is written.
func keepForReading(_ name: String, _ text: String) {
    guard let dir = ProcessInfo.processInfo.environment["RBSCRON_ADOPT_TRANSCRIPTS"], !dir.isEmpty else { return }
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try? Data(text.utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
}

/// Taking over Colectiva's QStash schedules as `register-qstash-schedules.mjs` left them, through the built binary and
/// the QStash stand-in; Upstash's official Python SDK registers them (ids QStash chooses, no `rbs-`) and reads the
/// result back.
@Suite("schedule apply --adopt on QStash through the binary", .serialized)
struct AdoptQStashTests {
    static let token = "e2e-adopt-qstash-token-01"
    static let masterKey = Data((0..<32).map { UInt8($0 + 7) }).base64EncodedString()
    static let base = "https://colectiva.redbroomsoftware.com"

    /// Colectiva's 15 jobs as the embedded inventory has them: path and cron.
    static let colectiva: [(path: String, cron: String)] = [
        ("subscription-renewals", "0 8 * * *"), ("earnings-reconciliation", "0 12 * * *"), ("sync-polizas", "0 16 * * *"),
        ("offering-expiration", "0 14 * * *"), ("deal-billing", "0 13 * * *"), ("ai-invoices", "0 17 * * *"),
        ("daily-brain", "0 11 * * *"), ("daily-intelligence", "30 11 * * *"), ("process-approved-actions", "0 15 * * *"),
        ("ecosystem-heartbeat", "*/30 * * * *"), ("ecosystem-sync", "0 10 * * 0"), ("monthly-first", "0 9 1 * *"),
        ("monthly-fifth", "0 9 5 * *"), ("revenue-reconciliation", "0 11 1 * *"), ("earnings-poliza", "0 10 1 * *"),
    ].map { ("/api/cron/\($0.0)", $0.1) }

    static let pythonHasQStash: Bool = {
        (try? runToolBlocking("/usr/bin/env", ["python3", "-c", "import qstash"], timeout: 120))?.status == 0
    }()

    static var shouldRun: Bool { pythonHasQStash || ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Runs a Python script with the official SDK; its last stdout line is JSON.
    static func sdk(_ script: String, _ arguments: [String]) async throws -> Any {
        var environment = ProcessInfo.processInfo.environment
        environment["QSTASH_URL"] = nil
        let result = try await runTool("/usr/bin/env", ["python3", "-c", script] + arguments, environment: environment)
        #expect(result.status == 0, "the SDK failed: \(result.errorText)")
        let line = result.text.split(separator: "\n").last.map(String.init) ?? "null"
        return try JSONSerialization.jsonObject(with: Data(line.utf8), options: .fragmentsAllowed)
    }

    /// What register-qstash-schedules.mjs does, with the official client: one schedule per job, QStash's own ids.
    static let register = """
        import json, sys
        from qstash import QStash
        client = QStash(sys.argv[2], base_url=sys.argv[1], retry=False)
        made = [client.schedule.create(destination=sys.argv[3] + path, cron=cron) for path, cron in json.loads(sys.argv[4])]
        print(json.dumps(made))
        """

    static let readBack = """
        import json, sys
        from qstash import QStash
        listed = QStash(sys.argv[2], base_url=sys.argv[1], retry=False).schedule.list()
        print(json.dumps([{"id": s.schedule_id, "destination": s.destination, "cron": s.cron, "method": s.method} for s in listed]))
        """

    @Test("Colectiva's 15 registered schedules: planned as adopt, refused without --adopt, replaced once each, then nothing",
          .enabled(if: shouldRun, "python3 with the qstash package is not installed (pip install qstash)"),
          .timeLimit(.minutes(4)))
    func colectiva() async throws {
        try #require(Self.pythonHasQStash, "CI=true but python3 cannot import qstash: pip install qstash")
        let standIn = try await QStashStandIn.start(token: Self.token)
        let p = try RBSCronProcess()
        defer { p.cleanup() }
        let env = ["QSTASH_URL": standIn.baseURL, "RBSCRON_MASTER_KEY": Self.masterKey]
        #expect(try await p.run(["secret", "set", "global", "QSTASH_TOKEN"], stdin: Self.token, env: env).status == 0)

        let pairs = String(decoding: try JSONSerialization.data(withJSONObject: Self.colectiva.map { [$0.path, $0.cron] }), as: UTF8.self)
        let made = try #require(try await Self.sdk(Self.register, [standIn.baseURL, Self.token, Self.base, pairs]) as? [String])
        #expect(made.count == 15 && made.allSatisfy { !$0.hasPrefix("rbs-") })
        // One schedule that does no job's work: --prune-foreign's to remove, never adopted.
        standIn.seed(.init(scheduleId: "scd_legacy_report", destination: Self.base + "/api/cron/legacy-report", cron: "0 2 * * *"))

        let plan = try await p.run(["schedule", "plan", "--layer", "qstash", "--app", "colectiva", "--json"], env: env)
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let items = try #require(planned["items"] as? [[String: Any]])
        let adopt = items.filter { $0["action"] as? String == "adopt" }
        #expect(adopt.count == 15 && (planned["summary"] as? [String: Int])?["create"] == 0)
        #expect(adopt.allSatisfy { ($0["adopts"] as? [[String: Any]])?.count == 1 && $0["first_fire"] is String })
        #expect(items.first { $0["id"] as? String == "scd_legacy_report" }?["action"] as? String == "ignored")
        let human = try await p.run(["schedule", "plan", "--layer", "qstash", "--app", "colectiva", "--exit-code"], env: env)
        #expect(human.status == 2 && human.stdout.contains("15 to adopt") && human.stdout.contains("first fire by rbs-colectiva-"))
        keepForReading("plan-colectiva.txt", "$ rbscron schedule plan --layer qstash --app colectiva\n" + human.stdout)

        let listed = try await p.run(["list", "schedules", "--remote", "--layer", "qstash", "--app", "colectiva", "--json"], env: env)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(entries.filter { $0["adoptable_by"] is String }.count == 15)
        #expect(entries.first { $0["id"] as? String == "scd_legacy_report" }?["adoptable_by"] is NSNull)

        // Without --adopt: refused, nothing changed. --adopt without a terminal needs --yes (usage error).
        let before = standIn.schedules
        let refused = try await p.run(["schedule", "apply", "--layer", "qstash", "--app", "colectiva"], env: env)
        #expect(refused.status == 1 && refused.stderr.contains("--adopt") && refused.stderr.contains("twice"))
        let noYes = try await p.run(["schedule", "apply", "--layer", "qstash", "--app", "colectiva", "--adopt"], env: env)
        #expect(noYes.status == 64 && noYes.stderr.contains("--yes"))
        #expect(standIn.schedules == before)

        let applied = try await p.run(["schedule", "apply", "--layer", "qstash", "--app", "colectiva", "--adopt", "--yes", "--json"],
                                      env: env, timeout: 120)
        #expect(applied.status == 0, "\(applied.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(applied.stdout.utf8)) as? [String: Any])
        let adopted = try #require(report["adopted"] as? [[String: Any]])
        #expect(adopted.count == 15 && adopted.allSatisfy { $0["note"] is NSNull && $0["first_fire"] is String })
        #expect(Set(adopted.flatMap { $0["replaced"] as? [String] ?? [] }) == Set(made))

        // The official client reads back exactly one schedule per destination, rbscron's, and the unrelated one.
        let after = try #require(try await Self.sdk(Self.readBack, [standIn.baseURL, Self.token]) as? [[String: Any]])
        let jobs = after.filter { $0["id"] as? String != "scd_legacy_report" }
        #expect(jobs.count == 15 && jobs.allSatisfy { ($0["id"] as? String)?.hasPrefix("rbs-colectiva-") == true })
        #expect(Set(jobs.compactMap { $0["destination"] as? String }) == Set(Self.colectiva.map { Self.base + $0.path }))
        #expect(jobs.first { $0["id"] as? String == "rbs-colectiva-ecosystem-heartbeat" }?["cron"] as? String == "*/30 * * * *")

        // A second apply changes nothing; --prune-foreign keeps its meaning: only the schedule that does no job's work.
        let requestsBefore = standIn.requests.filter { $0.method != "GET" }.count
        let again = try await p.run(["schedule", "apply", "--layer", "qstash", "--app", "colectiva", "--adopt", "--yes"], env: env)
        #expect(again.status == 0 && again.stdout.contains("nothing to change"), "\(again.stdout)\(again.stderr)")
        #expect(standIn.requests.filter { $0.method != "GET" }.count == requestsBefore)
        let pruned = try await p.run(["schedule", "apply", "--layer", "qstash", "--app", "colectiva", "--prune-foreign"], env: env)
        #expect(pruned.status == 0 && pruned.stdout.contains("0 created, 0 updated, 1 deleted"), "\(pruned.stdout)")
        #expect(standIn.schedules.count == 15)
        for outcome in [plan, human, listed, refused, applied, again, pruned] {
            #expect(!outcome.stdout.contains(Self.token) && !outcome.stderr.contains(Self.token))
        }
        await standIn.stop()
    }
}
