import Foundation

/// The states a message goes through in QStash's log, as its docs and SDKs name them.
///
/// QStash's docs spell the last one `CANCELLED`, its SDKs `CANCELED`; both read as ``canceled``.
public enum QStashLogState: String, Sendable, CaseIterable, Codable {
    /// Accepted and stored.
    case created = "CREATED"
    /// A delivery attempt is in flight.
    case active = "ACTIVE"
    /// A retry is scheduled (see ``QStashEvent/nextDeliveryTime``).
    case retry = "RETRY"
    /// An attempt failed; the message waits to be retried or fails.
    case error = "ERROR"
    /// A 2xx was received. Terminal.
    case delivered = "DELIVERED"
    /// Retries ran out (or the error cannot be recovered); the message is in the dead-letter queue. Terminal.
    case failed = "FAILED"
    /// A cancel (`DELETE /v2/messages/{id}`) was recorded.
    case cancelRequested = "CANCEL_REQUESTED"
    /// The cancel was honoured. Terminal.
    case canceled = "CANCELED"
    /// Only a filter: one of ACTIVE, RETRY or ERROR.
    case inProgress = "IN_PROGRESS"

    /// The state for a spelling QStash sends, `CANCELLED` included; nil for one rbscron does not know.
    public init?(wire: String) {
        if wire == "CANCELLED" { self = .canceled; return }
        self.init(rawValue: wire)
    }

    /// DELIVERED, FAILED and CANCELED: nothing more happens to the message.
    public var isTerminal: Bool { self == .delivered || self == .failed || self == .canceled }
}

/// One entry of QStash's log (`GET /v2/events`, renamed `GET /v2/logs` in its docs), as the official SDKs read it.
///
/// Decoding accepts both spellings of the cancelled state and stores the SDKs' one (`CANCELED`) in ``state``, reads
/// ``labels`` from `labels` or the older single `label`, and base64-decodes `responseBody` into text (at most four
/// times ``responseBodyLimit`` bytes of it). ``QStashEventsClient`` then passes ``error`` and ``responseBody`` through
/// its redactor and cuts the body to ``responseBodyLimit`` characters, redacting before cutting so no part of a
/// secret survives a cut; an event decoded any other way is neither redacted nor cut to the limit.
public struct QStashEvent: Sendable, Equatable, Decodable {
    /// The most characters of a response body ``QStashEventsClient`` keeps on an event.
    public static let responseBodyLimit = 2048

    /// Milliseconds since the epoch.
    public var time: Int64
    public var messageId: String
    /// CREATED, ACTIVE, RETRY, ERROR, DELIVERED, FAILED, CANCEL_REQUESTED, CANCELED (also when sent as CANCELLED),
    /// or a state rbscron does not know, as sent.
    public var state: String
    public var error: String?
    public var url: String?
    public var scheduleId: String?
    /// The destination's status on a failed attempt (QStash sets it on ERROR entries).
    public var responseStatus: Int?
    /// When the next attempt is due (ms since the epoch), on RETRY and ERROR entries.
    public var nextDeliveryTime: Int64?
    /// Labels given at publish time (`Upstash-Label`).
    public var labels: [String]
    /// Retries the message was allowed (so `maxRetries + 1` attempts in all).
    public var maxRetries: Int?
    /// The HTTP method of the delivery.
    public var method: String?
    /// The destination's answer to a failed attempt, decoded from base64 (see the type's notes on its bound).
    public var responseBody: String?

    /// ``state`` as a ``QStashLogState``; nil for a state rbscron does not know.
    public var logState: QStashLogState? { QStashLogState(wire: state) }

    public init(time: Int64, messageId: String, state: String, error: String? = nil, url: String? = nil,
                scheduleId: String? = nil, responseStatus: Int? = nil, nextDeliveryTime: Int64? = nil,
                labels: [String] = [], maxRetries: Int? = nil, method: String? = nil, responseBody: String? = nil) {
        self.time = time
        self.messageId = messageId
        self.state = state
        self.error = error
        self.url = url
        self.scheduleId = scheduleId
        self.responseStatus = responseStatus
        self.nextDeliveryTime = nextDeliveryTime
        self.labels = labels
        self.maxRetries = maxRetries
        self.method = method
        self.responseBody = responseBody
    }

    enum CodingKeys: String, CodingKey {
        case time, messageId, state, error, url, scheduleId, responseStatus, nextDeliveryTime, labels, label, maxRetries,
             method, responseBody
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.decode(Int64.self, forKey: .time)
        messageId = try c.decode(String.self, forKey: .messageId)
        let wire = try c.decode(String.self, forKey: .state)
        state = wire == "CANCELLED" ? QStashLogState.canceled.rawValue : wire
        error = try c.decodeIfPresent(String.self, forKey: .error)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        scheduleId = try c.decodeIfPresent(String.self, forKey: .scheduleId)
        responseStatus = try c.decodeIfPresent(Int.self, forKey: .responseStatus)
        nextDeliveryTime = try c.decodeIfPresent(Int64.self, forKey: .nextDeliveryTime)
        labels = try QStashWire.labels(c, many: .labels, one: .label)
        maxRetries = try c.decodeIfPresent(Int.self, forKey: .maxRetries)
        method = try c.decodeIfPresent(String.self, forKey: .method)
        responseBody = try c.decodeIfPresent(String.self, forKey: .responseBody)
            .map { QStashWire.text(base64: $0, limit: 4 * Self.responseBodyLimit) }
    }
}

/// What to ask QStash's log for. Every field narrows the result; the empty filter asks for everything.
public struct QStashLogFilter: Sendable, Equatable {
    /// Entries at or after this time (ms since the epoch, inclusive): `fromDate`.
    public var fromDate: Int64?
    /// Entries at or before this time (ms, inclusive): `toDate`.
    public var toDate: Int64?
    /// Entries of one schedule: `scheduleId`.
    public var scheduleId: String?
    /// Entries carrying any of these labels: `label`, repeated.
    public var labels: [String]
    /// Entries of messages sent to this URL: `url`.
    public var url: String?
    /// Entries of one message: `messageId`.
    public var messageId: String?

    public init(fromDate: Int64? = nil, toDate: Int64? = nil, scheduleId: String? = nil, labels: [String] = [],
                url: String? = nil, messageId: String? = nil) {
        self.fromDate = fromDate
        self.toDate = toDate
        self.scheduleId = scheduleId
        self.labels = labels
        self.url = url
        self.messageId = messageId
    }

    /// The query parameters, as the official SDKs name them.
    var queryItems: [URLQueryItem] {
        var items: [URLQueryItem] = []
        if let fromDate { items.append(URLQueryItem(name: "fromDate", value: String(fromDate))) }
        if let toDate { items.append(URLQueryItem(name: "toDate", value: String(toDate))) }
        if let scheduleId { items.append(URLQueryItem(name: "scheduleId", value: scheduleId)) }
        for label in labels { items.append(URLQueryItem(name: "label", value: label)) }
        if let url { items.append(URLQueryItem(name: "url", value: url)) }
        if let messageId { items.append(URLQueryItem(name: "messageId", value: messageId)) }
        return items
    }
}

/// Why reading a layer's history failed. Never carries a token.
public enum RemoteHistoryError: Error, LocalizedError, Sendable, Equatable {
    case missingToken(service: String, key: String, scope: String)
    case http(service: String, status: Int, detail: String)
    case transport(service: String, message: String)
    case malformed(service: String, detail: String)
    case tooManyPages(service: String, pages: Int)
    /// A Supabase project ref that cannot be a project's (nor a path segment); refused before any request.
    case badProjectRef(String)

    public var errorDescription: String? {
        switch self {
        case .missingToken(let service, let key, let scope):
            return "no \(key) for \(service) (scope \(scope) or global); store it with `rbscron secret set global \(key) --from-env \(key)`."
        case .http(let service, let status, let detail):
            let hint = status == 401 || status == 403 ? " The token was refused; check it with the provider and store it again." : ""
            return "\(service) answered HTTP \(status): \(detail).\(hint)"
        case .transport(let service, let message):
            return "could not reach \(service): \(message)"
        case .malformed(let service, let detail):
            return "\(service) sent a response rbscron cannot read: \(detail)"
        case .badProjectRef(let ref):
            return "'\(ControlCharacters.escape(ref))' is not a Supabase project ref (letters, digits, - and _), so no request "
                + "was made; fix the app's supabase.project_ref (the letters before .supabase.co) in the inventory."
        case .tooManyPages(let service, let pages):
            return "\(service) kept returning more pages after \(pages); stopped. Narrow the window with --since."
        }
    }
}

/// Reads QStash's log, page by page (`cursor`), with `Authorization: Bearer <QSTASH_TOKEN>`.
///
/// It asks `GET /v2/events` first, the path both official SDKs call. If that answers 404 it asks `GET /v2/logs`
/// (the path QStash's current docs name) and keeps to it for the rest of this client's life, copies included.
/// Either envelope key, `events` or `logs`, is read. Every request is counted in ``requestCount``.
public struct QStashEventsClient: Sendable {
    public static let defaultBaseURL = QStashClient.defaultBaseURL
    public static let service = "QStash"
    /// The most entries QStash returns per page (its OpenAPI document's maximum).
    public static let pageSize = 100
    /// Pages ``allEvents(filter:)`` reads before it gives up with ``RemoteHistoryError/tooManyPages(service:pages:)``.
    public static let maxPages = 500

    /// The path the SDKs call.
    public static let eventsPath = "/v2/events"
    /// The path QStash's docs name since the rename.
    public static let logsPath = "/v2/logs"

    let transport: any HTTPTransport
    let baseURL: String
    let token: String
    let redactor: Redactor
    let maxPages: Int
    private let state = Locked(Shared())

    private struct Shared {
        var requests = 0
        var useLogsPath = false
    }

    /// - Parameters:
    ///   - token: the account's `QSTASH_TOKEN`, sent as `Authorization: Bearer`; always redacted.
    ///   - redactor: hides secrets in error messages, error texts and response bodies of the entries.
    ///   - maxPages: the bound on pages one ``allEvents(filter:)`` reads.
    public init(transport: any HTTPTransport, baseURL: String = QStashEventsClient.defaultBaseURL, token: String,
                redactor: Redactor = .none, maxPages: Int = QStashEventsClient.maxPages) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.transport = transport
        self.baseURL = base
        self.token = token
        self.redactor = redactor.adding([token])
        self.maxPages = max(1, maxPages)
    }

    /// HTTP requests this client (and its copies) sent so far, the 404 that moved it to `/v2/logs` included.
    public var requestCount: Int { state.withLock { $0.requests } }

    /// The path the next page is read from: ``eventsPath`` until it answered 404, then ``logsPath``.
    public var path: String { state.withLock { $0.useLogsPath } ? Self.logsPath : Self.eventsPath }

    struct Page: Decodable {
        var cursor: String?
        var events: [QStashEvent]?
        var logs: [QStashEvent]?
    }

    /// One page of events at or after `from` (ms), continuing from `cursor`; the next cursor is nil at the end.
    public func page(cursor: String?, from: Int64?) async throws(RemoteHistoryError) -> (events: [QStashEvent], cursor: String?) {
        try await page(cursor: cursor, filter: QStashLogFilter(fromDate: from))
    }

    /// One page (at most ``pageSize`` entries, newest first) matching `filter`, continuing from `cursor`; the next
    /// cursor is nil at the end.
    public func page(cursor: String?, filter: QStashLogFilter) async throws(RemoteHistoryError)
        -> (events: [QStashEvent], cursor: String?) {
        let useLogs = state.withLock { $0.useLogsPath }
        let response = try await get(useLogs ? Self.logsPath : Self.eventsPath, cursor: cursor, filter: filter)
        let answer: HTTPResponse
        if response.status == 404, !useLogs {
            state.withLock { $0.useLogsPath = true }
            answer = try await get(Self.logsPath, cursor: cursor, filter: filter)
        } else {
            answer = response
        }
        guard (200..<300).contains(answer.status) else {
            throw .http(service: Self.service, status: answer.status, detail: redactor.excerpt(answer.body))
        }
        let page: Page
        do {
            page = try JSONDecoder().decode(Page.self, from: answer.body)
        } catch {
            throw .malformed(service: Self.service, detail: redactor.remote("\(error)", limit: 300))
        }
        // An answer without the events (or logs) list is not "no events": reading it as 0 would report a silent
        // layer as quiet.
        guard let entries = page.events ?? page.logs else {
            throw .malformed(service: Self.service, detail: "neither an 'events' nor a 'logs' list in the answer: "
                             + redactor.excerpt(answer.body, limit: 200))
        }
        let next = page.cursor.flatMap { $0.isEmpty ? nil : $0 }
        return (entries.map(redacted), next)
    }

    /// Every event at or after `from`, following cursors until QStash has no more.
    public func allEvents(from: Int64?) async throws(RemoteHistoryError) -> [QStashEvent] {
        try await allEvents(filter: QStashLogFilter(fromDate: from))
    }

    /// Every entry matching `filter`, newest first, following cursors until QStash has no more. A cursor that comes
    /// back a second time ends the read (QStash is looping); more than the client's page bound throws
    /// ``RemoteHistoryError/tooManyPages(service:pages:)``.
    public func allEvents(filter: QStashLogFilter) async throws(RemoteHistoryError) -> [QStashEvent] {
        var events: [QStashEvent] = []
        var cursor: String?
        var seen: Set<String> = []
        var pages = 0
        repeat {
            let page = try await self.page(cursor: cursor, filter: filter)
            events += page.events
            pages += 1
            guard let next = page.cursor, seen.insert(next).inserted else { break }
            cursor = next
            if pages >= maxPages { throw .tooManyPages(service: Self.service, pages: pages) }
        } while true
        return events
    }

    private func redacted(_ event: QStashEvent) -> QStashEvent {
        var event = event
        event.error = event.error.map { redactor.remote($0) }
        event.responseBody = event.responseBody.map { redactor.remote($0, limit: QStashEvent.responseBodyLimit) }
        return event
    }

    private func get(_ path: String, cursor: String?, filter: QStashLogFilter) async throws(RemoteHistoryError) -> HTTPResponse {
        var items = [URLQueryItem(name: "count", value: String(Self.pageSize))]
        if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        items += filter.queryItems
        let url = baseURL + path + QStashClient.query(items)
        let request = HTTPRequest(method: "GET", url: url, headers: [HTTPHeader("Authorization", "Bearer \(token)"),
                                                                      HTTPHeader("User-Agent", RBSCronVersion.userAgent)],
                                  timeout: 30, maxBodyBytes: 16 << 20, maxRedirects: 0)
        state.withLock { $0.requests += 1 }
        switch await transport.send(request) {
        case .success(let response): return response
        case .failure(let error): throw .transport(service: Self.service, message: redactor.remote(error.localizedDescription))
        }
    }
}

/// Field readers shared by the QStash types.
enum QStashWire {
    /// `labels` (a list) when present, else `label` (one string), else none.
    static func labels<K: CodingKey>(_ c: KeyedDecodingContainer<K>, many: K, one: K) throws -> [String] {
        if let list = try c.decodeIfPresent([String].self, forKey: many) { return list }
        if let single = try c.decodeIfPresent(String.self, forKey: one), !single.isEmpty { return [single] }
        return []
    }

    /// Base64 text decoded and read as UTF-8 (invalid bytes replaced), at most `limit` bytes of it; text that is not
    /// base64 is kept as it is, cut the same way.
    static func text(base64: String, limit: Int) -> String {
        let bytes = Data(base64Encoded: base64) ?? Data(base64.utf8)
        return text(bytes, limit: limit)
    }

    /// At most `limit` bytes of `bytes` as UTF-8 text, with `…` when cut.
    static func text(_ bytes: Data, limit: Int) -> String {
        guard bytes.count > limit else { return String(decoding: bytes, as: UTF8.self) }
        // Cutting may split a scalar; the replacement character marks it.
        return String(decoding: bytes.prefix(limit), as: UTF8.self) + "…"
    }
}
