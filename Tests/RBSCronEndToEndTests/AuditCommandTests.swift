import Foundation
import RBSCronTestSupport
import Testing

/// `audit` through the built binary: the confirmation rule, the exit codes, what is printed and what is never sent.
@Suite("audit command", .timeLimit(.minutes(2)))
struct AuditCommandTests {
    static let secret = "e2e-audit-secret-\(UUID().uuidString)"

    /// `/strict` checks the bearer; `/open` runs for anyone; `/post-only` has no GET handler.
    static func server() throws -> LoopbackServer {
        try LoopbackServer { request in
            switch request.path {
            case "/api/cron/strict":
                return request.authorization == "Bearer \(secret)" ? .json(200, "{}") : .json(401, #"{"error":"unauthorized"}"#)
            case "/api/cron/open":
                return .json(200, #"{"ran":true}"#)
            case "/api/cron/post-only":
                guard request.method == "POST" else { return .text(405, "Method Not Allowed") }
                return request.authorization == "Bearer \(secret)" ? .json(200, "{}") : .json(401, #"{"error":"unauthorized"}"#)
            default:
                return .text(404, "not found")
            }
        }
    }

    static func manifest(base: String) -> String {
        """
        version: 1
        apps:
          - name: shop
            display_name: Shop
            base_url: \(base)
            platform: vercel
            jobs:
              - {name: strict, path: /api/cron/strict, layer: manual, auth: cron_secret}
              - {name: dispatcher, path: /api/cron/post-only, method: POST, layer: vercel, schedule: "0 14 * * *", auth: cron_secret}
          - name: blog
            display_name: Blog
            base_url: \(base)
            platform: vercel
            jobs:
              - {name: open, path: /api/cron/open, layer: manual, auth: cron_secret}
        """
    }

    func setUp() async throws -> (RBSCronProcess, LoopbackServer) {
        let server = try Self.server()
        let rbs = try RBSCronProcess()
        let file = rbs.home.appendingPathComponent("shop.yaml")
        try Data(Self.manifest(base: server.baseURL).utf8).write(to: file)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        return (rbs, server)
    }

    var env: [String: String] { ["RBSCRON_SECRET_GLOBAL_CRON_SECRET": Self.secret] }

    @Test("without a terminal and without --yes: exit 64, nothing sent; --dry-run: the plan, nothing sent")
    func confirmation() async throws {
        let (rbs, server) = try await setUp()
        defer { rbs.cleanup(); server.stop() }
        let refused = try await rbs.run(["audit"], env: env)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--yes") && refused.stderr.contains("--dry-run"))
        let plan = try await rbs.run(["audit", "--dry-run"], env: env)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("POST /api/cron/post-only") && plan.stdout.contains("vercel_get (GET)"))
        #expect(plan.stdout.contains("Each probe sends:") && plan.stdout.contains("nothing sent"))
        #expect(server.requests.isEmpty)
    }

    /// `script` runs the binary on a pseudo-terminal (stdin and stderr are terminals), fed `answer`.
    static let script = "/usr/bin/script"

    @Test("on a terminal it lists the probes and asks: no sends nothing (exit 1), yes sends them",
          .enabled(if: FileManager.default.isExecutableFile(atPath: script), "needs util-linux's script for a terminal"))
    func asksOnATerminal() async throws {
        let (rbs, server) = try await setUp()
        defer { rbs.cleanup(); server.stop() }
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = ([RBSCronProcess.binary.path, "--db", rbs.db, "--no-color", "audit", "--app", "shop"]).map(quoted)
            .joined(separator: " ")
        let environment = rbs.environment.merging(env) { _, new in new }
        let no = try await runTool(Self.script, ["-qec", command, "/dev/null"], stdin: Data("n\n".utf8), environment: environment)
        #expect(no.status == 1)
        #expect(no.text.contains("Send these 11 probes? [y/N]") && no.text.contains("shop/dispatcher  POST"))
        #expect(no.text.contains("audit cancelled: no probe was sent"))
        #expect(server.requests.isEmpty)
        let yes = try await runTool(Self.script, ["-qec", command, "/dev/null"], stdin: Data("y\n".utf8), environment: environment)
        #expect(yes.status == 0, "\(yes.text)")
        #expect(server.requests.count == 11)
    }

    @Test("--yes: a table per app and a summary; exit 2 when an endpoint lets a caller in, 0 when none does")
    func exitCodes() async throws {
        let (rbs, server) = try await setUp()
        defer { rbs.cleanup(); server.stop() }
        let all = try await rbs.run(["audit", "--yes"], env: env)
        #expect(all.status == 2, "\(all.stderr)")
        #expect(all.stdout.contains("ENDPOINT") && all.stdout.contains("VERDICT") && all.stdout.contains("CRITICAL let_in"))
        #expect(all.stdout.contains("audit: 3 endpoints of 2 apps"))
        #expect(all.stdout.contains("[vercel.method-get]"))
        // The plan went to stderr before the probes.
        #expect(all.stderr.contains("audit will send") && all.stderr.contains("Each probe sends:"))

        let shop = try await rbs.run(["audit", "--app", "shop", "--yes", "--json"], env: env)
        #expect(shop.status == 0, "\(shop.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(shop.stdout.utf8)) as? [String: Any])
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["critical"] as? Int == 0 && summary["denies_by_default"] as? Int == 2)
        let endpoints = try #require(report["endpoints"] as? [[String: Any]])
        let dispatcher = try #require(endpoints.first { $0["job"] as? String == "shop/dispatcher" })
        #expect((dispatcher["method_check"] as? [String: Any])?["result"] as? String == "confirmed")

        // No real secret left the process, in a request or in the output.
        for request in server.requests { #expect(!request.head.contains(Self.secret)) }
        for text in [all.stdout, all.stderr, shop.stdout, shop.stderr] { #expect(!text.contains(Self.secret)) }
        // Recorded: the dashboard shows the last audit.
        let html = rbs.home.appendingPathComponent("dash.html").path
        #expect(try await rbs.run(["stats", "--html", html]).status == 0)
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains(#"data-audit="blog/open" data-severity="critical""#))
    }
}
