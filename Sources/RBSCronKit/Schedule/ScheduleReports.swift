import Foundation

/// Why a schedule question could not be answered.
public enum ScheduleError: Error, LocalizedError, Sendable, Equatable {
    /// The job has no schedule of its own and nothing schedules it (a manual job, or a
    /// fan-out child whose chain ends at a manual job).
    case unscheduledJob(String, layer: Layer)
    /// The job's schedule does not parse in its layer's dialect (the inventory predates a rule).
    case invalidJobSchedule(String, CronError)
    /// The job's `timezone` is not an IANA zone.
    case unknownJobTimeZone(String, zone: String)

    public var errorDescription: String? {
        switch self {
        case .unscheduledJob(let job, let layer):
            return "\(job) is a \(layer.rawValue) job: nothing schedules it, so it has no fire times. Fire it with `rbscron trigger \(job)`."
        case .invalidJobSchedule(let job, let error):
            return "\(job): \(error.localizedDescription). Correct it with `rbscron export`, edit, `rbscron import`."
        case .unknownJobTimeZone(let job, let zone):
            return "\(job): '\(zone)' is not an IANA time zone. Correct it with `rbscron export`, edit, `rbscron import`."
        }
    }
}

/// The fire times of one cron expression, or of one job of the inventory (`schedule next`).
///
/// JSON: `{"description", "dialect", "expression", "fires": [RFC 3339 UTC…], "job", "timezone"}`;
/// `job` is null for a bare expression. `timezone` is the zone the fires are computed in
/// (UTC for Vercel, the `CRON_TZ=` zone of a QStash expression, else the zone asked for).
public struct NextFiresReport: Encodable, Sendable, Equatable {
    public var expression: String
    public var dialect: CronDialect
    public var timezone: String
    public var description: String
    public var fires: [Date]
    /// `APP/JOB` when the fires are a job's.
    public var job: String?
    /// For a fan-out child: the scheduled job whose fires it follows (`APP/JOB`).
    public var via: String?

    enum CodingKeys: String, CodingKey { case expression, dialect, timezone, description, fires, job, address, via }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(expression, forKey: .expression)
        try c.encode(dialect, forKey: .dialect)
        try c.encode(timezone, forKey: .timezone)
        try c.encode(description, forKey: .description)
        try c.encode(fires, forKey: .fires)
        try c.encode(job, forKey: .job)
        try c.encode(job, forKey: .address)
        try c.encode(via, forKey: .via)
    }
}

/// Fire-time questions about expressions and the inventory.
public enum ScheduleReports {
    /// The largest `count` `next` accepts.
    public static let maximumCount = 1000

    /// The next `count` fires of `expression` strictly after `from`, in `zone` (which a
    /// Vercel dialect or a QStash `CRON_TZ=` prefix overrides).
    public static func next(expression: String, dialect: CronDialect, zone: TimeZone, from: Date,
                            count: Int) throws(CronError) -> NextFiresReport {
        let schedule = try CronSchedule.parse(expression, dialect: dialect)
        let effective = schedule.effectiveTimeZone(zone)
        return NextFiresReport(
            expression: expression, dialect: dialect, timezone: zoneName(effective),
            description: schedule.englishDescription,
            fires: schedule.nextFires(after: from, in: effective, count: min(max(count, 0), maximumCount)))
    }

    /// The next `count` fires of a job in its own dialect and zone. A fan-out child fires
    /// when the scheduled job at the top of its chain fires.
    public static func next(job: Job, in inventory: Inventory, from: Date, count: Int) throws(ScheduleError) -> NextFiresReport {
        let root = scheduledRoot(of: job, in: inventory)
        guard root.layer.isScheduled, let text = root.schedule else {
            throw .unscheduledJob(job.ref.description, layer: root.layer)
        }
        guard TimeZone(identifier: root.timezone) != nil else {
            throw .unknownJobTimeZone(root.ref.description, zone: root.timezone)
        }
        let timing: JobFires
        do {
            guard let parsed = try JobFires.of(root, app: inventory.app(named: root.app)) else {
                throw ScheduleError.unscheduledJob(job.ref.description, layer: root.layer)
            }
            timing = parsed
        } catch let error as CronError {
            throw .invalidJobSchedule(root.ref.description, error)
        } catch let error as ScheduleError {
            throw error
        } catch {
            throw .unscheduledJob(job.ref.description, layer: root.layer)
        }
        return NextFiresReport(
            expression: text, dialect: root.layer.dialect, timezone: zoneName(timing.zone),
            description: timing.schedule.englishDescription,
            fires: timing.nextFires(after: from, count: min(max(count, 0), maximumCount)),
            job: job.ref.description, via: root.ref == job.ref ? nil : root.ref.description)
    }

    /// A zone's name for reports: `UTC` for the zone Foundation may call `GMT`.
    public static func zoneName(_ zone: TimeZone) -> String {
        ["GMT", "UTC", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) ? "UTC" : zone.identifier
    }

    /// The job at the top of a fan-out chain (the job itself when it is not a child).
    /// Stops at a cycle or a missing parent rather than looping.
    static func scheduledRoot(of job: Job, in inventory: Inventory) -> Job {
        var current = job
        var seen: Set<JobRef> = [job.ref]
        while let parentRef = current.triggeredBy, let parent = inventory.job(parentRef), seen.insert(parentRef).inserted {
            current = parent
        }
        return current
    }
}

// MARK: - Timeline

/// One fire of the timeline: a scheduled job, or a fan-out child at its parent's fire.
public struct TimelineFire: Encodable, Sendable, Equatable {
    public var at: Date
    public var job: String
    public var app: String
    /// The layer that fires it; `fanout` for a child.
    public var layer: Layer
    /// The schedule text (for a child, its root's).
    public var schedule: String?
    /// For a fan-out child: the job that calls it at this fire.
    public var triggeredBy: String?
    /// For a fan-out child: its position among the parent's children.
    public var order: Int?

    enum CodingKeys: String, CodingKey { case at, job, address, app, layer, schedule, triggeredBy = "triggered_by", order }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(at, forKey: .at)
        try c.encode(job, forKey: .job)
        try c.encode(job, forKey: .address)
        try c.encode(app, forKey: .app)
        try c.encode(layer, forKey: .layer)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(triggeredBy, forKey: .triggeredBy)
        try c.encode(order, forKey: .order)
    }
}

/// Many jobs of one app, or of one layer, firing in the same minute.
public struct TimelineBurst: Encodable, Sendable, Equatable {
    public enum Kind: String, Encodable, Sendable { case app, layer }
    /// The minute (its first second, UTC).
    public var minute: Date
    public var kind: Kind
    /// The app's slug or the layer's name.
    public var key: String
    public var jobs: [String]
    public var count: Int { jobs.count }

    enum CodingKeys: String, CodingKey { case minute, kind, key, jobs, count }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(minute, forKey: .minute)
        try c.encode(kind, forKey: .kind)
        try c.encode(key, forKey: .key)
        try c.encode(jobs, forKey: .jobs)
        try c.encode(count, forKey: .count)
    }
}

/// One app's fires per hour of the day (00–23 in the report's zone), over the window.
public struct TimelineHeat: Encodable, Sendable, Equatable {
    public var app: String
    /// 24 counts; index 0 is 00:00–00:59 in the report's zone.
    public var hours: [Int]
    public var total: Int
}

/// A job whose schedule could not be read; it is left out of the timeline.
public struct TimelineSkip: Encodable, Sendable, Equatable {
    public var job: String
    public var reason: String
}

/// Every fire across the inventory in a window (`schedule timeline`).
public struct TimelineReport: Encodable, Sendable, Equatable {
    /// Window start (inclusive) and end (exclusive).
    public var from: Date
    public var to: Date
    /// The zone of the hour-of-day picture.
    public var timezone: String
    public var burstThreshold: Int
    public var fires: [TimelineFire]
    public var bursts: [TimelineBurst]
    public var heat: [TimelineHeat]
    public var skipped: [TimelineSkip]

    enum CodingKeys: String, CodingKey {
        case from, to, timezone, burstThreshold = "burst_threshold", fires, bursts, heat, skipped
    }
}

/// What `schedule timeline` looks at.
public struct TimelineRequest: Sendable {
    public var from: Date
    public var hours: Int
    public var app: String?
    public var zone: TimeZone
    /// A burst is this many jobs (or more) of one app or one layer in the same minute.
    public var burstThreshold: Int

    public init(from: Date, hours: Int = 24, app: String? = nil, zone: TimeZone, burstThreshold: Int = 3) {
        self.from = from
        self.hours = hours
        self.app = app
        self.zone = zone
        self.burstThreshold = burstThreshold
    }

    /// The longest window accepted, in hours (31 days).
    public static let maximumHours = 744
}

extension ScheduleReports {
    /// Every fire of every enabled job in `[from, from + hours)`, fan-out children at their
    /// parent's fires, sorted by time. Bursts: an app burst counts every request the app
    /// receives in the minute (children included); a layer burst counts the fires the layer
    /// itself makes (children are made by their parent, not by the layer).
    public static func timeline(_ inventory: Inventory, _ request: TimelineRequest) -> TimelineReport {
        let to = request.from.addingTimeInterval(TimeInterval(request.hours) * 3600)
        var fires: [TimelineFire] = []
        var skipped: [TimelineSkip] = []

        func addChildren(of parent: Job, at date: Date, schedule: String?, depth: Int, seen: Set<JobRef>) {
            guard depth < 16 else { return }
            for child in inventory.children(of: parent.ref) where child.enabled && !seen.contains(child.ref) {
                fires.append(TimelineFire(at: date, job: child.ref.description, app: child.app, layer: child.layer,
                                          schedule: schedule, triggeredBy: parent.ref.description, order: child.order))
                addChildren(of: child, at: date, schedule: schedule, depth: depth + 1, seen: seen.union([child.ref]))
            }
        }

        // Fires in [from, to): fires are whole seconds, so half a second before `from` includes it.
        let start = request.from.addingTimeInterval(-0.5)
        for job in inventory.jobs where job.enabled && job.layer.isScheduled {
            guard let text = job.schedule else {
                skipped.append(TimelineSkip(job: job.ref.description, reason: "no schedule"))
                continue
            }
            guard TimeZone(identifier: job.timezone) != nil else {
                skipped.append(TimelineSkip(job: job.ref.description, reason: "unknown time zone '\(job.timezone)'"))
                continue
            }
            let timing: JobFires
            do {
                guard let parsed = try JobFires.of(job, app: inventory.app(named: job.app)) else { continue }
                timing = parsed
            } catch {
                skipped.append(TimelineSkip(job: job.ref.description, reason: error.localizedDescription))
                continue
            }
            for date in timing.fires(from: start, to: to, limit: 200_000) where date < to {
                fires.append(TimelineFire(at: date, job: job.ref.description, app: job.app, layer: job.layer,
                                          schedule: text, triggeredBy: nil, order: nil))
                addChildren(of: job, at: date, schedule: text, depth: 0, seen: [job.ref])
            }
        }
        if let app = request.app { fires.removeAll { $0.app != app } }
        let rank = Dictionary(inventory.jobs.enumerated().map { ($0.element.ref.description, $0.offset) }) { a, _ in a }
        fires.sort {
            if $0.at != $1.at { return $0.at < $1.at }
            // Parents before their children, children in their order, otherwise inventory order.
            let r0 = rank[$0.triggeredBy ?? $0.job] ?? 0, r1 = rank[$1.triggeredBy ?? $1.job] ?? 0
            if r0 != r1 { return r0 < r1 }
            if ($0.triggeredBy == nil) != ($1.triggeredBy == nil) { return $0.triggeredBy == nil }
            return ($0.order ?? 0, $0.job) < ($1.order ?? 0, $1.job)
        }
        return TimelineReport(
            from: request.from, to: to, timezone: zoneName(request.zone), burstThreshold: request.burstThreshold,
            fires: fires, bursts: bursts(in: fires, threshold: request.burstThreshold),
            heat: heat(of: fires, apps: inventory.apps.map(\.name).filter { request.app == nil || $0 == request.app },
                       zone: request.zone),
            skipped: skipped)
    }

    /// Groups of at least `threshold` fires of one app (any fire) or of one layer (the
    /// layer's own fires) in the same minute, in time order.
    static func bursts(in fires: [TimelineFire], threshold: Int) -> [TimelineBurst] {
        struct Key: Hashable { var minute: Int; var kind: TimelineBurst.Kind; var key: String }
        var groups: [Key: [String]] = [:]
        for fire in fires {
            let minute = Int(floor(fire.at.timeIntervalSince1970 / 60))
            groups[Key(minute: minute, kind: .app, key: fire.app), default: []].append(fire.job)
            if fire.triggeredBy == nil {
                groups[Key(minute: minute, kind: .layer, key: fire.layer.rawValue), default: []].append(fire.job)
            }
        }
        return groups.filter { $0.value.count >= max(threshold, 1) }
            .sorted { ($0.key.minute, $0.key.kind.rawValue, $0.key.key) < ($1.key.minute, $1.key.kind.rawValue, $1.key.key) }
            .map { TimelineBurst(minute: Date(timeIntervalSince1970: TimeInterval($0.key.minute * 60)),
                                 kind: $0.key.kind, key: $0.key.key, jobs: $0.value) }
    }

    /// Fires per app per hour of the day in `zone`.
    static func heat(of fires: [TimelineFire], apps: [String], zone: TimeZone) -> [TimelineHeat] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var table: [String: [Int]] = [:]
        for fire in fires {
            let hour = calendar.component(.hour, from: fire.at)
            table[fire.app, default: Array(repeating: 0, count: 24)][hour] += 1
        }
        return apps.map { app in
            let hours = table[app] ?? Array(repeating: 0, count: 24)
            return TimelineHeat(app: app, hours: hours, total: hours.reduce(0, +))
        }
    }
}
