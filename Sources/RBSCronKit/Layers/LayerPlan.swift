import Foundation

/// What `schedule plan` proposes for one schedule of a layer.
public enum PlanAction: String, Codable, Sendable, CaseIterable {
    /// In the inventory, not in the layer.
    case create
    /// In both, with differing fields.
    case update
    /// In the layer, no longer in the inventory (and rbscron may remove it).
    case delete
    /// In both and equal.
    case unchanged
    /// In the layer but not rbscron's to touch (no `rbs-` prefix, without `--prune-foreign`).
    case ignored
    /// Entries rbscron did not make that do this job's work (same destination, same path): `apply --adopt` puts
    /// rbscron's own entry in their place in one step, so the job never fires twice nor misses a fire.
    case adopt
}

/// An entry of a layer that rbscron did not make, as an `adopt` item names it.
public struct ForeignEntry: Codable, Sendable, Equatable {
    /// Its id in the layer: the QStash schedule id, the pg_cron job name (or `#<jobid>` when it has none), the
    /// Vercel Schedules entry name.
    public var id: String
    /// Its schedule, as the layer holds it.
    public var schedule: String
    /// What it calls: the destination URL, the command (credentials hidden), the path.
    public var target: String
    /// When the layer says it fires next, if it says.
    public var nextFire: Date?

    public init(id: String, schedule: String, target: String, nextFire: Date? = nil) {
        self.id = id
        self.schedule = schedule
        self.target = target
        self.nextFire = nextFire
    }

    enum CodingKeys: String, CodingKey { case id, schedule, target, nextFire = "next_fire" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(target, forKey: .target)
        try c.encode(nextFire, forKey: .nextFire)
    }
}

/// One field that differs between the layer and the inventory. Header values are never shown.
public struct FieldChange: Codable, Sendable, Equatable {
    public var field: String
    /// What the layer has (nil when absent).
    public var from: String?
    /// What the inventory wants (nil when it should be absent).
    public var to: String?

    public init(field: String, from: String?, to: String?) {
        self.field = field
        self.from = from
        self.to = to
    }
}

/// One line of a plan: a schedule, what happens to it and why.
public struct PlanItem: Codable, Sendable, Equatable {
    /// The schedule's id in the layer: `rbs-<app>-<job>` on QStash and pg_cron, the path on Vercel.
    public var id: String
    /// The inventory job (`APP/JOB`), when there is one.
    public var job: String?
    public var action: PlanAction
    /// The desired (or, for a delete, the current) schedule in the layer's dialect.
    public var schedule: String?
    /// Where it fires: the destination URL, or the Vercel path.
    public var target: String?
    /// The differing fields of an update.
    public var changes: [FieldChange]
    /// Why an item is ignored or flagged.
    public var note: String?
    /// `adopt`: the foreign entries rbscron's entry replaces (empty for every other action).
    public var adopts: [ForeignEntry]
    /// `adopt`: the first fire rbscron's entry makes (for pg_cron, the first one after the migration is applied
    /// if it is applied now).
    public var firstFire: Date?

    public init(id: String, job: String?, action: PlanAction, schedule: String?, target: String?,
                changes: [FieldChange] = [], note: String? = nil, adopts: [ForeignEntry] = [], firstFire: Date? = nil) {
        self.id = id
        self.job = job
        self.action = action
        self.schedule = schedule
        self.target = target
        self.changes = changes
        self.note = note
        self.adopts = adopts
        self.firstFire = firstFire
    }

    enum CodingKeys: String, CodingKey { case id, job, action, schedule, target, changes, note, adopts, firstFire = "first_fire" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        job = try c.decodeIfPresent(String.self, forKey: .job)
        action = try c.decode(PlanAction.self, forKey: .action)
        schedule = try c.decodeIfPresent(String.self, forKey: .schedule)
        target = try c.decodeIfPresent(String.self, forKey: .target)
        changes = try c.decodeIfPresent([FieldChange].self, forKey: .changes) ?? []
        note = try c.decodeIfPresent(String.self, forKey: .note)
        adopts = try c.decodeIfPresent([ForeignEntry].self, forKey: .adopts) ?? []
        firstFire = try c.decodeIfPresent(Date.self, forKey: .firstFire)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(job, forKey: .job)
        try JobAddress.encode(job, to: encoder)
        try c.encode(action, forKey: .action)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(target, forKey: .target)
        try c.encode(changes, forKey: .changes)
        try c.encode(note, forKey: .note)
        try c.encode(adopts, forKey: .adopts)
        try c.encode(firstFire, forKey: .firstFire)
    }
}

/// A problem a layer would refuse (`error`, nothing is applied), a credential exposed in the layer (`critical`: a
/// secret to rotate), or a fact worth flagging (`warning`).
public struct PlanIssue: Codable, Sendable, Equatable {
    public enum Severity: String, Codable, Sendable { case critical, error, warning }
    public var severity: Severity
    /// The job concerned (`APP/JOB`), or nil for the whole plan.
    public var job: String?
    public var message: String

    public init(severity: Severity, job: String?, message: String) {
        self.severity = severity
        self.job = job
        self.message = message
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(severity, forKey: .severity)
        try c.encode(job, forKey: .job)
        try JobAddress.encode(job, to: encoder)
        try c.encode(message, forKey: .message)
    }

    enum CodingKeys: String, CodingKey { case severity, job, message }
}

/// The inventory compared with what a layer holds: the `schedule plan` report, also the first half of `apply`.
public struct LayerPlan: Codable, Sendable, Equatable {
    public var layer: Layer
    /// The app the plan is limited to, if any.
    public var app: String?
    public var items: [PlanItem]
    public var issues: [PlanIssue]
    /// The file the plan is about: the `vercel.json` or the pg_cron migration to write.
    public var file: String?
    /// The pg_cron migration's SQL.
    public var sql: String?

    public init(layer: Layer, app: String?, items: [PlanItem], issues: [PlanIssue] = [], file: String? = nil, sql: String? = nil) {
        self.layer = layer
        self.app = app
        self.items = items
        self.issues = issues
        self.file = file
        self.sql = sql
    }

    /// How many items take each action.
    public func count(_ action: PlanAction) -> Int { items.filter { $0.action == action }.count }

    /// True when applying would change the layer (a create, update, delete or adopt).
    public var hasDrift: Bool { items.contains { [.create, .update, .delete, .adopt].contains($0.action) } }

    /// True when the layer exposes a credential (a `critical` issue): a secret to rotate.
    public var hasCritical: Bool { issues.contains { $0.severity == .critical } }

    /// True when the layer would refuse the schedules (an `error` issue).
    public var hasErrors: Bool { issues.contains { $0.severity == .error } }

    enum CodingKeys: String, CodingKey { case layer, app, items, issues, file, sql, summary, drift }
    enum SummaryKeys: String, CodingKey { case create, update, delete, unchanged, ignored, adopt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        layer = try c.decode(Layer.self, forKey: .layer)
        app = try c.decodeIfPresent(String.self, forKey: .app)
        items = try c.decode([PlanItem].self, forKey: .items)
        issues = try c.decode([PlanIssue].self, forKey: .issues)
        file = try c.decodeIfPresent(String.self, forKey: .file)
        sql = try c.decodeIfPresent(String.self, forKey: .sql)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layer, forKey: .layer)
        try c.encode(app, forKey: .app)
        try c.encode(items, forKey: .items)
        try c.encode(issues, forKey: .issues)
        try c.encode(file, forKey: .file)
        try c.encode(sql, forKey: .sql)
        try c.encode(hasDrift, forKey: .drift)
        var s = c.nestedContainer(keyedBy: SummaryKeys.self, forKey: .summary)
        try s.encode(count(.create), forKey: .create)
        try s.encode(count(.update), forKey: .update)
        try s.encode(count(.delete), forKey: .delete)
        try s.encode(count(.unchanged), forKey: .unchanged)
        try s.encode(count(.ignored), forKey: .ignored)
        try s.encode(count(.adopt), forKey: .adopt)
    }
}

/// What `schedule apply` did: the plan it carried out and what happened to each change.
public struct LayerApplyReport: Encodable, Sendable {
    public var plan: LayerPlan
    public var dryRun: Bool
    /// Ids created, updated and deleted (or, in a dry run, that would be).
    public var created: [String]
    public var updated: [String]
    public var deleted: [String]
    /// The file written (Vercel, pg_cron), if any.
    public var written: String?
    /// The jobs whose foreign entries were replaced by rbscron's (or, in a dry run, would be), with what happened.
    public var adopted: [AdoptionOutcome]

    public init(plan: LayerPlan, dryRun: Bool, created: [String] = [], updated: [String] = [], deleted: [String] = [],
                written: String? = nil, adopted: [AdoptionOutcome] = []) {
        self.plan = plan
        self.dryRun = dryRun
        self.created = created
        self.updated = updated
        self.deleted = deleted
        self.written = written
        self.adopted = adopted
    }

    enum CodingKeys: String, CodingKey { case plan, dryRun = "dry_run", created, updated, deleted, written, adopted }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plan, forKey: .plan)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(created, forKey: .created)
        try c.encode(updated, forKey: .updated)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(written, forKey: .written)
        try c.encode(adopted, forKey: .adopted)
    }
}

extension LayerPlan {
    /// The plan with every known secret value hidden in the text that came from a layer.
    public func redacted(_ redactor: Redactor) -> LayerPlan {
        guard !redactor.isEmpty else { return self }
        var copy = self
        copy.items = items.map { item in
            var item = item
            item.schedule = item.schedule.map(redactor.redact)
            item.target = item.target.map(redactor.redact)
            item.changes = item.changes.map { FieldChange(field: $0.field, from: $0.from.map(redactor.redact), to: $0.to.map(redactor.redact)) }
            item.adopts = item.adopts.map { entry in
                var entry = entry
                entry.schedule = redactor.redact(entry.schedule)
                entry.target = redactor.remote(entry.target)
                return entry
            }
            return item
        }
        copy.sql = sql.map(redactor.redact)
        copy.issues = issues.map { PlanIssue(severity: $0.severity, job: $0.job, message: redactor.remote($0.message)) }
        return copy
    }
}


/// An inventory job as `list schedules` shows it: where its layer knows it and when it fires.
public struct ScheduledJobReport: Encodable, Sendable, Equatable {
    public var job: String
    public var layer: Layer
    /// The id the layer knows it by: `rbs-<app>-<job>` on QStash and pg_cron, the path in vercel.json's `crons`, the
    /// job's name in its `schedules`.
    public var id: String
    /// As sent to the layer (QStash: with `CRON_TZ=` when the job is not meant in UTC).
    public var schedule: String
    public var timezone: String
    public var target: String
    public var enabled: Bool

    public init(job: Job, app: App?) {
        self.job = job.ref.description
        layer = job.layer
        timezone = job.timezone
        enabled = job.enabled
        switch job.layer {
        case .qstash:
            id = ScheduleID.of(app: job.app, job: job.name)
            schedule = QStashSync.cron(for: job) ?? ""
            target = app.map { QStashSync.destination(app: $0, path: job.path ?? "") } ?? (job.path ?? "")
        case .pgCron:
            id = ScheduleID.of(app: job.app, job: job.name)
            schedule = job.schedule ?? ""
            target = job.path.map { "\(job.method.rawValue) \($0)" } ?? "SQL"
        case .vercel where app?.vercelMode == .schedules:
            // Vercel Schedules knows an entry by its name, the job's.
            id = job.name
            schedule = job.schedule ?? ""
            target = job.path.map { "\(job.method.rawValue) \($0)" } ?? ""
        default:
            id = job.path ?? job.name
            schedule = job.schedule ?? ""
            target = job.path ?? ""
        }
    }

    /// The inventory's scheduled jobs (vercel, qstash, pg_cron), by layer then job.
    public static func list(_ inventory: Inventory, filter: InventoryFilter) -> [ScheduledJobReport] {
        filter.jobs(in: inventory).filter { $0.layer.isScheduled }
            .map { ScheduledJobReport(job: $0, app: inventory.app(named: $0.app)) }
            .sorted { ($0.layer.rawValue, $0.job) < ($1.layer.rawValue, $1.job) }
    }
}
