import Foundation

/// A one-off message for QStash to deliver (`POST /v2/publish/{destination}`).
///
/// With a ``deduplicationId``, QStash accepts the id once in a 10-minute window: a second publish with it is
/// answered with the first message's id and delivers nothing. That is what lets two CI runners back up the same
/// missed fire without firing it twice.
public struct QStashMessage: Sendable, Equatable {
    /// The full `http(s)://` URL QStash calls.
    public var destination: String
    /// The method of the delivery (`Upstash-Method`).
    public var method: String
    public var body: Data
    /// Sent as `Content-Type` and forwarded by QStash with the body. When nil, a message with a body is sent as
    /// `application/octet-stream` (so no HTTP library's default form type goes out), one without as none.
    public var contentType: String?
    /// Headers QStash adds to the delivery (`Upstash-Forward-<name>`). Values may be secrets; they are never shown.
    public var forwardHeaders: [String: String]
    /// Retries after a failed delivery (`Upstash-Retries`); QStash's default (3) when nil.
    public var retries: Int?
    /// Seconds QStash waits for the destination (`Upstash-Timeout`); QStash's default when nil.
    public var timeout: Int?
    /// `Upstash-Deduplication-Id`.
    public var deduplicationId: String?
    /// `Upstash-Label`, comma-separated; the log and the dead-letter queue can be filtered by them.
    public var labels: [String]

    public init(destination: String, method: String = "POST", body: Data = Data(), contentType: String? = nil,
                forwardHeaders: [String: String] = [:], retries: Int? = nil, timeout: Int? = nil,
                deduplicationId: String? = nil, labels: [String] = []) {
        self.destination = destination
        self.method = method
        self.body = body
        self.contentType = contentType
        self.forwardHeaders = forwardHeaders
        self.retries = retries
        self.timeout = timeout
        self.deduplicationId = deduplicationId
        self.labels = labels
    }

    /// The request headers, after checking every field; the reason names the field, never a header's value.
    func headers() throws(QStashError) -> [HTTPHeader] {
        guard let url = URL(string: destination), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host?.isEmpty == false else {
            throw .invalidMessage("the destination '\(destination)' is not an http:// or https:// URL")
        }
        guard Self.isToken(method) else { throw .invalidMessage("the method '\(method)' is not an HTTP method") }
        var headers = [HTTPHeader("Upstash-Method", method)]
        if let contentType {
            guard Self.isHeaderValue(contentType) else { throw .invalidMessage("the content type has a line break") }
            headers.append(HTTPHeader("Content-Type", contentType))
        } else if !body.isEmpty {
            headers.append(HTTPHeader("Content-Type", "application/octet-stream"))
        }
        if let retries {
            guard retries >= 0 else { throw .invalidMessage("retries must be 0 or more, not \(retries)") }
            headers.append(HTTPHeader("Upstash-Retries", String(retries)))
        }
        if let timeout {
            guard timeout > 0 else { throw .invalidMessage("the timeout must be at least 1 second, not \(timeout)") }
            headers.append(HTTPHeader("Upstash-Timeout", "\(timeout)s"))
        }
        if let deduplicationId {
            guard !deduplicationId.isEmpty, Self.isHeaderValue(deduplicationId) else {
                throw .invalidMessage("the deduplication id must be one non-empty line")
            }
            headers.append(HTTPHeader("Upstash-Deduplication-Id", deduplicationId))
        }
        if !labels.isEmpty {
            guard labels.allSatisfy({ !$0.isEmpty && !$0.contains(",") && Self.isHeaderValue($0) }) else {
                throw .invalidMessage("a label must be one non-empty line without a comma")
            }
            headers.append(HTTPHeader("Upstash-Label", labels.joined(separator: ",")))
        }
        for (name, value) in forwardHeaders.sorted(by: { $0.key < $1.key }) {
            guard Self.isToken(name) else { throw .invalidMessage("the forwarded header name '\(name)' is not a header name") }
            guard Self.isHeaderValue(value) else { throw .invalidMessage("the forwarded header '\(name)' has a line break") }
            headers.append(HTTPHeader("Upstash-Forward-\(name)", value))
        }
        return headers
    }

    /// An HTTP token (RFC 9110): what a method or a header name may be.
    private static func isToken(_ text: String) -> Bool {
        let allowed = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return !text.isEmpty && text.allSatisfy(allowed.contains)
    }

    private static func isHeaderValue(_ text: String) -> Bool {
        // By scalar: "\r\n" is one Character, equal to neither "\r" nor "\n".
        !text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
    }
}

/// QStash's answer to a publish (or to a dead-letter retry).
public struct QStashPublishResult: Sendable, Equatable, Codable {
    /// The message's id: its log entries carry it. For a deduplicated publish, the first message's id.
    public var messageId: String
    /// True when QStash had already accepted the deduplication id in its window and sent nothing new (HTTP 202,
    /// or `"deduplicated": true` in the answer).
    public var deduplicated: Bool

    public init(messageId: String, deduplicated: Bool = false) {
        self.messageId = messageId
        self.deduplicated = deduplicated
    }
}

extension QStashClient {
    /// `POST /v2/publish/{destination}`: hands `message` to QStash, which delivers it (with its retries) on its own
    /// time. Returns the message id, and whether QStash deduplicated it.
    public func publish(_ message: QStashMessage) async throws(QStashError) -> QStashPublishResult {
        let headers: [HTTPHeader]
        do {
            headers = try message.headers()
        } catch {
            // The reason may quote the destination, whose query could hold a secret.
            guard case .invalidMessage(let reason) = error else { throw error }
            throw .invalidMessage(redactor.remote(reason))
        }
        // The destination goes into the path as written, as Upstash's SDKs send it.
        let response = try await send("POST", "/v2/publish/\(message.destination)", headers: headers, body: message.body)
        return try publishResult(response)
    }

    /// `{"messageId": …, "deduplicated"?: …}`; a 202 means deduplicated whatever the body says.
    func publishResult(_ response: HTTPResponse) throws(QStashError) -> QStashPublishResult {
        struct Answer: Decodable {
            var messageId: String
            var deduplicated: Bool?
        }
        let answer = try decode(Answer.self, response.body)
        return QStashPublishResult(messageId: answer.messageId,
                                   deduplicated: response.status == 202 || answer.deduplicated == true)
    }
}
