import Foundation
import RBSCronTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built binary against loopback receivers: a generic webhook, a Slack-style webhook and a healthchecks-style
/// ping endpoint, with an app whose job fails on demand.
@Suite("rbscron alert end to end", .serialized, .timeLimit(.minutes(3)))
struct AlertCommandTests {
    static let cronSecret = "e2e-alert-cron-secret-7c1d2e3f4a5b"
    static let masterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    static let hookToken = "hook-token-8e7d6c5b4a39"
    static let slackToken = "slack-token-1a2b3c4d5e6f"

    /// The app, the receivers and a scratch inventory with both routes.
    final class Rig: @unchecked Sendable {
        let cli: RBSCronProcess
        let app: LoopbackServer
        let hooks: LoopbackServer
        let slack: LoopbackServer
        let pings: LoopbackServer
        let failing = Locked(true)
        let down = Locked(false)

        init(receiverDelayMs: Int = 0) async throws {
            let failing = self.failing, down = self.down
            app = try LoopbackServer { request in
                failing.value ? .text(500, "boom; got \(request.authorization ?? "-")") : .json(200, #"{"success":true}"#)
            }
            hooks = try LoopbackServer { _ in down.value ? .text(503, "receiver down") : .text(200, "ok", delayMs: receiverDelayMs) }
            slack = try LoopbackServer { _ in down.value ? .text(503, "receiver down") : .text(200, "ok", delayMs: receiverDelayMs) }
            pings = try LoopbackServer(status: 200, body: "OK")
            cli = try RBSCronProcess()
            let manifest = """
                version: 1
                apps:
                  - name: shop
                    display_name: Shop
                    base_url: \(app.baseURL)
                    platform: vercel
                    jobs:
                      - {name: nightly, path: /api/cron/nightly, layer: vercel, schedule: "0 9 * * *", priority: high}
                """
            let file = cli.home.appendingPathComponent("shop.yaml")
            try manifest.write(to: file, atomically: true, encoding: .utf8)
            #expect(try await cli.run(["import", file.path, "--yes"]).status == 0)
            let hook = try await cli.run(["alert", "route", "add", "hooks", "--webhook", hookURL], env: env)
            #expect(hook.status == 0, "\(hook.stderr)")
            let chat = try await cli.run(["alert", "route", "add", "chat", "--slack", "-"], stdin: slackURL + "\n", env: env)
            #expect(chat.status == 0, "\(chat.stderr)")
        }

        deinit {
            for server in [app, hooks, slack, pings] { server.stop() }
            cli.cleanup()
        }

        var hookURL: String { "\(hooks.baseURL)/hooks/\(AlertCommandTests.hookToken)" }
        var slackURL: String { "\(slack.baseURL)/services/\(AlertCommandTests.slackToken)" }
        var pingURL: String { "\(pings.baseURL)/ping/0e1f-uuid" }
        var env: [String: String] { ["RBSCRON_MASTER_KEY": AlertCommandTests.masterKey, "RBSCRON_SECRET_SHOP_CRON_SECRET": AlertCommandTests.cronSecret] }

        func run(_ arguments: [String], db: String? = nil) async throws -> Outcome {
            try await cli.run(db.map { ["--db", $0] + arguments } ?? arguments, env: env, useDB: db == nil)
        }

        func events(_ server: LoopbackServer) -> [String] {
            server.requests.compactMap { request in
                guard let json = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] else { return nil }
                if let event = json["event"] as? String { return event }
                let text = json["text"] as? String ?? ""
                return text.contains("OPEN") ? "open" : text.contains("RESOLVED") ? "resolve" : "other"
            }
        }

        var payloads: String { (hooks.requests + slack.requests + pings.requests).map(\.text).joined(separator: "\n") }
    }

    /// A value shared with server threads.
    final class Locked<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Value
        init(_ value: Value) { stored = value }
        var value: Value {
            get { lock.lock(); defer { lock.unlock() }; return stored }
            set { lock.lock(); stored = newValue; lock.unlock() }
        }
    }

    @Test("three failures then a recovery: one open and one resolve per route, exit 2 while open, pings start/fail/success")
    func failThenRecover() async throws {
        let rig = try await Rig()
        var statuses: [Int32] = []
        for _ in 0..<3 {
            #expect(try await rig.run(["trigger", "shop/nightly"]).status == 2)
            let check = try await rig.run(["alert", "check", "--ping", rig.pingURL])
            statuses.append(check.status)
        }
        rig.failing.value = false
        #expect(try await rig.run(["trigger", "shop/nightly"]).status == 0)
        let last = try await rig.run(["alert", "check", "--json", "--ping", rig.pingURL])
        statuses.append(last.status)
        #expect(statuses == [2, 2, 2, 0], "\(last.stderr)")
        #expect(rig.events(rig.hooks) == ["open", "resolve"])
        #expect(rig.events(rig.slack) == ["open", "resolve"])
        #expect(rig.pings.paths == ["/ping/0e1f-uuid/start", "/ping/0e1f-uuid/fail"] + ["/ping/0e1f-uuid/start", "/ping/0e1f-uuid/fail"]
                + ["/ping/0e1f-uuid/start", "/ping/0e1f-uuid/fail", "/ping/0e1f-uuid/start", "/ping/0e1f-uuid"])
        #expect(rig.pings.requests[1].text.hasPrefix("alert check: 1 open incident, 1 opened, 0 resolved"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(last.stdout.utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["checked_at", "refreshed", "sources", "open", "opened", "resolved", "notifications", "undelivered", "exit_code"])
        #expect((json["resolved"] as? [[String: Any]])?.first?["key"] as? String == "job_failing:shop/nightly")
        #expect((json["notifications"] as? [[String: Any]])?.map { $0["event"] as? String } == ["resolve", "resolve"])
        for secret in [Self.cronSecret, Self.hookToken, Self.slackToken] {
            #expect(!rig.payloads.contains(secret), "a secret reached a receiver")
            #expect(!last.stdout.contains(secret) && !last.stderr.contains(secret))
        }
        let list = try await rig.run(["alert", "list", "--json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        #expect((listed["open"] as? [Any])?.isEmpty == true && (listed["resolved"] as? [Any])?.count == 1)
    }

    @Test("two alert check processes at once send each message once")
    func concurrentProcesses() async throws {
        let rig = try await Rig(receiverDelayMs: 300)
        #expect(try await rig.run(["trigger", "shop/nightly"]).status == 2)
        for _ in 0..<2 {
            async let first = rig.run(["alert", "check", "--json"])
            async let second = rig.run(["alert", "check", "--json"])
            let both = try await [first, second]
            #expect(both.map(\.status) == [2, 2], "\(both.map(\.stderr))")
        }
        #expect(rig.events(rig.hooks) == ["open"])
        #expect(rig.events(rig.slack) == ["open"])
    }

    @Test("CI on fresh runners: two checks on fresh copies of the state after a failing run send exactly one message")
    func freshCopies() async throws {
        let rig = try await Rig()
        #expect(try await rig.run(["trigger", "shop/nightly"]).status == 2)
        let fm = FileManager.default
        /// What actions/cache saves and restores: the inventory's folder, -wal and -shm files included.
        func copyState(from source: String, to folder: URL) throws -> String {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            let target = folder.appendingPathComponent("inventory.sqlite").path
            for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: source + suffix) {
                try? fm.removeItem(atPath: target + suffix)
                try fm.copyItem(atPath: source + suffix, toPath: target + suffix)
            }
            return target
        }
        let afterFailingRun = try copyState(from: rig.cli.db, to: rig.cli.home.appendingPathComponent("cache-0"))
        // Runner 1 restores the state, checks (exit 2: an incident opened), and the cache is saved anyway (if: always()).
        let runner1 = try copyState(from: afterFailingRun, to: rig.cli.home.appendingPathComponent("runner-1"))
        #expect(try await rig.run(["alert", "check"], db: runner1).status == 2)
        let saved = try copyState(from: runner1, to: rig.cli.home.appendingPathComponent("cache-1"))
        // Runner 2 restores that saved state on a fresh machine: the incident is known, nothing is sent again.
        let runner2 = try copyState(from: saved, to: rig.cli.home.appendingPathComponent("runner-2"))
        #expect(try await rig.run(["alert", "check"], db: runner2).status == 2)
        #expect(rig.events(rig.hooks) == ["open"] && rig.events(rig.slack) == ["open"])
        // What `if: always()` prevents: a cache saved only on success would give runner 3 the old state, and a repeat.
        let runner3 = try copyState(from: afterFailingRun, to: rig.cli.home.appendingPathComponent("runner-3"))
        #expect(try await rig.run(["alert", "check"], db: runner3).status == 2)
        #expect(rig.events(rig.hooks) == ["open", "open"])
    }

    @Test("a receiver that is down gets the message on the next check (exit 1 once nothing is open but a delivery failed)")
    func receiverDown() async throws {
        let rig = try await Rig()
        rig.down.value = true
        #expect(try await rig.run(["trigger", "shop/nightly"]).status == 2)
        let first = try await rig.run(["alert", "check", "--json"])
        #expect(first.status == 2)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let notes = try #require(json["notifications"] as? [[String: Any]])
        #expect(notes.count == 2 && notes.allSatisfy { $0["delivered"] as? Bool == false && $0["http_status"] as? Int == 503 })
        #expect(json["undelivered"] as? Int == 2)
        rig.failing.value = false
        #expect(try await rig.run(["trigger", "shop/nightly"]).status == 0)
        let second = try await rig.run(["alert", "check"])
        #expect(second.status == 1, "the incident resolved, but the receivers are still down")
        #expect(second.stdout.contains("failed open job_failing:shop/nightly → hooks: HTTP 503: receiver down"))
        rig.down.value = false
        let third = try await rig.run(["alert", "check"])
        #expect(third.status == 0, "\(third.stdout)")
        #expect(rig.events(rig.hooks) == ["open", "open", "open", "resolve"], "two failed attempts, then open and resolve, in order")
        let list = try await rig.run(["alert", "list", "--json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        #expect((listed["undelivered"] as? [Any])?.isEmpty == true)
    }

    @Test("routes: URLs masked everywhere, test, rm; usage errors exit 64; a bad URL is refused without being repeated")
    func routes() async throws {
        let rig = try await Rig()
        let list = try await rig.run(["alert", "route", "list", "--json"])
        #expect(list.status == 0)
        let routes = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(routes.map { $0["name"] as? String } == ["chat", "hooks"])
        #expect(routes.map { $0["kind"] as? String } == ["slack", "webhook"])
        #expect(routes.first?["url_source"] as? String == "inventory global/ALERT_ROUTE_CHAT")
        #expect(!list.stdout.contains(Self.hookToken) && !list.stdout.contains(Self.slackToken))
        let human = try await rig.run(["alert", "route", "list"])
        #expect(!human.stdout.contains(Self.hookToken) && human.stdout.contains("/…("))
        let secrets = try await rig.run(["secret", "list"])
        #expect(secrets.stdout.contains("ALERT_ROUTE_HOOKS") && !secrets.stdout.contains(Self.hookToken))

        let test = try await rig.run(["alert", "route", "test", "hooks", "--json"])
        #expect(test.status == 0, "\(test.stderr)")
        #expect(rig.events(rig.hooks) == ["test"])
        rig.down.value = true
        #expect(try await rig.run(["alert", "route", "test", "chat"]).status == 2)

        let exists = try await rig.run(["alert", "route", "add", "hooks", "--webhook", rig.hookURL])
        #expect(exists.status == 1 && exists.stderr.contains("add --replace"))
        let replaced = try await rig.run(["alert", "route", "add", "hooks", "--webhook", rig.hookURL, "--replace", "--severity", "critical"])
        #expect(replaced.status == 0 && replaced.stdout.contains("replaced route hooks"), "\(replaced.stderr)")
        #expect(replaced.stdout.contains("it takes critical; its history is kept"))
        let bad = try await rig.run(["alert", "route", "add", "ftp", "--webhook", "ftp://example.com/\(Self.hookToken)"])
        #expect(bad.status == 1 && bad.stderr.contains("only http and https") && !bad.stderr.contains(Self.hookToken))
        let missing = try await rig.run(["alert", "route", "rm", "hoks"])
        #expect(missing.status == 1 && missing.stderr.contains("Did you mean 'hooks'?"))
        #expect(try await rig.run(["alert", "route", "rm", "hooks"]).status == 0)
        #expect(try await rig.run(["alert", "route", "list"]).stdout.contains("hooks") == false)
        for arguments in [["alert", "route", "add", "x"], ["alert", "route", "add", "x", "--webhook", "https://a.test", "--slack", "https://b.test"],
                          ["alert", "route", "add", "Bad_Name", "--webhook", "https://a.test"],
                          ["alert", "route", "add", "x", "--webhook", "https://a.test", "--from-env", "X"],
                          ["alert", "route", "add", "x", "--slack", "https://a.test", "--severity", "loud"],
                          ["alert", "check", "--ping", "hc-ping.com/abc"], ["alert", "check", "--failures", "-1"],
                          ["alert", "check", "--min-success-rate", "150%"], ["alert", "check", "--repeat", "10s"],
                          ["trigger", "--due", "--dry-run", "--ping", "https://hc.test/x"], ["trigger", "--due", "--ping", "ftp://x"]] {
            let outcome = try await rig.run(arguments)
            #expect(outcome.status == 64, "\(arguments): \(outcome.status) \(outcome.stderr)")
        }
    }

    @Test("silence: none sent while silenced, exit 0; listed with its silence; ended, the routes hear of it")
    func silence() async throws {
        let rig = try await Rig()
        let added = try await rig.run(["alert", "silence", "shop/nightly", "--for", "2h", "--reason", "deploying", "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let silences = try #require(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [[String: Any]])
        #expect(silences.first?["target"] as? String == "shop/nightly" && silences.first?["reason"] as? String == "deploying")
        #expect(try await rig.run(["trigger", "shop/nightly"]).status == 2)
        #expect(try await rig.run(["alert", "check"]).status == 0)
        #expect(rig.hooks.requests.isEmpty && rig.slack.requests.isEmpty)
        let list = try await rig.run(["alert", "list"])
        #expect(list.stdout.contains("SILENCED") && list.stdout.contains("silenced by silence #1 of shop/nightly"))
        #expect(try await rig.run(["alert", "silence", "list"]).stdout.contains("deploying"))
        #expect(try await rig.run(["alert", "silence", "rm", "1"]).status == 0)
        #expect(try await rig.run(["alert", "check"]).status == 2)
        #expect(rig.events(rig.hooks) == ["open"])
        let unknown = try await rig.run(["alert", "silence", "shop/nigthly", "--for", "1h"])
        #expect(unknown.status == 1 && unknown.stderr.contains("Did you mean 'shop/nightly'?"))
        for arguments in [["alert", "silence", "shop", "--for", "0s"], ["alert", "silence", "shop"],
                          ["alert", "silence", "Shop!", "--for", "1h"], ["alert", "silence", "shop", "--for", "31d"]] {
            #expect(try await rig.run(arguments).status == 64, "\(arguments)")
        }
        #expect(try await rig.run(["alert", "silence", "rm", "99"]).status == 1)
    }

    @Test("trigger --due --ping: start then success, or fail with the failing runs in the body")
    func triggerDuePing() async throws {
        let rig = try await Rig()
        let arguments = ["trigger", "--due", "--blind", "--at", "2026-04-10T09:10:00Z", "--window", "30m", "--ping", rig.pingURL]
        let failed = try await rig.run(arguments)
        #expect(failed.status == 2)
        #expect(rig.pings.paths == ["/ping/0e1f-uuid/start", "/ping/0e1f-uuid/fail"])
        let body = try #require(rig.pings.requests.last?.text)
        #expect(body.hasPrefix("trigger: 1 run, 1 not ok\nshop/nightly http_error 500"))
        #expect(!body.contains(Self.cronSecret))
        let rid = Set(rig.pings.requests.map { $0.query["rid"] ?? "" })
        #expect(rid.count == 1 && rid.first?.isEmpty == false)
        rig.failing.value = false
        let ok = try await rig.run(["trigger", "--due", "--blind", "--at", "2026-04-11T09:10:00Z", "--window", "30m", "--ping", rig.pingURL])
        #expect(ok.status == 0)
        #expect(rig.pings.paths.suffix(2) == ["/ping/0e1f-uuid/start", "/ping/0e1f-uuid"])
        // A ping service that cannot be reached: a warning, the run's own outcome unchanged.
        let refused = try LoopbackListener.open(listening: false)
        defer { close(refused.fd) }
        let unreachable = try await rig.run(["trigger", "shop/nightly", "--ping", "http://127.0.0.1:\(refused.port)/ping/x"])
        #expect(unreachable.status == 0)
        #expect(unreachable.stderr.contains("warning: the start ping to http://127.0.0.1:\(refused.port)/…"))
    }
}
