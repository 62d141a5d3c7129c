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
        case .refused(let count, let first):
            return "Vercel would refuse these crons (\(count) problem\(count == 1 ? "" : "s"), first: \(first)); "
                + "nothing was written. See `rbscron schedule plan --layer vercel`."
        case .unwritable(let error): return error.localizedDescription
        }
    }
}

/// The Vercel layer: the `crons` array of an app's `vercel.json` (`[{"path", "schedule"}]`).
public enum VercelCrons {
    /// Vercel's limit of cron jobs per project.
    public static let maxCrons = 100

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

    /// What Vercel would refuse (errors) or handle differently from the inventory (warnings).
    public static func issues(app: App, desired: [(job: Job, entry: Entry)]) -> [PlanIssue] {
        var issues: [PlanIssue] = []
        if desired.count > maxCrons {
            issues.append(PlanIssue(severity: .error, job: nil,
                                    message: "\(desired.count) crons; Vercel allows at most \(maxCrons) per project"))
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
            if app.vercelPlan == .hobby, firesMoreThanOnceADay(schedule) {
                issues.append(PlanIssue(severity: .error, job: ref,
                                        message: "'\(entry.schedule)' fires more than once a day, which a Hobby plan refuses; "
                                            + "run it at most daily or move the project to Pro"))
            }
            if job.method != .GET {
                issues.append(PlanIssue(severity: .warning, job: ref,
                                        message: "the inventory says \(job.method.rawValue), but Vercel Cron calls the path with GET; "
                                            + "the endpoint must accept GET"))
            }
            if !["UTC", "Etc/UTC", "GMT"].contains(job.timezone) {
                issues.append(PlanIssue(severity: .warning, job: ref,
                                        message: "meant in \(job.timezone), but Vercel fires in UTC; '\(entry.schedule)' is written unchanged"))
            }
        }
        return issues
    }

    /// True when some UTC day of a two-month window has two fires or more.
    static func firesMoreThanOnceADay(_ schedule: CronSchedule) -> Bool {
        guard let utc = TimeZone(identifier: "UTC") else { return false }
        let start = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
        let fires = schedule.fires(from: start, to: start.addingTimeInterval(62 * 86_400), in: utc, limit: 200)
        var days = Set<Int>()
        for fire in fires where !days.insert(Int(fire.timeIntervalSince1970 / 86_400)).inserted { return true }
        return false
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

    /// `schedule plan --layer vercel`: the app's vercel jobs against the file's `crons` (matched by path).
    public static func plan(app: App, jobs: [Job], text: String?, file: String) throws(VercelJSONError) -> LayerPlan {
        let desired = Self.desired(app: app, jobs: jobs)
        var remaining = try existing(text: text, file: file)
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
        return LayerPlan(layer: .vercel, app: app.name, items: items, issues: Self.issues(app: app, desired: desired), file: file)
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
        let step = indent.isEmpty ? "  " : (indent.hasPrefix("\t") ? "\t" : String(repeating: " ", count: max(2, min(indent.count, 4))))
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

    /// `schedule apply --layer vercel`: writes the file (through ``OutputFile``) unless `dryRun`; refuses when the plan
    /// has an error issue. A missing file is created holding only `crons`.
    public static func apply(app: App, jobs: [Job], path: String, dryRun: Bool) throws(VercelJSONError) -> LayerApplyReport {
        let text = try read(path: path)
        let plan = try Self.plan(app: app, jobs: jobs, text: text, file: path)
        let errors = plan.issues.filter { $0.severity == .error }
        if let first = errors.first {
            throw .refused(count: errors.count, first: (first.job.map { "\($0): " } ?? "") + first.message)
        }
        var report = LayerApplyReport(plan: plan, dryRun: dryRun)
        report.created = plan.items.filter { $0.action == .create }.map(\.id)
        report.updated = plan.items.filter { $0.action == .update }.map(\.id)
        report.deleted = plan.items.filter { $0.action == .delete }.map(\.id)
        // Nothing to change and the file exists: leave it untouched (no rewrite of equal bytes).
        guard !dryRun, plan.hasDrift || text == nil else { return report }
        let newText = try rewrite(text: text, entries: desired(app: app, jobs: jobs).map(\.entry), file: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(.unwritable(path: folder, reason: SystemErrorText.describe(error)))
        }
        do {
            try OutputFile.write(newText, to: path)
        } catch {
            throw .unwritable(error)
        }
        report.written = path
        return report
    }
}
