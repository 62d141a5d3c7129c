import Foundation

/// Why a QStash plan could not be made from the inventory.
public enum QStashSyncError: Error, LocalizedError, Sendable, Equatable {
    /// A job on the qstash layer without a schedule or a path.
    case incompleteJob(JobRef, missing: String)
    /// The job's forwarded credential is not stored (deny by default: nothing is sent).
    case missingSecret(JobRef, key: String)
    /// `pause`/`resume` of a job that is not on the qstash layer.
    case notQStashJob(JobRef, Layer)

    public var errorDescription: String? {
        switch self {
        case .incompleteJob(let ref, let missing):
            return "the QStash job \(ref) has no \(missing); give it one (rbscron export, edit, import) or move it to another layer."
        case .missingSecret(let ref, let key):
            return "\(ref) forwards \(key) to its endpoint, but no \(key) is stored for \(ref.app) (nor globally); "
                + "nothing was sent. Store it with: rbscron secret set \(ref.app) \(key)"
        case .notQStashJob(let ref, let layer):
            return "\(ref) is on the \(layer.rawValue) layer, not qstash; only QStash schedules can be paused and resumed here."
        }
    }
}

/// The inventory's QStash jobs against the schedules QStash holds: plan, apply, cleanup, pause, resume.
///
/// Every schedule rbscron makes has the id `rbs-<app>-<job>`. Only those are ever updated or deleted,
/// unless `pruneForeign` is set. A job's app is found from an id by the longest app name that fits,
/// so `rbs-la-hoja-x` belongs to `la-hoja`, not to an app `la`.
public struct QStashSync: Sendable {

    private static let utcZones: Set<String> = ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Etc/Universal", "Universal", "Zulu"]

    /// The job's cron in QStash's dialect: `CRON_TZ=<zone> ` first when the job is not meant in UTC.
    public static func cron(for job: Job) -> String? {
        guard let schedule = job.schedule?.trimmingCharacters(in: .whitespaces), !schedule.isEmpty else { return nil }
        if schedule.hasPrefix("CRON_TZ=") || utcZones.contains(job.timezone) { return schedule }
        return "CRON_TZ=\(job.timezone) \(schedule)"
    }

    /// The URL QStash calls: the app's base URL (without trailing `/`) and the job's path.
    public static func destination(app: App, path: String) -> String {
        var base = app.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// The headers QStash must forward for the job's auth. `qstash` auth needs none (QStash signs every
    /// call); `cron_secret` forwards `Authorization: Bearer`; `service_role` adds `apikey`.
    static func forwardHeaders(for job: Job, secrets: any SecretProvider) throws -> [String: String] {
        func value(_ key: String) throws -> String {
            guard let v = try secrets.secret(app: job.app, key: key), !v.isEmpty else {
                throw QStashSyncError.missingSecret(job.ref, key: key)
            }
            return v
        }
        switch job.auth {
        case .qstash, .none: return [:]
        case .cronSecret: return ["Authorization": "Bearer \(try value(SecretKeys.cronSecret))"]
        case .serviceRole:
            let key = try value(SecretKeys.supabaseServiceRoleKey)
            return ["Authorization": "Bearer \(key)", "apikey": key]
        }
    }

    /// What QStash should hold for `app`'s enabled qstash jobs.
    public static func desired(app: App, jobs: [Job], secrets: any SecretProvider) throws -> [(job: Job, spec: QStashScheduleSpec)] {
        try jobs.filter { $0.app == app.name && $0.layer == .qstash && $0.enabled }.map { job in
            guard let cron = cron(for: job) else { throw QStashSyncError.incompleteJob(job.ref, missing: "schedule") }
            guard let path = job.path, !path.isEmpty else { throw QStashSyncError.incompleteJob(job.ref, missing: "path") }
            let spec = QStashScheduleSpec(
                scheduleId: ScheduleID.of(app: app.name, job: job.name), destination: destination(app: app, path: path),
                cron: cron, method: job.method.rawValue, retries: job.retries,
                timeout: max(1, (job.timeoutMs + 999) / 1000), forwardHeaders: try forwardHeaders(for: job, secrets: secrets))
            return (job, spec)
        }
    }


    /// The fields that differ between what QStash has and what is wanted. Header values are never shown.
    public static func differences(remote: QStashSchedule, spec: QStashScheduleSpec) -> [FieldChange] {
        var changes: [FieldChange] = []
        if remote.cron != spec.cron { changes.append(FieldChange(field: "cron", from: remote.cron, to: spec.cron)) }
        if remote.destination != spec.destination {
            changes.append(FieldChange(field: "destination", from: remote.destination, to: spec.destination))
        }
        if remote.method.uppercased() != spec.method {
            changes.append(FieldChange(field: "method", from: remote.method, to: spec.method))
        }
        if remote.retries != spec.retries {
            changes.append(FieldChange(field: "retries", from: String(remote.retries), to: String(spec.retries)))
        }
        if remote.timeout != spec.timeout {
            changes.append(FieldChange(field: "timeout", from: remote.timeout.map { "\($0)s" }, to: "\(spec.timeout)s"))
        }
        let have = Dictionary(remote.header.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        let want = Dictionary(spec.forwardHeaders.map { ($0.key.lowercased(), [$0.value]) }, uniquingKeysWith: { a, _ in a })
        for name in Set(have.keys).union(want.keys).sorted() where have[name] != want[name] {
            changes.append(FieldChange(field: "header \(name)", from: have[name] == nil ? nil : "(hidden)",
                                       to: want[name] == nil ? nil : "(hidden)"))
        }
        return changes
    }

    /// The next fire of a QStash cron (with its `CRON_TZ=` zone, else UTC) strictly after `after`.
    public static func nextFire(cron: String, after: Date) -> Date? {
        guard let schedule = try? CronSchedule.parse(cron, dialect: .qstash), let utc = TimeZone(identifier: "UTC") else { return nil }
        return schedule.next(after: after, in: utc)
    }

    /// The plan for one QStash account, pure: `remote` against `desired`, for the apps in `scope`.
    ///
    /// A schedule without the `rbs-` prefix whose destination and method are a desired job's is that job's: it is
    /// planned as `adopt` (rbscron's schedule in its place, in one step), never as foreign.
    ///
    /// - Parameters:
    ///   - scopeApps: the apps whose `rbs-<app>-` schedules are in play.
    ///   - allApps: every app name in the inventory, to tell `rbs-la-hoja-x` from `rbs-la-x`.
    ///   - limitedTo: with `--app`, that app's base URL: a foreign schedule is only in play if it calls it.
    ///   - pruneForeign: delete schedules without the `rbs-` prefix that do no job's work too.
    ///   - now: when the plan is made, for the first fire of an adopting schedule.
    public static func plan(desired: [(job: Job, spec: QStashScheduleSpec)], remote: [QStashSchedule],
                            scopeApps: Set<String>, allApps: [String], limitedTo baseURL: String?,
                            pruneForeign: Bool, now: Date = Date()) -> [PlanItem] {
        var items: [PlanItem] = []
        let remoteByID = Dictionary(remote.map { ($0.scheduleId, $0) }, uniquingKeysWith: { a, _ in a })
        let wanted = Set(desired.map(\.spec.scheduleId))
        var foreignBySpec: [String: [QStashSchedule]] = [:]
        var adopted = Set<String>()
        for schedule in remote.sorted(by: { $0.scheduleId < $1.scheduleId }) where !schedule.scheduleId.hasPrefix(ScheduleID.prefix) {
            let target = Adoption.comparableURL(schedule.destination)
            let verb = schedule.method.isEmpty ? "POST" : schedule.method.uppercased()
            guard let match = desired.first(where: { Adoption.comparableURL($0.spec.destination) == target && $0.spec.method == verb })
            else { continue }
            foreignBySpec[match.spec.scheduleId, default: []].append(schedule)
            adopted.insert(schedule.scheduleId)
        }
        for (job, spec) in desired {
            if let foreign = foreignBySpec[spec.scheduleId] {
                let compared = remoteByID[spec.scheduleId] ?? foreign[0]
                let ids = foreign.map(\.scheduleId)
                var note = "made outside rbscron (\(ids.joined(separator: ", "))); apply --adopt creates \(spec.scheduleId), "
                    + "then deletes \(ids.count == 1 ? "it" : "them"), checking the next fire so none is doubled or lost"
                if remoteByID[spec.scheduleId] != nil { note = "\(spec.scheduleId) exists already; " + note }
                items.append(PlanItem(
                    id: spec.scheduleId, job: job.ref.description, action: .adopt, schedule: spec.cron, target: spec.destination,
                    changes: differences(remote: compared, spec: spec), note: note,
                    adopts: foreign.map { ForeignEntry(id: $0.scheduleId, schedule: $0.cron, target: $0.destination,
                                                       nextFire: $0.nextScheduleTime.map(Timestamp.date(ms:))) },
                    firstFire: nextFire(cron: spec.cron, after: now)))
            } else if let have = remoteByID[spec.scheduleId] {
                let changes = differences(remote: have, spec: spec)
                items.append(PlanItem(id: spec.scheduleId, job: job.ref.description, action: changes.isEmpty ? .unchanged : .update,
                                      schedule: spec.cron, target: spec.destination, changes: changes,
                                      note: have.isPaused ? "paused in QStash" : nil))
            } else {
                items.append(PlanItem(id: spec.scheduleId, job: job.ref.description, action: .create,
                                      schedule: spec.cron, target: spec.destination))
            }
        }
        for schedule in remote.sorted(by: { $0.scheduleId < $1.scheduleId })
        where !wanted.contains(schedule.scheduleId) && !adopted.contains(schedule.scheduleId) {
            let id = schedule.scheduleId
            if id.hasPrefix(ScheduleID.prefix) {
                let owner = ScheduleID.owner(of: id, apps: allApps)
                if let owner {
                    guard scopeApps.contains(owner) else { continue }
                } else if baseURL != nil {
                    continue // an rbs- schedule of an app not in the inventory is only swept without --app
                }
                let job = ScheduleID.job(of: id, apps: allApps)
                items.append(PlanItem(id: id, job: job, action: .delete, schedule: schedule.cron, target: schedule.destination,
                                      note: owner == nil ? "no app of that name in the inventory" : "not an enabled qstash job in the inventory"))
            } else {
                if let baseURL, !schedule.destination.hasPrefix(baseURL) { continue }
                items.append(PlanItem(id: id, job: nil, action: pruneForeign ? .delete : .ignored, schedule: schedule.cron,
                                      target: schedule.destination,
                                      note: pruneForeign ? "not made by rbscron and does no inventory job's work; removed by --prune-foreign"
                                          : "not made by rbscron (no rbs- prefix) and does no inventory job's work; kept unless --prune-foreign"))
            }
        }
        return items
    }

    // MARK: Accounts

    /// One QStash account (one token) and the apps of the inventory that use it.
    struct Account {
        var token: String
        var apps: [App]
        /// False when every app of the account is in play only to sweep leftovers (no qstash job, not named by
        /// --app): then an account that cannot be read (a revoked token, say) is skipped with a warning.
        var required = true
    }

    public let inventory: Inventory
    public let secrets: any SecretProvider
    public let transport: any HTTPTransport
    public let baseURL: String
    /// Hides every stored secret (tokens and forwarded credentials included) in what QStash sends back.
    public let redactor: Redactor
    /// The clock an adoption's swap is timed by, and how it waits for a fire to pass.
    public var clock: @Sendable () -> Date = { Date() }
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    public init(inventory: Inventory, secrets: any SecretProvider, transport: any HTTPTransport, baseURL: String,
                redactor: Redactor? = nil) throws {
        self.inventory = inventory
        self.secrets = secrets
        self.transport = transport
        self.baseURL = baseURL
        self.redactor = try redactor ?? Redactor.hiding(secrets)
    }

    /// The apps in play (one app, or every app with a qstash job) grouped by the token they use.
    /// Every token is resolved before any request: a missing one fails with no request made.
    ///
    /// Without `app`, the apps with no qstash job left are in play too when a token reaches them (their own or
    /// the global one): their `rbs-<app>-` schedules are what is left of removed jobs, and a plain
    /// `schedule apply` deletes them. Such an app without a token is left out, not an error: rbscron cannot
    /// see an account it holds no token for.
    func accounts(app: String?) throws -> [Account] {
        var apps: [(app: App, required: Bool)]
        if let app {
            try InventoryFilter(app: app).validate(against: inventory)
            apps = inventory.apps.filter { $0.name == app }.map { ($0, true) }
        } else {
            apps = inventory.apps.map { a in (a, inventory.jobs.contains { $0.app == a.name && $0.layer == .qstash }) }
        }
        var accounts: [Account] = []
        for (app, required) in apps {
            guard let token = try secrets.secret(app: app.name, key: SecretKeys.qstashToken), !token.isEmpty else {
                if !required { continue }
                throw QStashError.missingToken(app: app.name)
            }
            if let index = accounts.firstIndex(where: { $0.token == token }) {
                accounts[index].apps.append(app)
                accounts[index].required = accounts[index].required || required
            } else {
                accounts.append(Account(token: token, apps: [app], required: required))
            }
        }
        return accounts
    }

    func makeClient(_ account: Account) -> QStashClient {
        QStashClient(baseURL: baseURL, token: account.token, transport: transport, redactor: redactor)
    }

    struct AccountPlan {
        var client: QStashClient
        var items: [PlanItem]
        var specs: [String: QStashScheduleSpec]
        var issues: [PlanIssue] = []
    }

    /// The account's schedules; nil (with the reason) for an account in play only to sweep leftovers that
    /// cannot be read, so an old token of an app that left QStash does not fail everything else.
    func schedules(of account: Account, client: QStashClient) async throws -> (schedules: [QStashSchedule]?, skipped: String?) {
        let listed: [QStashSchedule]
        do {
            listed = try await client.list()
        } catch {
            if account.required { throw error }
            let apps = account.apps.map(\.name).joined(separator: ", ")
            let reason = redactor.remote(error.errorDescription ?? String(describing: error))
            return (nil, "QStash could not be read with the token of \(apps) (apps with no qstash job left, in play only "
                + "to delete their leftover rbs- schedules), so they were skipped: \(reason)")
        }
        return (listed, nil)
    }

    func accountPlans(app: String?, pruneForeign: Bool, now: Date = Date()) async throws -> [AccountPlan] {
        let accounts = try self.accounts(app: app)
        // Build every desired spec first so a missing forwarded secret fails before any request.
        var desiredByAccount: [[(job: Job, spec: QStashScheduleSpec)]] = []
        for account in accounts {
            desiredByAccount.append(try account.apps.flatMap { try Self.desired(app: $0, jobs: inventory.jobs, secrets: secrets) })
        }
        var plans: [AccountPlan] = []
        for (account, desired) in zip(accounts, desiredByAccount) {
            let client = makeClient(account)
            let (listed, skipped) = try await schedules(of: account, client: client)
            guard let remote = listed else {
                plans.append(AccountPlan(client: client, items: [], specs: [:],
                                         issues: [PlanIssue(severity: .warning, job: nil, message: skipped ?? "")]))
                continue
            }
            let limited = app.flatMap { name in account.apps.first { $0.name == name } }
                .map { Self.destination(app: $0, path: "") }
            let items = Self.plan(desired: desired, remote: remote, scopeApps: Set(account.apps.map(\.name)),
                                  allApps: inventory.apps.map(\.name), limitedTo: limited, pruneForeign: pruneForeign, now: now)
            plans.append(AccountPlan(client: client, items: items,
                                     specs: Dictionary(desired.map { ($0.spec.scheduleId, $0.spec) }, uniquingKeysWith: { a, _ in a })))
        }
        return plans
    }

    /// `schedule plan --layer qstash`: the inventory's qstash jobs against the schedules QStash holds.
    public func plan(app: String?, pruneForeign: Bool = false) async throws -> LayerPlan {
        let plans = try await accountPlans(app: app, pruneForeign: pruneForeign, now: clock())
        var plan = LayerPlan(layer: .qstash, app: app, items: plans.flatMap(\.items))
        plan.issues += plans.flatMap(\.issues)
        return plan.redacted(redactor)
    }

    /// `schedule apply --layer qstash`: upserts creates and updates (idempotent: the id is fixed), deletes
    /// rbscron's schedules no longer wanted (and foreign ones that do no job's work with `pruneForeign`), and with
    /// `adopt` puts rbscron's schedule in the place of each foreign one that does a job's work (see
    /// ``swap(_:spec:client:)``). A plan with `adopt` items is refused without `adopt` before any change. With
    /// `dryRun`, only plans.
    public func apply(app: String?, pruneForeign: Bool = false, adopt: Bool = false, dryRun: Bool = false) async throws -> LayerApplyReport {
        let plans = try await accountPlans(app: app, pruneForeign: pruneForeign, now: clock())
        var plan = LayerPlan(layer: .qstash, app: app, items: plans.flatMap(\.items))
        plan.issues += plans.flatMap(\.issues)
        plan = plan.redacted(redactor)
        let adopting = plan.items.filter { $0.action == .adopt }
        if !adopting.isEmpty && !adopt && !dryRun {
            throw LayerSyncError.adoptionNeeded(.qstash, jobs: adopting.compactMap(\.job))
        }
        var report = LayerApplyReport(plan: plan, dryRun: dryRun)
        for account in plans {
            for item in account.items {
                switch item.action {
                case .create, .update:
                    if !dryRun, let spec = account.specs[item.id] { try await account.client.upsert(spec) }
                    if item.action == .create { report.created.append(item.id) } else { report.updated.append(item.id) }
                case .delete:
                    if !dryRun { try await account.client.delete(item.id) }
                    report.deleted.append(item.id)
                case .adopt:
                    guard let spec = account.specs[item.id] else { continue }
                    if dryRun {
                        report.adopted.append(AdoptionOutcome(job: item.job ?? item.id, id: item.id, replaced: item.adopts.map(\.id),
                                                              firstFire: item.firstFire))
                    } else {
                        report.adopted.append(try await swap(item, spec: spec, client: account.client))
                    }
                case .unchanged, .ignored:
                    break
                }
            }
        }
        return report
    }

    /// How close to a foreign schedule's next fire a swap may start: closer, it waits for that fire to pass, so the
    /// fire is made by the foreign schedule alone and the next one by rbscron's alone.
    public static let swapGuard: TimeInterval = 5

    /// Replaces the foreign schedules of one `adopt` item: creates rbscron's, then deletes them, with no fire of the
    /// cron between the two (when the next one is closer than ``swapGuard``, after it). Then it checks what QStash
    /// reports: a fire of a foreign cron that fell between the create and the delete was made by both (noted), and
    /// rbscron's first fire must not come after the cron's next one (a fire lost, noted).
    func swap(_ item: PlanItem, spec: QStashScheduleSpec, client: QStashClient) async throws -> AdoptionOutcome {
        let start = clock()
        let upcoming = item.adopts.compactMap { entry in
            [entry.nextFire, Self.nextFire(cron: entry.schedule, after: start)].compactMap { $0 }.filter { $0 > start }.min()
        }.min()
        if let upcoming, upcoming.timeIntervalSince(start) < Self.swapGuard {
            try await sleep(.milliseconds(Int((upcoming.timeIntervalSince(start) + 1) * 1000)))
        }
        let createdAt = clock()
        try await client.upsert(spec)
        let ours = try? await client.get(spec.scheduleId)
        for entry in item.adopts { try await client.delete(entry.id) }
        let deletedAt = clock()
        var notes: [String] = []
        for entry in item.adopts {
            if let tick = Self.nextFire(cron: entry.schedule, after: createdAt.addingTimeInterval(-0.001)), tick <= deletedAt {
                notes.append("\(entry.id) fired at \(Timestamp.rfc3339(tick)) while \(spec.scheduleId) existed: that fire may have been made twice")
            }
        }
        let expected = Self.nextFire(cron: spec.cron, after: deletedAt)
        let reported = ours?.nextScheduleTime.map(Timestamp.date(ms:))
        if let reported, let expected, reported > expected.addingTimeInterval(1) {
            notes.append("QStash reports the first fire of \(spec.scheduleId) at \(Timestamp.rfc3339(reported)), after its cron's "
                         + "next fire \(Timestamp.rfc3339(expected)): that fire may be lost")
        }
        return AdoptionOutcome(job: item.job ?? item.id, id: spec.scheduleId, replaced: item.adopts.map(\.id),
                               firstFire: reported ?? expected, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// Remote cleanup (for `cleanup --remote --layer qstash`): deletes rbscron's schedules (`rbs-` prefix) that
    /// are no longer enabled qstash jobs of the inventory; never a schedule without the prefix, never one
    /// of an app outside `app`. Needs no secret but the tokens (no forwarded header is compared).
    public func cleanupRemote(app: String?, dryRun: Bool) async throws -> QStashCleanupReport {
        let accounts = try self.accounts(app: app)
        var report = QStashCleanupReport(app: app, dryRun: dryRun)
        let allApps = inventory.apps.map(\.name)
        for account in accounts {
            let client = makeClient(account)
            let wanted = Set(inventory.jobs.filter { job in
                job.layer == .qstash && job.enabled && account.apps.contains { $0.name == job.app }
            }.map { ScheduleID.of(app: $0.app, job: $0.name) })
            let scope = Set(account.apps.map(\.name))
            guard let listed = try await schedules(of: account, client: client).schedules else { continue }
            for schedule in listed.sorted(by: { $0.scheduleId < $1.scheduleId }) {
                let id = schedule.scheduleId
                guard id.hasPrefix(ScheduleID.prefix) else { report.foreignKept += 1; continue }
                let owner = ScheduleID.owner(of: id, apps: allApps)
                if let owner, !scope.contains(owner) { continue }
                if owner == nil && app != nil { continue }
                if wanted.contains(id) { report.kept += 1; continue }
                if !dryRun { try await client.delete(id) }
                report.deleted.append(QStashCleanupReport.Entry(id: id, destination: redactor.redact(schedule.destination),
                                                                cron: redactor.redact(schedule.cron)))
            }
        }
        return report
    }

    /// Pauses (or resumes) the QStash schedule of one qstash job.
    public func setPaused(_ ref: JobRef, paused: Bool) async throws -> String {
        guard let job = inventory.job(ref) else { throw InventoryQueryError.unknownJob(ref.description, suggestion: nil) }
        guard job.layer == .qstash else { throw QStashSyncError.notQStashJob(ref, job.layer) }
        guard let account = try accounts(app: ref.app).first else { throw QStashError.missingToken(app: ref.app) }
        let id = ScheduleID.of(ref)
        let client = makeClient(account)
        if paused { try await client.pause(id) } else { try await client.resume(id) }
        return id
    }

    /// `list schedules --remote --layer qstash`: what QStash holds, for the apps in play.
    public func remoteSchedules(app: String?) async throws -> [RemoteScheduleReport] {
        var out: [RemoteScheduleReport] = []
        let allApps = inventory.apps.map(\.name)
        for account in try accounts(app: app) {
            let scope = Set(account.apps.map(\.name))
            let bases = account.apps.map { Self.destination(app: $0, path: "") }
            guard let listed = try await schedules(of: account, client: makeClient(account)).schedules else { continue }
            for schedule in listed {
                let owner = schedule.scheduleId.hasPrefix(ScheduleID.prefix) ? ScheduleID.owner(of: schedule.scheduleId, apps: allApps) : nil
                if app != nil {
                    let mine = owner.map(scope.contains) ?? bases.contains { schedule.destination.hasPrefix($0) }
                    guard mine else { continue }
                }
                let job = owner.flatMap { _ in ScheduleID.job(of: schedule.scheduleId, apps: allApps) }
                var entry = RemoteScheduleReport(schedule: schedule, job: job, managed: schedule.scheduleId.hasPrefix(ScheduleID.prefix))
                entry.adoptableBy = Adoption.qstashJob(scheduleID: schedule.scheduleId, destination: schedule.destination,
                                                       method: schedule.method, inventory: inventory)?.ref.description
                entry.destination = redactor.redact(entry.destination)
                entry.cron = redactor.redact(entry.cron)
                out.append(entry)
            }
        }
        return out.sorted { $0.id < $1.id }
    }
}

/// What a remote cleanup removed (or, in a dry run, would remove).
public struct QStashCleanupReport: Encodable, Sendable, Equatable {
    public struct Entry: Encodable, Sendable, Equatable {
        public var id: String
        public var destination: String
        public var cron: String
    }

    public var layer = Layer.qstash
    public var app: String?
    public var dryRun: Bool
    /// rbscron's schedules that are no longer in the inventory.
    public var deleted: [Entry] = []
    /// rbscron's schedules still in the inventory.
    public var kept = 0
    /// Schedules without the `rbs-` prefix, never touched.
    public var foreignKept = 0

    public init(app: String?, dryRun: Bool) {
        self.app = app
        self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey { case layer, app, dryRun = "dry_run", deleted, kept, foreignKept = "foreign_kept" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layer, forKey: .layer)
        try c.encode(app, forKey: .app)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(kept, forKey: .kept)
        try c.encode(foreignKept, forKey: .foreignKept)
    }
}

/// One schedule as QStash reports it, for `list schedules --remote`.
public struct RemoteScheduleReport: Encodable, Sendable, Equatable {
    public var id: String
    /// The inventory job it belongs to (`APP/JOB`), if it is rbscron's.
    public var job: String?
    /// True for rbscron's schedules (`rbs-` prefix).
    public var managed: Bool
    /// A schedule rbscron did not make that does this inventory job's work (`APP/JOB`): `schedule apply --adopt`
    /// replaces it with rbscron's.
    public var adoptableBy: String?
    public var cron: String
    public var destination: String
    public var method: String
    public var paused: Bool
    public var createdAt: Date
    public var lastScheduleTime: Date?
    public var nextScheduleTime: Date?
    /// Message id → `IN_PROGRESS`, `SUCCESS` or `FAIL`.
    public var lastScheduleStates: [String: String]

    public init(schedule: QStashSchedule, job: String?, managed: Bool) {
        id = schedule.scheduleId
        self.job = job
        self.managed = managed
        cron = schedule.cron
        destination = schedule.destination
        method = schedule.method
        paused = schedule.isPaused
        createdAt = Timestamp.date(ms: schedule.createdAt)
        lastScheduleTime = schedule.lastScheduleTime.map(Timestamp.date(ms:))
        nextScheduleTime = schedule.nextScheduleTime.map(Timestamp.date(ms:))
        lastScheduleStates = schedule.lastScheduleStates ?? [:]
    }

    enum CodingKeys: String, CodingKey {
        case id, job, address, managed, adoptableBy = "adoptable_by", cron, destination, method, paused, createdAt = "created_at",
             lastScheduleTime = "last_schedule_time", nextScheduleTime = "next_schedule_time",
             lastScheduleStates = "last_schedule_states"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(job, forKey: .job)
        try c.encode(job, forKey: .address)
        try c.encode(managed, forKey: .managed)
        try c.encode(adoptableBy, forKey: .adoptableBy)
        try c.encode(cron, forKey: .cron)
        try c.encode(destination, forKey: .destination)
        try c.encode(method, forKey: .method)
        try c.encode(paused, forKey: .paused)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(lastScheduleTime, forKey: .lastScheduleTime)
        try c.encode(nextScheduleTime, forKey: .nextScheduleTime)
        try c.encode(lastScheduleStates, forKey: .lastScheduleStates)
    }
}
