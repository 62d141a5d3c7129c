import Foundation
import QStashStandIn
import RBSCronTestSupport
import Testing

/// Due mode against a layer's scripted history, through the built binary: it fires only what the layer missed, once,
/// whoever runs it and from however many inventories.
@Suite("trigger --due against QStash's evidence, end to end")
struct DueEvidenceTests {
    static let token = "qstash-token-for-due-evidence-tests-0123456789"
    static let cronSecret = "cron-secret-for-due-evidence-0123456789"
    /// The fire judged: 09:00 UTC; runs look at 09:10 (past QStash's tolerance and grace).
    static let fire = Date(timeIntervalSince1970: 1_775_811_600)  // 2026-04-10T09:00:00Z
    static let at = "2026-04-10T09:10:00Z"

    static func manifest(base: String) -> String {
        """
        version: 1
        apps:
          - name: shop
            display_name: Shop
            base_url: \(base)
            platform: vercel
            health: {path: /}
            jobs:
              - {name: delivered, path: /api/cron/delivered, layer: qstash, schedule: "0 * * * *", auth: cron_secret}
              - {name: late, path: /api/cron/late, layer: qstash, schedule: "0 * * * *", auth: cron_secret}
              - {name: failing, path: /api/cron/failing, layer: qstash, schedule: "0 * * * *", auth: cron_secret, retries: 2}
              - {name: missed, path: /api/cron/missed, layer: qstash, schedule: "0 * * * *", auth: cron_secret}
              - {name: broken, path: /api/cron/broken, layer: qstash, schedule: "30 8 * * *", auth: cron_secret}
        """
    }

    /// An app, a QStash stand-in whose clock stands at the runs' `--at`, its schedules and a scripted history.
    struct Rig {
        let app: LoopbackServer
        let qstash: QStashStandIn
        let base: String

        init() async throws {
            app = try LoopbackServer { request in
                request.path.hasSuffix("/broken") ? .text(500, "broken") : .json(200, #"{"success":true}"#)
            }
            let now = DueEvidenceTests.fire.addingTimeInterval(600)
            qstash = try await QStashStandIn.start(token: DueEvidenceTests.token, options: .init(
                retryDelay: { _ in .milliseconds(20) }, clock: { now }))
            base = app.baseURL
            let created = Int64((DueEvidenceTests.fire.timeIntervalSince1970 - 30 * 86_400) * 1000)
            for (job, cron) in [("delivered", "0 * * * *"), ("late", "0 * * * *"), ("failing", "0 * * * *"),
                                ("missed", "0 * * * *"), ("broken", "30 8 * * *")] {
                qstash.seed(QStashStandIn.Schedule(scheduleId: "rbs-shop-\(job)", destination: "\(base)/api/cron/\(job)",
                                                   cron: cron, createdAt: created))
            }
            let fireMs = Int64(DueEvidenceTests.fire.timeIntervalSince1970 * 1000)
            qstash.seed([
                .init(messageId: "msg-delivered", scheduleId: "rbs-shop-delivered", url: "\(base)/api/cron/delivered",
                      createdAt: fireMs + 400, outcome: .delivered()),
                // 50 s late: within QStash's minute of tolerance.
                .init(messageId: "msg-late", scheduleId: "rbs-shop-late", url: "\(base)/api/cron/late",
                      createdAt: fireMs + 50_000, outcome: .delivered()),
                .init(messageId: "msg-failing", scheduleId: "rbs-shop-failing", url: "\(base)/api/cron/failing",
                      createdAt: fireMs + 300, outcome: .failed(status: 500), maxRetries: 2),
            ])
        }

        var env: [String: String] {
            ["QSTASH_URL": qstash.baseURL, "RBSCRON_SECRET_GLOBAL_QSTASH_TOKEN": DueEvidenceTests.token,
             "RBSCRON_SECRET_SHOP_CRON_SECRET": DueEvidenceTests.cronSecret]
        }

        /// A fresh runner: its own inventory, imported from the manifest.
        func runner() async throws -> RBSCronProcess {
            let rbs = try RBSCronProcess()
            let file = rbs.home.appendingPathComponent("shop.yaml")
            try Data(DueEvidenceTests.manifest(base: base).utf8).write(to: file)
            let imported = try await rbs.run(["import", file.path, "--yes"])
            #expect(imported.status == 0, "\(imported.stderr)")
            return rbs
        }

        func stop() async {
            app.stop()
            await qstash.stop()
        }
    }

    static func decisions(_ outcome: Outcome) throws -> [[String: Any]] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any],
                                "\(outcome.stdout) \(outcome.stderr)")
        return try #require(json["decisions"] as? [[String: Any]])
    }

    static func decision(_ list: [[String: Any]], _ job: String) -> [String: Any]? {
        list.first { $0["job"] as? String == "shop/\(job)" }
    }

    @Test("delivered, late, failed and missed: two runners on two inventories at once send the missed fire once, through QStash")
    func onlyTheMissedOnceFromTwoRunners() async throws {
        let rig = try await Rig()
        let first = try await rig.runner(), second = try await rig.runner()
        defer { first.cleanup(); second.cleanup() }
        let arguments = ["trigger", "--due", "--at", Self.at, "--window", "30m", "--explain", "--json"]
        async let a = first.run(arguments, env: rig.env)
        async let b = second.run(arguments, env: rig.env)
        let both = try await [a, b]
        for outcome in both { #expect(outcome.status == 0, "\(outcome.stderr)") }
        #expect(await rig.qstash.awaitDeliveries())

        // The missed fire went out exactly once; nothing else was called.
        #expect(rig.app.paths == ["/api/cron/missed"], "\(rig.app.paths)")
        let deliveries = rig.qstash.deliveries
        #expect(deliveries.count == 1)
        #expect(deliveries.first?.header("Authorization") == "Bearer \(Self.cronSecret)")

        let lists = try both.map(Self.decisions)
        for list in lists {
            #expect(Self.decision(list, "delivered")?["action"] as? String == "skipped")
            #expect(Self.decision(list, "delivered")?["state"] as? String == "delivered")
            #expect(Self.decision(list, "late")?["state"] as? String == "delivered")
            #expect(Self.decision(list, "failing")?["state"] as? String == "failed")
            #expect(Self.decision(list, "failing")?["action"] as? String == "skipped")
            // Missed, unless this runner read QStash's log after the other one's backfill was in it.
            #expect(["missed", "pending", "delivered"].contains(Self.decision(list, "missed")?["state"] as? String ?? ""))
        }
        // One runner sent it; the other found QStash had its deduplication id, or saw the message in QStash's log.
        let missed = lists.compactMap { Self.decision($0, "missed") }
        #expect(missed.filter { $0["action"] as? String == "fired" && $0["via"] as? String == "qstash" }.count == 1, "\(missed)")
        #expect(missed.filter { $0["action"] as? String != "fired" }.count == 1, "\(missed)")
        let publishes = rig.qstash.requests.filter { $0.method == "POST" && $0.path.hasPrefix("/v2/publish/") }
        #expect(publishes.count <= 2)

        // A third runner, fresh (no cache), later: QStash's log shows the backfill as that fire's delivery.
        let third = try await rig.runner()
        defer { third.cleanup() }
        let later = try await third.run(["trigger", "--due", "--at", "2026-04-10T09:25:00Z", "--window", "30m", "--explain", "--json"],
                                        env: rig.env)
        #expect(later.status == 0, "\(later.stderr)")
        let again = try Self.decisions(later)
        #expect(Self.decision(again, "missed")?["state"] as? String == "delivered", "\(again)")
        #expect(again.allSatisfy { $0["action"] as? String != "fired" })
        #expect(rig.app.paths == ["/api/cron/missed"])
        await rig.stop()
    }

    @Test("after a backfill that failed, two fresh runners fire nothing: a failure is not a miss")
    func noDoubleFireAfterAFailingRun() async throws {
        let rig = try await Rig()
        // broken's fire of 08:30 was never made by QStash; its endpoint answers 500.
        let first = try await rig.runner()
        defer { first.cleanup() }
        let arguments = ["trigger", "--due", "--at", Self.at, "--window", "1h", "--explain", "--json"]
        let failing = try await first.run(arguments, env: rig.env)
        #expect(failing.status == 0, "\(failing.stderr)")
        #expect(Self.decision(try Self.decisions(failing), "broken")?["via"] as? String == "qstash")
        #expect(await rig.qstash.awaitDeliveries())
        // QStash tried it (the job's retries: 0 more), it failed: the first runner's cache would be lost with a red job.
        #expect(rig.app.paths.filter { $0 == "/api/cron/broken" }.count == 1)

        let second = try await rig.runner(), third = try await rig.runner()
        defer { second.cleanup(); third.cleanup() }
        async let b = second.run(arguments, env: rig.env)
        async let c = third.run(arguments, env: rig.env)
        for outcome in try await [b, c] {
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let broken = Self.decision(try Self.decisions(outcome), "broken")
            #expect(broken?["action"] as? String == "skipped", "\(String(describing: broken))")
            #expect(["failed", "pending"].contains(broken?["state"] as? String ?? ""), "\(String(describing: broken))")
        }
        #expect(rig.app.paths.filter { $0 == "/api/cron/broken" }.count == 1, "\(rig.app.paths)")
        await rig.stop()
    }

    @Test("QStash's dead letters become rbscron's, marked as QStash's; --replay-dead-letters retries them through QStash")
    func qstashDeadLetters() async throws {
        let rig = try await Rig()
        let rbs = try await rig.runner()
        defer { rbs.cleanup() }
        let sync = try await rbs.run(["stats", "--sync", "--since", "1d", "--json"], env: rig.env)
        #expect(sync.status == 0 || sync.status == 2, "\(sync.stderr)")
        #expect(sync.stderr.contains("qstash holds 1 dead letter(s)"), "\(sync.stderr)")

        let dry = try await rbs.run(["trigger", "--replay-dead-letters", "--explain", "--json"], env: rig.env)
        #expect(dry.status == 0, "\(dry.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
        let letters = try #require(json["dead_letters"] as? [[String: Any]])
        #expect(letters.count == 1)
        #expect(letters.first?["job"] as? String == "shop/failing" && letters.first?["origin"] as? String == "qstash")
        #expect(letters.first?["action"] as? String == "requeued" && letters.first?["message_id"] is String)
        #expect(rig.qstash.requests.contains { $0.method == "POST" && $0.path.hasPrefix("/v2/dlq/retry/") })
        #expect((json["runs"] as? [Any])?.isEmpty == true)
        #expect(await rig.qstash.awaitDeliveries())
        #expect(rig.app.paths == ["/api/cron/failing"])
        // Resolved: a second replay finds nothing; a later sync does not bring it back (QStash no longer holds it).
        let again = try await rbs.run(["trigger", "--replay-dead-letters"], env: rig.env)
        #expect(again.status == 0 && (again.stdout + again.stderr).contains("no unresolved dead letters"), "\(again.stdout) \(again.stderr)")
        _ = try await rbs.run(["stats", "--sync", "--since", "1d"], env: rig.env)
        let after = try await rbs.run(["trigger", "--replay-dead-letters", "--discard"], env: rig.env)
        #expect((after.stdout + after.stderr).contains("no unresolved dead letters"), "\(after.stdout) \(after.stderr)")
        await rig.stop()
    }
}
