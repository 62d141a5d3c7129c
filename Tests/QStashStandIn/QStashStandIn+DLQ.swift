import Foundation

extension QStashStandIn {
    /// One message in the dead-letter queue, as `GET /v2/dlq` returns it.
    public struct DLQEntry: Sendable, Equatable {
        public var dlqId: String
        public var messageId: String
        public var url: String
        public var method: String
        /// Milliseconds since the epoch.
        public var createdAt: Int64
        public var notBefore: Int64
        public var scheduleId: String?
        public var topicName: String?
        public var queueName: String?
        public var maxRetries: Int
        /// The destination's status on the last attempt (0 when it never answered).
        public var responseStatus: Int
        /// Sent as `responseBody` when UTF-8, else as `responseBodyBase64`.
        public var responseBody: Data
        public var responseHeader: [String: [String]]
        /// Forwarded headers (without `Upstash-Forward-`), and `Content-Type` when the message had one.
        public var header: [String: [String]]
        /// Sent as `body` when UTF-8, else as `bodyBase64`.
        public var body: Data
        public var labels: [String]

        public init(dlqId: String, messageId: String, url: String, method: String = "POST", createdAt: Int64,
                    notBefore: Int64? = nil, scheduleId: String? = nil, topicName: String? = nil, queueName: String? = nil,
                    maxRetries: Int = 3, responseStatus: Int = 500, responseBody: Data = Data(),
                    responseHeader: [String: [String]] = [:], header: [String: [String]] = [:], body: Data = Data(),
                    labels: [String] = []) {
            self.dlqId = dlqId
            self.messageId = messageId
            self.url = url
            self.method = method
            self.createdAt = createdAt
            self.notBefore = notBefore ?? createdAt
            self.scheduleId = scheduleId
            self.topicName = topicName
            self.queueName = queueName
            self.maxRetries = maxRetries
            self.responseStatus = responseStatus
            self.responseBody = responseBody
            self.responseHeader = responseHeader
            self.header = header
            self.body = body
            self.labels = labels
        }

        var json: [String: Any] {
            var o: [String: Any] = [
                "dlqId": dlqId, "messageId": messageId, "url": url, "method": method, "createdAt": createdAt,
                "notBefore": notBefore, "maxRetries": maxRetries, "responseStatus": responseStatus,
                "callerIP": "127.0.0.1",
            ]
            if let scheduleId { o["scheduleId"] = scheduleId }
            if let topicName { o["topicName"] = topicName }
            if let queueName { o["queueName"] = queueName }
            if !header.isEmpty { o["header"] = header }
            if !responseHeader.isEmpty { o["responseHeader"] = responseHeader }
            if let text = String(data: responseBody, encoding: .utf8) {
                o["responseBody"] = text
            } else {
                o["responseBodyBase64"] = responseBody.base64EncodedString()
            }
            if let text = String(data: body, encoding: .utf8) {
                if !body.isEmpty { o["body"] = text }
            } else {
                o["bodyBase64"] = body.base64EncodedString()
            }
            if !labels.isEmpty {
                o["labels"] = labels
                o["label"] = labels[0]
            }
            return o
        }
    }

    struct StoredDLQ {
        var seq: Int
        var entry: DLQEntry
        var key: SortKey { SortKey(time: entry.createdAt, seq: seq) }
    }

    /// The dead-letter queue, oldest first.
    public var dlq: [DLQEntry] { state.with { $0.dlq.map(\.entry) } }

    /// Adds dead-letter entries as if QStash had moved failed messages there.
    public func seedDLQ(_ entries: [DLQEntry]) {
        state.with { s in
            for entry in entries { s.appendDLQ(entry) }
        }
    }

    func dlqRoute(_ request: Incoming) -> (Int, Data) {
        let path = request.path
        switch request.method {
        case "GET" where path == "/v2/dlq":
            return listDLQ(request)
        case "GET":
            let id = String(path.dropFirst("/v2/dlq/".count))
            guard let found = state.with({ s in s.dlq.first { $0.entry.dlqId == id } }) else {
                return Self.error(404, "message not found in dlq")
            }
            return (200, Self.json(found.entry.json))
        case "DELETE" where path == "/v2/dlq":
            return deleteMany(request)
        case "DELETE":
            let id = String(path.dropFirst("/v2/dlq/".count))
            let removed = state.with { s -> Bool in
                guard let index = s.dlq.firstIndex(where: { $0.entry.dlqId == id }) else { return false }
                s.dlq.remove(at: index)
                return true
            }
            return removed ? (200, Data()) : Self.error(404, "message not found in dlq")
        case "POST" where path.hasPrefix("/v2/dlq/retry/"):
            let id = String(path.dropFirst("/v2/dlq/retry/".count))
            guard let messageId = retry(dlqId: id, request: request) else { return Self.error(404, "message not found in dlq") }
            return (201, Self.json(["messageId": messageId]))
        case "POST" where path == "/v2/dlq/retry":
            let ids = request.values("dlqIds")
            let responses = ids.compactMap { retry(dlqId: $0, request: request) }.map { ["messageId": $0] }
            return (201, Self.json(["responses": responses]))
        default:
            return Self.error(405, "method not allowed")
        }
    }

    /// The list filters of `GET /v2/dlq` (and of `DELETE /v2/dlq` without ids).
    private struct DLQQuery {
        var scheduleIds: Set<String>
        var messageId: String?
        var url: String?
        var topicName: String?
        var queueName: String?
        var fromDate: Int64?
        var toDate: Int64?
        var statuses: Set<Int>
        var labels: Set<String>

        init(_ request: Incoming) throws(Problem) {
            scheduleIds = Set(request.values("scheduleId"))
            messageId = request.value("messageId")
            url = request.value("url")
            topicName = request.value("topicName")
            queueName = request.value("queueName")
            func number(_ name: String) throws(Problem) -> Int64? {
                guard let text = request.value(name) else { return nil }
                guard let value = Int64(text) else { throw Problem(message: "invalid \(name)") }
                return value
            }
            fromDate = try number("fromDate")
            toDate = try number("toDate")
            var statuses: Set<Int> = []
            for text in request.values("responseStatus") {
                guard let status = Int(text) else { throw Problem(message: "invalid responseStatus") }
                statuses.insert(status)
            }
            self.statuses = statuses
            labels = Set(request.values("label"))
        }

        func matches(_ e: DLQEntry) -> Bool {
            if !scheduleIds.isEmpty, !scheduleIds.contains(e.scheduleId ?? "") { return false }
            if let messageId, e.messageId != messageId { return false }
            if let url, e.url != url { return false }
            if let topicName, e.topicName != topicName { return false }
            if let queueName, e.queueName != queueName { return false }
            if let fromDate, e.createdAt < fromDate { return false }
            if let toDate, e.createdAt > toDate { return false }
            if !statuses.isEmpty, !statuses.contains(e.responseStatus) { return false }
            if !labels.isEmpty, labels.isDisjoint(with: e.labels) { return false }
            return true
        }
    }

    private func listDLQ(_ request: Incoming) -> (Int, Data) {
        let query: DLQQuery
        do { query = try DLQQuery(request) } catch { return Self.error(400, error.message) }
        var count = 100
        if let text = request.value("count") {
            guard let value = Int(text), value > 0 else { return Self.error(400, "invalid count") }
            count = min(value, 100)
        }
        var before: SortKey?
        if let cursor = request.value("cursor"), !cursor.isEmpty {
            guard let key = SortKey(cursor: cursor) else { return Self.error(400, "invalid cursor") }
            before = key
        }
        let (page, next) = state.with { s -> ([DLQEntry], SortKey?) in
            var page: [DLQEntry] = []
            var last: SortKey?
            for stored in s.dlq.reversed() {
                if let before, !(stored.key < before) { continue }
                guard query.matches(stored.entry) else { continue }
                if page.count == count { return (page, last) }
                page.append(stored.entry)
                last = stored.key
            }
            return (page, nil)
        }
        var object: [String: Any] = ["messages": page.map(\.json)]
        if let next { object["cursor"] = next.cursor }
        return (200, Self.json(object))
    }

    /// `DELETE /v2/dlq`: by `dlqIds` (query or JSON body), which win over the filters; else by the filters.
    private func deleteMany(_ request: Incoming) -> (Int, Data) {
        var ids = request.values("dlqIds")
        if ids.isEmpty, !request.body.isEmpty {
            struct Body: Decodable { var dlqIds: [String]? }
            guard let body = try? JSONDecoder().decode(Body.self, from: request.body) else {
                return Self.error(400, "invalid body")
            }
            ids = body.dlqIds ?? []
        }
        if !ids.isEmpty {
            let wanted = Set(ids)
            let deleted = state.with { s -> Int in
                let before = s.dlq.count
                s.dlq.removeAll { wanted.contains($0.entry.dlqId) }
                return before - s.dlq.count
            }
            return (200, Self.json(["deleted": deleted]))
        }
        let query: DLQQuery
        do { query = try DLQQuery(request) } catch { return Self.error(400, error.message) }
        let deleted = state.with { s -> Int in
            let before = s.dlq.count
            s.dlq.removeAll { query.matches($0.entry) }
            return before - s.dlq.count
        }
        return (200, Self.json(["deleted": deleted]))
    }

    /// Publishes the entry's message again and removes the entry; nil when there is no such entry.
    private func retry(dlqId: String, request: Incoming) -> String? {
        guard let entry = state.with({ s -> DLQEntry? in
            guard let index = s.dlq.firstIndex(where: { $0.entry.dlqId == dlqId }) else { return nil }
            return s.dlq.remove(at: index).entry
        }) else { return nil }
        var retries = entry.maxRetries
        if let text = request.header("Upstash-Retries"), let value = Int(text), value >= 0 { retries = value }
        let contentType = entry.header.first { $0.key.caseInsensitiveCompare("Content-Type") == .orderedSame }?.value.first
        let forward = entry.header.filter { $0.key.caseInsensitiveCompare("Content-Type") != .orderedSame }
            .sorted { $0.key < $1.key }
            .flatMap { name, values in values.map { (name, $0) } }
        let message = PublishedMessage(
            messageId: "", destination: entry.url, method: entry.method, body: entry.body, contentType: contentType,
            forward: forward.map { ForwardedHeader(name: $0.0, value: $0.1) }, retries: retries, timeout: nil,
            labels: entry.labels, scheduleId: entry.scheduleId, createdAt: 0)
        return enqueue(message)
    }
}

extension QStashStandIn.State {
    func appendDLQ(_ entry: QStashStandIn.DLQEntry) {
        dlqSeq += 1
        let stored = QStashStandIn.StoredDLQ(seq: dlqSeq, entry: entry)
        let index = dlq.firstIndex { stored.key < $0.key } ?? dlq.count
        dlq.insert(stored, at: index)
    }
}
