import Foundation
import RBSCronTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `health-check` and `keepalive` through the built binary: exit codes, stdout/stderr, JSON shapes.
@Suite("health-check and keepalive commands", .timeLimit(.minutes(2)))
struct HealthCommandTests {
    static let anonKey = "anon-e2e-\(UUID().uuidString)"

    /// A loopback server for the apps of the manifest: `/ok` 200, `/fail` 500, `/405` 405 to HEAD and 200 to GET,
    /// and PostgREST's keep-alive RPC, which wants `anonKey` as apikey and Bearer.
    static func server() throws -> LoopbackServer {
        try LoopbackServer { request in
            switch request.path {
            case "/ok": return .text(200, "ok")
            case "/fail": return .text(500, "ok")
            case "/405": return .text(request.method == "HEAD" ? 405 : 200, "ok")
            case "/rest/v1/rpc/keep_alive":
                let allowed = request.header("apikey") == anonKey && request.authorization == "Bearer \(anonKey)"
                    && request.method == "POST"
                return allowed ? LoopbackReply(status: 204) : .text(401, "ok")
            default: return .text(404, "ok")
            }
        }
    }

    /// Three apps: `hub` (whose health is `hubPath`) fans out to `leaf`; `door` answers 405 to HEAD.
    static func manifest(base: String, hubPath: String) -> String {
        """
        version: 1
        apps:
          - name: hub
            display_name: Hub
            base_url: \(base)
            platform: vercel
            health: {path: \(hubPath), method: HEAD, expect: 200}
            supabase: {url: \(base), project_ref: hubref}
            jobs:
              - {name: heartbeat, path: /api/cron/heartbeat, layer: qstash, schedule: "*/30 * * * *", auth: qstash}
              - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none}
          - name: leaf
            display_name: Leaf
            base_url: \(base)
            platform: vercel
            health: {path: /ok}
            supabase: {}
            jobs:
              - {name: dispatcher, path: /api/cron/dispatcher, layer: fanout, triggered_by: hub/heartbeat, order: 1}
          - name: door
            display_name: Door
            base_url: \(base)
            platform: vercel
            health: {path: /405}
        """
    }

    static func setUp(_ rbs: RBSCronProcess, server: LoopbackServer, hubPath: String) async throws {
        let file = rbs.home.appendingPathComponent("apps.yaml")
        try Data(manifest(base: server.baseURL, hubPath: hubPath).utf8).write(to: file)
        let imported = try await rbs.run(["import", file.path, "--yes"])
        #expect(imported.status == 0, "import failed: \(imported.stderr)")
    }

    static func sqlite(_ db: String, _ sql: String) async throws -> String {
        try await runTool("/usr/bin/sqlite3", [db, sql]).text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static var hasSQLite3: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") }

    @Test("all up: exit 0, a table and a summary on stdout, nothing on stderr off a terminal")
    func allUp() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        try await Self.setUp(rbs, server: server, hubPath: "/ok")

        let outcome = try await rbs.run(["health-check"])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout.contains("3 apps: 3 up, 0 degraded, 0 down"))
        #expect(outcome.stderr.isEmpty, "no progress line when stderr is not a terminal")
    }

    @Test("a fan-out parent down: exit 2, the JSON list with its dependents, results recorded")
    func parentDown() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        try await Self.setUp(rbs, server: server, hubPath: "/fail")

        let outcome = try await rbs.run(["health-check", "--json", "--concurrency", "2"])
        #expect(outcome.status == 2, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.isEmpty)
        let results = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]])
        #expect(results.map { $0["app"] as? String } == ["hub", "leaf", "door"])
        for result in results {
            #expect(Set(result.keys) == ["app", "url", "method", "status", "http_status", "expected_status", "reason", "detail",
                                         "timings", "checked_at", "dependents_affected"])
            let timings = try #require(result["timings"] as? [String: Any])
            #expect(Set(timings.keys) == ["dns_ms", "connect_ms", "tls_ms", "first_byte_ms", "total_ms"])
            #expect(Timestamp8601.parse(result["checked_at"] as? String))
        }
        let hub = results[0]
        #expect(hub["status"] as? String == "down")
        #expect(hub["http_status"] as? Int == 500)
        #expect(hub["reason"] as? String == "http_status")
        #expect(hub["url"] as? String == server.baseURL + "/fail")
        let dependents = try #require(hub["dependents_affected"] as? [[String: Any]])
        #expect(dependents.count == 1)
        #expect(dependents.first?["app"] as? String == "leaf")
        #expect(dependents.first?["jobs"] as? [String] == ["leaf/dispatcher"])
        #expect(dependents.first?["triggered_by"] as? [String] == ["hub/heartbeat"])
        #expect(results[1]["status"] as? String == "up")
        #expect(results[1]["reason"] is NSNull)
        #expect(results[2]["method"] as? String == "GET", "405 to HEAD, retried with GET")

        let table = try await rbs.run(["health-check", "--no-record"])
        #expect(table.status == 2)
        #expect(table.stdout.contains("hub is down"))
        #expect(table.stdout.contains("leaf: leaf/dispatcher (fired by hub/heartbeat)"))
        #expect(table.stdout.contains("3 apps: 2 up, 0 degraded, 1 down"))

        if Self.hasSQLite3 {
            // Two runs, one with --no-record: three rows, from the first run only.
            #expect(try await Self.sqlite(rbs.db, "SELECT COUNT(*) FROM health_checks") == "3")
            #expect(try await Self.sqlite(rbs.db, "SELECT status || ',' || IFNULL(reason,'') FROM health_checks WHERE app = 'hub'") == "down,http_status")
        }
        let one = try await rbs.run(["health-check", "--app", "leaf", "--no-record"])
        #expect(one.status == 0)
        #expect(one.stdout.contains("1 app: 1 up"))
    }

    @Test("on a terminal a progress line counts the apps on stderr; with --json, nothing", 
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux script(1) gives the command a terminal"))
    func progressOnTerminal() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        try await Self.setUp(rbs, server: server, hubPath: "/ok")

        // script(1) runs the command on a pseudo-terminal; everything it wrote comes back on stdout.
        func onTerminal(_ arguments: [String]) async throws -> Outcome {
            let command = ([RBSCronProcess.binary.path, "--db", rbs.db] + arguments).map { "'\($0)'" }.joined(separator: " ")
            let result = try await runTool("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], environment: rbs.environment)
            return Outcome(status: result.status, stdout: result.text, stderr: "")
        }
        let table = try await onTerminal(["health-check", "--no-record"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("checking 3/3 apps"))
        #expect(table.stdout.contains("3 apps: 3 up"))
        let json = try await onTerminal(["health-check", "--no-record", "--json"])
        #expect(json.status == 0)
        #expect(!json.stdout.contains("checking"))
        #expect(json.stdout.contains("\"status\" : \"up\""))
    }

    @Test("bad options are usage errors (64); an unknown app is an error (1)")
    func usage() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await rbs.run(["health-check", "--timeout", "soon"]).status == 64)
        #expect(try await rbs.run(["health-check", "--concurrency", "0"]).status == 64)
        #expect(try await rbs.run(["health-check", "--slow", "0s"]).status == 64)
        let unknown = try await rbs.run(["health-check", "--app", "camnio"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("Did you mean 'camino'?"))
        #expect(try await rbs.run(["keepalive", "--status", "--sql"]).status == 64)
        #expect(try await rbs.run(["keepalive", "--out", "/tmp"]).status == 64)
        for command in ["health-check", "keepalive"] {
            let help = try await rbs.run([command, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Examples:"))
        }
    }

    @Test("keepalive: the RPC with the key, recorded; a missing key denied (exit 2); status from the record")
    func keepalive() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        try await Self.setUp(rbs, server: server, hubPath: "/ok")

        // No master key, no secret: hub is denied (no request); leaf has no URL.
        let denied = try await rbs.run(["keepalive"])
        #expect(denied.status == 2)
        #expect(denied.stdout.contains("denied"))
        #expect(denied.stdout.contains("not configured"))
        #expect(server.paths.isEmpty)

        #expect(try await rbs.run(["secret", "set", "hub", "SUPABASE_ANON_KEY"], stdin: Self.anonKey).status == 0)
        let ok = try await rbs.run(["keepalive", "--json"])
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        #expect(!ok.stdout.contains(Self.anonKey) && !ok.stderr.contains(Self.anonKey))
        let results = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [[String: Any]])
        #expect(results.map { $0["app"] as? String } == ["hub", "leaf"])
        #expect(results.map { $0["outcome"] as? String } == ["ok", "not_configured"])
        #expect(results[0]["mode"] as? String == "rpc")
        #expect(results[0]["key"] as? String == "SUPABASE_ANON_KEY")
        #expect(server.paths == ["/rest/v1/rpc/keep_alive"])

        let status = try await rbs.run(["keepalive", "--status", "--json"])
        #expect(status.status == 0)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["state"] as? String } == ["ok", "not_configured"])
        #expect(((entries[0]["days_since"] as? Double) ?? 99) < 0.01)

        if Self.hasSQLite3 {
            // Move the successful ping 6.1 days into the past: overdue, exit 2, and a warning on stderr.
            _ = try await Self.sqlite(rbs.db, "UPDATE keepalive_pings SET pinged_at = pinged_at - 527040000 WHERE ok = 1")
            let overdue = try await rbs.run(["keepalive", "--status"])
            #expect(overdue.status == 2)
            #expect(overdue.stdout.contains("overdue"))
            #expect(overdue.stderr.contains("hub: 6.1 days since the last successful ping"))
            _ = try await Self.sqlite(rbs.db, "UPDATE keepalive_pings SET pinged_at = pinged_at + 86400000 WHERE ok = 1")
            let warn = try await rbs.run(["keepalive", "--status"])
            #expect(warn.status == 0)
            #expect(warn.stdout.contains("warn"))
        }
    }

    @Test("keepalive --sql: the migration on stdout, or written under its suggested name with --out")
    func sql() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let printed = try await rbs.run(["keepalive", "--sql", "--app", "baul"])
        #expect(printed.status == 0)
        #expect(printed.stdout.hasPrefix("-- rbscron keep-alive migration for Baúl (baul)"))
        #expect(printed.stdout.components(separatedBy: "SELECT cron.schedule(").count == 3)

        let choose = try await rbs.run(["keepalive", "--sql"])
        #expect(choose.status == 64)
        #expect(choose.stderr.contains("choose one with --app"))
        #expect(try await rbs.run(["keepalive", "--sql", "--project", "caracol"]).status == 1)

        let folder = rbs.home.appendingPathComponent("migrations")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let written = try await rbs.run(["keepalive", "--sql", "--app", "agora", "--out", folder.path])
        #expect(written.status == 0, "stderr: \(written.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.count == 1)
        let name = try #require(files.first)
        #expect(name.hasSuffix("_rbscron_keep_alive.sql") && name.count == "20260410120000_rbscron_keep_alive.sql".count)
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        #expect(text.contains("SELECT cron.schedule('keep-alive-ping', '0 12 */3 * *', 'SELECT keep_alive()');"))
        #expect(try await rbs.run(["keepalive", "--sql", "--app", "agora", "--out", rbs.home.appendingPathComponent("nope").path]).status == 1)
    }
}

enum Timestamp8601 {
    /// True when `text` is RFC 3339 UTC (`…Z`).
    static func parse(_ text: String?) -> Bool {
        guard let text, text.hasSuffix("Z") else { return false }
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains("."))
        return (try? Date(text, strategy: style)) != nil
    }
}
