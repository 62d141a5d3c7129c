import Foundation
import RBSCronTestSupport
import Testing

@testable import RBSCronKit

/// One app whose endpoint fails or succeeds on demand, two receivers (a generic webhook and a Slack-style one), a
/// workspace over a real SQLite file with a clock the test moves, and the secrets that must never reach a payload.
final class AlertBench: @unchecked Sendable {
    static let cronSecret = "alert-cron-secret-0123456789abcdef"
    static let masterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    /// The receivers' URLs carry a token, as Slack's do: it is a secret too.
    static let webhookToken = "T0KEN-webhook-4b1d9e77c2"
    static let slackToken = "T0KEN-slack-9f3e21aa80"

    let folder: URL
    let path: String
    let app: LoopbackServer
    let webhook: LoopbackServer
    let slack: LoopbackServer
    /// The endpoint's answer: 500 (echoing the bearer token back, as a careless app might) or 200.
    let failing = TestLocked(true)
    /// The receivers' answer: 503 while "down".
    let receiversDown = TestLocked(false)
    let clock = TestLocked(Date(timeIntervalSince1970: 1_775_822_400))  // 2026-04-10T12:00:00Z

    init(extra: String = "") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-alerts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("inventory.sqlite").path
        let failing = self.failing, down = receiversDown
        app = try LoopbackServer { request in
            if request.path == "/health" { return .text(200, "ok") }
            guard failing.withLock({ $0 }) else { return .json(200, #"{"success":true}"#) }
            return .text(500, "upstream exploded; we were sent \(request.authorization ?? "nothing")")
        }
        webhook = try LoopbackServer { _ in down.withLock { $0 } ? .text(503, "down for maintenance") : .text(200, "ok") }
        slack = try LoopbackServer { _ in down.withLock { $0 } ? .text(503, "down for maintenance") : .text(200, "ok") }
        let manifest = """
            version: 1
            apps:
              - name: shop
                display_name: Shöp
                base_url: \(app.baseURL)
                platform: vercel
                health: {path: /health}
                jobs:
                  - {name: nightly, path: /api/cron/nightly, layer: vercel, schedule: "0 3 * * *", priority: high}
                  - {name: sync, path: /api/cron/sync, layer: vercel, schedule: "0 4 * * *", alert: {failures: 2}}
            \(extra)
            """
        let store = try InventoryStore.open(path: path)
        _ = try workspace(store).importManifest(manifest, file: "bench.yaml", dryRun: false)
    }

    deinit {
        app.stop()
        webhook.stop()
        slack.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    var webhookURL: String { "\(webhook.baseURL)/hooks/\(Self.webhookToken)" }
    var slackURL: String { "\(slack.baseURL)/services/\(Self.slackToken)" }

    var environment: [String: String] {
        ["RBSCRON_MASTER_KEY": Self.masterKey, "RBSCRON_SECRET_SHOP_CRON_SECRET": Self.cronSecret]
    }

    func advance(_ seconds: TimeInterval) { clock.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// A workspace over `store` (a new connection to the file by default): real transport, the bench's clock.
    func workspace(_ store: InventoryStore? = nil) throws -> Workspace {
        let clock = self.clock
        return Workspace(store: try store ?? InventoryStore.open(path: path), environment: environment,
                         clock: RunEnvironment(now: { clock.withLock { $0 } }, sleep: { _ in }),
                         transport: { CurlTransport(userAgent: testUserAgent) })
    }

    func addRoutes(_ workspace: Workspace) throws {
        _ = try workspace.addAlertRoute(name: "hooks", kind: .webhook, url: webhookURL)
        _ = try workspace.addAlertRoute(name: "chat", kind: .slack, url: slackURL)
    }

    /// Fires `job` once (recording its run) and moves the clock a minute on.
    @discardableResult
    func fire(_ job: String, _ workspace: Workspace) async throws -> RunReport? {
        let report = try await workspace.trigger(TriggerRequest(mode: .jobs([JobRef(app: "shop", job: job)])))
        advance(60)
        return report.runs.first
    }

    /// One `alert check` at the bench's time, then a minute on.
    func check(_ workspace: Workspace, _ request: AlertCheckRequest = AlertCheckRequest()) async throws -> AlertCheckReport {
        let report = try await workspace.alertCheck(request)
        advance(60)
        return report
    }

    /// What each receiver got: the parsed JSON bodies.
    func received(_ server: LoopbackServer) -> [[String: Any]] {
        server.requests.compactMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
    }

    /// The events of the generic webhook's bodies, in order.
    var webhookEvents: [String] { received(webhook).compactMap { $0["event"] as? String } }

    /// Every payload any receiver got, as text (the request line is the receiver's own URL, so it is left out).
    var everythingReceived: String {
        (webhook.requests + slack.requests).map(\.text).joined(separator: "\n")
    }

    /// Every secret of the bench, none of which may ever appear in a payload.
    static let secrets = [cronSecret, webhookToken, slackToken]
}
