import FlyingFox
import FlyingSocks
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback stand-in for Upstash QStash's REST API (v2), for tests only.
///
/// It implements what rbscron uses, with the real paths, headers, JSON field names and status codes (checked
/// against the official `qstash` Python SDK by `Tests/oracle/qstash_client_check.py` and
/// `Tests/oracle/qstash_evidence_check.py`). Every request needs `Authorization: Bearer <token>`; anything else
/// gets 401 like the real service.
///
/// Schedules:
/// - `POST /v2/schedules/{destination}`: create or overwrite (`Upstash-Schedule-Id`), reading `Upstash-Cron`,
///   `Upstash-Method`, `Upstash-Retries`, `Upstash-Timeout`, `Upstash-Forward-*`; answers `{"scheduleId": …}`.
/// - `GET /v2/schedules`, `GET /v2/schedules/{id}`, `DELETE /v2/schedules/{id}`,
///   `PATCH /v2/schedules/{id}/pause`, `PATCH /v2/schedules/{id}/resume`.
///
/// Logs (see `QStashStandIn+Logs.swift`):
/// - `GET /v2/events` (envelope key `events`, what the SDKs call) and `GET /v2/logs` (key `logs`, what the docs
///   name); ``Options/logPaths`` can make `/v2/events` answer 404. Newest first, opaque `cursor`, `count` capped
///   at 100 (default 100); filters `fromDate`, `toDate` (ms, inclusive), `scheduleId`, `messageId`, `state`
///   (`IN_PROGRESS` = ACTIVE, RETRY or ERROR; both cancel spellings match each other), `url`, `topicName`,
///   `queueName`, `label` (repeatable, any of).
///
/// Dead-letter queue (see `QStashStandIn+DLQ.swift`):
/// - `GET /v2/dlq`: `{cursor?, messages}`, newest first, `count` ≤ 100; filters `scheduleId` (repeated or
///   comma-separated), `messageId`, `url`, `topicName`, `queueName`, `fromDate`/`toDate` (on `createdAt`),
///   `responseStatus`, `label`.
/// - `GET /v2/dlq/{dlqId}`, `DELETE /v2/dlq/{dlqId}` (404 when missing).
/// - `DELETE /v2/dlq` with `dlqIds` in the query (repeated or comma-separated) or in a JSON body
///   `{"dlqIds": […]}` (qstash-py 3.4.0), else the list filters: `{"deleted": n}`.
/// - `POST /v2/dlq/retry/{dlqId}`: publishes the stored message again (new message id, `Upstash-Retries` on the
///   request overrides) and removes the entry: 201 `{"messageId": …}`. `POST /v2/dlq/retry?dlqIds=…`:
///   201 `{"responses": [{messageId}…]}`.
///
/// Publishing (see `QStashStandIn+Publish.swift`):
/// - `POST /v2/publish/{destination URL}` with `Upstash-Method`, `Upstash-Forward-*`, `Upstash-Retries` (default 3),
///   `Upstash-Timeout`, `Upstash-Label` (comma-separated), `Upstash-Deduplication-Id` and
///   `Upstash-Content-Based-Deduplication`: 200 `{"messageId": …}`; a duplicate within 10 minutes (by
///   ``Options/clock``) gets 202 `{"messageId": <the first>, "deduplicated": true}` and nothing is sent.
/// - The message is then really delivered over HTTP, asynchronously: log CREATED → ACTIVE → DELIVERED on a 2xx;
///   otherwise ERROR (with `responseStatus` and the base64 `responseBody`) → RETRY → ACTIVE … and, when the retries
///   are spent, FAILED plus a dead-letter entry. The wait between attempts is ``Options/retryDelay``. Deliveries
///   carry the forwarded headers, `Upstash-Message-Id`, `Upstash-Retried` and, with ``Options/signingKey``, an
///   `Upstash-Signature` JWT. ``deliveries`` lists every attempt.
///
/// Seeding: `seed(_ schedule:)`, ``seedLogs(_:)``, ``seedDLQ(_:)`` and `seed(_ stories:)` (see ``Story``) script a
/// history; ``logs``, ``dlq``, ``deliveries`` read it back; ``requests`` and ``requestCounts`` count calls per endpoint.
public final class QStashStandIn: Sendable {
    /// Which log paths answer.
    public enum LogPaths: Sendable {
        /// `/v2/events` (key `events`) and `/v2/logs` (key `logs`).
        case both
        /// Only `/v2/logs`; `/v2/events` answers 404, as it may once QStash finishes the rename.
        case logsOnly
    }

    /// How the stand-in behaves where the real service has settings or takes real time.
    public struct Options: Sendable {
        public var logPaths: LogPaths
        /// The current signing key: when set, every delivery carries an `Upstash-Signature` signed with it.
        public var signingKey: String?
        /// The wait before retry `n` (1, 2, …). QStash's own is `min(1 day, e^(2.5 n) s)`; tests set milliseconds.
        public var retryDelay: @Sendable (Int) -> Duration
        /// The time of log entries, message creation and the deduplication window.
        public var clock: @Sendable () -> Date
        /// Seconds a delivery may take when the message sets no `Upstash-Timeout`.
        public var deliveryTimeout: Int

        public init(logPaths: LogPaths = .both, signingKey: String? = nil,
                    retryDelay: @escaping @Sendable (Int) -> Duration = QStashStandIn.qstashBackoff,
                    clock: @escaping @Sendable () -> Date = { Date() }, deliveryTimeout: Int = 30) {
            self.logPaths = logPaths
            self.signingKey = signingKey
            self.retryDelay = retryDelay
            self.clock = clock
            self.deliveryTimeout = deliveryTimeout
        }
    }

    /// QStash's documented backoff: `min(86400, e^(2.5 n))` seconds before retry `n`.
    @Sendable public static func qstashBackoff(_ retry: Int) -> Duration {
        .milliseconds(Int64(min(86_400, exp(2.5 * Double(retry))) * 1000))
    }

    /// How long QStash remembers a deduplication id.
    public static let deduplicationWindow: TimeInterval = 600

    /// One stored schedule, in the shape QStash returns it.
    public struct Schedule: Sendable, Equatable {
        public var scheduleId: String
        public var destination: String
        public var cron: String
        public var method: String
        public var retries: Int
        /// Seconds; nil when the schedule was created without `Upstash-Timeout`.
        public var timeout: Int?
        /// Forwarded headers without their `Upstash-Forward-` prefix.
        public var header: [String: [String]]
        public var body: String?
        public var createdAt: Int64
        public var isPaused: Bool
        public var lastScheduleTime: Int64?
        public var nextScheduleTime: Int64?
        public var lastScheduleStates: [String: String]?

        public init(scheduleId: String, destination: String, cron: String, method: String = "POST", retries: Int = 3,
                    timeout: Int? = nil, header: [String: [String]] = [:], body: String? = nil, createdAt: Int64 = 0,
                    isPaused: Bool = false, lastScheduleTime: Int64? = nil, nextScheduleTime: Int64? = nil,
                    lastScheduleStates: [String: String]? = nil) {
            self.scheduleId = scheduleId
            self.destination = destination
            self.cron = cron
            self.method = method
            self.retries = retries
            self.timeout = timeout
            self.header = header
            self.body = body
            self.createdAt = createdAt
            self.isPaused = isPaused
            self.lastScheduleTime = lastScheduleTime
            self.nextScheduleTime = nextScheduleTime
            self.lastScheduleStates = lastScheduleStates
        }

        var json: [String: Any] {
            var o: [String: Any] = [
                "scheduleId": scheduleId, "destination": destination, "cron": cron, "method": method,
                "retries": retries, "createdAt": createdAt, "isPaused": isPaused, "callerIP": "127.0.0.1",
            ]
            if !header.isEmpty { o["header"] = header }
            if let timeout { o["timeout"] = timeout }
            if let body { o["body"] = body }
            if let lastScheduleTime { o["lastScheduleTime"] = lastScheduleTime }
            if let nextScheduleTime { o["nextScheduleTime"] = nextScheduleTime }
            if let lastScheduleStates { o["lastScheduleStates"] = lastScheduleStates }
            return o
        }
    }

    /// One request as the stand-in received it.
    public struct Received: Sendable {
        public var method: String
        /// The path, percent-decoded, without the query.
        public var path: String
        public var authorization: String?
        /// The query's items in order, percent-decoded (a repeated name appears once per value).
        public var query: [QueryPair] = []
        /// The status the stand-in answered.
        public var status: Int = 0

        /// Every value of the query parameter `name`.
        public func query(_ name: String) -> [String] { query.filter { $0.name == name }.map(\.value) }
    }

    /// One `name=value` of a query string.
    public struct QueryPair: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// A request, as the routes read it.
    struct Incoming {
        var method: String
        /// Percent-decoded, standardised by the server.
        var path: String
        /// The path as sent, percent-encoding kept.
        var rawPath: String
        /// The query as sent, percent-encoding kept.
        var rawQuery: String
        var query: [QueryPair]
        var headers: [(String, String)]
        var body: Data

        func header(_ name: String) -> String? {
            headers.last { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }

        /// Every value of `name`, repeated keys and comma-separated lists alike.
        func values(_ name: String) -> [String] {
            query.filter { $0.name == name || $0.name == name + "[]" }
                .flatMap { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                .filter { !$0.isEmpty }
        }

        func value(_ name: String) -> String? { query.last { $0.name == name }?.value }
    }

    final class State: @unchecked Sendable {
        let lock = NSLock()
        var schedules: [String: Schedule] = [:]
        var order: [String] = []
        var log: [Received] = []
        var counter = 0
        /// Log entries, ascending by (time, seq).
        var logs: [StoredLog] = []
        var logSeq = 0
        /// Dead-letter entries, ascending by (createdAt, seq).
        var dlq: [StoredDLQ] = []
        var dlqSeq = 0
        var messageCounter = 0
        var messages: [String: PublishedMessage] = [:]
        var deduplication: [String: (messageId: String, at: Date)] = [:]
        var deliveries: [Delivery] = []
        var tasks: [Int: Task<Void, Never>] = [:]
        var courier: Courier?
        var taskCounter = 0
        var stopped = false

        func with<R>(_ body: (State) throws -> R) rethrows -> R {
            lock.lock()
            defer { lock.unlock() }
            return try body(self)
        }
    }

    public let port: UInt16
    public let token: String
    public let options: Options
    private let server: HTTPServer
    private let task: Task<Void, Never>
    let state: State

    /// `http://127.0.0.1:PORT`, what `QSTASH_URL` or the SDK's `base_url` is set to.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received, in order (authorized or not).
    public var requests: [Received] { state.with { $0.log } }

    /// How many requests reached each `METHOD path` (path without query; publish destinations included).
    public var requestCounts: [String: Int] {
        state.with { s in Dictionary(s.log.map { ("\($0.method) \($0.path)", 1) }, uniquingKeysWith: +) }
    }

    /// The stored schedules, in creation order.
    public var schedules: [Schedule] { state.with { s in s.order.compactMap { s.schedules[$0] } } }

    /// Stores a schedule directly, as if made elsewhere (the dashboard, another tool).
    public func seed(_ schedule: Schedule) {
        state.with { s in
            if s.schedules[schedule.scheduleId] == nil { s.order.append(schedule.scheduleId) }
            s.schedules[schedule.scheduleId] = schedule
        }
    }

    private init(port: UInt16, token: String, options: Options, server: HTTPServer, task: Task<Void, Never>, state: State) {
        self.port = port
        self.token = token
        self.options = options
        self.server = server
        self.task = task
        self.state = state
    }

    /// Starts on 127.0.0.1 on a port the kernel picks; requests must carry `Bearer <token>`.
    public static func start(token: String, options: Options = Options()) async throws -> QStashStandIn {
        let state = State()
        let box = WeakBox()
        let handler = ClosureHTTPHandler { request in
            let body = try await request.bodyData
            var headers: [(String, String)] = []
            for (name, value) in request.headers { headers.append((name.rawValue, value)) }
            let incoming = Incoming(
                method: request.method.rawValue, path: request.path, rawPath: request.target.path(),
                rawQuery: request.target.query(), query: request.query.map { QueryPair(name: $0.name, value: $0.value) },
                headers: headers, body: body)
            let (status, payload) = box.standIn?.handle(incoming) ?? (503, Data())
            var replyHeaders = HTTPHeaders()
            replyHeaders.addValue("application/json", for: HTTPHeader("Content-Type"))
            return HTTPResponse(statusCode: HTTPStatusCode(status, phrase: status < 300 ? "OK" : "Error"),
                                headers: replyHeaders, body: payload)
        }
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: 0)
        let server = HTTPServer(address: address, timeout: 30, logger: .disabled, handler: handler)
        let task = Task<Void, Never> { _ = try? await server.run() }
        try await server.waitUntilListening(timeout: 120)  // bounds a hang; a loaded CI machine can take a while
        guard case .ip4(_, let port) = await server.listeningAddress else {
            task.cancel()
            throw StandInError.noPort
        }
        let standIn = QStashStandIn(port: port, token: token, options: options, server: server, task: task, state: state)
        box.set(standIn)
        return standIn
    }

    /// Stops the server and every delivery still under way.
    public func stop() async {
        let tasks = state.with { s -> [Task<Void, Never>] in
            s.stopped = true
            return Array(s.tasks.values)
        }
        for task in tasks { task.cancel() }
        await server.stop(timeout: 1)
        task.cancel()
    }

    public enum StandInError: Error { case noPort }

    /// The handler holds the stand-in weakly, so a test that drops it without `stop()` does not leak a cycle.
    private final class WeakBox: @unchecked Sendable {
        private let lock = NSLock()
        private weak var value: QStashStandIn?
        var standIn: QStashStandIn? { lock.lock(); defer { lock.unlock() }; return value }
        func set(_ standIn: QStashStandIn) { lock.lock(); value = standIn; lock.unlock() }
    }

    static func error(_ status: Int, _ message: String) -> (Int, Data) {
        (status, json(["error": message]))
    }

    static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Milliseconds since the epoch, by the stand-in's clock.
    var nowMs: Int64 { Int64((options.clock().timeIntervalSince1970 * 1000).rounded()) }

    private func handle(_ request: Incoming) -> (Int, Data) {
        let path = request.path
        let index = state.with { s -> Int in
            s.log.append(Received(method: request.method, path: path, authorization: request.header("Authorization"),
                                  query: request.query))
            return s.log.count - 1
        }
        let answer = route(request)
        state.with { $0.log[index].status = answer.0 }
        return answer
    }

    private func route(_ request: Incoming) -> (Int, Data) {
        guard request.header("Authorization") == "Bearer \(token)" else {
            return Self.error(401, "unauthorized")
        }
        let path = request.path
        switch (request.method, path) {
        case ("GET", "/v2/events"):
            guard options.logPaths == .both else { return Self.error(404, "not found") }
            return listLogs(request, key: "events")
        case ("GET", "/v2/logs"):
            return listLogs(request, key: "logs")
        case (_, "/v2/dlq"), (_, "/v2/dlq/retry"):
            return dlqRoute(request)
        case (_, _) where path.hasPrefix("/v2/dlq/"):
            return dlqRoute(request)
        case ("POST", _) where request.rawPath.hasPrefix("/v2/publish/"):
            return publish(request)
        case (_, "/v2/schedules"), (_, _) where path.hasPrefix("/v2/schedules/"):
            return scheduleRoute(request)
        default:
            return Self.error(404, "not found")
        }
    }

    private func scheduleRoute(_ request: Incoming) -> (Int, Data) {
        let prefix = "/v2/schedules"
        let path = request.path
        let rest = path == prefix ? "" : String(path.dropFirst(prefix.count + 1))
        switch request.method {
        case "GET" where rest.isEmpty:
            let all = state.with { s in s.order.compactMap { s.schedules[$0] } }
            return (200, Self.json(all.map(\.json)))
        case "GET":
            guard let found = state.with({ $0.schedules[rest] }) else { return Self.error(404, "schedule not found") }
            return (200, Self.json(found.json))
        case "DELETE":
            state.with { s in
                s.schedules[rest] = nil
                s.order.removeAll { $0 == rest }
            }
            return (200, Data())
        case "PATCH" where rest.hasSuffix("/pause") || rest.hasSuffix("/resume"):
            let pause = rest.hasSuffix("/pause")
            let id = String(rest.dropLast(pause ? "/pause".count : "/resume".count))
            let found = state.with { s -> Bool in
                guard s.schedules[id] != nil else { return false }
                s.schedules[id]?.isPaused = pause
                return true
            }
            return found ? (200, Data()) : Self.error(404, "schedule not found")
        case "POST":
            let destination = rest
            guard destination.hasPrefix("http://") || destination.hasPrefix("https://") else {
                return Self.error(400, "invalid destination url")
            }
            guard let cron = request.header("Upstash-Cron"), !cron.isEmpty else {
                return Self.error(400, "Upstash-Cron header is required")
            }
            var retries = 3
            if let text = request.header("Upstash-Retries") {
                guard let value = Int(text), value >= 0 else { return Self.error(400, "invalid Upstash-Retries") }
                retries = value
            }
            var timeout: Int?
            if let text = request.header("Upstash-Timeout") {
                guard let seconds = Self.parseSeconds(text) else { return Self.error(400, "invalid Upstash-Timeout") }
                timeout = seconds
            }
            let forwarded = Self.forwarded(request.headers)
            let now = nowMs
            let id = state.with { s -> String in
                let id: String
                if let given = request.header("Upstash-Schedule-Id"), !given.isEmpty {
                    id = given
                } else {
                    s.counter += 1
                    id = "scd_standin_\(s.counter)"
                }
                let existing = s.schedules[id]
                let schedule = Schedule(
                    scheduleId: id, destination: destination, cron: cron,
                    method: request.header("Upstash-Method") ?? "POST", retries: retries, timeout: timeout,
                    header: forwarded.reduce(into: [:]) { $0[$1.0, default: []].append($1.1) },
                    body: request.body.isEmpty ? nil : String(decoding: request.body, as: UTF8.self),
                    createdAt: existing?.createdAt ?? now, isPaused: existing?.isPaused ?? false,
                    lastScheduleTime: existing?.lastScheduleTime, nextScheduleTime: existing?.nextScheduleTime ?? now + 60_000,
                    lastScheduleStates: existing?.lastScheduleStates)
                if existing == nil { s.order.append(id) }
                s.schedules[id] = schedule
                return id
            }
            return (201, Self.json(["scheduleId": id]))
        default:
            return Self.error(405, "method not allowed")
        }
    }

    /// `Upstash-Forward-<Name>: v` headers as `(Name, v)`, in the order received.
    static func forwarded(_ headers: [(String, String)]) -> [(String, String)] {
        let prefix = "upstash-forward-"
        return headers.filter { $0.0.lowercased().hasPrefix(prefix) }.map { (String($0.0.dropFirst(prefix.count)), $0.1) }
    }

    /// `30`, `30s`, `5m`, `2h` → seconds.
    static func parseSeconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let last = text.last, let unit = units[last] { return Int(text.dropLast()).map { $0 * unit } }
        return Int(text)
    }
}
