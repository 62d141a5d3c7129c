import Foundation

/// What became of one fire a job's schedule says happened: exactly one of these (README "Every fire accounted for").
public enum FireState: String, Codable, Sendable, CaseIterable {
    /// The layer (or rbscron's due mode) called the endpoint and it answered 2xx.
    case delivered
    /// The layer called it and it failed after the layer's own retries (or the layer cancelled it).
    case failed
    /// The layer is still on it (QStash retrying, pg_net not answered yet), or the fire is younger than the layer's
    /// tolerance.
    case pending
    /// The schedule was paused in the layer: no call was expected.
    case paused
    /// The fan-out parent was delivered, so this job was called; the parent's 200 does not prove the child worked.
    case parentDelivered = "parent-delivered"
    /// The layer called it, and nobody can tell how it ended (pg_net stopped waiting; an attempt timed out).
    case unknown
    /// No delivery within the layer's tolerance while rbscron could see the layer.
    case missed
    /// rbscron cannot see this fire: the layer keeps nothing it reads, no longer keeps it, or was not read.
    case unobserved

    /// States that say the job did not run when it should have: what due mode fires (missed only) and alerts count.
    public var isProblem: Bool { self == .failed || self == .missed || self == .unknown }
}

/// The state of a job's schedule in its layer, when the layer says.
public enum LayerScheduleState: String, Codable, Sendable {
    case active, paused
    /// The layer holds no schedule for the job (never applied, or removed).
    case absent
}

/// One thing a layer (or rbscron) recorded about a call for a job: the raw material of per-fire accounting.
public struct FireEvidence: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case delivered, failed, pending, unknown
        /// Sent by nobody: a due-mode run that was refused (secret missing, breaker open) or interrupted.
        case notSent = "not_sent"
    }

    /// When the call for a fire started (QStash created the message, pg_cron ran the command, rbscron sent it).
    public var at: Date
    /// The fire this evidence belongs to, when the recorder knew it (due mode, pg_cron backfills, QStash backfills).
    public var scheduledFor: Date?
    public var kind: Kind
    /// Who made the call: `qstash`, `pg_cron`, `vercel`, `rbscron` (due mode).
    public var by: String
    public var finishedAt: Date?
    public var httpStatus: Int?
    public var attempts: Int?
    /// The (already redacted) error, or what the layer said.
    public var detail: String?
    /// The (already redacted) start of the response body, when it was kept: a fan-out parent's per-child results.
    public var responseExcerpt: String?

    public init(at: Date, scheduledFor: Date? = nil, kind: Kind, by: String, finishedAt: Date? = nil, httpStatus: Int? = nil,
                attempts: Int? = nil, detail: String? = nil, responseExcerpt: String? = nil) {
        self.at = at
        self.scheduledFor = scheduledFor
        self.kind = kind
        self.by = by
        self.finishedAt = finishedAt
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.detail = detail
        self.responseExcerpt = responseExcerpt
    }
}

/// What rbscron last learnt from a job's layer, beside finished calls (which are stored as runs): how far back the
/// layer's history was read, whether the schedule is there and active, and the calls still in flight.
public struct LayerObservation: Sendable, Equatable {
    public var job: JobRef
    public var layer: Layer
    /// When the layer was read.
    public var observedAt: Date
    /// The earliest instant whose calls the layer's history was read for, without a gap up to `observedAt`;
    /// nil when the layer keeps nothing rbscron can read for this job.
    public var historyFrom: Date?
    public var scheduleState: LayerScheduleState?
    /// When the layer's schedule was created (a fire before it was not the layer's to make).
    public var scheduleCreatedAt: Date?
    /// Calls the layer had started and not finished when read.
    public var pending: [FireEvidence]
    /// Why the job cannot be judged now, when there is one (`project paused`, `QStash keeps logs 3 days`).
    public var note: String?

    public init(job: JobRef, layer: Layer, observedAt: Date, historyFrom: Date?, scheduleState: LayerScheduleState? = nil,
                scheduleCreatedAt: Date? = nil, pending: [FireEvidence] = [], note: String? = nil) {
        self.job = job
        self.layer = layer
        self.observedAt = observedAt
        self.historyFrom = historyFrom
        self.scheduleState = scheduleState
        self.scheduleCreatedAt = scheduleCreatedAt
        self.pending = pending
        self.note = note
    }
}

/// One fire and what became of it. Keys are a contract (README "JSON shapes").
public struct FireAccount: Sendable, Equatable, Encodable {
    /// The instant the schedule says the fire happened.
    public var at: Date
    public var state: FireState
    /// Who made the call that decided the state (`qstash`, `pg_cron`, `vercel`, `rbscron`, or the parent `APP/JOB`).
    public var by: String?
    /// When that call started, when there was one.
    public var calledAt: Date?
    public var httpStatus: Int?
    public var attempts: Int?
    /// One sentence: why this state (`delivered by qstash at …`, `missed: no delivery by …`).
    public var reason: String
    /// ``reason`` without the text the call's answer or error carried (which may quote the response); nil when the
    /// reason quotes none. The dashboard shows this; not in the JSON.
    public var reasonWithoutDetail: String? = nil

    public init(at: Date, state: FireState, by: String? = nil, calledAt: Date? = nil, httpStatus: Int? = nil,
                attempts: Int? = nil, reason: String) {
        self.at = at
        self.state = state
        self.by = by
        self.calledAt = calledAt
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case at, state, by, calledAt = "called_at", httpStatus = "http_status", attempts, reason
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(at, forKey: .at)
        try c.encode(state, forKey: .state)
        try c.encode(by, forKey: .by)
        try c.encode(calledAt, forKey: .calledAt)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(reason, forKey: .reason)
    }
}

/// How many fires of a job ended in each state. Every state is always present in the JSON.
public struct FireCounts: Sendable, Equatable, Encodable {
    public private(set) var counts: [FireState: Int] = [:]

    public init() {}

    public init(_ fires: [FireAccount]) {
        for fire in fires { add(fire.state) }
    }

    public mutating func add(_ state: FireState, _ n: Int = 1) { counts[state, default: 0] += n }

    public subscript(state: FireState) -> Int { counts[state] ?? 0 }

    public var total: Int { counts.values.reduce(0, +) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DynamicKey.self)
        for state in FireState.allCases { try c.encode(self[state], forKey: DynamicKey(state.rawValue)) }
    }

    struct DynamicKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// What due mode decided for one (job, fire): fired it, or why not. Recorded, so "why did (or didn't) rbscron fire
/// this?" has an answer. Keys are a contract (README "JSON shapes").
public struct DueDecision: Sendable, Equatable, Encodable {
    public enum Action: String, Codable, Sendable {
        /// Sent now (directly, or through the job's layer).
        case fired
        /// Not sent: the evidence says it need not be (delivered, pending, paused, failed, unknown, unobserved).
        case skipped
        /// Not sent by this run: another run (earlier, concurrent, or on another machine) had already claimed it.
        case claimed
    }

    public var job: JobRef
    public var fireAt: Date
    /// The fire's state when the decision was made.
    public var state: FireState
    public var action: Action
    /// How it was sent: `direct` (rbscron called the endpoint), `qstash` (published with a deduplication id),
    /// `pg_cron` (claimed and run in the app's database).
    public var via: String?
    public var reason: String
    public var runID: Int64?
    /// The layer's id of what was sent (a QStash message id, a pg_cron fire id).
    public var remoteID: String?

    public init(job: JobRef, fireAt: Date, state: FireState, action: Action, via: String? = nil, reason: String,
                runID: Int64? = nil, remoteID: String? = nil) {
        self.job = job
        self.fireAt = fireAt
        self.state = state
        self.action = action
        self.via = via
        self.reason = reason
        self.runID = runID
        self.remoteID = remoteID
    }

    enum CodingKeys: String, CodingKey {
        case job, address, fireAt = "fire_at", state, action, via, reason, runID = "run_id", remoteID = "remote_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job.description, forKey: .job)
        try c.encode(job.description, forKey: .address)
        try c.encode(fireAt, forKey: .fireAt)
        try c.encode(state, forKey: .state)
        try c.encode(action, forKey: .action)
        try c.encode(via, forKey: .via)
        try c.encode(reason, forKey: .reason)
        try c.encode(runID, forKey: .runID)
        try c.encode(remoteID, forKey: .remoteID)
    }
}
