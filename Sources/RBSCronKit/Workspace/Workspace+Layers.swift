import Foundation

extension Workspace {
    /// `schedule plan`: the inventory against what the layer holds; foreign entries that do a job's work are planned
    /// as `adopt`, and a credential a foreign entry exposed (now, or before an adoption and not rotated since) is a
    /// `critical` issue.
    public func plan(_ layer: Layer, _ request: LayerRequest) async throws -> LayerPlan {
        var plan = try await self.layer(layer).plan(withSecrets(request))
        plan.issues += try pendingRotations(layer: layer, app: request.app).map(PlanIssue.init)
        return plan
    }

    /// `schedule apply`: makes the layer match the inventory. With `request.adopt`, the plan's `adopt` items are
    /// handed to `confirm` first (the command asks, or checks `--yes`); the adoptions made are recorded, with the
    /// secret a replaced entry exposed, so it stays a critical issue until that secret is rotated.
    ///
    /// - Throws: ``LayerSyncError/adoptionDeclined`` when `confirm` says no (nothing changed);
    ///   ``LayerSyncError/adoptionNeeded(_:jobs:)`` when the plan adopts and `adopt` is off.
    public func apply(_ layer: Layer, _ request: LayerRequest, dryRun: Bool,
                      confirm: @Sendable (LayerPlan) async throws -> Bool = { _ in true }) async throws -> LayerApplyReport {
        let request = try withSecrets(request)
        let sync = try self.layer(layer)
        if request.adopt && !dryRun {
            let plan = try await sync.plan(request)
            if plan.items.contains(where: { $0.action == .adopt }) {
                guard try await confirm(plan) else { throw LayerSyncError.adoptionDeclined }
            }
        }
        var report = try await sync.apply(request, dryRun: dryRun)
        let inventory = try inventory()
        for index in report.adopted.indices {
            guard let secret = report.adopted[index].rotate, let slash = secret.firstIndex(of: "/") else { continue }
            report.adopted[index].rotationSteps = Self.rotationSteps(scope: String(secret[..<slash]),
                                                                     key: String(secret[secret.index(after: slash)...]),
                                                                     inventory: inventory)
        }
        if !dryRun {
            let at = now
            try store.recordAdoptions(report.adopted.flatMap { outcome in
                outcome.replaced.map { foreign in
                    let parts = outcome.job.split(separator: "/", maxSplits: 1).map(String.init)
                    let leak = outcome.rotate?.split(separator: "/", maxSplits: 1).map(String.init)
                    return AdoptionRecord(layer: layer, app: parts[0], job: parts.count > 1 ? parts[1] : nil, entry: outcome.id,
                                          foreignID: foreign, adoptedAt: at, leakScope: leak?.first,
                                          leakKey: leak.flatMap { $0.count > 1 ? $0[1] : nil })
                }
            })
        }
        report.plan.issues += try pendingRotations(layer: layer, app: request.app).map(PlanIssue.init)
        return report
    }

    /// What to run, in order, to retire a credential that was written into a layer: rotate it in rbscron, then each
    /// layer's copy (Vercel's environment, Supabase Vault), as `secret rotate` prints them, then the app's own side.
    static func rotationSteps(scope: String, key: String, inventory: Inventory) -> [RotationStep] {
        let quotedScope = RotationGuide.shellQuoted(scope)
        let quotedKey = RotationGuide.shellQuoted(key)
        let rotate = key == SecretKeys.cronSecret
            ? "rbscron secret rotate \(quotedScope) \(quotedKey) --generate"
            : "rbscron secret rotate \(quotedScope) \(quotedKey) --from-env NEW_VALUE"
        let first = RotationStep(
            layer: "local",
            title: "Rotate \(scope)/\(key) in rbscron (a new value; the old one was written into the layer and must be "
                + "retired). If rbscron does not hold it yet, store the new value with `rbscron secret set` instead.",
            commands: [rotate])
        let (rotated, _) = RotationReport.rotatedSecret(scope: scope, key: key, inventory: inventory)
        var steps = [first] + RotationGuide.steps(for: rotated)
        steps.append(RotationStep(
            layer: "provider",
            title: "Make the app accept only the new value (the endpoint's own setting), then check it: "
                + "`rbscron audit --app \(scope == SecretKeys.globalScope ? "APP" : scope)` must find nothing critical.",
            commands: []))
        return steps
    }

    /// The request with the secret values foreign entries are compared with (never printed).
    func withSecrets(_ request: LayerRequest) throws -> LayerRequest {
        var request = request
        request.knownSecrets = scopedSecretValues(inventory: try inventory()).values
        return request
    }

    /// The adoptions on record whose replaced entry exposed a secret that has not been rotated since: the job is not
    /// adopted cleanly until it is. rbscron knows a rotation by the secret's record (`secret rotate`, or a first
    /// `secret set` after the adoption).
    public func pendingRotations(layer: Layer? = nil, app: String? = nil) throws -> [PendingRotation] {
        let records = try secrets.records()
        var latest: [String: AdoptionRecord] = [:]
        for adoption in try store.adoptions(app: app) where layer == nil || adoption.layer == layer {
            guard let scope = adoption.leakScope, let key = adoption.leakKey else { continue }
            latest["\(adoption.layer.rawValue)|\(adoption.entry)|\(scope)/\(key)"] = adoption
        }
        return latest.values.sorted { ($0.app, $0.entry) < ($1.app, $1.entry) }.compactMap { adoption in
            guard let scope = adoption.leakScope, let key = adoption.leakKey else { return nil }
            let record = records.first { $0.scope == scope && $0.key == key }
            if let record, (record.rotatedAt ?? record.createdAt) > adoption.adoptedAt { return nil }
            return PendingRotation(adoption: adoption, lastChanged: record.map { $0.rotatedAt ?? $0.createdAt })
        }
    }


    /// `list schedules --remote`: what the layer holds.
    public func remoteSchedules(_ layer: Layer, _ request: LayerRequest) async throws -> RemoteSchedules {
        try await self.layer(layer).remote(request)
    }

    /// `schedule pause|resume`: the QStash schedule of a qstash job. Returns the schedule id.
    public func setPaused(_ job: JobRef, paused: Bool) async throws -> String {
        try await qstash().setPaused(try inventory().resolve(job).ref, paused: paused)
    }

    /// `cleanup --remote`: QStash, deletes rbscron's schedules the inventory no longer has; pg_cron, collects and
    /// prunes the fire history of each project older than `retentionDays` (its migrations sweep their own stale
    /// jobs). Vercel has nothing to clean: vercel.json is rewritten whole by `apply`.
    public func cleanupRemote(_ layer: Layer, app: String?, dryRun: Bool,
                              retentionDays: Int = PgCronSQL.historyRetentionDays) async throws -> RemoteCleanupReport {
        if let app { try InventoryFilter(app: app).validate(against: try inventory()) }
        switch layer {
        case .qstash:
            return .qstash(try await qstash().cleanupRemote(app: app, dryRun: dryRun))
        case .pgCron:
            guard let pgCron = try self.layer(.pgCron) as? PgCronLayer else { throw LayerSyncError.notALayer(.pgCron) }
            return .pgCron(try await pgCron.cleanupHistory(app: app, retentionDays: retentionDays))
        default:
            throw LayerSyncError.unsupported(layer, operation: "cleanup --remote",
                                             hint: "vercel.json is rewritten whole by `schedule apply`")
        }
    }

    /// `schedule migrate --layer vercel`: what moving the app to Vercel Schedules changes for each job; with `write`,
    /// writes the Schedules configuration into the app's vercel.json and records `vercel_mode: schedules` (and the
    /// moved jobs' new layer) in the inventory.
    public func migrateVercel(_ request: VercelMigrationRequest) throws -> VercelMigrationReport {
        let inventory = try inventory()
        try InventoryFilter(app: request.app).validate(against: inventory)
        guard let app = inventory.app(named: request.app) else {
            throw InventoryQueryError.unknownApp(request.app, suggestion: nil)
        }
        let text = try VercelCrons.read(path: request.vercelJSON)
        var report = try VercelMigration.report(app: app, jobs: inventory.jobs, move: request.move, text: text,
                                                file: request.vercelJSON, from: request.from)
        guard request.write else { return report }
        let applied = try VercelMigration.write(app: app, jobs: inventory.jobs, move: request.move, path: request.vercelJSON)
        report.written = applied.written
        try store.recordVercelSchedules(app: app.name, moved: report.moved)
        inventoryChanged()
        report.recorded = true
        return report
    }

    func qstash() throws -> QStashSync {
        guard let sync = try layer(.qstash) as? QStashSync else { throw LayerSyncError.notALayer(.qstash) }
        return sync
    }
}
