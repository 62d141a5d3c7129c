import Foundation

/// One scheduled fire that fell inside the due window.
public struct DueFire: Sendable, Equatable {
    public var job: Job
    /// The latest fire time at or before the reference time, in the job's zone and dialect.
    public var fireTime: Date
    /// `due:APP/JOB:<fire epoch ms>`: claimed in the runs table, so each fire is sent once.
    public var idempotencyKey: String
}

/// What `trigger --due` did.
public struct DueResult: Sendable {
    /// Runs this process made.
    public var runs: [RunReport]
    /// Fires that another run (earlier, or a concurrent process) had already claimed.
    public var alreadyClaimed: [DueFire]
}

/// Due mode: fire what a scheduler layer should have fired recently, once per fire time, so a
/// CI schedule (every 15 minutes, say) can stand in for a layer that is down.
public enum DueMode {
    /// Enabled HTTP jobs on a scheduler layer (vercel, qstash, pg_cron) of active apps whose latest
    /// fire at or before `at` is within `windowMs` of it.
    public static func fires(in inventory: Inventory, app: String?, at: Date, windowMs: Int) -> [DueFire] {
        var result: [DueFire] = []
        for job in inventory.jobs where job.enabled && job.layer.isScheduled && job.path != nil {
            if let app, job.app != app { continue }
            let owner = inventory.app(named: job.app)
            // As the layer fires it: Vercel Cron in UTC, Vercel Schedules in the job's zone, pg_cron as its release reads it.
            guard owner?.active == true, let timing = try? JobFires.of(job, app: owner),
                  let fire = timing.previous(atOrBefore: at, lookback: Double(windowMs) / 1000)
            else { continue }
            result.append(DueFire(job: job, fireTime: fire, idempotencyKey: "due:\(job.ref):\(Timestamp.ms(fire))"))
        }
        return result
    }
}
