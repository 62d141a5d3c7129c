import Foundation

/// How a job's schedule fires on its layer: the parsed schedule (in the layer's dialect, on pg_cron checked against
/// the project's release) and the zone its fires are computed in.
///
/// Vercel Cron (`crons`) fires in UTC whatever the job's zone; Vercel Schedules (`schedules`) fires in the job's
/// zone; QStash in its `CRON_TZ=` zone, else the job's; pg_cron at the job's instants (rbscron writes a local-time
/// job as the UTC entries that fire at the same instants).
public struct JobFires: Sendable {
    /// The schedule as the layer reads it.
    public let schedule: CronSchedule
    /// The zone fires are computed in.
    public let zone: TimeZone
    /// What fires are computed with (in `zone`): `schedule`, or for Vercel Schedules the same fields read without
    /// Vercel Cron's always-UTC rule.
    public let firing: CronSchedule

    /// The job's fires on its layer; throws the parse error of a schedule the layer refuses, nil for a job with no
    /// schedule of its own or an unknown zone.
    public static func of(_ job: Job, app: App?) throws(CronError) -> JobFires? {
        guard job.layer.isScheduled, let text = job.schedule, let zone = TimeZone(identifier: job.timezone) else { return nil }
        let schedule = try CronSchedule.parse(text, dialect: job.layer.dialect, pgCronVersion: app?.pgCronVersion ?? .supabase)
        if job.layer == .vercel, app?.vercelMode == .schedules {
            // Vercel's syntax is a subset of Vixie's; Schedules evaluates it in the entry's `timezone`.
            let zoned = (try? CronSchedule.parse(text, dialect: .vixie)) ?? schedule
            return JobFires(schedule: schedule, zone: zone, firing: zoned)
        }
        return JobFires(schedule: schedule, zone: schedule.effectiveTimeZone(zone), firing: schedule)
    }

    /// Every fire `t` with `from < t <= to`, at most `limit`.
    public func fires(from: Date, to: Date, limit: Int = 1_000_000) -> [Date] {
        firing.fires(from: from, to: to, in: zone, limit: limit)
    }

    /// The first fire strictly after `after`.
    public func next(after: Date) -> Date? { firing.next(after: after, in: zone) }

    /// The latest fire within `lookback` seconds at or before `date`.
    public func previous(atOrBefore date: Date, lookback: TimeInterval) -> Date? {
        firing.previous(atOrBefore: date, in: zone, lookback: lookback)
    }

    /// Up to `count` fires strictly after `after`.
    public func nextFires(after: Date, count: Int) -> [Date] { firing.nextFires(after: after, in: zone, count: count) }
}
