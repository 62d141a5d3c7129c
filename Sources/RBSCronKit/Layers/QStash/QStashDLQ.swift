import Foundation

/// A message in QStash's dead-letter queue: one whose retries ran out (`GET /v2/dlq`, `GET /v2/dlq/{dlqId}`).
///
/// Decoding reads `responseBody` or, when the body was not UTF-8, `responseBodyBase64` (and `body` / `bodyBase64`
/// alike), keeping at most four times ``bodyLimit`` bytes, and labels from `labels` or `label`. ``QStashClient`` then
/// passes both bodies and every header value through its redactor (forwarded headers often carry a job's secret) and
/// cuts the bodies to ``bodyLimit`` characters, after redacting.
public struct QStashDLQMessage: Sendable, Equatable, Decodable {
    /// The most characters of a body ``QStashClient`` keeps on a message.
    public static let bodyLimit = 2048

    /// The entry's id in the queue (what get, delete and retry take).
    public var dlqId: String
    /// The id the message had while QStash tried to deliver it (its log entries carry it).
    public var messageId: String
    /// The destination URL.
    public var url: String
    public var method: String
    /// When the message was created, ms since the epoch.
    public var createdAt: Int64
    /// The earliest delivery time the message had, ms since the epoch.
    public var notBefore: Int64?
    /// Set when a schedule made the message.
    public var scheduleId: String?
    /// The URL group, when sent to one.
    public var topicName: String?
    /// The queue, when enqueued on one.
    public var queueName: String?
    /// Retries the message was allowed.
    public var maxRetries: Int?
    /// The destination's status on the last attempt; nil when it never answered.
    public var responseStatus: Int?
    /// The destination's body on the last attempt, at most ``bodyLimit`` characters.
    public var responseBody: String?
    /// Headers forwarded with the message (names as QStash returns them), each with its values.
    public var header: [String: [String]]
    /// The message's own body, at most ``bodyLimit`` characters.
    public var body: String?
    public var labels: [String]

    public init(dlqId: String, messageId: String, url: String, method: String = "POST", createdAt: Int64,
                notBefore: Int64? = nil, scheduleId: String? = nil, topicName: String? = nil, queueName: String? = nil,
                maxRetries: Int? = nil, responseStatus: Int? = nil, responseBody: String? = nil,
                header: [String: [String]] = [:], body: String? = nil, labels: [String] = []) {
        self.dlqId = dlqId
        self.messageId = messageId
        self.url = url
        self.method = method
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.scheduleId = scheduleId
        self.topicName = topicName
        self.queueName = queueName
        self.maxRetries = maxRetries
        self.responseStatus = responseStatus
        self.responseBody = responseBody
        self.header = header
        self.body = body
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case dlqId, messageId, url, method, createdAt, notBefore, scheduleId, topicName, queueName, maxRetries,
             responseStatus, responseBody, responseBodyBase64, header, body, bodyBase64, labels, label
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dlqId = try c.decode(String.self, forKey: .dlqId)
        messageId = try c.decode(String.self, forKey: .messageId)
        url = try c.decodeIfPresent(String.self, forKey: .url) ?? ""
        method = try c.decodeIfPresent(String.self, forKey: .method) ?? "POST"
        createdAt = try c.decodeIfPresent(Int64.self, forKey: .createdAt) ?? 0
        notBefore = try c.decodeIfPresent(Int64.self, forKey: .notBefore)
        scheduleId = try c.decodeIfPresent(String.self, forKey: .scheduleId)
        topicName = try c.decodeIfPresent(String.self, forKey: .topicName)
        queueName = try c.decodeIfPresent(String.self, forKey: .queueName)
        maxRetries = try c.decodeIfPresent(Int.self, forKey: .maxRetries)
        responseStatus = try c.decodeIfPresent(Int.self, forKey: .responseStatus)
        responseBody = try Self.text(c, plain: .responseBody, base64: .responseBodyBase64)
        header = try c.decodeIfPresent([String: [String]].self, forKey: .header) ?? [:]
        body = try Self.text(c, plain: .body, base64: .bodyBase64)
        labels = try QStashWire.labels(c, many: .labels, one: .label)
    }

    private static func text(_ c: KeyedDecodingContainer<CodingKeys>, plain: CodingKeys, base64: CodingKeys) throws -> String? {
        if let text = try c.decodeIfPresent(String.self, forKey: plain) {
            return QStashWire.text(Data(text.utf8), limit: 4 * bodyLimit)
        }
        return try c.decodeIfPresent(String.self, forKey: base64).map { QStashWire.text(base64: $0, limit: 4 * bodyLimit) }
    }
}

/// Which dead-letter messages to list. Every field narrows the result; the empty filter lists the whole queue.
public struct QStashDLQFilter: Sendable, Equatable {
    /// Messages of any of these schedules: `scheduleId`, repeated.
    public var scheduleIds: [String]
    /// Messages created at or after this time (ms since the epoch, inclusive): `fromDate`.
    public var fromDate: Int64?
    /// Messages created at or before this time (ms, inclusive): `toDate`.
    public var toDate: Int64?
    /// Messages sent to this URL: `url`.
    public var url: String?
    /// One message by its message id: `messageId`.
    public var messageId: String?
    /// Messages carrying any of these labels: `label`, repeated.
    public var labels: [String]

    public init(scheduleIds: [String] = [], fromDate: Int64? = nil, toDate: Int64? = nil, url: String? = nil,
                messageId: String? = nil, labels: [String] = []) {
        self.scheduleIds = scheduleIds
        self.fromDate = fromDate
        self.toDate = toDate
        self.url = url
        self.messageId = messageId
        self.labels = labels
    }

    var queryItems: [URLQueryItem] {
        var items = scheduleIds.map { URLQueryItem(name: "scheduleId", value: $0) }
        if let fromDate { items.append(URLQueryItem(name: "fromDate", value: String(fromDate))) }
        if let toDate { items.append(URLQueryItem(name: "toDate", value: String(toDate))) }
        if let url { items.append(URLQueryItem(name: "url", value: url)) }
        if let messageId { items.append(URLQueryItem(name: "messageId", value: messageId)) }
        for label in labels { items.append(URLQueryItem(name: "label", value: label)) }
        return items
    }
}

extension QStashClient {
    /// The most messages QStash returns per dead-letter page.
    public static let dlqPageSize = 100
    /// Pages ``dlqMessages(filter:maxPages:)`` reads before it gives up.
    public static let dlqMaxPages = 100

    /// `GET /v2/dlq`: one page of dead-letter messages matching `filter` (at most ``dlqPageSize``), continuing from
    /// `cursor`; the next cursor is nil at the end.
    public func dlqPage(cursor: String?, filter: QStashDLQFilter = QStashDLQFilter()) async throws(QStashError)
        -> (messages: [QStashDLQMessage], cursor: String?) {
        var items = [URLQueryItem(name: "count", value: String(Self.dlqPageSize))]
        if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        items += filter.queryItems
        struct Page: Decodable {
            var cursor: String?
            var messages: [QStashDLQMessage]
        }
        let page = try decode(Page.self, try await send("GET", "/v2/dlq" + Self.query(items)).body)
        return (page.messages.map(redacted), page.cursor.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Every dead-letter message matching `filter`, following cursors. A cursor that comes back a second time ends
    /// the read; more than `maxPages` pages throws ``QStashError/tooManyPages(_:)``.
    public func dlqMessages(filter: QStashDLQFilter = QStashDLQFilter(), maxPages: Int = QStashClient.dlqMaxPages)
        async throws(QStashError) -> [QStashDLQMessage] {
        var messages: [QStashDLQMessage] = []
        var cursor: String?
        var seen: Set<String> = []
        var pages = 0
        repeat {
            let page = try await dlqPage(cursor: cursor, filter: filter)
            messages += page.messages
            pages += 1
            guard let next = page.cursor, seen.insert(next).inserted else { break }
            cursor = next
            if pages >= max(1, maxPages) { throw .tooManyPages(pages) }
        } while true
        return messages
    }

    /// `GET /v2/dlq/{dlqId}`; ``QStashError/notInDLQ(dlqId:)`` when it is gone.
    public func dlqMessage(_ dlqId: String) async throws(QStashError) -> QStashDLQMessage {
        let body = try await send("GET", "/v2/dlq/\(Self.escape(dlqId))", notFound: .notInDLQ(dlqId: dlqId)).body
        return redacted(try decode(QStashDLQMessage.self, body))
    }

    /// `DELETE /v2/dlq/{dlqId}`: drops one message for good; ``QStashError/notInDLQ(dlqId:)`` when it is gone.
    public func deleteFromDLQ(_ dlqId: String) async throws(QStashError) {
        _ = try await send("DELETE", "/v2/dlq/\(Self.escape(dlqId))", notFound: .notInDLQ(dlqId: dlqId))
    }

    /// `DELETE /v2/dlq?dlqIds=…`: drops these messages and returns how many QStash deleted (ids already gone are not
    /// counted). An empty list sends nothing: without ids QStash would apply its filters to the whole queue.
    @discardableResult
    public func deleteFromDLQ(_ dlqIds: [String]) async throws(QStashError) -> Int {
        guard !dlqIds.isEmpty else { return 0 }
        let items = dlqIds.map { URLQueryItem(name: "dlqIds", value: $0) }
        struct Deleted: Decodable { var deleted: Int }
        return try decode(Deleted.self, try await send("DELETE", "/v2/dlq" + Self.query(items)).body).deleted
    }

    /// `POST /v2/dlq/retry/{dlqId}`: QStash publishes the message again (same destination, body and headers, a new
    /// message id) and removes it from the queue. ``QStashError/notInDLQ(dlqId:)`` when it is gone.
    public func retryFromDLQ(_ dlqId: String) async throws(QStashError) -> QStashPublishResult {
        let response = try await send("POST", "/v2/dlq/retry/\(Self.escape(dlqId))", notFound: .notInDLQ(dlqId: dlqId),
                                      body: Data())
        return try publishResult(response)
    }

    private func redacted(_ message: QStashDLQMessage) -> QStashDLQMessage {
        var message = message
        message.responseBody = message.responseBody.map { redactor.remote($0, limit: QStashDLQMessage.bodyLimit) }
        message.body = message.body.map { redactor.remote($0, limit: QStashDLQMessage.bodyLimit) }
        message.header = message.header.mapValues { $0.map { redactor.remote($0) } }
        return message
    }

    /// `?a=1&b=2`, every value percent-encoded (`+` included, which QStash would read as a space); empty for none.
    static func query(_ items: [URLQueryItem]) -> String {
        guard !items.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return "?" + items.map { "\(encode($0.name))=\(encode($0.value ?? ""))" }.joined(separator: "&")
    }
}
