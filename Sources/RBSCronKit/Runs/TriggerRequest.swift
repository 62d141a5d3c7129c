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
        /// Replay unresolved dead letters, each once.
        case replayDeadLetters(app: String?, limit: Int)
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
    /// What the operator should know (a layer whose evidence could not be read).
    public var evidenceWarnings: [String] = []

    public init(mode: TriggerRequest.Mode, dryRun: Bool) {
        self.mode = mode
        self.dryRun = dryRun
    }

    /// A run failed, was denied or skipped by its breaker; a group did not fully succeed; a dry run found a request
    /// that the real trigger would deny (so `--dry-run` works as a CI pre-check).
    public var failed: Bool {
        if dryRun { return requests.contains { $0.missingSecret != nil } }
        if let group { return !group.success }
        return runs.contains { !$0.succeeded }
    }

    enum ExplainedKeys: String, CodingKey { case runs, decisions, requests }

    public func encode(to encoder: any Encoder) throws {
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
