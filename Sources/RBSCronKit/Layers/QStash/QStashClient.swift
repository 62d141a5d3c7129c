import Foundation

/// A schedule as QStash's REST API returns it (`GET /v2/schedules`, `GET /v2/schedules/{id}`).
public struct QStashSchedule: Decodable, Sendable, Equatable {
    public var scheduleId: String
    public var cron: String
    /// A URL, or a URL group's name.
    public var destination: String
    public var method: String
    public var retries: Int
    /// The per-call timeout in seconds, when one was set.
    public var timeout: Int?
    /// Forwarded headers (without the `Upstash-Forward-` prefix), each with its values.
    public var header: [String: [String]]
    /// Unix milliseconds.
    public var createdAt: Int64
    public var lastScheduleTime: Int64?
    public var nextScheduleTime: Int64?
    /// Message id → `IN_PROGRESS`, `SUCCESS` or `FAIL`, for the messages of the last run.
    public var lastScheduleStates: [String: String]?
    public var isPaused: Bool

    public init(scheduleId: String, cron: String, destination: String, method: String = "POST", retries: Int = 3,
                timeout: Int? = nil, header: [String: [String]] = [:], createdAt: Int64 = 0,
                lastScheduleTime: Int64? = nil, nextScheduleTime: Int64? = nil,
                lastScheduleStates: [String: String]? = nil, isPaused: Bool = false) {
        self.scheduleId = scheduleId
        self.cron = cron
        self.destination = destination
        self.method = method
        self.retries = retries
        self.timeout = timeout
        self.header = header
        self.createdAt = createdAt
        self.lastScheduleTime = lastScheduleTime
        self.nextScheduleTime = nextScheduleTime
        self.lastScheduleStates = lastScheduleStates
        self.isPaused = isPaused
    }

    enum CodingKeys: String, CodingKey {
        case scheduleId, cron, destination, method, retries, timeout, header, createdAt, lastScheduleTime,
             nextScheduleTime, lastScheduleStates, isPaused
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scheduleId = try c.decode(String.self, forKey: .scheduleId)
        cron = try c.decode(String.self, forKey: .cron)
        destination = try c.decode(String.self, forKey: .destination)
        method = try c.decodeIfPresent(String.self, forKey: .method) ?? "POST"
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 3
        timeout = try c.decodeIfPresent(Int.self, forKey: .timeout)
        header = try c.decodeIfPresent([String: [String]].self, forKey: .header) ?? [:]
        createdAt = try c.decodeIfPresent(Int64.self, forKey: .createdAt) ?? 0
        lastScheduleTime = try c.decodeIfPresent(Int64.self, forKey: .lastScheduleTime)
        nextScheduleTime = try c.decodeIfPresent(Int64.self, forKey: .nextScheduleTime)
        lastScheduleStates = try c.decodeIfPresent([String: String].self, forKey: .lastScheduleStates)
        isPaused = try c.decodeIfPresent(Bool.self, forKey: .isPaused) ?? false
    }
}

/// A schedule as rbscron wants it in QStash: the body of an upsert.
public struct QStashScheduleSpec: Sendable, Equatable {
    /// `rbs-<app>-<job>`.
    public var scheduleId: String
    public var destination: String
    /// In QStash's dialect, with `CRON_TZ=Zone ` when the job is not meant in UTC.
    public var cron: String
    public var method: String
    public var retries: Int
    /// Seconds.
    public var timeout: Int
    /// Headers QStash forwards to the destination (`Upstash-Forward-<name>`). Values may be secrets.
    public var forwardHeaders: [String: String]

    public init(scheduleId: String, destination: String, cron: String, method: String, retries: Int, timeout: Int,
                forwardHeaders: [String: String] = [:]) {
        self.scheduleId = scheduleId
        self.destination = destination
        self.cron = cron
        self.method = method
        self.retries = retries
        self.timeout = timeout
        self.forwardHeaders = forwardHeaders
    }
}

/// Why a QStash call failed. Messages never carry the token or any other secret.
public enum QStashError: Error, LocalizedError, Sendable, Equatable {
    /// No `QSTASH_TOKEN` for the app, nor a global one; no request was made.
    case missingToken(app: String)
    /// `QSTASH_URL` is not an http(s) URL.
    case invalidBaseURL(String)
    /// 401 or 403: the token was refused.
    case unauthorized(status: Int, detail: String)
    /// 404 for a schedule id.
    case notFound(id: String)
    /// 404 for a dead-letter id: retried or deleted already, or its retention ran out.
    case notInDLQ(dlqId: String)
    /// A message rbscron refuses to publish (the reason says which field); nothing was sent.
    case invalidMessage(String)
    /// QStash kept returning pages past the bound; nothing more was read.
    case tooManyPages(Int)
    /// Any other non-2xx answer; the detail is the (redacted) response body.
    case http(status: Int, detail: String)
    /// A 2xx answer that is not the JSON QStash documents.
    case unexpectedResponse(String)
    /// No answer at all.
    case transport(String)

    public var errorDescription: String? {
        switch self {
        case .missingToken(let app):
            return "no QSTASH_TOKEN for '\(app)' (nor a global one), so QStash was not called. Store it with: "
                + "rbscron secret set \(app) QSTASH_TOKEN --from-env QSTASH_TOKEN"
        case .invalidBaseURL(let url):
            return "QSTASH_URL '\(url)' is not an http:// or https:// URL; unset it to use https://qstash.upstash.io."
        case .unauthorized(let status, let detail):
            return "QStash refused the token (HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")). Check the app's "
                + "QSTASH_TOKEN (rbscron secret list) against the Upstash console."
        case .notFound(let id):
            return "QStash has no schedule '\(id)'. Run `rbscron schedule apply --layer qstash` to create it."
        case .notInDLQ(let dlqId):
            return "QStash's dead-letter queue has no entry '\(dlqId)': it was retried or deleted already, or its "
                + "retention ran out. List the queue again to see what is left."
        case .invalidMessage(let reason):
            return "rbscron will not publish this message to QStash: \(reason). Nothing was sent."
        case .tooManyPages(let pages):
            return "QStash kept returning more pages after \(pages); stopped. Narrow the request (a schedule, a time window)."
        case .http(let status, let detail):
            return "QStash answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")."
        case .unexpectedResponse(let detail):
            return "QStash answered with something that is not its documented JSON: \(detail)"
        case .transport(let detail):
            return "could not reach QStash: \(detail)"
        }
    }
}

/// The few endpoints of QStash's v2 REST API that rbscron uses, over an ``HTTPTransport``: schedules here, the
/// dead-letter queue in QStashDLQ.swift, publishing in QStashPublish.swift. (The log has its own reader,
/// ``QStashEventsClient``.) Every request is counted in ``requestCount``.
public struct QStashClient: Sendable {
    /// The real service.
    public static let defaultBaseURL = "https://qstash.upstash.io"

    /// `QSTASH_URL` from the environment (as Upstash's own SDKs read it), else the real service.
    public static func baseURL(environment: [String: String]) throws(QStashError) -> String {
        guard let value = environment["QSTASH_URL"], !value.isEmpty else { return defaultBaseURL }
        guard value.hasPrefix("https://") || value.hasPrefix("http://") else { throw .invalidBaseURL(value) }
        return value
    }

    public let baseURL: String
    private let token: String
    private let transport: any HTTPTransport
    let redactor: Redactor
    private let sent = Locked(0)

    /// - Parameters:
    ///   - token: the account's `QSTASH_TOKEN`, sent as `Authorization: Bearer`.
    ///   - redactor: hides secrets in error messages (the token is always hidden too).
    public init(baseURL: String, token: String, transport: any HTTPTransport, redactor: Redactor = .none) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.transport = transport
        self.redactor = redactor.adding([token])
    }

    /// HTTP requests this client (and its copies) sent so far, whatever their answer.
    public var requestCount: Int { sent.withLock { $0 } }

    /// `GET /v2/schedules`.
    public func list() async throws(QStashError) -> [QStashSchedule] {
        let data = try await send("GET", "/v2/schedules").body
        return try decode([QStashSchedule].self, data)
    }

    /// `GET /v2/schedules/{id}`.
    public func get(_ id: String) async throws(QStashError) -> QStashSchedule {
        let data = try await send("GET", "/v2/schedules/\(Self.escape(id))", notFound: .notFound(id: id)).body
        return try decode(QStashSchedule.self, data)
    }

    /// `POST /v2/schedules/{destination}` with `Upstash-Schedule-Id`: creates the schedule, or overwrites the
    /// one with that id. Returns the schedule id QStash answers with.
    @discardableResult
    public func upsert(_ spec: QStashScheduleSpec) async throws(QStashError) -> String {
        var headers = [
            HTTPHeader("Upstash-Schedule-Id", spec.scheduleId),
            HTTPHeader("Upstash-Cron", spec.cron),
            HTTPHeader("Upstash-Method", spec.method),
            HTTPHeader("Upstash-Retries", String(spec.retries)),
            HTTPHeader("Upstash-Timeout", "\(spec.timeout)s"),
        ]
        for (name, value) in spec.forwardHeaders.sorted(by: { $0.key < $1.key }) {
            headers.append(HTTPHeader("Upstash-Forward-\(name)", value))
        }
        // The destination goes into the path as written, as Upstash's SDKs send it.
        let data = try await send("POST", "/v2/schedules/\(spec.destination)", headers: headers, body: Data()).body
        struct Created: Decodable { var scheduleId: String }
        return try decode(Created.self, data).scheduleId
    }

    /// `DELETE /v2/schedules/{id}`.
    public func delete(_ id: String) async throws(QStashError) {
        _ = try await send("DELETE", "/v2/schedules/\(Self.escape(id))", notFound: .notFound(id: id))
    }

    /// `PATCH /v2/schedules/{id}/pause`.
    public func pause(_ id: String) async throws(QStashError) {
        _ = try await send("PATCH", "/v2/schedules/\(Self.escape(id))/pause", notFound: .notFound(id: id))
    }

    /// `PATCH /v2/schedules/{id}/resume`.
    public func resume(_ id: String) async throws(QStashError) {
        _ = try await send("PATCH", "/v2/schedules/\(Self.escape(id))/resume", notFound: .notFound(id: id))
    }

    /// `id` as one path segment.
    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? id
    }

    /// Sends one authorized request; a 2xx answer comes back whole, anything else is thrown as a ``QStashError``
    /// (404 as `notFound` when given).
    func send(_ method: String, _ path: String, notFound: QStashError? = nil, headers: [HTTPHeader] = [],
              body: Data? = nil) async throws(QStashError) -> HTTPResponse {
        let request = HTTPRequest(
            method: method, url: baseURL + path,
            headers: [HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("Accept", "application/json")] + headers,
            body: body, connectTimeout: 10, timeout: 30, maxBodyBytes: 8 << 20, maxRedirects: 0)
        sent.withLock { $0 += 1 }
        switch await transport.send(request) {
        case .failure(let error):
            throw .transport(redactor.remote(error.localizedDescription))
        case .success(let response):
            switch response.status {
            case 200..<300:
                return response
            case 401, 403:
                throw .unauthorized(status: response.status, detail: detail(response.body))
            case 404 where notFound != nil:
                throw notFound ?? .http(status: 404, detail: "")
            default:
                throw .http(status: response.status, detail: detail(response.body))
            }
        }
    }

    /// A short, redacted excerpt of an error body.
    private func detail(_ body: Data) -> String {
        body.isEmpty ? "" : redactor.excerpt(body, limit: 500)
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws(QStashError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .unexpectedResponse(redactor.remote("\(error)", limit: 300))
        }
    }
}
