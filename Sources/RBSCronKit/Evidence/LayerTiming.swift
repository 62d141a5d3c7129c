import Foundation

/// How late each layer may make a fire's call and still be on time, how long it keeps what it did, and the margin
/// due mode waits on top. Facts about the layers as data (sources in README "Every fire accounted for").
public enum LayerTiming {
    /// How late a layer may start a fire's call. QStash: about a minute (a new schedule can take up to 60 s to
    /// fire the first time). Vercel Hobby: anywhere within the hour of the fire ("±59 min"); Pro: the minute.
    /// pg_cron: the minute, plus a queued run waiting for the previous one.
    public static func tolerance(_ layer: Layer, vercelPlan: VercelPlan? = nil) -> TimeInterval {
        switch layer {
        case .qstash: return 60
        case .vercel: return vercelPlan == .hobby ? 3_599 : 60
        case .pgCron: return 120
        case .manual, .fanout: return 60
        }
    }

    /// A job's tolerance on its layer as its app runs it: the plan's precision, and on Vercel Schedules the job's
    /// jitter (Vercel starts each run anywhere within it, after the scheduled time).
    public static func tolerance(of job: Job, app: App?) -> TimeInterval {
        let base = tolerance(job.layer, vercelPlan: app?.vercelPlan)
        guard job.layer == .vercel, app?.vercelMode == .schedules, let jitter = job.jitter, jitter > 0 else { return base }
        return base + TimeInterval(jitter * 60)
    }

    /// What due mode waits beyond the tolerance before it calls a fire missed, by default: time for the layer's own
    /// record to become readable (QStash's log; pg_cron's collector runs every 5 minutes, but a fire row is written
    /// when it fires; Vercel's request log).
    public static func defaultGrace(_ layer: Layer) -> TimeInterval {
        switch layer {
        case .qstash: return 120
        case .vercel: return 300
        case .pgCron: return 180
        case .manual, .fanout: return 120
        }
    }

    /// A call for a fire may start this much before it (clocks differ).
    public static let clockSkew: TimeInterval = 60

    /// A call matches the fire it follows within this much (or the layer's tolerance, when longer), and always
    /// before the next fire: a late delivery is still that fire's delivery.
    public static let matchWindow: TimeInterval = 15 * 60

    /// How long a layer keeps what it did, when it keeps anything: QStash's logs on the free plan (3 days; paid
    /// plans keep more), pg_net's responses (`pg_net.ttl`, 6 hours; rbscron's own fire history in the app's
    /// database keeps 14 days).
    public static let qstashLogRetention: TimeInterval = 3 * 86_400

    /// `1m`, `59m59s`: a tolerance as the reasons show it.
    static func text(_ seconds: TimeInterval) -> String {
        DurationText.format(milliseconds: Int(seconds * 1000))
    }
}
