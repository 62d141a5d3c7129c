import Foundation

/// What `alert check` is asked.
public struct AlertCheckRequest: Sendable {
    public var policy: AlertPolicy
    /// First read the evidence anew: each layer's history (as `stats --sync`), every app's health (as `health-check`),
    /// and QStash's schedules (for drift).
    public var refresh: Bool
    /// `--repeat`: remind each route of an incident still open this long after its last message.
    public var repeatInterval: TimeInterval?
    /// The health checks `refresh` makes.
    public var health: HealthCheckOptions

    public init(policy: AlertPolicy = AlertPolicy(), refresh: Bool = false, repeatInterval: TimeInterval? = nil,
                health: HealthCheckOptions = HealthCheckOptions()) {
        self.policy = policy
        self.refresh = refresh
        self.repeatInterval = repeatInterval
        self.health = health
    }
}

extension Workspace {
    /// `alert check`: judges every condition from what the inventory knows (after reading it anew with `refresh`),
    /// opens and resolves incidents, and sends what is due to every route: opens, resolves, reminders, and what an
    /// earlier check failed to deliver.
    public func alertCheck(_ request: AlertCheckRequest,
                           sources: [any AlertConditionSource] = AlertSources.standard) async throws -> AlertCheckReport {
        let startedAt = now
        // Notifying needs the transport: without libcurl the check stops here, before it refreshes, judges or records.
        let transport = try transport
        var notes: [String] = []
        var plans: [LayerPlan]?
        if request.refresh {
            notes += await refreshEvidence(request)
            plans = await driftPlans(&notes)
        }
        let inventory = try inventory()
        let redactor = try redactor()
        let at = now
        let context = AlertContext(inventory: inventory, store: store, now: at, policy: request.policy,
                                   stats: try stats(StatsQuery(since: request.policy.window, now: at)), redactor: redactor,
                                   layerPlans: plans)
        let evaluation = AlertEvaluation.run(sources, context)
        let silencing = AlertSilencing(silences: try store.alertSilences(activeAt: at), windows: inventory.maintenance, now: at)
        let result = try store.reconcileAlerts(AlertReconcileRequest(
            conditions: evaluation.conditions, judged: evaluation.judged, silence: { silencing.reason(for: $0) },
            repeatInterval: request.repeatInterval, now: at))
        let deliveries = try await notifier(inventory: inventory, redactor: redactor, transport: transport)
            .deliverDue(startedAt: startedAt)
        return AlertCheckReport(
            checkedAt: at, refreshed: request.refresh, sources: evaluation.sources, open: result.open, opened: result.opened,
            resolved: result.resolved, deliveries: deliveries, undelivered: try store.undeliveredAlertNotifications().count,
            notes: notes)
    }

    private func notifier(inventory: Inventory, redactor: Redactor, transport: any HTTPTransport) -> AlertNotifier {
        AlertNotifier(store: store, transport: transport, secrets: secrets, redactor: redactor, inventory: inventory, now: clock.now)
    }

    /// `--refresh`: each layer's history since the window's start, then every app's health. What cannot be read is
    /// said, and the check goes on with what the inventory already knows.
    private func refreshEvidence(_ request: AlertCheckRequest) async -> [String] {
        var notes: [String] = []
        func note(_ what: String, _ error: any Error) {
            let reason = (try? redactor().remote(error.localizedDescription)) ?? "unreadable error"
            notes.append("\(what): \(reason)")
        }
        do {
            let jobs = try inventory().jobs.filter(\.enabled)
            let since = now.addingTimeInterval(-request.policy.window)
            for summary in try await refreshEvidence(jobs: jobs, since: since, now: now, tolerant: true) {
                notes += summary.warnings
            }
        } catch {
            note("layer history not read", error)
        }
        do {
            _ = try await healthCheck(request.health)
        } catch {
            note("health checks not made", error)
        }
        return notes
    }

    /// The QStash plan, for drift: [] when no enabled job is on QStash, nil (drift not judged) when it cannot be read.
    private func driftPlans(_ notes: inout [String]) async -> [LayerPlan]? {
        do {
            guard try inventory().jobs.contains(where: { $0.layer == .qstash && $0.enabled }) else { return [] }
            return [try await plan(.qstash, LayerRequest(now: now))]
        } catch {
            notes.append("qstash drift not judged: \((try? redactor().remote(error.localizedDescription)) ?? "unreadable error")")
            return nil
        }
    }

    /// `alert list`: open incidents (with what silences them), those resolved since `resolvedWithin` ago, silences,
    /// maintenance windows, and notifications that wait to be delivered.
    public func alertList(resolvedWithin: TimeInterval) throws -> AlertListReport {
        let at = now
        let inventory = try inventory()
        let silences = try store.alertSilences(activeAt: at)
        let silencing = AlertSilencing(silences: silences, windows: inventory.maintenance, now: at)
        let open = try store.openAlertIncidents().map { incident -> AlertIncident in
            var shown = incident
            shown.silencedBy = silencing.reason(for: incident)
            return shown
        }
        let since = at.addingTimeInterval(-resolvedWithin)
        return AlertListReport(
            generatedAt: at, open: open, resolved: try store.alertIncidents(resolvedSince: since), resolvedSince: since,
            silences: silences,
            maintenance: inventory.maintenance.map { window in
                MaintenanceStatus(window: window, openUntil: window.openWindow(at: at)?.end, nextStart: window.nextStart(after: at))
            },
            undelivered: try store.undeliveredAlertNotifications(), routes: try store.alertRoutes().map(\.name))
    }

    // MARK: - Routes

    /// `alert route add`: seals `url` as the global secret `ALERT_ROUTE_<NAME>` (creating the master key file on
    /// first need) and records the route, in one transaction. With `replace`, an existing route of that name takes the
    /// new URL and limits and keeps its history.
    public func addAlertRoute(name: String, kind: AlertRouteKind, url: String, apps: [String] = [], layers: [Layer] = [],
                              severities: [AlertSeverity] = [], replace: Bool = false) throws -> (route: AlertRouteReport, replaced: Bool) {
        guard Slug.isValid(name) else { throw AlertError.invalidRouteName(name) }
        if let problem = AlertRoute.urlProblem(url) { throw AlertError.invalidURL(problem) }
        let inventory = try inventory()
        for app in apps { try InventoryFilter(app: app).validate(against: inventory) }
        let route = AlertRoute(name: name, kind: kind, apps: Self.unique(apps), layers: Self.unique(layers),
                               severities: Self.unique(severities), createdAt: now)
        let replaced = try store.addAlertRoute(route, url: url, box: try secrets.box(create: true), replace: replace)
        return (try alertRoutes().first { $0.name == name } ?? routeReport(route, counts: [:]), replaced)
    }

    /// `alert route list`.
    public func alertRoutes() throws -> [AlertRouteReport] {
        let notifications = try store.alertNotifications()
        var counts: [String: (delivered: Int, undelivered: Int)] = [:]
        for n in notifications {
            var entry = counts[n.route] ?? (0, 0)
            if n.state == .delivered { entry.delivered += 1 } else { entry.undelivered += 1 }
            counts[n.route] = entry
        }
        return try store.alertRoutes().map { try routeReport($0, counts: counts) }
    }

    private func routeReport(_ route: AlertRoute, counts: [String: (delivered: Int, undelivered: Int)]) throws -> AlertRouteReport {
        let found = try? secrets.lookup(app: SecretKeys.globalScope, key: route.secretKey)
        return AlertRouteReport(
            name: route.name, kind: route.kind, url: found.map { SecretMask.url($0.value) } ?? "(locked)",
            urlSource: found?.source.description, apps: route.apps, layers: route.layers, severities: route.severities,
            createdAt: route.createdAt, delivered: counts[route.name]?.delivered ?? 0, undelivered: counts[route.name]?.undelivered ?? 0)
    }

    /// `alert route rm`: the route, its sealed URL and its notifications.
    public func removeAlertRoute(_ name: String) throws {
        guard try store.removeAlertRoute(named: name) else { throw try routeNotFound(name) }
    }

    /// `alert route test`: one sample message, sent now, recorded nowhere.
    public func testAlertRoute(_ name: String) async throws -> AlertDelivery {
        guard let route = try store.alertRoutes().first(where: { $0.name == name }) else { throw try routeNotFound(name) }
        return await notifier(inventory: try inventory(), redactor: try redactor(), transport: try transport).test(route)
    }

    private func routeNotFound(_ name: String) throws -> AlertError {
        .routeNotFound(name, suggestion: Suggest.closest(to: name, in: try store.alertRoutes().map(\.name)))
    }

    // MARK: - Silences

    /// `alert silence APP[/JOB] --for D`: no notification about the app (or job) until `duration` from now.
    public func silence(_ target: String, for duration: TimeInterval, reason: String) throws -> AlertSilence {
        let (app, job) = try silenceTarget(target)
        let at = now
        return try store.addAlertSilence(app: app, job: job, reason: reason, createdAt: at, expiresAt: at.addingTimeInterval(duration))
    }

    /// `alert silence list`: silences in force.
    public func silences() throws -> [AlertSilence] {
        try store.alertSilences(activeAt: now)
    }

    /// `alert silence rm ID|APP[/JOB]`: ends the silence with that id, or every one in force on exactly that target.
    public func endSilences(_ what: String) throws -> [AlertSilence] {
        let ended: [AlertSilence]
        if let id = Int64(what) {
            ended = try store.endAlertSilences(id: id, at: now)
        } else {
            let (app, job) = try silenceTarget(what)
            ended = try store.endAlertSilences(app: app, job: job, at: now)
        }
        guard !ended.isEmpty else { throw AlertError.silenceNotFound(Int64(what) != nil ? "#\(what)" : "on \(what)") }
        return ended
    }

    /// `APP` or `APP/JOB`, checked against the inventory (with a did-you-mean).
    private func silenceTarget(_ target: String) throws -> (app: String, job: String?) {
        let inventory = try inventory()
        if target.contains("/") {
            let job = try inventory.resolve(target)
            return (job.app, job.name)
        }
        try InventoryFilter(app: target).validate(against: inventory)
        return (target, nil)
    }

    // MARK: - Pings

    /// Runs `body` between healthchecks-style pings to `url` (none when nil): `URL/start` first, then `URL` when the
    /// report says the run went well, `URL/fail` with a short redacted summary when not (or when `body` threw).
    /// A ping that cannot be delivered is told to `problems` and changes nothing else.
    public func pinging<Report: PingOutcome>(_ url: String?, problems: @escaping @Sendable (String) -> Void,
                                             _ body: () async throws -> Report) async throws -> Report {
        guard let url else { return try await body() }
        if let problem = HealthchecksPing.problem(url) { throw AlertError.invalidPingURL(problem) }
        let ping = HealthchecksPing(url: url, transport: try transport, redactor: try redactor(), sleep: clock.sleep)
        return try await ping.around(problems: problems, body)
    }

    private static func unique<T: Equatable>(_ values: [T]) -> [T] {
        values.reduce(into: []) { result, value in if !result.contains(value) { result.append(value) } }
    }
}
