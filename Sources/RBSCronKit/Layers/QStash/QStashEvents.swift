import Foundation

/// One entry of QStash's event log (`GET /v2/events`), as the official SDKs read it.
public struct QStashEvent: Sendable, Equatable, Decodable {
    /// Milliseconds since the epoch.
    public var time: Int64
    public var messageId: String
    /// CREATED, ACTIVE, RETRY, ERROR, DELIVERED, FAILED, CANCEL_REQUESTED, CANCELED, IN_PROGRESS.
    public var state: String
    public var error: String?
    public var url: String?
    public var scheduleId: String?
    public var responseStatus: Int?

    public init(time: Int64, messageId: String, state: String, error: String? = nil, url: String? = nil,
                scheduleId: String? = nil, responseStatus: Int? = nil) {
        self.time = time
        self.messageId = messageId
        self.state = state
        self.error = error
        self.url = url
        self.scheduleId = scheduleId
        self.responseStatus = responseStatus
    }
}

/// Why reading a layer's history failed. Never carries a token.
public enum RemoteHistoryError: Error, LocalizedError, Sendable, Equatable {
    case missingToken(service: String, key: String, scope: String)
    case http(service: String, status: Int, detail: String)
    case transport(service: String, message: String)
    case malformed(service: String, detail: String)
    case tooManyPages(service: String, pages: Int)
    /// A project ref that cannot be a Supabase project's; refused before any request.
    case invalidProjectRef(service: String, ref: String)

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
        case .invalidProjectRef(let service, let ref):
            return "'\(ControlCharacters.escape(ref))' is not a Supabase project ref, so no request was made to \(service); "
                + "fix the app's supabase.project_ref (the letters before .supabase.co) with `rbscron export` and `rbscron import`."
        case .tooManyPages(let service, let pages):
            return "\(service) kept returning more pages after \(pages); stopped. Narrow the window with --since."
        }
    }
}

/// Reads QStash's event log, page by page (`cursor`), with `Authorization: Bearer <QSTASH_TOKEN>`.
public struct QStashEventsClient: Sendable {
    public static let defaultBaseURL = QStashClient.defaultBaseURL
    public static let service = "QStash"
    /// The most events QStash returns per page.
    public static let pageSize = 1000
    public static let maxPages = 500

    let transport: any HTTPTransport
    let baseURL: String
    let token: String
    let redactor: Redactor

    public init(transport: any HTTPTransport, baseURL: String = QStashEventsClient.defaultBaseURL, token: String,
                redactor: Redactor = .none) {
        self.transport = transport
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.redactor = redactor.adding([token])
    }

    struct Page: Decodable {
        var cursor: String?
        var events: [QStashEvent]?
    }

    /// One page of events at or after `from` (ms), continuing from `cursor`; the next cursor is nil at the end.
    public func page(cursor: String?, from: Int64?) async throws(RemoteHistoryError) -> (events: [QStashEvent], cursor: String?) {
        var components = URLComponents(string: baseURL + "/v2/events")
        var items = [URLQueryItem(name: "count", value: String(Self.pageSize))]
        if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        if let from { items.append(URLQueryItem(name: "fromDate", value: String(from))) }
        components?.queryItems = items
        guard let url = components?.string else { throw .malformed(service: Self.service, detail: "bad base URL '\(baseURL)'") }
        let request = HTTPRequest(method: "GET", url: url, headers: [HTTPHeader("Authorization", "Bearer \(token)"),
                                                                      HTTPHeader("User-Agent", RBSCronVersion.userAgent)],
                                  timeout: 30, maxBodyBytes: 16 << 20)
        let response: HTTPResponse
        switch await transport.send(request) {
        case .success(let r): response = r
        case .failure(let error): throw .transport(service: Self.service, message: redactor.remote(error.localizedDescription))
        }
        guard (200..<300).contains(response.status) else {
            throw .http(service: Self.service, status: response.status, detail: redactor.excerpt(response.body))
        }
        let page: Page
        do {
            page = try JSONDecoder().decode(Page.self, from: response.body)
        } catch {
            throw .malformed(service: Self.service, detail: redactor.remote("\(error)", limit: 300))
        }
        // An answer without the events list is not "no events": reading it as 0 would report a silent layer as quiet.
        guard let events = page.events else {
            throw .malformed(service: Self.service, detail: "the answer has no \"events\" list: "
                             + redactor.excerpt(response.body, limit: 200))
        }
        let next = page.cursor.flatMap { $0.isEmpty ? nil : $0 }
        return (events, next)
    }

    /// Every event at or after `from`, following cursors until QStash has no more.
    public func allEvents(from: Int64?) async throws(RemoteHistoryError) -> [QStashEvent] {
        var events: [QStashEvent] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await self.page(cursor: cursor, from: from)
            events += page.events
            pages += 1
            if page.cursor != nil, page.cursor == cursor { break }
            cursor = page.cursor
            if pages >= Self.maxPages, cursor != nil { throw .tooManyPages(service: Self.service, pages: pages) }
        } while cursor != nil
        return events
    }
}
