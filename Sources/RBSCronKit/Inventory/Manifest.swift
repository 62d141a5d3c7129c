import Foundation
import Yams

/// One problem in a manifest, located by file, line, column and field path.
public struct ManifestIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The field path, e.g. `apps[2].jobs[0].schedule`.
    public var field: String
    public var message: String

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return field.isEmpty ? "\(location): \(message)" : "\(location): \(field): \(message)"
    }
}

/// A manifest that cannot be imported. Nothing was written.
public struct ManifestError: Error, LocalizedError, Sendable {
    public var issues: [ManifestIssue]

    public var errorDescription: String? {
        let shown = issues.prefix(20).map(\.description)
        let more = issues.count > 20 ? ["… and \(issues.count - 20) more problems"] : []
        let head = issues.count == 1 ? "the manifest has a problem; nothing was imported:"
            : "the manifest has \(issues.count) problems; nothing was imported:"
        return ([head] + shown + more).joined(separator: "\n  ")
    }
}

/// The YAML manifest: the reviewable text form of the inventory.
///
/// ```yaml
/// version: 1
/// apps:
///   - name: camino
///     display_name: Camino
///     base_url: https://camino.example.com
///     platform: vercel
///     jobs:
///       - name: daily-dispatcher
///         path: /api/cron/daily-dispatcher
///         layer: vercel
///         schedule: "0 14 * * *"
/// ```
public enum Manifest {
    public static let version = 1

    /// How much a manifest may hold. It is outside input, so its size and the work its YAML aliases make are
    /// bounded before anything is built from it.
    public enum Limits {
        /// The largest manifest rbscron reads: room for about 100,000 apps.
        public static let maximumBytes = 32 << 20
        /// A manifest may expand to this many YAML values through its aliases (`*name`), or to one per byte of
        /// its text when that is more: written out, a value takes at least a byte, so only aliases reach more.
        public static let minimumNodes = 100_000

        static func nodes(forBytes bytes: Int) -> Int { max(minimumNodes, bytes) }
    }

    /// Parses and validates a manifest. Every problem found is reported at once.
    public static func load(yaml: String, file: String) throws(ManifestError) -> Inventory {
        let bytes = yaml.utf8.count
        guard bytes <= Limits.maximumBytes else {
            throw ManifestError(issues: [ManifestIssue(
                file: file, line: nil, column: nil, field: "",
                message: "the manifest is larger than \(InputFile.size(Limits.maximumBytes)) (\(bytes) bytes), the most "
                    + "rbscron reads; check that it is the right file, or split the inventory")])
        }
        var decoder = ManifestDecoder(file: file)
        let inventory = decoder.decode(yaml)
        var issues = decoder.issues
        if let inventory, issues.isEmpty {
            issues += InventoryValidator.issues(in: inventory).map { problem in
                let mark = decoder.marks[problem.field] ?? decoder.marks[problem.parentField]
                return ManifestIssue(file: file, line: mark?.line, column: mark?.column,
                                     field: problem.field, message: problem.message)
            }
        }
        guard issues.isEmpty, let inventory else {
            throw ManifestError(issues: issues.isEmpty
                ? [ManifestIssue(file: file, field: "", message: "the manifest is empty")] : issues)
        }
        return inventory
    }

    /// Renders an inventory as a manifest that `load` reads back to the same inventory.
    public static func render(_ inventory: Inventory) -> String {
        ManifestWriter().render(inventory)
    }

    /// `90%` or `0.9` → 0.9 (nil when it is neither).
    public static func rate(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast().trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
            return value / 100
        }
        guard let value = Double(trimmed), value.isFinite else { return nil }
        return value
    }

    /// `90%`, `99.5%`: a rate as the manifest writes it (and ``ManifestDecoder`` reads it back exactly).
    static func percent(_ rate: Double) -> String {
        let value = (rate * 100_000).rounded() / 1000
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}

/// Builds the YAML tree of a manifest. A Yams `Tag` made with the defaults carries a constructor of its own (three
/// dictionaries), which made exporting 100,000 apps take gigabytes: here one constructor serves every tag, and the
/// one `str` tag (never re-resolved) serves every string. Implicit tags stay one per node, since Yams resolves
/// them in place.
private struct ManifestWriter {
    let constructor = Constructor.default
    let strTag: Tag

    init() { strTag = Tag(.str, .default, constructor) }

    private var implicitTag: Tag { Tag(.implicit, .default, constructor) }

    func render(_ inventory: Inventory) -> String {
        var appNodes: [Node] = []
        appNodes.reserveCapacity(inventory.apps.count)
        for app in inventory.apps {
            var pairs: [(Node, Node)] = [
                (key("name"), str(app.name)),
                (key("display_name"), str(app.displayName)),
                (key("base_url"), str(app.baseURL)),
                (key("platform"), str(app.platform.rawValue)),
            ]
            if let plan = app.vercelPlan { pairs.append((key("vercel_plan"), str(plan.rawValue))) }
            if app.vercelMode != .crons { pairs.append((key("vercel_mode"), str(app.vercelMode.rawValue))) }
            if let plan = app.qstashPlan { pairs.append((key("qstash_plan"), str(plan.rawValue))) }
            if app.health != HealthTarget() {
                pairs.append((key("health"), mapping([
                    (key("path"), str(app.health.path)),
                    (key("method"), str(app.health.method.rawValue)),
                    (key("expect"), plain(String(app.health.expectedStatus))),
                ], .flow)))
            }
            if let supabase = app.supabase {
                var sp: [(Node, Node)] = []
                if let url = supabase.url { sp.append((key("url"), str(url))) }
                if let ref = supabase.projectRef { sp.append((key("project_ref"), str(ref))) }
                if let version = supabase.pgCronVersionText { sp.append((key("pg_cron_version"), quoted(version))) }
                pairs.append((key("supabase"), mapping(sp, .flow)))
            }
            if let project = app.vercelProject { pairs.append((key("vercel_project"), str(project))) }
            if let team = app.vercelTeam { pairs.append((key("vercel_team"), str(team))) }
            if !app.active { pairs.append((key("active"), plain("false"))) }
            if !app.notes.isEmpty { pairs.append((key("notes"), str(app.notes))) }
            pairs.append((key("jobs"), sequence(inventory.jobs(ofApp: app.name).map(jobNode))))
            appNodes.append(mapping(pairs))
        }
        var top: [(Node, Node)] = [
            (key("version"), plain(String(Manifest.version))),
            (key("apps"), sequence(appNodes)),
        ]
        if !inventory.maintenance.isEmpty { top.append((key("maintenance"), sequence(inventory.maintenance.map(windowNode)))) }
        let root = mapping(top)
        let body = (try? Yams.serialize(node: root, indent: 2, width: -1, allowUnicode: true)) ?? ""
        return "# rbscron inventory manifest (import with: rbscron import FILE)\n" + body
    }

    private func jobNode(_ job: Job) -> Node {
        var pairs: [(Node, Node)] = [(key("name"), str(job.name))]
        if let path = job.path { pairs.append((key("path"), str(path))) }
        if let sql = job.sql { pairs.append((key("sql"), str(sql))) }
        pairs.append((key("method"), str(job.method.rawValue)))
        pairs.append((key("layer"), str(job.layer.rawValue)))
        if let schedule = job.schedule { pairs.append((key("schedule"), quoted(schedule))) }
        if job.timezone != "UTC" { pairs.append((key("timezone"), str(job.timezone))) }
        pairs.append((key("auth"), str(job.auth.rawValue)))
        pairs.append((key("timeout"), str(DurationText.format(milliseconds: job.timeoutMs))))
        if job.retries != 0 { pairs.append((key("retries"), plain(String(job.retries)))) }
        if job.priority != .medium { pairs.append((key("priority"), str(job.priority.rawValue))) }
        if !job.enabled { pairs.append((key("enabled"), plain("false"))) }
        if let parent = job.triggeredBy { pairs.append((key("triggered_by"), str(parent.description))) }
        if let order = job.order { pairs.append((key("order"), plain(String(order)))) }
        if !job.dependsOn.isEmpty {
            pairs.append((key("depends_on"), sequence(job.dependsOn.map { str($0.description) }, .flow)))
        }
        if let group = job.group { pairs.append((key("group"), str(group))) }
        if let jitter = job.jitter { pairs.append((key("jitter"), plain(String(jitter)))) }
        if !job.description.isEmpty { pairs.append((key("description"), str(job.description))) }
        if let alert = job.alert, !alert.isEmpty {
            var fields: [(Node, Node)] = []
            if let failures = alert.failures { fields.append((key("failures"), plain(String(failures)))) }
            if let rate = alert.successRate { fields.append((key("success_rate"), str(Manifest.percent(rate)))) }
            if let missed = alert.missedFires { fields.append((key("missed_fires"), plain(missed ? "true" : "false"))) }
            pairs.append((key("alert"), mapping(fields, .flow)))
        }
        return mapping(pairs)
    }

    private func windowNode(_ window: MaintenanceWindow) -> Node {
        var pairs: [(Node, Node)] = [
            (key("name"), str(window.name)),
            (key("cron"), quoted(window.cron)),
            (key("duration"), str(DurationText.format(milliseconds: window.durationMs))),
        ]
        if window.timezone != "UTC" { pairs.append((key("timezone"), str(window.timezone))) }
        if !window.apps.isEmpty { pairs.append((key("apps"), sequence(window.apps.map(str), .flow))) }
        if !window.jobs.isEmpty { pairs.append((key("jobs"), sequence(window.jobs.map { str($0.description) }, .flow))) }
        if !window.reason.isEmpty { pairs.append((key("reason"), str(window.reason))) }
        return mapping(pairs)
    }

    private func mapping(_ pairs: [(Node, Node)], _ style: Node.Mapping.Style = .any) -> Node { Node(pairs, implicitTag, style) }
    private func sequence(_ items: [Node], _ style: Node.Sequence.Style = .any) -> Node { Node(items, implicitTag, style) }
    private func key(_ s: String) -> Node { Node(s, implicitTag, .any) }
    private func plain(_ s: String) -> Node { Node(s, implicitTag, .plain) }
    /// A string scalar; Yams quotes it when YAML would read it as something else.
    private func str(_ s: String) -> Node { Node(s, strTag, .any) }
    private func quoted(_ s: String) -> Node { Node(s, strTag, .doubleQuoted) }
}

/// Walks the YAML tree, remembering where each field was, and builds the inventory.
struct ManifestDecoder {
    let file: String
    var issues: [ManifestIssue] = []
    var marks: [String: Mark] = [:]

    init(file: String) { self.file = file }

    mutating func decode(_ yaml: String) -> Inventory? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
                issues.append(ManifestIssue(file: file, line: mark.line, column: mark.column, field: "",
                                            message: "not valid YAML: \(problem)"))
            case .duplicatedKeysInMapping(let duplicates, let context):
                let names = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
                issues.append(ManifestIssue(file: file, line: context.mark.line, column: context.mark.column, field: "",
                                            message: "\(names) appears twice in the same mapping"))
            default:
                issues.append(ManifestIssue(file: file, field: "", message: "not valid YAML: \(error)"))
            }
            return nil
        } catch {
            issues.append(ManifestIssue(file: file, field: "", message: "not valid YAML: \(error)"))
            return nil
        }
        guard let root else { return nil }
        // Aliases share one node however often they are used, so composing is cheap; walking is not. Count what a
        // walk would visit before walking, and stop at the bound.
        let bound = Manifest.Limits.nodes(forBytes: yaml.utf8.count)
        var budget = bound
        if let node = Self.exhausts(root, budget: &budget) {
            issue(node, "", "the manifest expands to more than \(bound) YAML values once its aliases (*name) are "
                  + "repeated (the bound is \(Manifest.Limits.minimumNodes), or one value per byte of the file); "
                  + "the count went over at this value, inside an anchored part (&name) that aliases repeat. Write the "
                  + "repeated parts out, or repeat fewer")
            return nil
        }
        guard let top = mapping(root, "", allowed: ["version", "apps", "maintenance"]) else { return nil }
        if let v = top["version"] {
            if let n = int(v, "version"), n != Manifest.version {
                issue(v, "version", "unsupported manifest version \(n); this rbscron reads version \(Manifest.version)")
            }
        } else {
            issue(root, "version", "missing; add `version: \(Manifest.version)` at the top")
        }
        guard let appsNode = top["apps"] else {
            issue(root, "apps", "missing; a manifest lists its apps under `apps:`")
            return nil
        }
        var apps: [App] = []
        var jobs: [Job] = []
        for (i, appNode) in sequence(appsNode, "apps").enumerated() {
            let path = "apps[\(i)]"
            if let (app, appJobs) = decodeApp(appNode, path) {
                apps.append(app)
                jobs += appJobs
            }
        }
        var maintenance: [MaintenanceWindow] = []
        if let windows = top["maintenance"] {
            for (i, node) in sequence(windows, "maintenance").enumerated() {
                if let window = decodeWindow(node, "maintenance[\(i)]") { maintenance.append(window) }
            }
        }
        return Inventory(apps: apps, jobs: jobs, maintenance: maintenance)
    }

    private mutating func decodeWindow(_ node: Node, _ path: String) -> MaintenanceWindow? {
        guard let m = mapping(node, path, allowed: ["name", "cron", "duration", "timezone", "apps", "jobs", "reason"]) else {
            return nil
        }
        guard let name = requiredString(m, node, path, "name"), let cron = requiredString(m, node, path, "cron") else { return nil }
        var window = MaintenanceWindow(name: name, cron: cron, durationMs: 0)
        if let d = m["duration"] {
            if let text = scalarString(d, "\(path).duration") {
                if let ms = DurationText.milliseconds(text) {
                    window.durationMs = ms
                } else {
                    issue(d, "\(path).duration", "'\(text)' is not a duration; write it like 30m, 2h or 1d")
                }
            }
        } else {
            issue(node, "\(path).duration", "missing; how long each window lasts, e.g. 2h")
        }
        if let tz = string(m, path, "timezone") { window.timezone = tz }
        if let a = m["apps"] {
            for (k, item) in sequence(a, "\(path).apps").enumerated() {
                if let text = scalarString(item, "\(path).apps[\(k)]") { window.apps.append(text) }
            }
        }
        if let j = m["jobs"] {
            for (k, item) in sequence(j, "\(path).jobs").enumerated() {
                guard let text = scalarString(item, "\(path).jobs[\(k)]") else { continue }
                if let ref = JobRef(text) { window.jobs.append(ref) } else {
                    issue(item, "\(path).jobs[\(k)]", "'\(text)' is not a job address; write it as APP/JOB")
                }
            }
        }
        window.reason = string(m, path, "reason") ?? ""
        return window
    }

    private mutating func decodeAlert(_ node: Node, _ path: String) -> JobAlertPolicy? {
        guard let m = mapping(node, path, allowed: ["failures", "success_rate", "missed_fires"]) else { return nil }
        var policy = JobAlertPolicy()
        if let f = m["failures"], let n = int(f, "\(path).failures") { policy.failures = n }
        if let r = m["success_rate"], let text = scalarString(r, "\(path).success_rate") {
            if let rate = Manifest.rate(text) {
                policy.successRate = rate
            } else {
                issue(r, "\(path).success_rate", "'\(text)' is not a rate; write it like 90% or 0.9")
            }
        }
        if let b = m["missed_fires"], let value = bool(b, "\(path).missed_fires") { policy.missedFires = value }
        return policy
    }

    private mutating func decodeApp(_ node: Node, _ path: String) -> (App, [Job])? {
        guard let m = mapping(node, path, allowed: ["name", "display_name", "base_url", "platform", "vercel_plan",
                                                     "vercel_mode", "qstash_plan", "vercel_project", "vercel_team",
                                                     "health", "supabase", "active",
                                                     "notes", "jobs"]) else { return nil }
        guard let name = requiredString(m, node, path, "name") else { return nil }
        let displayName = string(m, path, "display_name") ?? name
        let baseURL = requiredString(m, node, path, "base_url") ?? ""
        let platform = enumValue(m, node, path, "platform", Platform.self, required: true) ?? .other
        let plan = enumValue(m, node, path, "vercel_plan", VercelPlan.self, required: false)
        let mode = enumValue(m, node, path, "vercel_mode", VercelMode.self, required: false) ?? .crons
        let qstashPlan = enumValue(m, node, path, "qstash_plan", QStashPlan.self, required: false)
        var health = HealthTarget()
        if let h = m["health"], let hm = mapping(h, "\(path).health", allowed: ["path", "method", "expect"]) {
            if let p = string(hm, "\(path).health", "path") { health.path = p }
            if let method = enumValue(hm, h, "\(path).health", "method", HTTPMethod.self, required: false) { health.method = method }
            if let e = hm["expect"], let code = int(e, "\(path).health.expect") { health.expectedStatus = code }
        }
        var supabase: SupabaseProject?
        if let s = m["supabase"], let sm = mapping(s, "\(path).supabase", allowed: ["url", "project_ref", "pg_cron_version"]) {
            var version: PgCronVersion?
            if let v = sm["pg_cron_version"], let text = scalarString(v, "\(path).supabase.pg_cron_version") {
                version = PgCronVersion(text)
                if version == nil {
                    issue(v, "\(path).supabase.pg_cron_version",
                          "'\(text)' is not a pg_cron version; write it like \"1.6\" (Supabase's) or \"1.4\" (Debian 12's)")
                }
            }
            supabase = SupabaseProject(url: string(sm, "\(path).supabase", "url"),
                                       projectRef: string(sm, "\(path).supabase", "project_ref"), pgCronVersion: version)
        }
        let vercelProject = string(m, path, "vercel_project")
        let vercelTeam = string(m, path, "vercel_team")
        let active = m["active"].flatMap { bool($0, "\(path).active") } ?? true
        let notes = string(m, path, "notes") ?? ""
        var jobs: [Job] = []
        if let jobsNode = m["jobs"] {
            for (j, jobNode) in sequence(jobsNode, "\(path).jobs").enumerated() {
                if let job = decodeJob(jobNode, "\(path).jobs[\(j)]", app: name) { jobs.append(job) }
            }
        }
        let app = App(name: name, displayName: displayName, baseURL: baseURL, platform: platform, vercelPlan: plan,
                      vercelMode: mode, qstashPlan: qstashPlan, health: health, supabase: supabase,
                      vercelProject: vercelProject, vercelTeam: vercelTeam, active: active, notes: notes)
        return (app, jobs)
    }

    private mutating func decodeJob(_ node: Node, _ path: String, app: String) -> Job? {
        let allowed: Set<String> = ["name", "path", "sql", "method", "layer", "schedule", "timezone", "auth", "timeout",
                                    "retries", "priority", "enabled", "triggered_by", "order", "depends_on", "description", "group",
                                    "alert", "jitter"]
        guard let m = mapping(node, path, allowed: allowed) else { return nil }
        guard let name = requiredString(m, node, path, "name") else { return nil }
        let layer = enumValue(m, node, path, "layer", Layer.self, required: true) ?? .manual
        var job = Job(app: app, name: name, path: string(m, path, "path"), sql: string(m, path, "sql"), layer: layer)
        if let method = enumValue(m, node, path, "method", HTTPMethod.self, required: false) { job.method = method }
        job.schedule = string(m, path, "schedule")
        if let tz = string(m, path, "timezone") { job.timezone = tz }
        if let auth = enumValue(m, node, path, "auth", AuthKind.self, required: false) {
            job.auth = auth
        } else if job.path == nil {
            job.auth = .none
        }
        if let t = m["timeout"] {
            if let text = scalarString(t, "\(path).timeout") {
                if let ms = DurationText.milliseconds(text) {
                    job.timeoutMs = ms
                } else {
                    issue(t, "\(path).timeout", "'\(text)' is not a duration; write it like 500ms, 30s, 5m or 2h")
                }
            }
        } else {
            job.timeoutMs = Layer.defaultTimeoutMs(layer)
        }
        if let r = m["retries"], let n = int(r, "\(path).retries") { job.retries = n }
        if let p = enumValue(m, node, path, "priority", Priority.self, required: false) { job.priority = p }
        if let e = m["enabled"], let b = bool(e, "\(path).enabled") { job.enabled = b }
        if let t = m["triggered_by"], let text = scalarString(t, "\(path).triggered_by") {
            if let ref = JobRef(text) { job.triggeredBy = ref } else {
                issue(t, "\(path).triggered_by", "'\(text)' is not a job address; write it as APP/JOB, e.g. camino/daily-dispatcher")
            }
        }
        if let o = m["order"], let n = int(o, "\(path).order") { job.order = n }
        if let d = m["depends_on"] {
            for (k, item) in sequence(d, "\(path).depends_on").enumerated() {
                guard let text = scalarString(item, "\(path).depends_on[\(k)]") else { continue }
                if let ref = JobRef(text) { job.dependsOn.append(ref) } else {
                    issue(item, "\(path).depends_on[\(k)]", "'\(text)' is not a job address; write it as APP/JOB")
                }
            }
        }
        job.description = string(m, path, "description") ?? ""
        job.group = string(m, path, "group")
        if let a = m["alert"] { job.alert = decodeAlert(a, "\(path).alert") }
        if let j = m["jitter"], let n = int(j, "\(path).jitter") { job.jitter = n }
        return job
    }

    /// The node at which a walk of `node` (aliases expanded) would visit more than `budget` nodes; nil when it stays
    /// within. Recursion depth is bounded by libyaml's nesting limit.
    static func exhausts(_ node: Node, budget: inout Int) -> Node? {
        budget -= 1
        if budget < 0 { return node }
        switch node {
        case .scalar, .alias:
            return nil
        case .sequence(let sequence):
            for item in sequence {
                if let over = exhausts(item, budget: &budget) { return over }
            }
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let over = exhausts(key, budget: &budget) { return over }
                if let over = exhausts(value, budget: &budget) { return over }
            }
        }
        return nil
    }

    // MARK: - Typed access that records marks and issues

    private mutating func issue(_ node: Node, _ field: String, _ message: String) {
        issues.append(ManifestIssue(file: file, line: node.mark?.line, column: node.mark?.column, field: field, message: message))
    }

    /// A mapping with string keys; unknown and duplicate keys are reported.
    private mutating func mapping(_ node: Node, _ path: String, allowed: Set<String>) -> [String: Node]? {
        if let mark = node.mark { marks[path] = mark }
        guard case .mapping(let m) = node else {
            issue(node, path, "expected a mapping of fields here")
            return nil
        }
        var result: [String: Node] = [:]
        for (k, v) in m {
            guard let name = k.string else {
                issue(k, path, "field names must be text")
                continue
            }
            let field = path.isEmpty ? name : "\(path).\(name)"
            if !allowed.contains(name) {
                let hint = Suggest.closest(to: name, in: Array(allowed)).map { "; did you mean '\($0)'?" } ?? ""
                issue(k, field, "unknown field '\(name)'\(hint)")
                continue
            }
            if result[name] != nil {
                issue(k, field, "'\(name)' appears twice")
                continue
            }
            if let mark = v.mark ?? k.mark { marks[field] = mark }
            result[name] = v
        }
        return result
    }

    private mutating func sequence(_ node: Node, _ path: String) -> [Node] {
        if let mark = node.mark { marks[path] = mark }
        guard case .sequence(let s) = node else {
            issue(node, path, "expected a list here")
            return []
        }
        return Array(s)
    }

    private mutating func scalarString(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let s) = node else {
            issue(node, path, "expected a single value here")
            return nil
        }
        return s.string
    }

    private mutating func string(_ m: [String: Node], _ path: String, _ name: String) -> String? {
        guard let node = m[name] else { return nil }
        return scalarString(node, "\(path).\(name)")
    }

    private mutating func requiredString(_ m: [String: Node], _ parent: Node, _ path: String, _ name: String) -> String? {
        guard let node = m[name] else {
            issue(parent, "\(path).\(name)", "missing")
            return nil
        }
        return scalarString(node, "\(path).\(name)")
    }

    private mutating func int(_ node: Node, _ path: String) -> Int? {
        guard let text = scalarString(node, path) else { return nil }
        guard let n = Int(text) else {
            issue(node, path, "'\(text)' is not a whole number")
            return nil
        }
        return n
    }

    private mutating func bool(_ node: Node, _ path: String) -> Bool? {
        guard let text = scalarString(node, path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            issue(node, path, "'\(text)' is not true or false")
            return nil
        }
    }

    private mutating func enumValue<E: RawRepresentable & CaseIterable>(
        _ m: [String: Node], _ parent: Node, _ path: String, _ name: String, _ type: E.Type, required: Bool
    ) -> E? where E.RawValue == String {
        guard let node = m[name] else {
            if required { issue(parent, "\(path).\(name)", "missing; one of \(E.allCases.map(\.rawValue).joined(separator: ", "))") }
            return nil
        }
        guard let text = scalarString(node, "\(path).\(name)") else { return nil }
        if let value = E(rawValue: text) { return value }
        let choices = E.allCases.map(\.rawValue)
        let hint = Suggest.closest(to: text, in: choices).map { "did you mean '\($0)'? " } ?? ""
        issue(node, "\(path).\(name)", "unknown \(name) '\(text)'; \(hint)expected one of \(choices.joined(separator: ", "))")
        return nil
    }
}

extension Layer {
    /// The timeout a job gets when its manifest entry names none.
    static func defaultTimeoutMs(_ layer: Layer) -> Int {
        switch layer {
        case .pgCron: return 10_000
        case .qstash: return 30_000
        case .vercel, .fanout, .manual: return 60_000
        }
    }
}
