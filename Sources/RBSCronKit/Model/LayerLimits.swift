import Foundation

/// The documented limits of the scheduler layers, per plan, as data: a change in a provider's pricing is a change of
/// the values below (``LayerLimits/standard``), not of the rules that read them (`schedule check`, `schedule plan`,
/// `schedule timeline --budget`). Sources are cited in docs/layers.md.
public struct LayerLimits: Sendable, Equatable {
    /// One Vercel plan's cron limits.
    public struct VercelPlanLimits: Sendable, Equatable {
        /// Crons (or schedules) a project may declare.
        public var cronsPerProject: Int
        /// Whether disabled crons count against `cronsPerProject`.
        public var disabledCronsCount: Bool
        /// The shortest interval between two fires of one cron, in seconds (Hobby: a day).
        public var minimumIntervalSeconds: Int
        /// How late within its slot a fire may come, in seconds (Hobby: anywhere within the hour).
        public var precisionSeconds: Int

        public init(cronsPerProject: Int, disabledCronsCount: Bool, minimumIntervalSeconds: Int, precisionSeconds: Int) {
            self.cronsPerProject = cronsPerProject
            self.disabledCronsCount = disabledCronsCount
            self.minimumIntervalSeconds = minimumIntervalSeconds
            self.precisionSeconds = precisionSeconds
        }
    }

    /// What a `schedules` entry of vercel.json accepts (Vercel Schedules).
    public struct VercelSchedulesLimits: Sendable, Equatable {
        /// The jitter window, in minutes.
        public var jitterMinutes: ClosedRange<Int>
        /// The longest `timezone` value.
        public var maxTimezoneLength: Int
        /// The `requestMethod`s a path target may use.
        public var requestMethods: [HTTPMethod]

        public init(jitterMinutes: ClosedRange<Int>, maxTimezoneLength: Int, requestMethods: [HTTPMethod]) {
            self.jitterMinutes = jitterMinutes
            self.maxTimezoneLength = maxTimezoneLength
            self.requestMethods = requestMethods
        }
    }

    /// One QStash plan's limits.
    public struct QStashPlanLimits: Sendable, Equatable {
        /// Messages a day (each delivery attempt, retries included, is one); nil for no daily cap.
        public var messagesPerDay: Int?
        /// Active schedules; nil when the plan sets none.
        public var activeSchedules: Int?
        /// True when schedules beyond `activeSchedules` are refused; false when they are only billed extra.
        public var schedulesHardLimit: Bool

        public init(messagesPerDay: Int?, activeSchedules: Int?, schedulesHardLimit: Bool) {
            self.messagesPerDay = messagesPerDay
            self.activeSchedules = activeSchedules
            self.schedulesHardLimit = schedulesHardLimit
        }
    }

    public var vercel: [VercelPlan: VercelPlanLimits]
    /// What rbscron assumes of a project whose plan is not recorded: the limits every plan shares.
    public var vercelAnyPlan: VercelPlanLimits
    public var vercelSchedules: VercelSchedulesLimits
    public var qstash: [QStashPlan: QStashPlanLimits]

    public init(vercel: [VercelPlan: VercelPlanLimits], vercelAnyPlan: VercelPlanLimits,
                vercelSchedules: VercelSchedulesLimits, qstash: [QStashPlan: QStashPlanLimits]) {
        self.vercel = vercel
        self.vercelAnyPlan = vercelAnyPlan
        self.vercelSchedules = vercelSchedules
        self.qstash = qstash
    }

    /// The limits of `plan`, or those every plan shares when the plan is not recorded.
    public func vercel(_ plan: VercelPlan?) -> VercelPlanLimits {
        plan.flatMap { vercel[$0] } ?? vercelAnyPlan
    }

    /// The providers' documented values (Vercel: Cron Jobs "Usage & Pricing" and the Schedules configuration
    /// reference; Upstash: QStash "Pricing & Limits").
    public static let standard = LayerLimits(
        vercel: [
            .hobby: VercelPlanLimits(cronsPerProject: 100, disabledCronsCount: true, minimumIntervalSeconds: 86_400,
                                     precisionSeconds: 3_600),
            .pro: VercelPlanLimits(cronsPerProject: 100, disabledCronsCount: true, minimumIntervalSeconds: 60,
                                   precisionSeconds: 60),
        ],
        vercelAnyPlan: VercelPlanLimits(cronsPerProject: 100, disabledCronsCount: true, minimumIntervalSeconds: 60,
                                        precisionSeconds: 60),
        vercelSchedules: VercelSchedulesLimits(jitterMinutes: 1...15, maxTimezoneLength: 50, requestMethods: [.GET, .POST]),
        qstash: [
            .free: QStashPlanLimits(messagesPerDay: 1_000, activeSchedules: 10, schedulesHardLimit: true),
            .payg: QStashPlanLimits(messagesPerDay: nil, activeSchedules: 1_000, schedulesHardLimit: false),
            .fixed: QStashPlanLimits(messagesPerDay: 1_000_000, activeSchedules: nil, schedulesHardLimit: false),
        ])
}
