import Foundation

extension QStashStandIn {
    /// One log entry, as QStash's `GET /v2/events` / `GET /v2/logs` return it.
    public struct LogEntry: Sendable, Equatable, Encodable {
        /// Milliseconds since the epoch.
        public var time: Int64
        public var messageId: String
        /// As it goes on the wire: CREATED, ACTIVE, RETRY, ERROR, DELIVERED, FAILED, CANCEL_REQUESTED, CANCELLED or
        /// CANCELED (seed either spelling).
        public var state: String
        public var url: String
        public var scheduleId: String?
        public var error: String?
        public var nextDeliveryTime: Int64?
        public var responseStatus: Int?
        /// Raw bytes; sent base64-encoded, as QStash does.
        public var responseBody: Data?
        public var maxRetries: Int?
        public var method: String?
        public var labels: [String]
        public var topicName: String?
        public var queueName: String?
        /// The message's forwarded headers.
        public var header: [String: [String]]
        /// The message's body; sent base64-encoded.
        public var body: Data?

        public init(time: Int64, messageId: String, state: String, url: String, scheduleId: String? = nil,
                    error: String? = nil, nextDeliveryTime: Int64? = nil, responseStatus: Int? = nil,
                    responseBody: Data? = nil, maxRetries: Int? = 3, method: String? = "POST", labels: [String] = [],
                    topicName: String? = nil, queueName: String? = nil, header: [String: [String]] = [:],
                    body: Data? = nil) {
            self.time = time
            self.messageId = messageId
            self.state = state
            self.url = url
            self.scheduleId = scheduleId
            self.error = error
            self.nextDeliveryTime = nextDeliveryTime
            self.responseStatus = responseStatus
            self.responseBody = responseBody
            self.maxRetries = maxRetries
            self.method = method
            self.labels = labels
            self.topicName = topicName
            self.queueName = queueName
            self.header = header
            self.body = body
        }

        enum CodingKeys: String, CodingKey {
            case time, messageId, state, url, scheduleId, error, nextDeliveryTime, responseStatus, responseBody, maxRetries,
                 method, labels, label, topicName, queueName, header, body
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(time, forKey: .time)
            try c.encode(messageId, forKey: .messageId)
            try c.encode(state, forKey: .state)
            try c.encode(url, forKey: .url)
            try c.encodeIfPresent(scheduleId, forKey: .scheduleId)
            try c.encodeIfPresent(error, forKey: .error)
            try c.encodeIfPresent(nextDeliveryTime, forKey: .nextDeliveryTime)
            try c.encodeIfPresent(responseStatus, forKey: .responseStatus)
            try c.encodeIfPresent(responseBody?.base64EncodedString(), forKey: .responseBody)
            try c.encodeIfPresent(maxRetries, forKey: .maxRetries)
            try c.encodeIfPresent(method, forKey: .method)
            if let first = labels.first {
                try c.encode(labels, forKey: .labels)
                try c.encode(first, forKey: .label)  // the deprecated single field, still read by qstash-py 3.4.0
            }
            try c.encodeIfPresent(topicName, forKey: .topicName)
            try c.encodeIfPresent(queueName, forKey: .queueName)
            if !header.isEmpty { try c.encode(header, forKey: .header) }
            try c.encodeIfPresent(body?.base64EncodedString(), forKey: .body)
        }
    }

    struct StoredLog {
        var seq: Int
        var entry: LogEntry
        var key: SortKey { SortKey(time: entry.time, seq: seq) }
    }

    /// The order of the log and of the dead-letter queue: by time, then by arrival.
    struct SortKey: Comparable, Hashable {
        var time: Int64
        var seq: Int
        static func < (a: SortKey, b: SortKey) -> Bool { (a.time, a.seq) < (b.time, b.seq) }

        /// Opaque to clients: base64url of `time.seq`.
        var cursor: String {
            Data("\(time).\(seq)".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }

        init(time: Int64, seq: Int) {
            self.time = time
            self.seq = seq
        }

        init?(cursor: String) {
            var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while text.count % 4 != 0 { text += "=" }
            guard let data = Data(base64Encoded: text) else { return nil }
            let parts = String(decoding: data, as: UTF8.self).split(separator: ".")
            guard parts.count == 2, let time = Int64(parts[0]), let seq = Int(parts[1]) else { return nil }
            self.init(time: time, seq: seq)
        }
    }

    /// Every log entry, oldest first.
    public var logs: [LogEntry] { state.with { $0.logs.map(\.entry) } }

    /// The log entries of one message, oldest first.
    public func logs(messageId: String) -> [LogEntry] {
        state.with { $0.logs.filter { $0.entry.messageId == messageId }.map(\.entry) }
    }

    /// Adds log entries as if QStash had recorded them (any order; kept sorted by time).
    public func seedLogs(_ entries: [LogEntry]) {
        state.with { s in s.appendLogs(entries) }
    }

    /// Answers `GET /v2/events` or `GET /v2/logs` under the envelope key `key`.
    func listLogs(_ request: Incoming, key: String) -> (Int, Data) {
        let query: LogQuery
        switch LogQuery.parse(request) {
        case .success(let parsed): query = parsed
        case .failure(let problem): return Self.error(400, problem.message)
        }
        let (page, next) = state.with { s in s.page(query) }
        return (200, Self.encode(LogPage(key: key, entries: page, cursor: next?.cursor)))
    }

    /// `{"<key>": [entries], "cursor"?: …}`, encoded with JSONEncoder (JSONSerialization is several times slower on
    /// Linux, which shows with 10,000 entries).
    struct LogPage: Encodable {
        var key: String
        var entries: [LogEntry]
        var cursor: String?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(entries, forKey: Key(stringValue: key))
            try c.encodeIfPresent(cursor, forKey: Key(stringValue: "cursor"))
        }
    }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    struct Problem: Error { var message: String }

    /// The log filters of one request.
    struct LogQuery {
        var count = 100
        var before: SortKey?
        var fromDate: Int64?
        var toDate: Int64?
        var scheduleId: String?
        var messageIds: Set<String> = []
        var states: Set<String>?
        var url: String?
        var topicName: String?
        var queueName: String?
        var labels: Set<String> = []

        init(count: Int = 100) { self.count = count }

        static func parse(_ request: Incoming) -> Result<LogQuery, Problem> {
            var q = LogQuery()
            if let text = request.value("count") {
                guard let count = Int(text), count > 0 else { return .failure(Problem(message: "invalid count")) }
                q.count = min(count, 100)
            }
            if let cursor = request.value("cursor"), !cursor.isEmpty {
                guard let key = SortKey(cursor: cursor) else { return .failure(Problem(message: "invalid cursor")) }
                q.before = key
            }
            for (name, target) in [("fromDate", \LogQuery.fromDate), ("toDate", \LogQuery.toDate)] {
                if let text = request.value(name) {
                    guard let value = Int64(text) else { return .failure(Problem(message: "invalid \(name)")) }
                    q[keyPath: target] = value
                }
            }
            q.scheduleId = request.value("scheduleId")
            q.messageIds = Set(request.values("messageId") + request.values("messageIds"))
            if let state = request.value("state") {
                switch state {
                case "IN_PROGRESS": q.states = ["ACTIVE", "RETRY", "ERROR"]
                case "CANCELED", "CANCELLED": q.states = ["CANCELED", "CANCELLED"]
                default: q.states = [state]
                }
            }
            q.url = request.value("url")
            q.topicName = request.value("topicName")
            q.queueName = request.value("queueName")
            q.labels = Set(request.query.filter { $0.name == "label" }.map(\.value))
            return .success(q)
        }

        func matches(_ e: LogEntry) -> Bool {
            if let fromDate, e.time < fromDate { return false }
            if let toDate, e.time > toDate { return false }
            if let scheduleId, e.scheduleId != scheduleId { return false }
            if !messageIds.isEmpty, !messageIds.contains(e.messageId) { return false }
            if let states, !states.contains(e.state) { return false }
            if let url, e.url != url { return false }
            if let topicName, e.topicName != topicName { return false }
            if let queueName, e.queueName != queueName { return false }
            if !labels.isEmpty, labels.isDisjoint(with: e.labels) { return false }
            return true
        }
    }
}

extension QStashStandIn.State {
    func appendLogs(_ entries: [QStashStandIn.LogEntry]) {
        let sorted = logs.last.map { last in entries.allSatisfy { $0.time >= last.entry.time } } ?? true
        for entry in entries {
            logSeq += 1
            logs.append(QStashStandIn.StoredLog(seq: logSeq, entry: entry))
        }
        if !sorted || !zip(entries, entries.dropFirst()).allSatisfy({ $0.time <= $1.time }) {
            logs.sort { $0.key < $1.key }
        }
    }

    /// The page of `query`, newest first, and the key to continue before when more match.
    func page(_ query: QStashStandIn.LogQuery) -> ([QStashStandIn.LogEntry], QStashStandIn.SortKey?) {
        // Start below the cursor (or toDate) by binary search; walk down until the page is full or fromDate is passed.
        var upper = logs.count
        if let before = query.before { upper = Self.firstIndex(in: logs, notBelow: before) }
        if let toDate = query.toDate {
            upper = min(upper, Self.firstIndex(in: logs, notBelow: QStashStandIn.SortKey(time: toDate, seq: .max)))
        }
        var page: [QStashStandIn.LogEntry] = []
        var last: QStashStandIn.SortKey?
        return logs.withUnsafeBufferPointer { stored in
            // Through the buffer, each entry is read in place rather than copied (it matters in debug builds).
            var index = upper - 1
            while index >= 0 {
                if let fromDate = query.fromDate, stored[index].entry.time < fromDate { break }
                if query.matches(stored[index].entry) {
                    if page.count == query.count { return (page, last) }
                    page.append(stored[index].entry)
                    last = stored[index].key
                }
                index -= 1
            }
            return (page, nil)
        }
    }

    /// The index of the first stored log whose key is not below `key`.
    static func firstIndex(in logs: [QStashStandIn.StoredLog], notBelow key: QStashStandIn.SortKey) -> Int {
        var low = 0
        var high = logs.count
        while low < high {
            let mid = (low + high) / 2
            if logs[mid].key < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
