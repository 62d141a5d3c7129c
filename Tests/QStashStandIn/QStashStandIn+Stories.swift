import Foundation

extension QStashStandIn {
    /// What happened to one scripted message.
    public enum Outcome: Sendable, Equatable {
        /// CREATED → ACTIVE → DELIVERED, `tookMs` after creation.
        case delivered(tookMs: Int64 = 300)
        /// `errors` failed attempts (ERROR → RETRY each, QStash's backoff between them), then DELIVERED.
        case deliveredAfterRetries(errors: Int, status: Int = 503)
        /// Every attempt failed with `status` and `body`: ERROR → RETRY …, then ERROR → FAILED, and a dead-letter
        /// entry. The message's `maxRetries` sets how many attempts.
        case failed(status: Int = 500, body: String = #"{"error":"internal"}"#)
        /// CREATED → ACTIVE: an attempt is under way.
        case inFlight
        /// CREATED → ACTIVE → ERROR → RETRY: waiting for its next attempt.
        case retrying(status: Int = 502)
        /// CREATED → CANCEL_REQUESTED → the cancel spelled `spelling` (QStash's docs say CANCELLED, its SDKs CANCELED).
        case cancelled(spelling: String = "CANCELLED")
    }

    /// One scripted message: what a schedule's fire (or a publish) did, to seed a history with.
    public struct Story: Sendable, Equatable {
        public var messageId: String
        public var scheduleId: String?
        public var url: String
        /// When QStash created the message (ms since the epoch): a late fire is one created after its fire time.
        public var createdAt: Int64
        public var outcome: Outcome
        public var maxRetries: Int
        public var method: String
        public var labels: [String]

        public init(messageId: String, scheduleId: String? = nil, url: String, createdAt: Int64, outcome: Outcome,
                    maxRetries: Int = 3, method: String = "POST", labels: [String] = []) {
            self.messageId = messageId
            self.scheduleId = scheduleId
            self.url = url
            self.createdAt = createdAt
            self.outcome = outcome
            self.maxRetries = maxRetries
            self.method = method
            self.labels = labels
        }

        /// The log entries QStash would have recorded, oldest first, and the dead-letter entry when it failed.
        public var records: (logs: [LogEntry], dlq: DLQEntry?) {
            var logs: [LogEntry] = []
            var time = createdAt
            func add(_ state: String, status: Int? = nil, body: String? = nil, error: String? = nil, next: Int64? = nil) {
                logs.append(LogEntry(time: time, messageId: messageId, state: state, url: url, scheduleId: scheduleId,
                                     error: error, nextDeliveryTime: next, responseStatus: status,
                                     responseBody: body.map { Data($0.utf8) }, maxRetries: maxRetries, method: method,
                                     labels: labels))
            }
            /// A failed attempt at `time`, and the retry it schedules (its number is `retry`).
            func failedAttempt(retry: Int, status: Int, body: String) {
                add("ACTIVE")
                time += 250
                let wait = Int64(QStashStandIn.qstashBackoff(retry).components.seconds * 1000)
                add("ERROR", status: status, body: body, error: "destination answered HTTP \(status)", next: time + wait)
                add("RETRY", next: time + wait)
                time += wait
            }
            add("CREATED")
            time += 50
            switch outcome {
            case .delivered(let took):
                add("ACTIVE")
                time = createdAt + max(took, 50)
                add("DELIVERED")
            case .deliveredAfterRetries(let errors, let status):
                for retry in 1...max(1, errors) { failedAttempt(retry: retry, status: status, body: "unavailable") }
                add("ACTIVE")
                time += 200
                add("DELIVERED")
            case .failed(let status, let body):
                if maxRetries > 0 {
                    for retry in 1...maxRetries { failedAttempt(retry: retry, status: status, body: body) }
                }
                add("ACTIVE")
                time += 250
                add("ERROR", status: status, body: body, error: "destination answered HTTP \(status)")
                add("FAILED", status: status, body: body, error: "destination answered HTTP \(status)")
                let entry = DLQEntry(dlqId: "dlq_\(messageId)", messageId: messageId, url: url, method: method,
                                     createdAt: createdAt, scheduleId: scheduleId, maxRetries: maxRetries,
                                     responseStatus: status, responseBody: Data(body.utf8), labels: labels)
                return (logs, entry)
            case .inFlight:
                add("ACTIVE")
            case .retrying(let status):
                add("ACTIVE")
                time += 250
                let next = time + Int64(QStashStandIn.qstashBackoff(1).components.seconds * 1000)
                add("ERROR", status: status, body: "bad gateway", error: "destination answered HTTP \(status)", next: next)
                add("RETRY", next: next)
            case .cancelled(let spelling):
                add("CANCEL_REQUESTED")
                time += 10
                add(spelling)
            }
            return (logs, nil)
        }
    }

    /// Seeds the log entries (and the dead-letter entry) of each story.
    public func seed(_ stories: [Story]) {
        var logs: [LogEntry] = []
        var dlq: [DLQEntry] = []
        for story in stories {
            let records = story.records
            logs += records.logs
            if let entry = records.dlq { dlq.append(entry) }
        }
        seedLogs(logs)
        seedDLQ(dlq)
    }
}
