import Foundation

/// Why a `vercel.json` could not be read, planned or written.
public enum VercelJSONError: Error, LocalizedError, Sendable, Equatable {
    /// The file could not be read (see ``InputFile``).
    case unreadable(InputFileError)
    /// No file at the path (`list schedules --remote` needs the app's deployed vercel.json).
    case missing(file: String)
    /// Not a JSON object at the top, or not JSON at all.
    case notAnObject(file: String)
    /// `crons` is not an array of `{"path", "schedule"}` objects.
    case invalidCrons(file: String, detail: String)
    /// `schedules` is not an object of named `{"schedule", …}` objects.
    case invalidSchedules(file: String, detail: String)
    /// The plan has problems Vercel would refuse; nothing was written.
    case refused(count: Int, first: String)
    /// The file could not be written (see ``OutputFile``).
    case unwritable(OutputFileError)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let error): return error.localizedDescription
        case .missing(let file):
            return "there is no '\(file)'; Vercel's crons live in the app's deployed vercel.json, so pass that file "
                + "with --vercel-json PATH (e.g. ../baul/vercel.json)."
        case .notAnObject(let file): return "'\(file)' is not a JSON object; fix it or move it away and apply again."
        case .invalidCrons(let file, let detail):
            return "the crons array of '\(file)' is not what Vercel accepts (\(detail)); fix it by hand first."
        case .invalidSchedules(let file, let detail):
            return "the schedules of '\(file)' are not what Vercel accepts (\(detail)); fix them by hand first."
        case .refused(let count, let first):
            return "Vercel would refuse these crons (\(count) problem\(count == 1 ? "" : "s"), first: \(first)); "
                + "nothing was written. See `rbscron schedule plan --layer vercel`."
        case .unwritable(let error): return error.localizedDescription
        }
    }
}

/// The Vercel Cron layer (legacy, the default `vercel_mode: crons`): the `crons` array of an app's `vercel.json`
/// (`[{"path", "schedule"}]`), every call a GET in UTC.
public enum VercelCrons {
    /// One entry of the `crons` array.
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var schedule: String
        public init(path: String, schedule: String) {
            self.path = path
            self.schedule = schedule
        }
    }

    /// The entries the inventory wants for `app`: its enabled vercel jobs, in inventory order.
    public static func desired(app: App, jobs: [Job]) -> [(job: Job, entry: Entry)] {
        jobs.filter { $0.app == app.name && $0.layer == .vercel && $0.enabled }.map { job in
            (job, Entry(path: job.path ?? "", schedule: job.schedule ?? ""))
        }
    }

    /// What Vercel would refuse (errors) or handle differently from the inventory (warnings); `declared` is what
    /// counts against the project's limit (with the plan's data: disabled crons too).
    public static func issues(app: App, desired: [(job: Job, entry: Entry)], declared: Int? = nil,
                              limits: LayerLimits = .standard) -> [PlanIssue] {
        var issues: [PlanIssue] = []
        let plan = limits.vercel(app.vercelPlan)
        let count = declared ?? desired.count
        if count > plan.cronsPerProject {
            issues.append(PlanIssue(severity: .error, job: nil,
                                    message: "\(count) crons; Vercel allows at most \(plan.cronsPerProject) per project"))
        }
        for (job, entry) in desired {
            let ref = job.ref.description
            if !entry.path.hasPrefix("/") {
                issues.append(PlanIssue(severity: .error, job: ref, message: "the path must start with '/' (Vercel calls a path of the deployment)"))
            }
            if job.sql != nil {
                issues.append(PlanIssue(severity: .error, job: ref, message: "Vercel calls paths; a SQL job belongs on pg_cron"))
            }
            let schedule: CronSchedule
            do {
                schedule = try CronSchedule.parse(entry.schedule, dialect: .vercel)
            } catch {
                issues.append(PlanIssue(severity: .error, job: ref, message: error.localizedDescription))
                continue
            }
            if let name = app.vercelPlan?.rawValue, let interval = schedule.minimumIntervalSeconds,
               interval < plan.minimumIntervalSeconds {
                issues.append(PlanIssue(severity: .error, job: ref,
                                        message: "'\(entry.schedule)' fires more often than \(ScheduleCheck.everyText(plan.minimumIntervalSeconds)), "
                                            + "which the \(name.capitalized) plan refuses; run it less often or change the plan"))
            }
            if job.method != .GET {
                issues.append(PlanIssue(severity: .warning, job: ref,
                                        message: "the inventory says \(job.method.rawValue), but Vercel Cron calls the path with GET; "
                                            + "the endpoint must accept GET (Vercel Schedules can call it with \(job.method.rawValue): "
                                            + "`rbscron schedule migrate --layer vercel --app \(app.name)`)"))
            }
            if !["UTC", "Etc/UTC", "GMT"].contains(job.timezone) {
                issues.append(PlanIssue(severity: .warning, job: ref,
                                        message: "meant in \(job.timezone), but Vercel fires in UTC; '\(entry.schedule)' is written unchanged"))
            }
        }
        return issues
    }

    /// The `crons` of a `vercel.json` text; nil text (no file) has none.
    public static func existing(text: String?, file: String) throws(VercelJSONError) -> [Entry] {
        guard let text else { return [] }
        guard let root = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw .notAnObject(file: file)
        }
        guard let crons = root["crons"] else { return [] }
        guard let array = crons as? [Any] else { throw .invalidCrons(file: file, detail: "crons is not an array") }
        return try array.enumerated().map { (index, item) throws(VercelJSONError) -> Entry in
            guard let object = item as? [String: Any], let path = object["path"] as? String,
                  let schedule = object["schedule"] as? String else {
                throw .invalidCrons(file: file, detail: "crons[\(index)] needs string \"path\" and \"schedule\"")
            }
            return Entry(path: path, schedule: schedule)
        }
    }

    /// `schedule plan --layer vercel` in crons mode: the app's vercel jobs against the file's `crons` (matched by
    /// path). The `schedules` entries that call a path are deleted too (a schedule left beside its cron would fire the
    /// path twice); entries that target a function or a queue topic are ignored.
    public static func plan(app: App, jobs: [Job], text: String?, file: String, limits: LayerLimits = .standard)
        throws(VercelJSONError) -> LayerPlan {
        let desired = Self.desired(app: app, jobs: jobs)
        let config = try VercelConfig.read(text: text, file: file)
        var remaining = config.crons
        var items: [PlanItem] = []
        var pending: [(Job, Entry)] = []
        // Exact matches first, so a path listed twice with two schedules pairs up correctly.
        for (job, entry) in desired {
            if let index = remaining.firstIndex(of: entry) {
                remaining.remove(at: index)
                items.append(PlanItem(id: entry.path, job: job.ref.description, action: .unchanged, schedule: entry.schedule, target: entry.path))
            } else {
                pending.append((job, entry))
            }
        }
        for (job, entry) in pending {
            if let index = remaining.firstIndex(where: { $0.path == entry.path }) {
                let old = remaining.remove(at: index)
                items.append(PlanItem(id: entry.path, job: job.ref.description, action: .update, schedule: entry.schedule,
                                      target: entry.path, changes: [FieldChange(field: "schedule", from: old.schedule, to: entry.schedule)]))
            } else {
                items.append(PlanItem(id: entry.path, job: job.ref.description, action: .create, schedule: entry.schedule, target: entry.path))
            }
        }
        for old in remaining {
            items.append(PlanItem(id: old.path, job: nil, action: .delete, schedule: old.schedule, target: old.path,
                                  note: "in \(file) but not an enabled vercel job of \(app.name)"))
        }
        let byPath = Set(desired.map(\.entry.path))
        for member in config.schedules {
            let entry = member.entry
            if let path = entry.target.path {
                items.append(PlanItem(id: entry.name, job: nil, action: .delete, schedule: entry.schedule, target: path,
                                      note: byPath.contains(path)
                                        ? "a Vercel Schedules entry for a path the crons fire too; \(app.name) uses Vercel Cron (vercel_mode: crons)"
                                        : "a Vercel Schedules entry that is not an enabled vercel job of \(app.name)"))
            } else {
                items.append(PlanItem(id: entry.name, job: nil, action: .ignored, schedule: entry.schedule,
                                      target: VercelSchedules.describe(entry),
                                      note: "a Vercel Schedules entry for a function or a queue topic: not rbscron's to change"))
            }
        }
        let all = jobs.filter { $0.app == app.name && $0.layer == .vercel }.count
        let declared = limits.vercel(app.vercelPlan).disabledCronsCount ? all : desired.count
        return LayerPlan(layer: .vercel, app: app.name, items: items,
                         issues: Self.issues(app: app, desired: desired, declared: declared, limits: limits), file: file)
    }

    /// The file's text with `crons` set to `entries`; every other key keeps its bytes and order.
    /// No file (`text == nil`) gives `{"crons": [...]}`.
    public static func rewrite(text: String?, entries: [Entry], file: String) throws(VercelJSONError) -> String {
        guard let text else { return "{\n  \"crons\": \(render(entries, indent: ""))\n}\n" }
        guard (try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any] else { throw .notAnObject(file: file) }
        do {
            return try JSONTopLevelText.replacing(key: "crons", in: text) { indent in render(entries, indent: indent) }
        } catch {
            throw .notAnObject(file: file)
        }
    }

    /// The `crons` array, its items one step deeper than `indent` (the key's own indentation).
    static func render(_ entries: [Entry], indent: String) -> String {
        guard !entries.isEmpty else { return "[]" }
        let step = JSONTopLevelText.step(after: indent)
        let item = indent + step
        let field = item + step
        let body = entries.map { entry in
            "\(item){\n\(field)\"path\": \(JSONTopLevelText.quote(entry.path)),\n\(field)\"schedule\": \(JSONTopLevelText.quote(entry.schedule))\n\(item)}"
        }
        return "[\n" + body.joined(separator: ",\n") + "\n\(indent)]"
    }

    /// The text of the vercel.json at `path`; nil when there is no file (a plan then creates one).
    public static func read(path: String) throws(VercelJSONError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try InputFile.text(path, limit: maximumBytes)
        } catch {
            throw .unreadable(error)
        }
    }

    /// The largest vercel.json rbscron reads (Vercel's own files are a few KiB).
    public static let maximumBytes = 4 << 20

    /// `schedule apply --layer vercel` for an app (in its mode): see ``VercelConfig/apply(app:jobs:path:dryRun:limits:adopt:)``.
    public static func apply(app: App, jobs: [Job], path: String, dryRun: Bool, adopt: Bool = false) throws -> LayerApplyReport {
        try VercelConfig.apply(app: app, jobs: jobs, path: path, dryRun: dryRun, adopt: adopt)
    }
}
