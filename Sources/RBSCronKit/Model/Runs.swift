import Foundation

/// Who asked for a run.
public enum RunSource: String, Codable, Sendable, CaseIterable {
    case manual, ci, due, replay, remote

    /// `ci` when the environment says `CI=true`, else `manual`.
    public static func detect(environment: [String: String]) -> RunSource {
        environment["CI"]?.lowercased() == "true" ? .ci : .manual
    }
}

/// How a run ended.
public enum RunOutcome: String, Codable, Sendable, CaseIterable {
    case ok
    case httpError = "http_error"
    case timeout
    case transportError = "transport_error"
    /// Not run: a dependency in its group failed.
    case skipped
    /// Not run: the job's circuit breaker is open.
    case circuitOpen = "circuit_open"
    /// Not run: the secret its auth needs is missing (deny by default).
    case denied
    /// The process that started it died before finishing it.
    case abandoned
    /// The layer fired it, but its result can no longer be known (pg_net no longer had the response).
    case unknown
    /// Stopped by the operator (Ctrl-C) before it finished; not a failure of the job.
    case interrupted

    /// Outcomes that count as a failed run for the circuit breaker.
    public var isFailure: Bool { self == .httpError || self == .timeout || self == .transportError }
}

/// A run as the inventory file keeps it.
public struct StoredRun: Sendable, Equatable {
    public var id: Int64
    public var job: JobRef
    public var source: RunSource
    public var state: String
    public var outcome: RunOutcome?
    public var attempts: Int
    public var httpStatus: Int?
    public var startedAt: Date
    public var finishedAt: Date?
    public var scheduledFor: Date?
    public var responseExcerpt: String?
    public var error: String?
    public var idempotencyKey: String?
    public var pid: Int32?
}

/// A run whose retries ran out, kept for replay.
public struct DeadLetter: Sendable, Equatable {
    public var id: Int64
    public var runID: Int64?
    public var job: JobRef
    public var payload: String?
    public var lastError: String
    public var attempts: Int
    public var createdAt: Date
    public var replayCount: Int
    public var replayOutcome: String?
    public var resolvedAt: Date?
    /// The body as it was sent, sealed under the master key, when `payload` had to be redacted.
    public var sealedPayload: Data? = nil
    /// `payload` is the redacted text of a body that held a secret: replaying it as is would send `[REDACTED]`.
    public var payloadRedacted: Bool = false
    /// Who holds it: `rbscron` (a run whose retries ran out here) or `qstash` (QStash's own dead-letter queue).
    public var origin: String = "rbscron"
    /// The holder's id of it (QStash's `dlqId`); nil for rbscron's own.
    public var remoteID: String?
}

/// The dead letter a run leaves when its retries ran out, as written with the run's completion.
public struct DeadLetterDraft: Sendable, Equatable {
    /// The body, redacted (what listings show).
    public var payload: String?
    public var lastError: String
    /// The body as sent, sealed under the master key, when `payload` differs from it; nil without a key.
    public var sealedPayload: Data?
    /// `payload` differs from the body that was sent (it held a secret).
    public var payloadRedacted: Bool

    public init(payload: String?, lastError: String, sealedPayload: Data? = nil, payloadRedacted: Bool = false) {
        self.payload = payload
        self.lastError = lastError
        self.sealedPayload = sealedPayload
        self.payloadRedacted = payloadRedacted
    }
}

/// A dead letter a layer holds (QStash's DLQ): stored beside rbscron's own, marked as the layer's.
public struct RemoteDeadLetter: Sendable, Equatable {
    public var job: JobRef
    public var origin: String
    /// The layer's id of it (QStash: `dlqId`): replays and removals go through the layer with it.
    public var remoteID: String
    public var createdAt: Date
    public var lastError: String
    public var attempts: Int

    public init(job: JobRef, origin: String, remoteID: String, createdAt: Date, lastError: String, attempts: Int) {
        self.job = job
        self.origin = origin
        self.remoteID = remoteID
        self.createdAt = createdAt
        self.lastError = lastError
        self.attempts = attempts
    }
}

/// How a started run ended, as written by ``InventoryStore/finishRun(_:_:)``.
public struct RunCompletion: Sendable {
    public var outcome: RunOutcome
    public var finishedAt: Date
    public var attempts: Int
    public var httpStatus: Int?
    public var timings: HTTPTimings?
    public var durationMs: Double
    public var responseExcerpt: String?
    public var error: String?
    /// When set, a dead letter is written in the same transaction.
    public var deadLetter: DeadLetterDraft?
}

/// A run read back from a scheduler layer (QStash events, pg_cron history), stored with source `remote`.
public struct RemoteRun: Sendable, Equatable {
    public var job: JobRef
    /// Unique per layer event (`qstash:<messageId>:<state>`, `pgcron:<ref>:<runid>`): re-syncing adds nothing twice.
    public var idempotencyKey: String
    public var startedAt: Date
    public var finishedAt: Date
    public var outcome: String
    public var httpStatus: Int?
    public var durationMs: Double?
    public var attempts: Int
    public var error: String?
    /// The fire this call was made for, when the layer recorded it (a backfill): it then covers exactly that fire.
    public var scheduledFor: Date?
    /// The (already redacted) start of the response body, when the layer kept one.
    public var responseExcerpt: String?

    public init(job: JobRef, idempotencyKey: String, startedAt: Date, finishedAt: Date, outcome: String,
                httpStatus: Int? = nil, durationMs: Double? = nil, attempts: Int = 1, error: String? = nil,
                scheduledFor: Date? = nil, responseExcerpt: String? = nil) {
        self.scheduledFor = scheduledFor
        self.responseExcerpt = responseExcerpt
        self.job = job
        self.idempotencyKey = idempotencyKey
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.durationMs = durationMs
        self.attempts = attempts
        self.error = error
    }
}
