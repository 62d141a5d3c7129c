import Foundation
import RBSCronTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import RBSCronKit

@Suite("alert check: incidents open and resolve once, every route told once of each", .serialized, .timeLimit(.minutes(2)))
struct AlertCheckTests {
    @Test("a job failing three times then recovering: one open and one resolve per route, nothing in between")
    func failThreeTimesThenRecover() async throws {
        let bench = try AlertBench()
        try bench.addRoutes(try bench.workspace())
        var exitCodes: [Int32] = []
        for _ in 0..<3 {
            try await bench.fire("nightly", try bench.workspace())
            exitCodes.append(try await bench.check(try bench.workspace()).exitCode)
        }
        bench.failing.withLock { $0 = false }
        try await bench.fire("nightly", try bench.workspace())
        let last = try await bench.check(try bench.workspace())
        exitCodes.append(last.exitCode)

        #expect(exitCodes == [2, 2, 2, 0])
        #expect(bench.webhookEvents == ["open", "resolve"])
        #expect(bench.slack.requests.count == 2)
        #expect(last.resolved.map(\.key) == ["job_failing:shop/nightly"])
        // The generic body: what, where, since when, last error, the command to look closer.
        let opened = try #require(bench.received(bench.webhook).first)
        let incident = try #require(opened["incident"] as? [String: Any])
        #expect(incident["key"] as? String == "job_failing:shop/nightly")
        #expect(incident["severity"] as? String == "critical", "a high-priority job's failure is critical")
        #expect(incident["app"] as? String == "shop" && incident["job"] as? String == "shop/nightly" && incident["layer"] as? String == "vercel")
        #expect(incident["summary"] as? String == "shop/nightly failed its latest run")
        #expect((incident["last_error"] as? String)?.hasPrefix("http_error: HTTP 500: upstream exploded; we were sent Bearer [REDACTED]") == true)
        #expect(incident["look_closer"] as? String == "rbscron stats --job shop/nightly")
        #expect(incident["since"] is String && opened["sent_at"] is String && opened["sender"] as? String == RBSCronVersion.userAgent)
        #expect(opened["location"] as? String == "Shöp (shop) · shop/nightly · vercel")
        let resolved = try #require(bench.received(bench.webhook).last)
        #expect((resolved["incident"] as? [String: Any])?["resolved_at"] is String)
        #expect((resolved["text"] as? String)?.hasPrefix("RESOLVED after ") == true)
        // The Slack body: Slack's own shape.
        let slack = try #require(bench.received(bench.slack).first)
        #expect((slack["text"] as? String)?.contains("OPEN critical: shop/nightly failed its latest run") == true)
        let blocks = try #require(slack["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String } == ["section", "section", "section", "context"])
        #expect(bench.slack.requests.allSatisfy { $0.header("content-type") == "application/json" })
        for secret in AlertBench.secrets { #expect(!bench.everythingReceived.contains(secret)) }
        // Every attempt is on record.
        let attempts = try InventoryStore.open(path: bench.path).alertAttempts()
        #expect(attempts.count == 4 && attempts.allSatisfy(\.delivered))
    }

    @Test("a job's own threshold: alert: {failures: 2} opens on the second failure, not the first")
    func perJobThreshold() async throws {
        let bench = try AlertBench()
        try bench.addRoutes(try bench.workspace())
        try await bench.fire("sync", try bench.workspace())
        let first = try await bench.check(try bench.workspace())
        #expect(first.open.isEmpty && bench.webhook.requests.isEmpty)
        try await bench.fire("sync", try bench.workspace())
        let second = try await bench.check(try bench.workspace())
        #expect(second.opened.map(\.key) == ["job_failing:shop/sync"])
        #expect(second.opened.first?.summary == "shop/sync failed 2 runs in a row")
        #expect(second.opened.first?.severity == .warning, "a medium-priority job's failure is a warning")
        // The policy's default (--failures) applies to the other jobs; the job's own threshold wins over it.
        try await bench.fire("nightly", try bench.workspace())
        let off = try await bench.check(try bench.workspace(), AlertCheckRequest(policy: AlertPolicy(failures: 0)))
        #expect(off.open.map(\.key) == ["job_failing:shop/sync"])
        let on = try await bench.check(try bench.workspace())
        #expect(on.opened.map(\.key) == ["job_failing:shop/nightly"])
    }

    @Test("a silenced job sends nothing, opens or resolves; the check does not fail on it")
    func silencedJob() async throws {
        let bench = try AlertBench()
        let workspace = try bench.workspace()
        try bench.addRoutes(workspace)
        let silence = try workspace.silence("shop/nightly", for: 3600, reason: "deploying")
        #expect(silence.target == "shop/nightly")
        try await bench.fire("nightly", try bench.workspace())
        let report = try await bench.check(try bench.workspace())
        #expect(report.open.map(\.key) == ["job_failing:shop/nightly"])
        #expect(report.open.first?.silencedBy?.hasPrefix("silence #\(silence.id) of shop/nightly until") == true)
        #expect(report.exitCode == 0 && report.firing.isEmpty)
        bench.failing.withLock { $0 = false }
        try await bench.fire("nightly", try bench.workspace())
        let resolved = try await bench.check(try bench.workspace())
        #expect(resolved.resolved.count == 1)
        #expect(bench.webhook.requests.isEmpty && bench.slack.requests.isEmpty)
        // A silence of the app covers its jobs; ending it lets the next incident through.
        bench.failing.withLock { $0 = true }
        _ = try workspace.silence("shop", for: 3600, reason: "")
        try await bench.fire("nightly", try bench.workspace())
        #expect(try await bench.check(try bench.workspace()).firing.isEmpty)
        #expect(bench.webhook.requests.isEmpty)
        #expect(try workspace.endSilences("shop").count == 1)
        #expect(try workspace.endSilences("shop/nightly").count == 1)
        #expect(throws: AlertError.silenceNotFound("on shop")) { try workspace.endSilences("shop") }
        let after = try await bench.check(try bench.workspace())
        #expect(after.firing.count == 1)
        #expect(bench.webhookEvents == ["open"], "the silence ended with the incident open: the routes hear of it now")
    }

    @Test("a maintenance window from the manifest holds notifications back while it is open")
    func maintenanceWindow() async throws {
        // Every day 11:30 UTC for two hours: open at the bench's 12:00.
        let bench = try AlertBench(extra: """
            maintenance:
              - {name: midday, cron: "30 11 * * *", duration: 2h, apps: [shop], reason: weekly deploy}
            """)
        try bench.addRoutes(try bench.workspace())
        try await bench.fire("nightly", try bench.workspace())
        let report = try await bench.check(try bench.workspace())
        #expect(report.open.first?.silencedBy == "maintenance window midday until 2026-04-10T13:30:00Z: weekly deploy")
        #expect(bench.webhook.requests.isEmpty)
        let list = try bench.workspace().alertList(resolvedWithin: 86_400)
        #expect(list.maintenance.first?.openUntil == Timestamp.parse("2026-04-10T13:30:00Z"))
        #expect(list.open.first?.silencedBy != nil)
        bench.advance(2 * 3600)
        let later = try await bench.check(try bench.workspace())
        #expect(later.firing.count == 1 && bench.webhookEvents == ["open"])
    }

    @Test("a receiver that is down gets the message on the next check; each attempt is recorded with its reason")
    func receiverDown() async throws {
        let bench = try AlertBench()
        try bench.addRoutes(try bench.workspace())
        bench.receiversDown.withLock { $0 = true }
        try await bench.fire("nightly", try bench.workspace())
        let first = try await bench.check(try bench.workspace())
        #expect(first.deliveries.count == 2 && first.deliveries.allSatisfy { !$0.delivered })
        #expect(first.deliveries.first?.error == "HTTP 503: down for maintenance")
        #expect(first.undelivered == 2)
        bench.receiversDown.withLock { $0 = false }
        let second = try await bench.check(try bench.workspace())
        #expect(second.deliveries.count == 2 && second.deliveries.allSatisfy(\.delivered))
        #expect(second.undelivered == 0)
        #expect(bench.webhookEvents == ["open", "open"], "one failed attempt, then the delivery")
        let third = try await bench.check(try bench.workspace())
        #expect(third.deliveries.isEmpty, "delivered once; never again")
        let attempts = try InventoryStore.open(path: bench.path).alertAttempts()
        #expect(attempts.map(\.delivered) == [false, false, true, true])
        #expect(attempts.first?.httpStatus == 503)
    }

    @Test("a refused connection fails with its reason and never shows the route's URL")
    func refusedRoute() async throws {
        let bench = try AlertBench()
        let refused = try LoopbackListener.open(listening: false)
        defer { close(refused.fd) }
        let url = "http://127.0.0.1:\(refused.port)/secret-path-\(AlertBench.webhookToken)"
        let workspace = try bench.workspace()
        let route = try workspace.addAlertRoute(name: "nowhere", kind: .webhook, url: url).route
        #expect(route.url == "http://127.0.0.1:\(refused.port)/…(\(url.count) chars)")
        #expect(route.urlSource == "inventory global/ALERT_ROUTE_NOWHERE")
        try await bench.fire("nightly", try bench.workspace())
        let report = try await bench.check(try bench.workspace())
        let delivery = try #require(report.deliveries.first)
        #expect(!delivery.delivered && delivery.error?.contains("Could not connect") == true)
        #expect(report.exitCode == 2)
        let test = try await bench.workspace().testAlertRoute("nowhere")
        #expect(!test.delivered)
        for text in [delivery.error, test.error].compactMap({ $0 }) { #expect(!text.contains(AlertBench.webhookToken)) }
        // Bad URLs are refused without being repeated.
        #expect(throws: AlertError.invalidURL("it uses the ftp scheme; only http and https are sent")) {
            try workspace.addAlertRoute(name: "ftp", kind: .webhook, url: "ftp://example.com/\(AlertBench.webhookToken)")
        }
        #expect(throws: AlertError.routeExists("nowhere")) { try workspace.addAlertRoute(name: "nowhere", kind: .slack, url: url) }
        #expect(throws: AlertError.routeNotFound("nowher", suggestion: "nowhere")) { try workspace.removeAlertRoute("nowher") }
    }

    @Test("no secret reaches a payload: run errors stored before a secret was known, route URLs, bearer tokens")
    func noSecretInPayloads() async throws {
        let bench = try AlertBench()
        let workspace = try bench.workspace()
        try bench.addRoutes(workspace)
        // A failure recorded raw (as by an older rbscron, or before the secret was stored): the alert redacts it anyway.
        let store = try InventoryStore.open(path: bench.path)
        let id = try #require(try store.beginRun(JobRef(app: "shop", job: "nightly"), source: .manual, startedAt: bench.clock.withLock { $0 }, pid: 1))
        try store.finishRun(id, RunCompletion(
            outcome: .httpError, finishedAt: bench.clock.withLock { $0 }, attempts: 1, httpStatus: 500, timings: nil, durationMs: 5,
            responseExcerpt: nil,
            error: "HTTP 500: token \(AlertBench.cronSecret) rejected; also posted to \(bench.slackURL); Bearer eyJhbGciOi.eyJzdWIiOi.sig"))
        bench.advance(60)
        let report = try await bench.check(try bench.workspace())
        #expect(report.deliveries.count == 2 && report.deliveries.allSatisfy(\.delivered))
        let received = bench.everythingReceived
        for secret in AlertBench.secrets + [bench.slackURL, "eyJhbGciOi"] { #expect(!received.contains(secret), "\(secret) leaked") }
        #expect(received.contains("[REDACTED]"))
        let detail = try #require(report.open.first?.detail)
        #expect(!detail.contains(AlertBench.cronSecret) && detail.contains("[REDACTED]"))
    }

    @Test("--repeat: a reminder once the interval has passed since the last delivered message, one at a time")
    func reminders() async throws {
        let bench = try AlertBench()
        _ = try bench.workspace().addAlertRoute(name: "hooks", kind: .webhook, url: bench.webhookURL)
        let every = AlertCheckRequest(repeatInterval: 2 * 3600)
        try await bench.fire("nightly", try bench.workspace())
        _ = try await bench.check(try bench.workspace(), every)
        bench.advance(3600)
        _ = try await bench.check(try bench.workspace(), every)
        #expect(bench.webhookEvents == ["open"])
        bench.advance(3600)
        let reminded = try await bench.check(try bench.workspace(), every)
        #expect(reminded.deliveries.map(\.event) == [.remind] && reminded.deliveries.first?.sequence == 1)
        _ = try await bench.check(try bench.workspace(), every)
        bench.advance(2 * 3600)
        _ = try await bench.check(try bench.workspace(), every)
        #expect(bench.webhookEvents == ["open", "remind", "remind"])
        #expect(bench.received(bench.webhook).last?["reminder"] as? Int == 2)
        #expect((bench.received(bench.webhook).last?["text"] as? String)?.hasPrefix("STILL OPEN (reminder 2)") == true)
        // Without --repeat, no reminder.
        bench.advance(5 * 3600)
        _ = try await bench.check(try bench.workspace())
        #expect(bench.webhookEvents.count == 3)
    }

    @Test("two checks at once on one file (two connections) send each message once")
    func concurrentChecks() async throws {
        let bench = try AlertBench()
        try bench.addRoutes(try bench.workspace())
        try await bench.fire("nightly", try bench.workspace())
        for _ in 0..<3 {
            let a = try bench.workspace(), b = try bench.workspace()
            async let first = a.alertCheck(AlertCheckRequest())
            async let second = b.alertCheck(AlertCheckRequest())
            let reports = try await [first, second]
            #expect(reports.map(\.exitCode) == [2, 2])
            bench.advance(60)
        }
        #expect(bench.webhookEvents == ["open"])
        #expect(bench.slack.requests.count == 1)
        let incidents = try InventoryStore.open(path: bench.path).openAlertIncidents()
        #expect(incidents.count == 1)
    }

    @Test("a route added while an incident is open is told of it; a route limited to another app is not")
    func lateAndLimitedRoutes() async throws {
        let bench = try AlertBench()
        try await bench.fire("nightly", try bench.workspace())
        let unrouted = try await bench.check(try bench.workspace())
        #expect(unrouted.opened.count == 1 && unrouted.deliveries.isEmpty)
        let workspace = try bench.workspace()
        _ = try workspace.addAlertRoute(name: "hooks", kind: .webhook, url: bench.webhookURL)
        _ = try workspace.addAlertRoute(name: "chat", kind: .slack, url: bench.slackURL, layers: [.qstash])
        _ = try await bench.check(try bench.workspace())
        #expect(bench.webhookEvents == ["open"])
        #expect(bench.slack.requests.isEmpty, "the slack route takes only qstash incidents")
        let routes = try bench.workspace().alertRoutes()
        #expect(routes.map(\.name) == ["chat", "hooks"])
        #expect(routes.map(\.delivered) == [0, 1])
        #expect(routes.allSatisfy { !$0.url.contains("T0KEN") })
        // Replacing a route (a CI run re-adding it) keeps what it was told: nothing is sent again.
        let again = try workspace.addAlertRoute(name: "hooks", kind: .webhook, url: bench.webhookURL + "?v=2", replace: true)
        #expect(again.replaced && again.route.delivered == 1)
        _ = try await bench.check(try bench.workspace())
        #expect(bench.webhookEvents == ["open"])
        try workspace.removeAlertRoute("hooks")
        #expect(try bench.workspace().alertRoutes().map(\.name) == ["chat"])
        let secrets = try InventoryStore.open(path: bench.path).secretRecords().map(\.key)
        #expect(secrets == ["ALERT_ROUTE_CHAT"], "the removed route's sealed URL went with it")
    }

    @Test("the store keeps one open incident per key and one notification per event, whatever is asked twice")
    func storeUniqueness() throws {
        let store = try InventoryStore.inMemory(seed: Inventory(apps: [], jobs: []))
        try store.addAlertRoute(AlertRoute(name: "r", kind: .webhook, createdAt: Date()), url: "https://example.test/x",
                                box: SecretBox(masterKey: try testKey(3)))
        let condition = AlertCondition(kind: .appDown, subject: "shop", severity: .critical, app: "shop", summary: "shop is down",
                                       lookCloser: "rbscron health-check --app shop")
        let now = Date(timeIntervalSince1970: 1_775_822_400)
        let request = AlertReconcileRequest(conditions: [condition, condition], judged: [.appDown], silence: { _ in nil }, now: now)
        let first = try store.reconcileAlerts(request)
        let second = try store.reconcileAlerts(request)
        #expect(first.opened.count == 1 && first.queued == 1)
        #expect(second.opened.isEmpty && second.queued == 0)
        #expect(try store.openAlertIncidents().count == 1)
        // Not judged: stays open. Judged and absent: resolved, with one resolve for the route told of it.
        let skipped = try store.reconcileAlerts(AlertReconcileRequest(conditions: [], judged: [], silence: { _ in nil }, now: now))
        #expect(skipped.resolved.isEmpty && skipped.open.count == 1)
        let over = try store.reconcileAlerts(AlertReconcileRequest(conditions: [], judged: [.appDown], silence: { _ in nil }, now: now))
        #expect(over.resolved.count == 1 && over.queued == 1)
        #expect(try store.alertNotifications().map(\.event) == [.open, .resolve])
        // A claim is one process's: a second claimer gets nothing, and the resolve waits for its open.
        let claimed = try store.claimAlertNotifications(claim: "a", now: now, retryBefore: now, lease: 300)
        #expect(claimed.map(\.notification.event) == [.open])
        #expect(try store.claimAlertNotifications(claim: "b", now: now, retryBefore: now, lease: 300).isEmpty)
        #expect(try store.recordAlertAttempt(notification: claimed[0].notification.id, claim: "b", delivered: true, httpStatus: 200,
                                             error: nil, at: now, durationMs: 1) == false, "only the claimer records")
        #expect(try store.recordAlertAttempt(notification: claimed[0].notification.id, claim: "a", delivered: true, httpStatus: 200,
                                             error: nil, at: now, durationMs: 1))
        #expect(try store.claimAlertNotifications(claim: "b", now: now, retryBefore: now, lease: 300).map(\.notification.event) == [.resolve])
        // A claim older than the lease is taken over.
        let later = now.addingTimeInterval(301)
        #expect(try store.claimAlertNotifications(claim: "c", now: later, retryBefore: now, lease: 300).map(\.claim) == ["c"])
    }
}
