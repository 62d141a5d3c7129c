import Foundation
import QStashStandIn
import RBSCronKit
import RBSCronTestSupport
import Testing

/// The embedded ecosystem, as an operator would wire it (each Vercel app's project and plan recorded), read from
/// stand-ins of QStash and Vercel that hold a day of its fires: which jobs rbscron can account for, before and
/// after. With `RBSCRON_DEMO_OUT=DIR` the dashboards before and after are written there.
@Suite("the embedded ecosystem wired to layer stand-ins: every fire accounted for")
struct EcosystemEvidenceTests {
    static let qstashToken = "qstash-token-ecosystem-0123456789abcdef"
    static let vercelToken = "vercel-token-ecosystem-0123456789abcdef"

    struct JobRow: Decodable {
        var app: String
        var name: String
        var layer: String
        var schedule: String?
        var timezone: String
        var path: String?
        var method: String
        var enabled: Bool
        var triggered_by: String?
    }

    /// The exported manifest with `vercel_project`, `vercel_team` and `vercel_plan: pro` for each Vercel app.
    static func wired(_ manifest: String) -> String {
        var out: [String] = []
        var app = ""
        for line in manifest.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("- name: ") { app = String(line.dropFirst("- name: ".count)) }
            out.append(String(line))
            if line == "  platform: vercel" {
                out += ["  vercel_project: \(app)", "  vercel_team: team_rbs", "  vercel_plan: pro"]
            }
        }
        return out.joined(separator: "\n")
    }

    static func observations(_ outcome: Outcome) throws -> [String: [String]] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any],
                                "\(outcome.stderr)")
        var result: [String: [String]] = [:]
        for job in try #require(json["jobs"] as? [[String: Any]]) {
            let key = (job["observation"] as? String) ?? "?"
            result[key, default: []].append("\(job["app"] ?? "")/\(job["job"] ?? "")")
        }
        return result
    }

    @Test("QStash and Vercel jobs go from unobserved to accounted fires; what stays grey says why")
    func beforeAndAfter() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let now = Date()
        let out = ProcessInfo.processInfo.environment["RBSCRON_DEMO_OUT"].map { URL(fileURLWithPath: $0) }
        if let out { try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true) }

        // Before: the embedded inventory as shipped, no token.
        let before = try Self.observations(try await rbs.run(["stats", "--since", "1d", "--json"]))
        if let out { _ = try await rbs.run(["stats", "--since", "1d", "--html", out.appendingPathComponent("before.html").path]) }

        let exported = try await rbs.run(["export"])
        #expect(exported.status == 0)
        let file = rbs.home.appendingPathComponent("ecosystem.yaml")
        try Data(Self.wired(exported.stdout).utf8).write(to: file)
        let imported = try await rbs.run(["import", file.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        let listed = try await rbs.run(["list", "jobs", "--json"])
        let jobs = try JSONDecoder().decode([JobRow].self, from: Data(listed.stdout.utf8))

        // A day of fires, each delivered by its layer a few seconds late.
        let from = now.addingTimeInterval(-86_400)
        func fires(_ job: JobRow, layer: Layer) throws -> [Date] {
            guard let text = job.schedule else { return [] }
            let schedule = try CronSchedule.parse(text, dialect: layer.dialect)
            let zone = layer == .vercel ? (TimeZone(identifier: "UTC") ?? .current)
                : schedule.effectiveTimeZone(TimeZone(identifier: job.timezone) ?? .current)
            return schedule.fires(from: from, to: now.addingTimeInterval(-120), in: zone, limit: 10_000)
        }
        let qstash = try await QStashStandIn.start(token: Self.qstashToken)
        let vercel = try VercelStandIn(token: Self.vercelToken)
        defer { vercel.stop() }
        var stories: [QStashStandIn.Story] = []
        for job in jobs where job.layer == "qstash" && job.enabled {
            let id = "rbs-\(job.app)-\(job.name)"
            let url = "https://\(job.app).example\(job.path ?? "/")"
            qstash.seed(QStashStandIn.Schedule(scheduleId: id, destination: url, cron: job.schedule ?? "",
                                               createdAt: Int64((now.timeIntervalSince1970 - 30 * 86_400) * 1000)))
            for (n, fire) in try fires(job, layer: .qstash).enumerated() {
                stories.append(.init(messageId: "\(id)-\(n)", scheduleId: id, url: url,
                                     createdAt: Int64(fire.timeIntervalSince1970 * 1000) + 400, outcome: .delivered()))
            }
        }
        qstash.seed(stories)
        let anchorMs = Int64((now.timeIntervalSince1970 - 30 * 86_400) * 1000)
        for app in Set(jobs.filter { $0.layer == "vercel" }.map(\.app)).sorted() {
            let mine = jobs.filter { $0.app == app && $0.layer == "vercel" && $0.enabled }
            var rows: [VercelStandInRow] = []
            for job in mine {
                for (n, fire) in try fires(job, layer: .vercel).enumerated() {
                    rows.append(VercelStandInRow(requestId: "\(app)-\(job.name)-\(n)",
                                                 timestampMs: Int64(fire.timeIntervalSince1970 * 1000) + 2_000,
                                                 path: job.path ?? "/", status: 200))
                }
            }
            vercel.add(VercelStandInProject(
                id: "prj_\(app)", name: app, accountId: "team_rbs", team: "team_rbs",
                cronsJSON: VercelStandInProject.crons(enabledAtMs: anchorMs,
                                                      definitions: mine.map { ($0.path ?? "/", $0.schedule ?? "") })), rows: rows)
        }

        var env = vercel.environment
        env["QSTASH_URL"] = qstash.baseURL
        env["RBSCRON_SECRET_GLOBAL_QSTASH_TOKEN"] = Self.qstashToken
        env["RBSCRON_SECRET_GLOBAL_VERCEL_TOKEN"] = Self.vercelToken
        let synced = try await rbs.run(["stats", "--sync", "--since", "1d", "--json"], env: env)
        #expect(synced.status == 0 || synced.status == 2, "\(synced.stderr)")
        let after = try Self.observations(synced)

        // Due mode, as the CI example runs it, on a fresh inventory (a runner without cache): every layer delivered,
        // so it fires nothing; and what it costs in requests.
        let runner = try RBSCronProcess()
        defer { runner.cleanup() }
        #expect(try await runner.run(["import", file.path]).status == 0)
        let qstashBefore = qstash.requests.count, vercelBefore = vercel.requests.count
        let due = try await runner.run(["trigger", "--due", "--window", "30m", "--explain", "--json"], env: env)
        #expect(due.status == 0, "\(due.stderr)")
        let decisions = try #require((try JSONSerialization.jsonObject(with: Data(due.stdout.utf8)) as? [String: Any])?["decisions"]
            as? [[String: Any]])
        #expect(decisions.allSatisfy { $0["action"] as? String != "fired" }, "\(decisions)")
        let qstashRequests = qstash.requests.count - qstashBefore, vercelRequests = vercel.requests.count - vercelBefore
        #expect(qstashRequests <= 3, "QStash: \(qstashRequests) requests")
        if let out {
            _ = try await rbs.run(["stats", "--since", "1d", "--html", out.appendingPathComponent("after.html").path], env: env)
            let summary = "before: " + before.map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
                + "\nafter: " + after.map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
                + "\nstill unobserved: " + (after["unobserved"] ?? []).sorted().joined(separator: " ")
                + "\n\nsync:\n" + synced.stderr
                + "\ndue run on a fresh inventory: \(decisions.count) decisions, fired \(decisions.filter { $0["action"] as? String == "fired" }.count); "
                + "requests: QStash \(qstashRequests), Vercel \(vercelRequests)\n" + due.stderr
            try Data(summary.utf8).write(to: out.appendingPathComponent("summary.txt"))
        }
        await qstash.stop()

        let layerOf = Dictionary(jobs.map { ("\($0.app)/\($0.name)", $0.layer) }, uniquingKeysWith: { a, _ in a })
        let scheduled = jobs.filter { ["qstash", "vercel"].contains($0.layer) && $0.enabled && $0.schedule != nil }
            .map { "\($0.app)/\($0.name)" }
        // Before, none of them could be judged; after, every QStash and Vercel job with a schedule is observed.
        #expect(scheduled.allSatisfy { (before["unobserved"] ?? []).contains($0) }, "\(before)")
        let stillGrey = Set(after["unobserved"] ?? [])
        #expect(scheduled.allSatisfy { !stillGrey.contains($0) }, "still unobserved: \(stillGrey.sorted())")
        // What stays grey is pg_cron (no project ref in the seeds, no Management API token here) and the fan-out
        // children whose dispatcher is not observed.
        for ref in stillGrey {
            let layer = layerOf[ref] ?? "?"
            #expect(layer == "pg_cron" || layer == "fanout", "\(ref) on \(layer) is still unobserved")
        }
        #expect((after["unobserved"] ?? []).count < (before["unobserved"] ?? []).count)
    }
}
