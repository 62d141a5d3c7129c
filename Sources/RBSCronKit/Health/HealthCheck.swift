import Foundation

/// Why an app is down (or degraded). The raw values are stable: they are written to the store and to JSON.
public enum HealthReason: String, Codable, Sendable, CaseIterable {
    /// An answer, but not the expected status.
    case httpStatus = "http_status"
    /// The connect or total timeout ran out.
    case timeout
    /// The connection was refused or the host is unreachable.
    case refused
    /// The host name did not resolve.
    case dns
    /// The TLS handshake or certificate verification failed.
    case tls
    /// A redirect loop, or a redirect to a scheme other than http(s).
    case redirect
    /// The health URL (base URL + path) is not a valid http(s) URL.
    case invalidURL = "invalid_url"
    /// Any other transfer failure.
    case transport
    /// Up, but slower than the slow threshold (only with `degraded`).
    case slow
}

/// How `health-check` runs.
public struct HealthCheckOptions: Sendable, Equatable {
    /// Only this app (checked even when inactive); nil for every active app.
    public var app: String?
    /// Per-request total timeout in milliseconds (the seed's Ecosystem API uses 10 s).
    public var timeoutMs: Int
    /// At most this many requests in flight at once.
    public var concurrency: Int
    /// An app that answers as expected but slower than this (total time) is `degraded`.
    public var slowMs: Int
    /// Turns TLS verification off.
    public var insecure: Bool

    public init(app: String? = nil, timeoutMs: Int = 10_000, concurrency: Int = 20, slowMs: Int = 2_000, insecure: Bool = false) {
        self.app = app
        self.timeoutMs = timeoutMs
        self.concurrency = concurrency
        self.slowMs = slowMs
        self.insecure = insecure
    }
}

/// Latency of a health request, in milliseconds. The marks of a request that got no answer are nil;
/// `totalMs` is then the time spent until it failed.
public struct HealthTimings: Sendable, Equatable, Encodable {
    public var dnsMs: Double?
    public var connectMs: Double?
    public var tlsMs: Double?
    public var firstByteMs: Double?
    public var totalMs: Double

    public init(dnsMs: Double? = nil, connectMs: Double? = nil, tlsMs: Double? = nil, firstByteMs: Double? = nil, totalMs: Double) {
        self.dnsMs = dnsMs
        self.connectMs = connectMs
        self.tlsMs = tlsMs
        self.firstByteMs = firstByteMs
        self.totalMs = totalMs
    }

    init(_ timings: HTTPTimings) {
        self.init(dnsMs: timings.dnsMs, connectMs: timings.connectMs, tlsMs: timings.tlsMs,
                  firstByteMs: timings.firstByteMs, totalMs: timings.totalMs)
    }

    enum CodingKeys: String, CodingKey {
        case dnsMs = "dns_ms", connectMs = "connect_ms", tlsMs = "tls_ms", firstByteMs = "first_byte_ms", totalMs = "total_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dnsMs.map(Self.rounded), forKey: .dnsMs)
        try c.encode(connectMs.map(Self.rounded), forKey: .connectMs)
        try c.encode(tlsMs.map(Self.rounded), forKey: .tlsMs)
        try c.encode(firstByteMs.map(Self.rounded), forKey: .firstByteMs)
        try c.encode(Self.rounded(totalMs), forKey: .totalMs)
    }

    /// Milliseconds to three decimals (microseconds): what curl measures, without float noise.
    static func rounded(_ ms: Double) -> Double { (ms * 1000).rounded() / 1000 }
}

/// The result of checking one app. Keys are a contract (see README "Health checks and keep-alive").
public struct HealthResult: Sendable, Equatable, Encodable {
    public var app: String
    /// base URL + health path.
    public var url: String
    /// The method of the request the verdict rests on (GET after a 405 to HEAD).
    public var method: String
    public var status: HealthStatus
    /// The final HTTP status, when there was an answer.
    public var httpStatus: Int?
    /// The status the app's health target expects.
    public var expectedStatus: Int
    /// Why the app is down or degraded; nil when up.
    public var reason: HealthReason?
    /// A sentence for people: the status received, the error, the threshold exceeded.
    public var detail: String?
    public var timings: HealthTimings
    public var checkedAt: Date
    /// Only for a down app: the other apps that lose background jobs because of it.
    public var dependentsAffected: [AffectedDependent]

    public init(app: String, url: String, method: String, status: HealthStatus, httpStatus: Int?, expectedStatus: Int,
                reason: HealthReason?, detail: String?, timings: HealthTimings, checkedAt: Date,
                dependentsAffected: [AffectedDependent] = []) {
        self.app = app
        self.url = url
        self.method = method
        self.status = status
        self.httpStatus = httpStatus
        self.expectedStatus = expectedStatus
        self.reason = reason
        self.detail = detail
        self.timings = timings
        self.checkedAt = checkedAt
        self.dependentsAffected = dependentsAffected
    }

    enum CodingKeys: String, CodingKey {
        case app, url, method, status, httpStatus = "http_status", expectedStatus = "expected_status", reason, detail,
             timings, checkedAt = "checked_at", dependentsAffected = "dependents_affected"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app, forKey: .app)
        try c.encode(url, forKey: .url)
        try c.encode(method, forKey: .method)
        try c.encode(status, forKey: .status)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(expectedStatus, forKey: .expectedStatus)
        try c.encode(reason, forKey: .reason)
        try c.encode(detail, forKey: .detail)
        try c.encode(timings, forKey: .timings)
        try c.encode(checkedAt, forKey: .checkedAt)
        try c.encode(dependentsAffected, forKey: .dependentsAffected)
    }
}

extension HealthResult {
    /// The row the inventory keeps for this result.
    public var record: HealthCheckRecord {
        HealthCheckRecord(app: app, checkedAt: checkedAt, status: status, method: method, httpStatus: httpStatus,
                          reason: reason?.rawValue, dnsMs: timings.dnsMs, connectMs: timings.connectMs, tlsMs: timings.tlsMs,
                          firstByteMs: timings.firstByteMs, totalMs: timings.totalMs)
    }
}

/// Every app's result, in inventory order. Its JSON is the array of results.
public struct HealthReport: Sendable, Equatable, Encodable {
    public var results: [HealthResult]

    public func encode(to encoder: any Encoder) throws { try results.encode(to: encoder) }

    public init(results: [HealthResult]) { self.results = results }

    public var downCount: Int { results.filter { $0.status == .down }.count }
    public var degradedCount: Int { results.filter { $0.status == .degraded }.count }
    public var upCount: Int { results.filter { $0.status == .up }.count }
    /// True when any app is down: `health-check` then exits 2.
    public var anyDown: Bool { downCount > 0 }
}

/// Checks the apps' health targets in parallel, bounded, through an ``HTTPTransport``.
public struct HealthChecker: Sendable {
    let transport: any HTTPTransport
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - transport: ``CurlTransport`` in the tool; anything in tests.
    ///   - now: the clock that stamps `checked_at`.
    public init(transport: any HTTPTransport, now: @escaping @Sendable () -> Date = { Date() }) {
        self.transport = transport
        self.now = now
    }

    /// The apps a run checks: every active app, or the one named (even when inactive).
    public static func targets(in inventory: Inventory, app: String?) throws(InventoryQueryError) -> [App] {
        try InventoryFilter(app: app).validate(against: inventory)
        if let app { return inventory.apps.filter { $0.name == app } }
        return inventory.apps.filter(\.active)
    }

    /// Checks every target of `options` and returns their results in inventory order.
    /// - Parameter onProgress: called after each app with (done, total), from any task.
    public func run(
        inventory: Inventory, options: HealthCheckOptions,
        onProgress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws(InventoryQueryError) -> HealthReport {
        let apps = try Self.targets(in: inventory, app: options.app)
        let total = apps.count
        let done = Locked(0)
        let results = await Bounded.mapEvery(apps, limit: options.concurrency) { app in
            let result = await self.check(app, options: options)
            let count = done.withLock { value -> Int in
                value += 1
                return value
            }
            onProgress?(count, total)
            return result
        }
        let graph = FanOutGraph(inventory: inventory)
        let withDependents = results.map { result -> HealthResult in
            guard result.status == .down else { return result }
            var result = result
            result.dependentsAffected = graph.dependentsLost(ifDown: result.app)
            return result
        }
        return HealthReport(results: withDependents)
    }

    /// One app: its health request, and a single GET retry when a HEAD is answered 405.
    func check(_ app: App, options: HealthCheckOptions) async -> HealthResult {
        let url = URLRules.join(app.baseURL, app.health.path)
        // What the report shows: never a user name or password an older inventory may hold.
        let shown = URLRules.masked(url)
        let checkedAt = now()
        let method = app.health.method.rawValue
        let clock = ContinuousClock()
        let started = clock.now
        var outcome = await transport.send(request(method: method, url: url, options: options))
        var finalMethod = method
        if method == "HEAD", case .success(let response) = outcome, response.status == 405, app.health.expectedStatus != 405 {
            finalMethod = "GET"
            outcome = await transport.send(request(method: "GET", url: url, options: options))
        }
        let elapsedMs = Self.milliseconds(clock.now - started)

        switch outcome {
        case .success(let response):
            let timings = HealthTimings(response.timings)
            if response.status != app.health.expectedStatus {
                return HealthResult(
                    app: app.name, url: shown, method: finalMethod, status: .down, httpStatus: response.status,
                    expectedStatus: app.health.expectedStatus, reason: .httpStatus,
                    detail: "HTTP \(response.status), expected \(app.health.expectedStatus)",
                    timings: timings, checkedAt: checkedAt)
            }
            if response.timings.totalMs > Double(options.slowMs) {
                return HealthResult(
                    app: app.name, url: shown, method: finalMethod, status: .degraded, httpStatus: response.status,
                    expectedStatus: app.health.expectedStatus, reason: .slow,
                    detail: "answered in \(Self.format(ms: response.timings.totalMs)), slower than \(DurationText.format(milliseconds: options.slowMs))",
                    timings: timings, checkedAt: checkedAt)
            }
            return HealthResult(
                app: app.name, url: shown, method: finalMethod, status: .up, httpStatus: response.status,
                expectedStatus: app.health.expectedStatus, reason: nil, detail: nil, timings: timings, checkedAt: checkedAt)
        case .failure(let error):
            let (reason, detail) = Self.describe(error)
            return HealthResult(
                app: app.name, url: shown, method: finalMethod, status: .down, httpStatus: nil,
                expectedStatus: app.health.expectedStatus, reason: reason, detail: detail,
                timings: HealthTimings(totalMs: elapsedMs), checkedAt: checkedAt)
        }
    }

    func request(method: String, url: String, options: HealthCheckOptions) -> HTTPRequest {
        let timeout = Double(max(1, options.timeoutMs)) / 1000
        // The body is never looked at; a small cap keeps 500 parallel GETs cheap.
        return HTTPRequest(method: method, url: url, connectTimeout: min(timeout, 10), timeout: timeout,
                           maxBodyBytes: 1024, insecure: options.insecure)
    }

    /// A short reason code and sentence for a failed request.
    static func describe(_ error: HTTPError) -> (HealthReason, String) {
        switch error {
        case .timedOut(let seconds):
            return (.timeout, "no answer within \(DurationText.format(milliseconds: Int((seconds * 1000).rounded())))")
        case .connectionRefused(let hostPort):
            return (.refused, "connection refused or host unreachable (\(hostPort))")
        case .couldNotResolve(let host):
            return (.dns, "the host name \(host) did not resolve")
        case .tls(let detail):
            return (.tls, "TLS failed: \(detail)")
        case .tooManyRedirects(let limit):
            return (.redirect, "more than \(limit) redirects")
        case .redirectRefused(let location):
            return (.redirect, "redirected to \(location), which is not http(s)")
        case .invalidURL(let url), .unsupportedScheme(let url):
            return (.invalidURL, "\(url) is not an http(s) URL; fix the app's base_url or health path")
        case .credentialsInURL(let url):
            return (.invalidURL, "\(url) carries a user name or password; remove them from the app's base_url")
        case .notHTTP(let hostPort):
            return (.transport, "the server at \(hostPort) did not answer with HTTP")
        case .transport(let code, let message):
            return (.transport, "transfer failed (libcurl \(code)): \(message)")
        case .libcurlUnavailable(let detail):
            return (.transport, "libcurl could not be loaded: \(detail)")
        }
    }

    static func format(ms: Double) -> String {
        ms >= 1000 ? String(format: "%.2fs", ms / 1000) : String(format: "%.0fms", ms)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
