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

    enum CodingKeys: String, CodingKey { case path, schedule, job }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(job, forKey: .job)
    }
}

/// `list schedules --remote --layer vercel`: the `crons` of one app's vercel.json, in file order.
///
/// JSON: `layer` (`vercel`), `app`, `file`, `crons`.
public struct VercelRemoteReport: Encodable, Sendable, Equatable {
    public var layer = Layer.vercel
    public var app: String
    public var file: String
    public var crons: [VercelRemoteCron]

    enum CodingKeys: String, CodingKey { case layer, app, file, crons }
}

extension VercelCrons {
    /// The `crons` of `text` (the app's vercel.json), each matched to the app's vercel job with the same path
    /// (when two jobs share a path, the one with the same schedule first), as `schedule plan` matches them.
    /// Disabled jobs count: the entry still stands for them (and `schedule plan` would delete it).
    public static func remote(app: App, jobs: [Job], text: String, file: String) throws(VercelJSONError) -> VercelRemoteReport {
        let appJobs = jobs.filter { $0.app == app.name && $0.layer == .vercel }
        let crons = try existing(text: text, file: file).map { entry in
            let samePath = appJobs.filter { $0.path == entry.path }
            let job = samePath.first { $0.schedule == entry.schedule } ?? samePath.first
            return VercelRemoteCron(path: entry.path, schedule: entry.schedule, job: job?.ref.description)
        }
        return VercelRemoteReport(app: app.name, file: file, crons: crons)
    }

    /// Reads the vercel.json at `path`; unlike `schedule plan`, a missing file is an error, since it is the layer.
    public static func remote(app: App, jobs: [Job], path: String) throws(VercelJSONError) -> VercelRemoteReport {
        guard let text = try read(path: path) else { throw .missing(file: path) }
        return try remote(app: app, jobs: jobs, text: text, file: path)
    }
}
