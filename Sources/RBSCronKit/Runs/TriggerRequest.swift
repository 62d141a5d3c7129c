import Foundation

/// What `trigger` is asked to do.
public struct TriggerRequest: Sendable {
    public enum Mode: Sendable, Equatable {
        /// Fire these jobs.
        case jobs([JobRef])
        /// Fire a dispatcher's fan-out children in order (the fallback when the dispatcher is broken).
        case group(JobRef)
        /// Fire an app's seed-003 time-of-day group.
        case timeOfDay(app: String, cadence: TaskGroupName.Cadence, time: String?)
        /// Fire what a layer should have fired within `windowMs` before `at`, once per fire time.
        case due(app: String?, at: Date, windowMs: Int)
        /// Replay unresolved dead letters, each once (a layer's own through the layer); with `discard`, remove them
        /// instead.
        case replayDeadLetters(app: String?, limit: Int, discard: Bool = false)
    }

    public var mode: Mode
    public var options: TriggerOptions
    /// Jobs in flight at once.
    public var parallel: Int
    /// Print the requests; send nothing, record nothing.
    public var dryRun: Bool
    /// Run the jobs' own commands in their layer instead of calling the endpoints directly (pg_cron: the exact
    /// path the schedule takes, Vault secret and pg_net included).
    public var via: Layer?
    /// How due mode chooses (evidence, grace, blind).
    public var due: DueOptions

    public init(mode: Mode, options: TriggerOptions = TriggerOptions(), parallel: Int = 1, dryRun: Bool = false,
                via: Layer? = nil, due: DueOptions = DueOptions()) {
        self.mode = mode
        self.options = options
        self.parallel = parallel
        self.dryRun = dryRun
        self.via = via
        self.due = due
    }
}

/// What `trigger` did. Its JSON is the mode's own shape: the dry-run requests, the group's seed-003 summary, or
/// the runs (a contract: README "Triggering jobs").
public struct TriggerReport: Encodable, Sendable {
    public var mode: TriggerRequest.Mode
    public var dryRun: Bool
    /// The runs made (jobs, due, replay modes; a group's runs are in `group`).
    public var runs: [RunReport] = []
    /// The group's summary (group and time-of-day modes).
    public var group: GroupSummary?
    /// The requests a dry run would send.
    public var requests: [DryRunRequest] = []
    /// Due fires another run (earlier, or a concurrent process) had already claimed.
    public var alreadyClaimed: [DueFire] = []
    /// Runs left `started` by a process that is gone, marked abandoned before firing.
    public var abandonedMarked = 0
    /// Due mode: every fire it judged, with what it did and why.
    public var decisions: [DueDecision] = []
    /// Due mode with `explain`: the JSON holds the decisions beside the runs.
    public var explain = false
    /// Replay mode: the dead letters a layer holds (QStash's), and what was done with each.
    public var layerDeadLetters: [DeadLetterAction] = []
    /// What the operator should know (a layer whose evidence could not be read).
    public var evidenceWarnings: [String] = []

    public init(mode: TriggerRequest.Mode, dryRun: Bool) {
        self.mode = mode
        self.dryRun = dryRun
    }

    /// Runs whose request was sent but whose outcome could not be written to the inventory.
    public var unrecorded: [RunReport] {
        (group?.runs ?? runs).filter { $0.notRecorded != nil }
    }

    /// A run failed, was denied or skipped by its breaker; a group did not fully succeed; a layer refused a replay; a
    /// dry run found a request that the real trigger would deny (so `--dry-run` works as a CI pre-check).
    public var failed: Bool {
        if dryRun { return requests.contains { $0.missingSecret != nil } }
        if let group { return !group.success }
        return runs.contains { !$0.succeeded } || layerDeadLetters.contains { $0.action == .failed }
    }

    enum ExplainedKeys: String, CodingKey { case runs, decisions, requests, deadLetters = "dead_letters" }

    public func encode(to encoder: any Encoder) throws {
        if explain, case .replayDeadLetters = mode {
            var c = encoder.container(keyedBy: ExplainedKeys.self)
            try c.encode(runs, forKey: .runs)
            try c.encode(layerDeadLetters, forKey: .deadLetters)
            return
        }
        if explain {
            var c = encoder.container(keyedBy: ExplainedKeys.self)
            if dryRun { try c.encode(requests, forKey: .requests) } else { try c.encode(runs, forKey: .runs) }
            try c.encode(decisions, forKey: .decisions)
            return
        }
        if dryRun { return try requests.encode(to: encoder) }
        if let group { return try group.encode(to: encoder) }
        try runs.encode(to: encoder)
    }
}

/// What `trigger --replay-dead-letters` did with a dead letter a layer holds.
public struct DeadLetterAction: Encodable, Sendable, Equatable {
    public enum Action: String, Encodable, Sendable {
        /// Sent again by the layer, as a new message.
        case requeued
        /// Removed from the layer's queue (`--discard`).
        case discarded
        /// The layer no longer holds it (retried or removed elsewhere): resolved here too.
        case gone
        /// The layer refused or could not be reached: left unresolved.
        case failed
    }

    public var deadLetterID: Int64
    public var job: JobRef
    public var origin: String
    public var remoteID: String
    public var action: Action
    /// The new message's id, when the layer sent it again.
    public var messageID: String?
    public var detail: String?

    enum CodingKeys: String, CodingKey {
        case deadLetterID = "dead_letter_id", job, origin, remoteID = "remote_id", action, messageID = "message_id", detail
    }

    public init(deadLetterID: Int64, job: JobRef, origin: String, remoteID: String, action: Action,
                messageID: String? = nil, detail: String? = nil) {
        self.deadLetterID = deadLetterID
        self.job = job
        self.origin = origin
        self.remoteID = remoteID
        self.action = action
        self.messageID = messageID
        self.detail = detail
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(deadLetterID, forKey: .deadLetterID)
        try c.encode(job.description, forKey: .job)
        try c.encode(origin, forKey: .origin)
        try c.encode(remoteID, forKey: .remoteID)
        try c.encode(action, forKey: .action)
        try c.encode(messageID, forKey: .messageID)
        try c.encode(detail, forKey: .detail)
    }
}
