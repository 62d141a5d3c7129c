import Foundation

/// How due mode chooses.
public struct DueOptions: Sendable, Equatable {
    /// What due mode waits beyond a layer's tolerance before it calls a fire missed; nil: each layer's default
    /// (``LayerTiming/defaultGrace(_:)``).
    public var grace: TimeInterval?
    /// Also fire jobs whose layer shows nothing (no evidence source, no token): blind, as before evidence.
    public var includeUnobserved: Bool
    /// Fire every due fire without looking at the layers (the behaviour before evidence): once per fire time.
    public var blind: Bool
    /// `--json` prints the decisions beside the runs.
    public var explain: Bool
    /// How a missed fire is sent.
    public var backfillVia: BackfillRoute

    public init(grace: TimeInterval? = nil, includeUnobserved: Bool = false, blind: Bool = false, explain: Bool = false,
                backfillVia: BackfillRoute = .auto) {
        self.grace = grace
        self.includeUnobserved = includeUnobserved
        self.blind = blind
        self.explain = explain
        self.backfillVia = backfillVia
    }
}

/// How due mode sends a missed fire (`--backfill-via`). The route decides who else can tell it was sent: a fire sent
/// through its layer is claimed where every runner looks.
public enum BackfillRoute: String, Sendable, Equatable, CaseIterable {
    /// QStash jobs through QStash (deduplicated by the fire's id), pg_cron jobs through their database
    /// (`rbscron.backfill` claims the fire), the others directly.
    case auto
    /// `auto`, and Vercel jobs through QStash too (needs a QSTASH_TOKEN): the same deduplication for them.
    case qstash
    /// Every fire sent by rbscron itself (claimed in the inventory only).
    case direct
}

/// Due mode's rule: fire a (job, fire) only when the layer's evidence says it was missed — never pending, paused,
/// unknown or failed (a failure is the alert's business, not a reason to fire twice) — and only once it is past its
/// layer's tolerance plus the grace. A fan-out dispatcher is never fired: when it failed or missed, its children are
/// fired directly (they are `missed` then, by their parent).
public enum DuePolicy {
    public enum Verdict: Sendable, Equatable {
        /// Not judged yet (younger than tolerance + grace) or older than the window: no decision.
        case notDue
        case fire(reason: String)
        case skip(reason: String)
    }

    /// The verdict on one fire of `job`, judged at `at` with the fires older than `window` (past tolerance and grace)
    /// left out.
    public static func verdict(job: Job, fire: FireAccount, at: Date, window: TimeInterval, tolerance: TimeInterval,
                               grace: TimeInterval, isDispatcher: Bool, includeUnobserved: Bool) -> Verdict {
        let ready = fire.at.addingTimeInterval(tolerance + grace)
        guard ready <= at, ready >= at.addingTimeInterval(-window) else { return .notDue }
        if job.path == nil { return .skip(reason: "a SQL job runs inside its database; due mode cannot stand in for it") }
        switch fire.state {
        case .missed:
            if isDispatcher {
                return .skip(reason: fire.reason + "; a fan-out dispatcher is not fired again: its children are fired directly")
            }
            return .fire(reason: fire.reason)
        case .unobserved:
            if includeUnobserved, !isDispatcher { return .fire(reason: fire.reason + "; fired blind (--include-unobserved)") }
            return .skip(reason: fire.reason + (isDispatcher ? "" : "; --include-unobserved fires it blind"))
        case .failed:
            if isDispatcher { return .skip(reason: fire.reason + "; its children are fired directly") }
            return .skip(reason: fire.reason + "; a failure is not fired again (see `rbscron stats`, alerts)")
        case .delivered, .pending, .paused, .unknown, .parentDelivered:
            return .skip(reason: fire.reason)
        }
    }
}
