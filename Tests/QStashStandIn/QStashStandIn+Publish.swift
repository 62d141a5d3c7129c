import Crypto
import Foundation
import RBSCronKit

// Publishing and delivery. This file does not import FlyingFox, whose HTTP type names clash with RBSCronKit's:
// the stand-in delivers with rbscron's curl transport, as any HTTP client would do, but signs on its own.

extension QStashStandIn {
    /// A forwarded header of a message, without its `Upstash-Forward-` prefix.
    public struct ForwardedHeader: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// A message the stand-in accepted, as it delivers it.
    public struct PublishedMessage: Sendable, Equatable {
        public var messageId: String
        public var destination: String
        public var method: String
        public var body: Data
        public var contentType: String?
        public var forward: [ForwardedHeader]
        public var retries: Int
        /// Seconds; the stand-in's default when nil.
        public var timeout: Int?
        public var labels: [String]
        public var scheduleId: String?
        public var createdAt: Int64

        /// The `header` map of log and dead-letter entries.
        var header: [String: [String]] {
            var map: [String: [String]] = [:]
            for h in forward { map[h.name, default: []].append(h.value) }
            if let contentType { map["Content-Type"] = [contentType] }
            return map
        }
    }

    /// One delivery attempt, as the stand-in made it.
    public struct Delivery: Sendable {
        public var messageId: String
        public var url: String
        public var method: String
        /// The request headers, as sent.
        public var headers: [(name: String, value: String)]
        public var body: Data
        /// `Upstash-Retried`: 0 on the first attempt.
        public var retried: Int
        /// The destination's status; nil when it did not answer.
        public var status: Int?
        /// Why the attempt failed without an answer.
        public var error: String?

        /// The last value of the request header `name` (any case).
        public func header(_ name: String) -> String? {
            headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// Every delivery attempt made so far, in the order they finished.
    public var deliveries: [Delivery] { state.with { $0.deliveries } }

    /// The messages accepted by publish or a dead-letter retry, by message id.
    public var messages: [String: PublishedMessage] { state.with { $0.messages } }

    /// Waits until every delivery under way (retries included) has finished, or `timeout` has passed; true when all
    /// finished.
    @discardableResult
    public func awaitDeliveries(timeout: Duration = .seconds(30)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if state.with({ $0.tasks.isEmpty }) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return state.with { $0.tasks.isEmpty }
    }

    /// `POST /v2/publish/{destination}`.
    func publish(_ request: Incoming) -> (Int, Data) {
        var destination = String(request.rawPath.dropFirst("/v2/publish/".count))
        if !request.rawQuery.isEmpty { destination += "?" + request.rawQuery }
        guard destination.hasPrefix("http://") || destination.hasPrefix("https://"),
              let url = URL(string: destination), url.host?.isEmpty == false else {
            return Self.error(400, "invalid destination url, only urls are supported by the stand-in")
        }
        var retries = 3
        if let text = request.header("Upstash-Retries") {
            guard let value = Int(text), value >= 0 else { return Self.error(400, "invalid Upstash-Retries") }
            retries = value
        }
        var timeout: Int?
        if let text = request.header("Upstash-Timeout") {
            guard let seconds = Self.parseSeconds(text), seconds > 0 else { return Self.error(400, "invalid Upstash-Timeout") }
            timeout = seconds
        }
        let method = request.header("Upstash-Method") ?? "POST"
        let labels = (request.header("Upstash-Label") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let forward = Self.forwarded(request.headers).map { ForwardedHeader(name: $0.0, value: $0.1) }
        let contentType = request.header("Content-Type")
        var deduplicationId = request.header("Upstash-Deduplication-Id")
        if deduplicationId == nil, request.header("Upstash-Content-Based-Deduplication")?.lowercased() == "true" {
            var hasher = SHA256()
            hasher.update(data: Data(destination.utf8))
            hasher.update(data: request.body)
            hasher.update(data: Data((contentType ?? "").utf8))
            for h in forward.sorted(by: { ($0.name, $0.value) < ($1.name, $1.value) }) {
                hasher.update(data: Data("\(h.name.lowercased()):\(h.value)\n".utf8))
            }
            deduplicationId = "content:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
        let message = PublishedMessage(
            messageId: "", destination: destination, method: method, body: request.body, contentType: contentType,
            forward: forward, retries: retries, timeout: timeout, labels: labels, scheduleId: nil, createdAt: 0)
        guard let deduplicationId else {
            return (200, Self.json(["messageId": enqueue(message)]))
        }
        // The check and the claim happen under one lock, so two racing publishes cannot both get through.
        let now = options.clock()
        let earlier = state.with { s -> String? in
            if let seen = s.deduplication[deduplicationId], now.timeIntervalSince(seen.at) < Self.deduplicationWindow {
                return seen.messageId
            }
            s.messageCounter += 1
            s.deduplication[deduplicationId] = (messageId: Self.messageId(s.messageCounter), at: now)
            return nil
        }
        if let earlier {
            return (202, Self.json(["messageId": earlier, "deduplicated": true]))
        }
        let id = state.with { s in s.deduplication[deduplicationId]?.messageId ?? "" }
        return (200, Self.json(["messageId": enqueue(message, id: id)]))
    }

    static func messageId(_ counter: Int) -> String { "msg_standin_\(counter)" }

    /// Stores `message` under a new id (or `id`), logs CREATED and starts delivering it. Returns the id.
    func enqueue(_ message: PublishedMessage, id: String? = nil) -> String {
        let now = nowMs
        var message = message
        message.createdAt = now
        let (started, messageId) = state.with { s -> (Bool, String) in
            let messageId: String
            if let id {
                messageId = id
            } else {
                s.messageCounter += 1
                messageId = Self.messageId(s.messageCounter)
            }
            message.messageId = messageId
            s.messages[messageId] = message
            s.appendLogs([entry(message, state: "CREATED", at: now)])
            return (!s.stopped, messageId)
        }
        guard started else { return messageId }
        let stored = message
        state.with { s in
            s.taskCounter += 1
            let key = s.taskCounter
            s.tasks[key] = Task { [self] in
                await deliver(stored)
                state.with { _ = $0.tasks.removeValue(forKey: key) }
            }
        }
        return messageId
    }

    /// A log entry for `message` in `state`.
    func entry(_ message: PublishedMessage, state: String, at time: Int64) -> LogEntry {
        LogEntry(time: time, messageId: message.messageId, state: state, url: message.destination,
                 scheduleId: message.scheduleId, maxRetries: message.retries, method: message.method,
                 labels: message.labels, header: message.header, body: message.body.isEmpty ? nil : message.body)
    }

    private func log(_ entries: [LogEntry]) {
        state.with { $0.appendLogs(entries) }
    }

    /// Attempts until a 2xx, or until the retries are spent (then FAILED and a dead-letter entry).
    private func deliver(_ message: PublishedMessage) async {
        let transport = state.with { s -> CurlTransport in
            if let existing = s.courier { return existing.transport }
            let made = Courier()
            s.courier = made
            return made.transport
        }
        var retried = 0
        while !Task.isCancelled {
            log([entry(message, state: "ACTIVE", at: nowMs)])
            var headers = message.forward.map { RBSCronKit.HTTPHeader($0.name, $0.value) }
            if let contentType = message.contentType { headers.append(RBSCronKit.HTTPHeader("Content-Type", contentType)) }
            headers.append(RBSCronKit.HTTPHeader("Upstash-Message-Id", message.messageId))
            headers.append(RBSCronKit.HTTPHeader("Upstash-Retried", String(retried)))
            if let key = options.signingKey {
                headers.append(RBSCronKit.HTTPHeader("Upstash-Signature", sign(url: message.destination, body: message.body, key: key)))
            }
            let request = RBSCronKit.HTTPRequest(
                method: message.method, url: message.destination, headers: headers,
                body: message.body.isEmpty ? nil : message.body,
                timeout: TimeInterval(message.timeout ?? options.deliveryTimeout), maxBodyBytes: 1 << 20, maxRedirects: 0)
            let result = await transport.send(request)
            if Task.isCancelled { return }
            let now = nowMs
            var delivery = Delivery(messageId: message.messageId, url: message.destination, method: message.method,
                                    headers: headers.map { ($0.name, $0.value) }, body: message.body, retried: retried)
            var failure = entry(message, state: "ERROR", at: now)
            var nonRetryable = false
            switch result {
            case .success(let response):
                delivery.status = response.status
                state.with { $0.deliveries.append(delivery) }
                if (200..<300).contains(response.status) {
                    log([entry(message, state: "DELIVERED", at: now)])
                    return
                }
                failure.responseStatus = response.status
                failure.responseBody = response.body
                failure.error = "destination answered HTTP \(response.status)"
                nonRetryable = response.status == 489 && response.header("Upstash-NonRetryable-Error") == "true"
            case .failure(let error):
                delivery.error = error.localizedDescription
                state.with { $0.deliveries.append(delivery) }
                failure.error = error.localizedDescription
            }
            guard retried < message.retries, !nonRetryable else {
                fail(message, lastAttempt: failure, at: now)
                return
            }
            retried += 1
            let delay = options.retryDelay(retried)
            let next = now + Int64(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
            failure.nextDeliveryTime = next
            var retry = entry(message, state: "RETRY", at: now)
            retry.nextDeliveryTime = next
            log([failure, retry])
            do { try await Task.sleep(for: delay) } catch { return }
        }
    }

    private func fail(_ message: PublishedMessage, lastAttempt: LogEntry, at now: Int64) {
        var failed = entry(message, state: "FAILED", at: now)
        failed.error = lastAttempt.error
        failed.responseStatus = lastAttempt.responseStatus
        failed.responseBody = lastAttempt.responseBody
        state.with { s in
            s.appendLogs([lastAttempt, failed])
            s.appendDLQ(DLQEntry(
                dlqId: "dlq_\(message.messageId)", messageId: message.messageId, url: message.destination,
                method: message.method, createdAt: message.createdAt, scheduleId: message.scheduleId,
                maxRetries: message.retries, responseStatus: lastAttempt.responseStatus ?? 0,
                responseBody: lastAttempt.responseBody ?? Data(), header: message.header, body: message.body,
                labels: message.labels))
        }
    }

    /// An `Upstash-Signature` JWT (HS256 keyed by the key's UTF-8 bytes) with QStash's claims.
    func sign(url: String, body: Data, key: String) -> String {
        func base64URL(_ data: Data, padded: Bool) -> String {
            var text = data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
            if !padded { text = text.replacingOccurrences(of: "=", with: "") }
            return text
        }
        let now = Int64(options.clock().timeIntervalSince1970)
        let jti = "jwt_" + base64URL(Data((0..<18).map { _ in UInt8.random(in: 0...255) }), padded: false)
        let claims: [String: Any] = [
            "iss": "Upstash", "sub": url, "iat": now, "nbf": now, "exp": now + 300, "jti": jti,
            "body": base64URL(Data(SHA256.hash(data: body)), padded: true),
        ]
        let header = Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8)
        let payload = (try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        let input = base64URL(header, padded: false) + "." + base64URL(payload, padded: false)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return input + "." + base64URL(Data(mac), padded: false)
    }
}

/// The HTTP client deliveries go through: one per stand-in, made on the first delivery.
final class Courier: Sendable {
    let transport = CurlTransport(userAgent: "Upstash-QStash")
}
