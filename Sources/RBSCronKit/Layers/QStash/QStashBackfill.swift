import Foundation

/// What QStash did with a due-mode backfill.
public struct QStashBackfillResult: Sendable, Equatable {
    /// The message QStash delivers (for a deduplicated publish: the one another runner sent first).
    public var messageId: String
    /// True when QStash had the fire's deduplication id already: another runner sent it, nothing new goes out.
    public var deduplicated: Bool

    public init(messageId: String, deduplicated: Bool) {
        self.messageId = messageId
        self.deduplicated = deduplicated
    }
}

/// A missed fire sent through QStash instead of by rbscron itself.
///
/// The message carries a deduplication id made of the job and the fire (`rbs-due-<app>-<job>-<fire ms>`): QStash
/// accepts it once in its 10-minute window, so two runners that back up the same fire at about the same time send it
/// once. It also carries the label `rbs-due-<fire ms>`: QStash's log keeps it, so any runner that reads the log later
/// (a fresh CI runner too) sees the backfill's delivery as that fire's, and does not send it again.
extension QStashSync {
    /// The label prefix of a backfill; the rest is the fire's time in Unix milliseconds.
    public static let backfillLabelPrefix = "rbs-due-"

    /// The label a backfill of the fire at `fire` carries.
    public static func backfillLabel(fire: Date) -> String { backfillLabelPrefix + String(Timestamp.ms(fire)) }

    /// The fire a backfill's labels name, if one of them is a backfill label.
    public static func backfillFire(labels: [String]) -> Date? {
        for label in labels where label.hasPrefix(backfillLabelPrefix) {
            let digits = label.dropFirst(backfillLabelPrefix.count)
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let ms = Int64(digits) { return Timestamp.date(ms: ms) }
        }
        return nil
    }

    /// The deduplication id of a backfill of `job`'s fire at `fire`: the same for every runner.
    public static func backfillDeduplicationID(_ job: JobRef, fire: Date) -> String {
        "rbs-due-\(job.app)-\(job.job)-\(Timestamp.ms(fire))"
    }

    /// The message that backs up `job`'s fire at `fire`: the job's URL, method, retries, timeout and forwarded
    /// credentials, exactly as its schedule sends them (a job with `qstash` auth is signed by QStash itself).
    public static func backfillMessage(_ job: Job, app: App, fire: Date, secrets: any SecretProvider) throws -> QStashMessage {
        guard let path = job.path, !path.isEmpty, job.sql == nil else {
            throw QStashSyncError.incompleteJob(job.ref, missing: "path (an SQL job cannot be sent through QStash)")
        }
        return QStashMessage(
            destination: destination(app: app, path: path), method: job.method.rawValue, body: Data(), contentType: nil,
            forwardHeaders: try forwardHeaders(for: job, secrets: secrets), retries: job.retries,
            timeout: max(1, (job.timeoutMs + 999) / 1000),
            deduplicationId: backfillDeduplicationID(job.ref, fire: fire), labels: [backfillLabel(fire: fire)])
    }

    /// Publishes the backfill of `job`'s fire at `fire` with the app's QStash token (else the global one).
    public func backfill(_ job: Job, fire: Date) async throws -> QStashBackfillResult {
        guard let app = inventory.app(named: job.app) else { throw TriggerError.unknownApp(job.ref) }
        let client = try client(for: job.app)
        let message = try Self.backfillMessage(job, app: app, fire: fire, secrets: secrets)
        let result = try await client.publish(message)
        return QStashBackfillResult(messageId: result.messageId, deduplicated: result.deduplicated)
    }
}

/// QStash's dead letters, handled from rbscron's list: retried through QStash or removed.
extension QStashSync {
    private func client(for app: String) throws -> QStashClient {
        guard let token = try secrets.secret(app: app, key: SecretKeys.qstashToken), !token.isEmpty else {
            throw RemoteHistoryError.missingToken(service: QStashEventsClient.service, key: SecretKeys.qstashToken, scope: app)
        }
        return QStashClient(baseURL: baseURL, token: token, transport: transport, redactor: redactor)
    }

    /// `POST /v2/dlq/retry/{dlqId}`: QStash sends the message again, as a new message (its id), with its retries;
    /// nil when QStash no longer holds it.
    public func retryDeadLetter(_ dlqId: String, app: String) async throws -> String? {
        do {
            return try await client(for: app).retryFromDLQ(dlqId).messageId
        } catch QStashError.notInDLQ {
            return nil
        }
    }

    /// `DELETE /v2/dlq/{dlqId}`: false when QStash no longer holds it.
    public func discardDeadLetter(_ dlqId: String, app: String) async throws -> Bool {
        do {
            try await client(for: app).deleteFromDLQ(dlqId)
            return true
        } catch QStashError.notInDLQ {
            return false
        }
    }
}
