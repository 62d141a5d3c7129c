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

    /// `cleanup --remote`: deletes rbscron's schedules the inventory no longer has (QStash only: vercel.json is
    /// rewritten whole by `apply`, and pg_cron migrations sweep their own stale jobs).
    public func cleanupRemote(_ layer: Layer, app: String?, dryRun: Bool) async throws -> QStashCleanupReport {
        guard layer == .qstash else {
            throw LayerSyncError.unsupported(layer, operation: "cleanup --remote", hint: "vercel.json is rewritten whole by "
                + "`schedule apply`, and pg_cron migrations unschedule their own stale jobs")
        }
        if let app { try InventoryFilter(app: app).validate(against: try inventory()) }
        return try await qstash().cleanupRemote(app: app, dryRun: dryRun)
    }

    func qstash() throws -> QStashSync {
        guard let sync = try layer(.qstash) as? QStashSync else { throw LayerSyncError.notALayer(.qstash) }
        return sync
    }
}
