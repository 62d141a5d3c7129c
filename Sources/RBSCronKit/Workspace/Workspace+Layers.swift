import Foundation

extension Workspace {
    /// `schedule plan`: the inventory against what the layer holds.
    public func plan(_ layer: Layer, _ request: LayerRequest) async throws -> LayerPlan {
        try await self.layer(layer).plan(request)
    }

    /// `schedule apply`: makes the layer match the inventory.
    public func apply(_ layer: Layer, _ request: LayerRequest, dryRun: Bool) async throws -> LayerApplyReport {
        try await self.layer(layer).apply(request, dryRun: dryRun)
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
