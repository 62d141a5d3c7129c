import Foundation

/// Why `schedule migrate --layer vercel` cannot do what it was asked.
public enum VercelMigrationError: Error, LocalizedError, Sendable, Equatable {
    /// `--move` names a job that is not one of the app's.
    case unknownJob(app: String, job: String)
    /// `--move` names a job that cannot become a Vercel Schedules path target.
    case notMovable(job: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .unknownJob(let app, let job):
            return "\(app) has no job '\(job)'; `rbscron list jobs --app \(app)` lists them."
        case .notMovable(let job, let reason):
            return "\(job) cannot move to Vercel Schedules: \(reason)."
        }
    }
}

/// What `schedule migrate --layer vercel` is asked.
public struct VercelMigrationRequest: Sendable {
    public var app: String
    /// The app's vercel.json.
    public var vercelJSON: String
    /// pg_cron HTTP jobs of the app to move onto its Vercel Schedules (job names).
    public var move: [String]
    /// Write the Schedules configuration and record the app's new mode (and moved jobs) in the inventory.
    public var write: Bool
    /// The start of the year over which fires are compared.
    public var from: Date

    public init(app: String, vercelJSON: String? = nil, move: [String] = [], write: Bool = false, from: Date = Date()) {
        self.app = app
        self.vercelJSON = vercelJSON ?? "vercel.json"
        self.move = move
        self.write = write
        self.from = from
    }
}

/// One fire that Vercel Schedules moves: when it fires today and when it would fire after the migration (either may
/// be missing: a fire dropped or added).
public struct FireShift: Encodable, Sendable, Equatable {
    public var before: Date?
    public var after: Date?

    enum CodingKeys: String, CodingKey { case before, after }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(before, forKey: .before)
        try c.encode(after, forKey: .after)
    }
}

/// What the migration changes for one job.
///
/// JSON: `job`, `name` (the schedule's name), `path`, `layer_before` (`vercel` or `pg_cron`), `schedule`,
/// `method_before`, `method_after`, `zone_before`, `zone_after`, `jitter`, `fires_before`, `fires_after`, `fires_kept`,
/// `preserved`, `shifts` (the first differing fires), `note`.
public struct VercelMigrationJob: Encodable, Sendable, Equatable {
    public var job: String
    public var name: String
    public var path: String
    public var layerBefore: Layer
    public var schedule: String
    public var methodBefore: String
    public var methodAfter: String
    /// The zone the layer fires in today (`UTC` for Vercel Cron; for pg_cron, the zone whose instants its entries keep).
    public var zoneBefore: String
    public var zoneAfter: String
    public var jitter: Int?
    /// Fires over the year compared, before and after.
    public var firesBefore: Int
    public var firesAfter: Int
    /// Fires at the same instant before and after.
    public var firesKept: Int
    /// True when every fire of the year keeps its instant.
    public var preserved: Bool { firesBefore == firesKept && firesAfter == firesKept }
    /// The first fires that differ (at most 5).
    public var shifts: [FireShift]
    /// What the change means, in a sentence.
    public var note: String

    enum CodingKeys: String, CodingKey {
        case job, address, name, path, layerBefore = "layer_before", schedule, methodBefore = "method_before",
             methodAfter = "method_after", zoneBefore = "zone_before", zoneAfter = "zone_after", jitter,
             firesBefore = "fires_before", firesAfter = "fires_after", firesKept = "fires_kept", preserved, shifts, note
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job, forKey: .job)
        try c.encode(job, forKey: .address)
        try c.encode(name, forKey: .name)
        try c.encode(path, forKey: .path)
        try c.encode(layerBefore, forKey: .layerBefore)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(methodBefore, forKey: .methodBefore)
        try c.encode(methodAfter, forKey: .methodAfter)
        try c.encode(zoneBefore, forKey: .zoneBefore)
        try c.encode(zoneAfter, forKey: .zoneAfter)
        try c.encode(jitter, forKey: .jitter)
        try c.encode(firesBefore, forKey: .firesBefore)
        try c.encode(firesAfter, forKey: .firesAfter)
        try c.encode(firesKept, forKey: .firesKept)
        try c.encode(preserved, forKey: .preserved)
        try c.encode(shifts, forKey: .shifts)
        try c.encode(note, forKey: .note)
    }
}

/// A pg_cron HTTP job of the app meant in a local zone, which its Vercel Schedules could fire in that zone.
///
/// JSON: `job`, `schedule`, `timezone`.
public struct VercelMoveCandidate: Encodable, Sendable, Equatable {
    public var job: String
    public var schedule: String
    public var timezone: String
}

/// `schedule migrate --layer vercel`: what moving an app from Vercel Cron to Vercel Schedules changes, job by job, and
/// the plan of the Schedules configuration (written with `--write`).
///
/// JSON: `app`, `file`, `mode_before`, `from`, `to` (the year compared), `jobs`, `preserved` (every fire of every job
/// keeps its instant), `candidates`, `plan` (the schedules-mode plan), `written` (the file, or null), `recorded`
/// (whether the inventory now records `vercel_mode: schedules`), `moved`.
public struct VercelMigrationReport: Encodable, Sendable {
    public var app: String
    public var file: String
    public var modeBefore: VercelMode
    public var from: Date
    public var to: Date
    public var jobs: [VercelMigrationJob]
    public var candidates: [VercelMoveCandidate]
    public var plan: LayerPlan
    public var written: String?
    public var recorded: Bool
    /// The pg_cron jobs moved onto the Vercel layer (job names).
    public var moved: [String]

    public var preserved: Bool { jobs.allSatisfy(\.preserved) }

    enum CodingKeys: String, CodingKey {
        case app, file, modeBefore = "mode_before", from, to, jobs, preserved, candidates, plan, written, recorded, moved
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app, forKey: .app)
        try c.encode(file, forKey: .file)
        try c.encode(modeBefore, forKey: .modeBefore)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(jobs, forKey: .jobs)
        try c.encode(preserved, forKey: .preserved)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(plan, forKey: .plan)
        try c.encode(written, forKey: .written)
        try c.encode(recorded, forKey: .recorded)
        try c.encode(moved, forKey: .moved)
    }
}

/// Moving an app from Vercel Cron to Vercel Schedules.
///
/// For each enabled vercel job: Vercel Cron calls with GET in UTC; Vercel Schedules calls with the job's method in
/// the job's zone. The UTC instants are kept unless the manifest names an IANA zone for the job (a description such
/// as "08:00 CDT" is never read as one). Fires are compared with the cron engine over a year. A pg_cron HTTP job named
/// with `move` is compared too: its fires today are those of the entries rbscron's pg_cron migration writes.
public enum VercelMigration {
    /// How many differing fires a job lists.
    static let shownShifts = 5

    /// The app and jobs as they are after the migration: the app in schedules mode, moved jobs on the vercel layer.
    public static func migrated(app: App, jobs: [Job], move: [String]) throws(VercelMigrationError) -> (App, [Job]) {
        var app = app
        app.vercelMode = .schedules
        var jobs = jobs
        for name in move {
            guard let index = jobs.firstIndex(where: { $0.app == app.name && $0.name == name }) else {
                throw .unknownJob(app: app.name, job: name)
            }
            let job = jobs[index]
            let ref = job.ref.description
            guard job.layer == .pgCron || job.layer == .vercel else {
                throw .notMovable(job: ref, reason: "it is a \(job.layer.rawValue) job; only pg_cron HTTP jobs move")
            }
            guard job.layer == .pgCron else { continue }
            guard let path = job.path, path.hasPrefix("/") else {
                throw .notMovable(job: ref, reason: "it runs SQL inside the database; Vercel calls a path of the deployment")
            }
            let methods = LayerLimits.standard.vercelSchedules.requestMethods
            guard methods.contains(job.method) else {
                throw .notMovable(job: ref, reason: "Vercel Schedules calls with \(methods.map(\.rawValue).joined(separator: " or ")), not \(job.method.rawValue)")
            }
            do {
                _ = try CronSchedule.parse(job.schedule ?? "", dialect: .vercel)
            } catch {
                throw .notMovable(job: ref, reason: error.localizedDescription)
            }
            jobs[index].layer = .vercel
        }
        return (app, jobs)
    }

    /// The report: per job, what changes; the schedules-mode plan against `text` (the app's vercel.json).
    public static func report(app: App, jobs: [Job], move: [String], text: String?, file: String, from: Date)
        throws -> VercelMigrationReport {
        let (after, afterJobs) = try migrated(app: app, jobs: jobs, move: move)
        let to = from.addingTimeInterval(365 * 86_400)
        var compared: [VercelMigrationJob] = []
        for job in jobs where job.app == app.name && job.enabled {
            let moving = job.layer == .pgCron && move.contains(job.name)
            guard job.layer == .vercel || moving else { continue }
            compared.append(compare(job: job, app: app, moving: moving, from: from, to: to))
        }
        let candidates = jobs.filter {
            $0.app == app.name && $0.enabled && $0.layer == .pgCron && $0.path != nil && !move.contains($0.name)
                && !ScheduleCheck.isUTC($0.timezone)
        }.map { VercelMoveCandidate(job: $0.ref.description, schedule: $0.schedule ?? "", timezone: $0.timezone) }
        let plan = try VercelSchedules.plan(app: after, jobs: afterJobs, text: text, file: file)
        return VercelMigrationReport(app: app.name, file: file, modeBefore: app.vercelMode, from: from, to: to, jobs: compared,
                                     candidates: candidates, plan: plan, written: nil, recorded: false,
                                     moved: move.filter { name in jobs.contains { $0.app == app.name && $0.name == name && $0.layer == .pgCron } })
    }

    /// One job's fires today and on Vercel Schedules over `[from, to]`.
    static func compare(job: Job, app: App, moving: Bool, from: Date, to: Date) -> VercelMigrationJob {
        let utc = TimeZone(identifier: "UTC") ?? TimeZone.current
        let text = job.schedule ?? ""
        let zone = TimeZone(identifier: job.timezone) ?? utc
        let zoneAfter = ScheduleCheck.isUTC(job.timezone) ? "UTC" : job.timezone

        // Before: Vercel Cron fires the expression in UTC; pg_cron fires the entries rbscron's migration writes.
        var before: [Date] = []
        var zoneBefore = "UTC"
        var methodBefore = "GET"
        if moving {
            methodBefore = job.method.rawValue
            if let entries = try? PgCronSQL.plan(job: job, app: app, now: from) {
                for entry in entries {
                    if let s = try? CronSchedule.parse(entry.schedule, dialect: .pgCron, pgCronVersion: app.pgCronVersion) {
                        before += s.fires(from: from, to: to, in: utc, limit: 1_000_000)
                    }
                }
                // Entries that keep the local instants say so in their note; otherwise they fire in GMT.
                if entries.count > 1 || entries.first?.schedule != text { zoneBefore = job.timezone }
            }
        } else if let s = try? CronSchedule.parse(text, dialect: .vercel) {
            before = s.fires(from: from, to: to, in: utc, limit: 1_000_000)
        }
        // After: Vercel Schedules fires the expression in the entry's zone.
        var after: [Date] = []
        if let s = try? CronSchedule.parse(text, dialect: .vixie), (try? CronSchedule.parse(text, dialect: .vercel)) != nil {
            after = s.fires(from: from, to: to, in: zone, limit: 1_000_000)
        }
        let beforeSet = Set(before), afterSet = Set(after)
        let kept = beforeSet.intersection(afterSet).count
        let dropped = before.filter { !afterSet.contains($0) }.sorted()
        let added = after.filter { !beforeSet.contains($0) }.sorted()
        let shifts = (0..<min(shownShifts, max(dropped.count, added.count))).map { i in
            FireShift(before: i < dropped.count ? dropped[i] : nil, after: i < added.count ? added[i] : nil)
        }

        var notes: [String] = []
        if dropped.isEmpty && added.isEmpty {
            notes.append(before.isEmpty ? "no fire in the year compared"
                         : "all \(before.count) fires of the year keep their instants")
        } else if moving {
            notes.append("\(max(dropped.count, added.count)) of \(before.count) fires move: pg_cron cannot keep \(job.timezone)'s instants "
                         + "all year with fixed UTC entries; Vercel Schedules fires in \(job.timezone) itself")
        } else {
            notes.append("\(max(dropped.count, added.count)) of \(before.count) fires move: Vercel Cron fired '\(text)' in UTC, "
                         + "ignoring the job's zone; Vercel Schedules fires it in \(job.timezone), as the manifest means it")
        }
        if methodBefore != job.method.rawValue || (!moving && job.method != .GET) {
            notes.append("called with \(job.method.rawValue) instead of GET: the handler gets the method it is declared for")
        }
        if let jitter = job.jitter { notes.append("each run starts within \(jitter) minutes of its fire (jitter)") }
        if app.vercelPlan == .hobby { notes.append("on Hobby, fires come anywhere within their hour, as before") }
        if moving { notes.append("moves from pg_cron: apply the pg_cron layer next, its migration unschedules \(ScheduleID.of(job.ref))") }

        return VercelMigrationJob(
            job: job.ref.description, name: job.name, path: job.path ?? "", layerBefore: job.layer, schedule: text,
            methodBefore: methodBefore, methodAfter: job.method.rawValue, zoneBefore: zoneBefore, zoneAfter: zoneAfter,
            jitter: job.jitter, firesBefore: before.count, firesAfter: after.count, firesKept: kept, shifts: shifts,
            note: notes.joined(separator: "; "))
    }

    /// `--write`: writes the Schedules configuration (refused, with nothing written, when Vercel would refuse it).
    /// Recording the new mode in the inventory is the caller's (it owns the store).
    public static func write(app: App, jobs: [Job], move: [String], path: String) throws -> LayerApplyReport {
        let (after, afterJobs) = try migrated(app: app, jobs: jobs, move: move)
        // Writing the Schedules configuration is the operator's explicit step: entries under other names for the
        // same paths are replaced in this one rewrite, like `apply --adopt`.
        return try VercelConfig.apply(app: after, jobs: afterJobs, path: path, dryRun: false, adopt: true)
    }
}
