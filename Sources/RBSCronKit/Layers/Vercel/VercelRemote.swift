import Foundation

/// One entry of a vercel.json `crons` array as `list schedules --remote --layer vercel` reports it.
///
/// JSON: `path`, `schedule`, `job` (the inventory job it stands for, `APP/JOB`, or null: foreign).
public struct VercelRemoteCron: Encodable, Sendable, Equatable {
    public var path: String
    public var schedule: String
    /// The app's vercel job with this path; nil when the inventory has none (foreign).
    public var job: String?

    public var isForeign: Bool { job == nil }

    enum CodingKeys: String, CodingKey { case path, schedule, job, address }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(job, forKey: .job)
        try c.encode(job, forKey: .address)
    }
}

/// One entry of a vercel.json `schedules` object (Vercel Schedules) as `list schedules --remote --layer vercel`
/// reports it.
///
/// JSON: `name`, `schedule`, `timezone` (null: UTC), `jitter`, `target` (`path`, `function` or `topic`), `path`,
/// `request_method`, `job` (the inventory job it stands for, or null: foreign).
public struct VercelRemoteSchedule: Encodable, Sendable, Equatable {
    public var name: String
    public var schedule: String
    public var timezone: String?
    public var jitter: Int?
    /// `path`, `function`, `topic`, or `none`.
    public var target: String
    /// The path, function or topic named by the target.
    public var destination: String?
    public var requestMethod: String?
    /// The app's enabled or disabled vercel job of this name calling this path; nil when there is none (foreign).
    public var job: String?
    /// A foreign path entry under another name that does an enabled vercel job's work (its path and method), while
    /// the file has no entry of the job's name: `schedule apply --adopt` renames it.
    public var adoptableBy: String? = nil

    public var isForeign: Bool { job == nil }

    enum CodingKeys: String, CodingKey {
        case name, schedule, timezone, jitter, target, destination, requestMethod = "request_method", job, address,
             adoptableBy = "adoptable_by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(timezone, forKey: .timezone)
        try c.encode(jitter, forKey: .jitter)
        try c.encode(target, forKey: .target)
        try c.encode(destination, forKey: .destination)
        try c.encode(requestMethod, forKey: .requestMethod)
        try c.encode(job, forKey: .job)
        try c.encode(job, forKey: .address)
        try c.encode(adoptableBy, forKey: .adoptableBy)
    }
}

/// `list schedules --remote --layer vercel`: the `crons` and `schedules` of one app's vercel.json, in file order.
///
/// JSON: `layer` (`vercel`), `app`, `mode` (the app's `vercel_mode`), `file`, `crons`, `schedules`.
public struct VercelRemoteReport: Encodable, Sendable, Equatable {
    public var layer = Layer.vercel
    public var app: String
    public var mode: VercelMode
    public var file: String
    public var crons: [VercelRemoteCron]
    public var schedules: [VercelRemoteSchedule]

    enum CodingKeys: String, CodingKey { case layer, app, mode, file, crons, schedules }
}

extension VercelCrons {
    /// The `crons` and `schedules` of `text` (the app's vercel.json). A cron is matched to the app's vercel job with the
    /// same path (when two jobs share a path, the one with the same schedule first), as `schedule plan` matches them;
    /// a schedule to the job of its name calling its path. Disabled jobs count: the entry still stands for them (and
    /// `schedule plan` would delete it).
    public static func remote(app: App, jobs: [Job], text: String, file: String) throws(VercelJSONError) -> VercelRemoteReport {
        let appJobs = jobs.filter { $0.app == app.name && $0.layer == .vercel }
        let contents = try VercelConfig.read(text: text, file: file)
        let crons = contents.crons.map { entry in
            let samePath = appJobs.filter { $0.path == entry.path }
            let job = samePath.first { $0.schedule == entry.schedule } ?? samePath.first
            return VercelRemoteCron(path: entry.path, schedule: entry.schedule, job: job?.ref.description)
        }
        let schedules = contents.schedules.map { member -> VercelRemoteSchedule in
            let entry = member.entry
            let (kind, destination): (String, String?) = {
                switch entry.target {
                case .path(let p): return ("path", p)
                case .function(let f): return ("function", f)
                case .topic(let t): return ("topic", t)
                case .none: return ("none", nil)
                }
            }()
            let job = appJobs.first { $0.name == entry.name && entry.target.path != nil && $0.path == entry.target.path }
            let names = Set(contents.schedules.map(\.entry.name))
            let adoptable = job != nil ? nil : appJobs.first { candidate in
                candidate.enabled && entry.target.path != nil && candidate.path == entry.target.path
                    && candidate.method.rawValue == (entry.requestMethod ?? "GET") && !names.contains(candidate.name)
            }
            return VercelRemoteSchedule(name: entry.name, schedule: entry.schedule, timezone: entry.timezone, jitter: entry.jitter,
                                        target: kind, destination: destination, requestMethod: entry.requestMethod,
                                        job: job?.ref.description, adoptableBy: adoptable?.ref.description)
        }
        return VercelRemoteReport(app: app.name, mode: app.vercelMode, file: file, crons: crons, schedules: schedules)
    }

    /// Reads the vercel.json at `path`; unlike `schedule plan`, a missing file is an error, since it is the layer.
    public static func remote(app: App, jobs: [Job], path: String) throws(VercelJSONError) -> VercelRemoteReport {
        guard let text = try read(path: path) else { throw .missing(file: path) }
        return try remote(app: app, jobs: jobs, text: text, file: path)
    }
}
