import Foundation

/// The Vercel Schedules layer: the `schedules` object of an app's `vercel.json`, keyed by schedule name.
///
/// ```json
/// "schedules": {
///   "daily-dispatcher": {
///     "schedule": "0 14 * * *",
///     "path": "/api/cron/daily-dispatcher",
///     "requestMethod": "POST"
///   }
/// }
/// ```
///
/// Each entry has a `schedule` (cron), an optional IANA `timezone` (UTC when absent), an optional `jitter` (minutes)
/// and one target: a `path` called with `requestMethod`, a private `function`, or a Vercel Queues `topic`
/// (Vercel's Schedules configuration reference; see docs/layers.md). rbscron writes path targets, one per enabled
/// vercel job, named after the job; entries that target a function or a topic are not rbscron's and are kept as
/// they are.
public enum VercelSchedules {
    /// One entry of the `schedules` object.
    public struct Entry: Sendable, Equatable {
        public enum Target: Sendable, Equatable {
            case path(String)
            case function(String)
            case topic(String)
            /// No target key rbscron knows.
            case none

            var path: String? {
                if case .path(let p) = self { return p }
                return nil
            }
        }

        /// The key of the entry (rbscron uses the job's name).
        public var name: String
        public var schedule: String
        /// The IANA zone; nil is UTC.
        public var timezone: String?
        /// Minutes.
        public var jitter: Int?
        public var target: Target
        /// `GET`, `POST`; nil when absent.
        public var requestMethod: String?

        public init(name: String, schedule: String, timezone: String? = nil, jitter: Int? = nil, target: Target,
                    requestMethod: String? = nil) {
            self.name = name
            self.schedule = schedule
            self.timezone = timezone
            self.jitter = jitter
            self.target = target
            self.requestMethod = requestMethod
        }

        /// The fields rbscron compares, as text, in the order they are shown.
        var fields: [(String, String?)] {
            [("schedule", schedule), ("timezone", timezone), ("jitter", jitter.map(String.init)),
             ("path", target.path), ("requestMethod", requestMethod)]
        }
    }

    /// The entry the inventory wants for a vercel job: named after the job, its zone unless UTC, its method.
    public static func entry(for job: Job) -> Entry {
        Entry(name: job.name, schedule: job.schedule ?? "",
              timezone: ScheduleCheck.isUTC(job.timezone) ? nil : job.timezone, jitter: job.jitter,
              target: .path(job.path ?? ""), requestMethod: job.method.rawValue)
    }

    /// The entries the inventory wants for `app`: its enabled vercel jobs, in inventory order.
    public static func desired(app: App, jobs: [Job]) -> [(job: Job, entry: Entry)] {
        jobs.filter { $0.app == app.name && $0.layer == .vercel && $0.enabled }.map { ($0, entry(for: $0)) }
    }

    /// What Vercel would refuse (errors) or do differently from the inventory (warnings), with `limits` as data.
    public static func issues(app: App, desired: [(job: Job, entry: Entry)], declared: Int,
                              limits: LayerLimits = .standard) -> [PlanIssue] {
        var issues: [PlanIssue] = []
        let plan = limits.vercel(app.vercelPlan)
        let schedules = limits.vercelSchedules
        if declared > plan.cronsPerProject {
            issues.append(PlanIssue(severity: .error, job: nil,
                                    message: "\(declared) schedules; Vercel allows at most \(plan.cronsPerProject) per project"))
        }
        for (job, entry) in desired {
            let ref = job.ref.description
            if !(entry.target.path ?? "").hasPrefix("/") {
                issues.append(PlanIssue(severity: .error, job: ref, message: "the path must start with '/' (Vercel calls a path of the deployment)"))
            }
            if job.sql != nil {
                issues.append(PlanIssue(severity: .error, job: ref, message: "Vercel calls paths; a SQL job belongs on pg_cron"))
            }
            if !Self.isName(entry.name) {
                issues.append(PlanIssue(severity: .error, job: ref, message: "'\(entry.name)' is not a schedule name Vercel accepts"))
            }
            do {
                let schedule = try CronSchedule.parse(entry.schedule, dialect: .vercel)
                if let interval = schedule.minimumIntervalSeconds, interval < plan.minimumIntervalSeconds,
                   let name = app.vercelPlan?.rawValue {
                    issues.append(PlanIssue(severity: .error, job: ref,
                                            message: "'\(entry.schedule)' fires more often than \(ScheduleCheck.everyText(plan.minimumIntervalSeconds)), "
                                                + "which the \(name.capitalized) plan refuses"))
                }
            } catch {
                issues.append(PlanIssue(severity: .error, job: ref, message: error.localizedDescription))
            }
            if !schedules.requestMethods.contains(job.method) {
                issues.append(PlanIssue(severity: .error, job: ref,
                                        message: "\(job.method.rawValue): a Vercel Schedules path target is called with "
                                            + schedules.requestMethods.map(\.rawValue).joined(separator: " or ")))
            }
            if let zone = entry.timezone, TimeZone(identifier: zone) == nil || zone.count > schedules.maxTimezoneLength {
                issues.append(PlanIssue(severity: .error, job: ref, message: "'\(zone)' is not a time zone Vercel Schedules accepts"))
            }
            if let jitter = entry.jitter, !schedules.jitterMinutes.contains(jitter) {
                issues.append(PlanIssue(severity: .error, job: ref,
                                        message: "jitter \(jitter) is outside \(schedules.jitterMinutes.lowerBound)–\(schedules.jitterMinutes.upperBound) minutes"))
            }
        }
        return issues
    }

    /// Vercel's schedule names: a letter or digit, then letters, digits, `.`, `_` or `-`.
    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first)
        else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    /// `schedule plan --layer vercel` in schedules mode: the app's vercel jobs against the file's `schedules`
    /// (matched by name). Path entries that are not an enabled job of the app are deleted; function and topic entries
    /// are ignored (not rbscron's). Every `crons` entry is deleted too: in schedules mode the app declares no Vercel
    /// Cron, and a cron left beside its schedule would fire the path twice.
    public static func plan(app: App, jobs: [Job], text: String?, file: String, limits: LayerLimits = .standard)
        throws(VercelJSONError) -> LayerPlan {
        let config = try VercelConfig.read(text: text, file: file)
        let desired = Self.desired(app: app, jobs: jobs)
        let wanted = Dictionary(desired.map { ($0.entry.name, $0) }, uniquingKeysWith: { a, _ in a })
        var items: [PlanItem] = []
        var seen = Set<String>()
        for member in config.schedules {
            let entry = member.entry
            if let (job, want) = wanted[entry.name] {
                seen.insert(entry.name)
                let changes = zip(entry.fields, want.fields).compactMap { old, new in
                    old.1 == new.1 ? nil : FieldChange(field: new.0, from: old.1, to: new.1)
                }
                items.append(PlanItem(id: entry.name, job: job.ref.description, action: changes.isEmpty ? .unchanged : .update,
                                      schedule: want.schedule, target: describe(want), changes: changes))
            } else if let path = entry.target.path {
                items.append(PlanItem(id: entry.name, job: nil, action: .delete, schedule: entry.schedule, target: path,
                                      note: "in \(file) but not an enabled vercel job of \(app.name)"))
            } else {
                items.append(PlanItem(id: entry.name, job: nil, action: .ignored, schedule: entry.schedule, target: describe(entry),
                                      note: "targets a function or a queue topic, not a path: not rbscron's to change"))
            }
        }
        for (job, want) in desired where !seen.contains(want.name) {
            items.append(PlanItem(id: want.name, job: job.ref.description, action: .create, schedule: want.schedule,
                                  target: describe(want)))
        }
        let byPath = Dictionary(desired.map { ($0.entry.target.path ?? "", $0.entry.name) }, uniquingKeysWith: { a, _ in a })
        for cron in config.crons {
            let moved = byPath[cron.path].map { "moved to schedules as '\($0)'; left in crons, Vercel Cron would fire it too" }
            items.append(PlanItem(id: cron.path, job: nil, action: .delete, schedule: cron.schedule, target: cron.path,
                                  note: moved ?? "a Vercel Cron entry; \(app.name) uses Vercel Schedules (vercel_mode: schedules)"))
        }
        let declared = jobs.filter { $0.app == app.name && $0.layer == .vercel }.count
        let counted = limits.vercel(app.vercelPlan).disabledCronsCount ? declared : desired.count
        let foreign = items.filter { $0.action == .ignored }.count
        return LayerPlan(layer: .vercel, app: app.name, items: items,
                         issues: issues(app: app, desired: desired, declared: counted + foreign, limits: limits), file: file)
    }

    /// How a plan line shows an entry's target: `POST /path (America/Mexico_City, jitter 5)`.
    static func describe(_ entry: Entry) -> String {
        var text: String
        switch entry.target {
        case .path(let p): text = "\(entry.requestMethod ?? "GET") \(p)"
        case .function(let f): text = "function \(f)"
        case .topic(let t): text = "topic \(t)"
        case .none: text = "(no target)"
        }
        let extras = [entry.timezone, entry.jitter.map { "jitter \($0)" }].compactMap { $0 }
        if !extras.isEmpty { text += " (\(extras.joined(separator: ", ")))" }
        return text
    }

    /// The `schedules` value for `desired`: entries that stay as they are keep their bytes (foreign ones included), in
    /// file order; changed ones are rendered again (keys rbscron does not know kept); new ones follow.
    static func render(existing: [VercelConfig.ScheduleMember], desired: [Entry], keepForeign: Bool, indent: String) -> String {
        let step = JSONTopLevelText.step(after: indent)
        let item = indent + step
        let wanted = Dictionary(desired.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var parts: [String] = []
        var written = Set<String>()
        for member in existing {
            if let want = wanted[member.entry.name] {
                written.insert(want.name)
                parts.append(want == member.entry ? member.raw : renderEntry(want, extra: member.extra, indent: item, step: step))
            } else if keepForeign && member.entry.target.path == nil {
                parts.append(member.raw)
            }
        }
        for want in desired where !written.contains(want.name) {
            parts.append(renderEntry(want, extra: [], indent: item, step: step))
        }
        guard !parts.isEmpty else { return "{}" }
        return "{\n" + parts.map { item + $0 }.joined(separator: ",\n") + "\n\(indent)}"
    }

    /// `"name": { … }`, its fields one step deeper than `indent`.
    static func renderEntry(_ entry: Entry, extra: [(String, String)], indent: String, step: String) -> String {
        let field = indent + step
        var lines = ["\"schedule\": \(JSONTopLevelText.quote(entry.schedule))"]
        if let zone = entry.timezone { lines.append("\"timezone\": \(JSONTopLevelText.quote(zone))") }
        if let jitter = entry.jitter { lines.append("\"jitter\": \(jitter)") }
        switch entry.target {
        case .path(let p): lines.append("\"path\": \(JSONTopLevelText.quote(p))")
        case .function(let f): lines.append("\"function\": \(JSONTopLevelText.quote(f))")
        case .topic(let t): lines.append("\"topic\": \(JSONTopLevelText.quote(t))")
        case .none: break
        }
        if let method = entry.requestMethod { lines.append("\"requestMethod\": \(JSONTopLevelText.quote(method))") }
        for (key, raw) in extra { lines.append("\(JSONTopLevelText.quote(key)): \(raw)") }
        return "\(JSONTopLevelText.quote(entry.name)): {\n" + lines.map { field + $0 }.joined(separator: ",\n") + "\n\(indent)}"
    }
}
