import Foundation

/// One delivery attempt made by a check, as its report shows it.
public struct AlertDelivery: Sendable, Equatable, Encodable {
    public var notification: Int64
    public var route: String
    public var event: AlertEvent
    public var sequence: Int
    public var incident: String
    public var delivered: Bool
    public var httpStatus: Int?
    /// Why it failed (redacted; never the route's URL).
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case notification, route, event, sequence, incident, delivered, httpStatus = "http_status", error
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(notification, forKey: .notification)
        try c.encode(route, forKey: .route)
        try c.encode(event, forKey: .event)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(incident, forKey: .incident)
        try c.encode(delivered, forKey: .delivered)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(error, forKey: .error)
    }
}

/// Sends the notifications a check claims, over the shared transport, and records every attempt.
public struct AlertNotifier: Sendable {
    /// Requests in flight at once.
    public static let concurrency = 4
    /// A claim older than this is taken as lost (its process died mid-send) and sent again.
    public static let lease: TimeInterval = 300
    /// At most this many claim rounds per check: a round sends what waits on nothing; the next, what waited on it
    /// (a resolve after its open).
    public static let rounds = 5

    let store: InventoryStore
    let transport: any HTTPTransport
    let secrets: any SecretProvider
    let redactor: Redactor
    let now: @Sendable () -> Date
    /// Display names by app slug, for the messages.
    let displayNames: [String: String]

    public init(store: InventoryStore, transport: any HTTPTransport, secrets: any SecretProvider, redactor: Redactor,
                inventory: Inventory, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.transport = transport
        self.secrets = secrets
        self.redactor = redactor
        self.now = now
        self.displayNames = Dictionary(inventory.apps.map { ($0.name, $0.displayName) }, uniquingKeysWith: { a, _ in a })
    }

    /// Claims and sends every notification that is due, in rounds, each at most once in this call. Returns the
    /// attempts made.
    public func deliverDue(startedAt: Date) async throws -> [AlertDelivery] {
        let claim = "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
        var deliveries: [AlertDelivery] = []
        for _ in 0..<Self.rounds {
            let claimed = try store.claimAlertNotifications(claim: claim, now: now(), retryBefore: startedAt, lease: Self.lease)
            if claimed.isEmpty { break }
            deliveries += try await send(claimed)
        }
        return deliveries
    }

    /// Sends claimed notifications and records each outcome.
    func send(_ claimed: [ClaimedAlertNotification]) async throws -> [AlertDelivery] {
        var requests: [HTTPRequest] = []
        var plans: [(item: ClaimedAlertNotification, request: Int?, problem: String?, redactor: Redactor)] = []
        for item in claimed {
            let message = AlertMessage(event: item.notification.event, incident: item.incident, sequence: item.notification.sequence,
                                       sentAt: now(), appDisplayName: item.incident.app.flatMap { displayNames[$0] })
            do {
                let (url, hiding) = try routeURL(item.route)
                requests.append(try Self.request(url: url, body: message.body(for: item.route.kind, redactor: hiding)))
                plans.append((item, requests.count - 1, nil, hiding))
            } catch {
                plans.append((item, nil, redactor.remote(error.localizedDescription), redactor))
            }
        }
        let started = now()
        let results = await transport.sendAll(requests, concurrency: Self.concurrency)
        let finished = now()
        var deliveries: [AlertDelivery] = []
        for plan in plans {
            var delivered = false, status: Int?, problem = plan.problem
            if let index = plan.request {
                (delivered, status, problem) = Self.outcome(results[index], redactor: plan.redactor)
            }
            let n = plan.item.notification
            let recorded = try store.recordAlertAttempt(
                notification: n.id, claim: plan.item.claim, delivered: delivered, httpStatus: status, error: problem,
                at: finished, durationMs: plan.request == nil ? nil : finished.timeIntervalSince(started) * 1000)
            guard recorded else { continue }
            deliveries.append(AlertDelivery(notification: n.id, route: n.route, event: n.event, sequence: n.sequence,
                                            incident: n.incidentKey, delivered: delivered, httpStatus: status, error: problem))
        }
        return deliveries
    }

    /// The route's URL (the environment's `RBSCRON_SECRET_GLOBAL_ALERT_ROUTE_<NAME>` first, then the inventory) and
    /// a redactor that also hides it.
    func routeURL(_ route: AlertRoute) throws -> (String, Redactor) {
        guard let url = try secrets.secret(app: SecretKeys.globalScope, key: route.secretKey), !url.isEmpty else {
            throw AlertError.routeURLMissing(route: route.name, key: route.secretKey)
        }
        if let problem = AlertRoute.urlProblem(url) { throw AlertError.invalidURL(problem) }
        return (url, redactor.adding([url]))
    }

    /// A POST of JSON: bounded in time, no redirect followed (the URL is the credential; a receiver that moved
    /// must be given its new address).
    static func request(url: String, body: Data) -> HTTPRequest {
        HTTPRequest(method: "POST", url: url,
                    headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("User-Agent", RBSCronVersion.userAgent)],
                    body: body, connectTimeout: 10, timeout: 20, maxBodyBytes: 4096, maxRedirects: 0)
    }

    /// Delivered on any 2xx; otherwise why not, redacted.
    static func outcome(_ result: Result<HTTPResponse, HTTPError>, redactor: Redactor) -> (Bool, Int?, String?) {
        switch result {
        case .success(let response) where (200...299).contains(response.status):
            return (true, response.status, nil)
        case .success(let response):
            return (false, response.status, "HTTP \(response.status): \(redactor.excerpt(response.body, limit: 200))")
        case .failure(let error):
            return (false, nil, redactor.remote(error.localizedDescription))
        }
    }

    /// `alert route test`: one sample message to `route`, sent now and not recorded.
    public func test(_ route: AlertRoute) async -> AlertDelivery {
        let at = now()
        let incident = AlertIncident(
            id: 0, key: "test:\(route.name)", kind: .jobFailing, severity: .warning, app: nil, job: nil, layer: nil,
            summary: "a test message from rbscron: the route '\(route.name)' reaches you", detail: nil,
            lookCloser: "rbscron alert list", since: at, openedAt: at, lastSeenAt: at, resolvedAt: nil)
        let message = AlertMessage(event: .test, incident: incident, sentAt: at)
        var delivery = AlertDelivery(notification: 0, route: route.name, event: .test, sequence: 0, incident: incident.key,
                                     delivered: false, httpStatus: nil, error: nil)
        do {
            let (url, hiding) = try routeURL(route)
            let result = await transport.send(Self.request(url: url, body: try message.body(for: route.kind, redactor: hiding)))
            (delivery.delivered, delivery.httpStatus, delivery.error) = Self.outcome(result, redactor: hiding)
        } catch {
            delivery.error = redactor.remote(error.localizedDescription)
        }
        return delivery
    }
}
