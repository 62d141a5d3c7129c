import FlyingFox
import FlyingSocks
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback stand-in for the schedule endpoints of Upstash QStash's REST API (v2), for tests only.
///
/// It implements what rbscron uses, with the real paths, headers and JSON field names (checked against
/// the official `qstash` Python SDK by `Tests/oracle/qstash_client_check.py`):
/// - `POST /v2/schedules/{destination}`: create or overwrite (`Upstash-Schedule-Id`), reading `Upstash-Cron`,
///   `Upstash-Method`, `Upstash-Retries`, `Upstash-Timeout`, `Upstash-Forward-*`; answers `{"scheduleId": …}`.
/// - `GET /v2/schedules`, `GET /v2/schedules/{id}`, `DELETE /v2/schedules/{id}`,
///   `PATCH /v2/schedules/{id}/pause`, `PATCH /v2/schedules/{id}/resume`.
/// Every request needs `Authorization: Bearer <token>`; anything else gets 401 like the real service.
public final class QStashStandIn: Sendable {
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
        public var path: String
        public var authorization: String?
    }

    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var schedules: [String: Schedule] = [:]
        var order: [String] = []
        var log: [Received] = []
        var counter = 0
        func with<R>(_ body: (State) throws -> R) rethrows -> R {
            lock.lock()
            defer { lock.unlock() }
            return try body(self)
        }
    }

    public let port: UInt16
    public let token: String
    private let server: HTTPServer
    private let task: Task<Void, Never>
    private let state: State

    /// `http://127.0.0.1:PORT`, what `QSTASH_URL` or the SDK's `base_url` is set to.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received, in order (authorized or not).
    public var requests: [Received] { state.with { $0.log } }

    /// The stored schedules, in creation order.
    public var schedules: [Schedule] { state.with { s in s.order.compactMap { s.schedules[$0] } } }

    /// Stores a schedule directly, as if made elsewhere (the dashboard, another tool).
    public func seed(_ schedule: Schedule) {
        state.with { s in
            if s.schedules[schedule.scheduleId] == nil { s.order.append(schedule.scheduleId) }
            s.schedules[schedule.scheduleId] = schedule
        }
    }

    private init(port: UInt16, token: String, server: HTTPServer, task: Task<Void, Never>, state: State) {
        self.port = port
        self.token = token
        self.server = server
        self.task = task
        self.state = state
    }

    /// Starts on 127.0.0.1 on a port the kernel picks; requests must carry `Bearer <token>`.
    public static func start(token: String) async throws -> QStashStandIn {
        let state = State()
        let handler = ClosureHTTPHandler { request in
            let body = try await request.bodyData
            var headers: [(String, String)] = []
            for (name, value) in request.headers { headers.append((name.rawValue, value)) }
            let (status, payload) = handle(method: request.method.rawValue, path: request.path, headers: headers,
                                           body: body, token: token, state: state)
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
        return QStashStandIn(port: port, token: token, server: server, task: task, state: state)
    }

    public func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }

    public enum StandInError: Error { case noPort }

    private static func error(_ status: Int, _ message: String) -> (Int, Data) {
        (status, json(["error": message]))
    }

    private static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    private static func handle(method: String, path rawPath: String, headers: [(String, String)], body: Data,
                               token: String, state: State) -> (Int, Data) {
        func header(_ name: String) -> String? {
            headers.last { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
        let path = rawPath.removingPercentEncoding ?? rawPath
        state.with { $0.log.append(Received(method: method, path: path, authorization: header("Authorization"))) }
        guard header("Authorization") == "Bearer \(token)" else {
            return error(401, "unauthorized")
        }
        let prefix = "/v2/schedules"
        guard path == prefix || path.hasPrefix(prefix + "/") else { return error(404, "not found") }
        let rest = path == prefix ? "" : String(path.dropFirst(prefix.count + 1))

        switch method {
        case "GET" where rest.isEmpty:
            let all = state.with { s in s.order.compactMap { s.schedules[$0] } }
            return (200, json(all.map(\.json)))
        case "GET":
            guard let found = state.with({ $0.schedules[rest] }) else { return error(404, "schedule not found") }
            return (200, json(found.json))
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
            return found ? (200, Data()) : error(404, "schedule not found")
        case "POST":
            let destination = rest
            guard destination.hasPrefix("http://") || destination.hasPrefix("https://") else {
                return error(400, "invalid destination url")
            }
            guard let cron = header("Upstash-Cron"), !cron.isEmpty else { return error(400, "Upstash-Cron header is required") }
            var retries = 3
            if let text = header("Upstash-Retries") {
                guard let value = Int(text), value >= 0 else { return error(400, "invalid Upstash-Retries") }
                retries = value
            }
            var timeout: Int?
            if let text = header("Upstash-Timeout") {
                guard let seconds = parseSeconds(text) else { return error(400, "invalid Upstash-Timeout") }
                timeout = seconds
            }
            var forwarded: [String: [String]] = [:]
            for (name, value) in headers where name.lowercased().hasPrefix("upstash-forward-") {
                forwarded[String(name.dropFirst("upstash-forward-".count)), default: []].append(value)
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let id = state.with { s -> String in
                let id: String
                if let given = header("Upstash-Schedule-Id"), !given.isEmpty {
                    id = given
                } else {
                    s.counter += 1
                    id = "scd_standin_\(s.counter)"
                }
                let existing = s.schedules[id]
                let schedule = Schedule(
                    scheduleId: id, destination: destination, cron: cron, method: header("Upstash-Method") ?? "POST",
                    retries: retries, timeout: timeout, header: forwarded,
                    body: body.isEmpty ? nil : String(decoding: body, as: UTF8.self),
                    createdAt: existing?.createdAt ?? now, isPaused: existing?.isPaused ?? false,
                    lastScheduleTime: existing?.lastScheduleTime, nextScheduleTime: existing?.nextScheduleTime ?? now + 60_000,
                    lastScheduleStates: existing?.lastScheduleStates)
                if existing == nil { s.order.append(id) }
                s.schedules[id] = schedule
                return id
            }
            return (201, json(["scheduleId": id]))
        default:
            return error(405, "method not allowed")
        }
    }

    /// `30`, `30s`, `5m`, `2h` → seconds.
    private static func parseSeconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let last = text.last, let unit = units[last] { return Int(text.dropLast()).map { $0 * unit } }
        return Int(text)
    }
}
