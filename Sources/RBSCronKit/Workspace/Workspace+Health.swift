import Foundation

extension Workspace {
    /// `health-check`: every active app (or the one named) in parallel; the results are recorded unless `record`
    /// is false.
    public func healthCheck(_ options: HealthCheckOptions, record: Bool = true,
                            progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> HealthReport {
        let report = try await HealthChecker(transport: transport, now: clock.now)
            .run(inventory: try inventory(), options: options, onProgress: progress)
        if record { try store.recordHealthChecks(report.results.map(\.record)) }
        return report
    }

    /// `keepalive`: one cheap authenticated request to each Supabase project (or the one named); recorded.
    public func keepalive(project: String?, timeoutMs: Int, insecure: Bool) async throws -> KeepaliveReport {
        let report = try await KeepalivePinger(transport: transport, secrets: secrets, now: clock.now)
            .run(inventory: try inventory(), project: project, timeoutMs: timeoutMs, insecure: insecure)
        try store.recordKeepalivePings(report.results.compactMap(\.record))
        return report
    }

    /// `keepalive --status`: days since each project's last successful ping.
    public func keepaliveStatus(project: String?) throws -> KeepaliveStatusReport {
        try KeepaliveStatusReport.build(inventory: try inventory(), project: project, history: try store.keepaliveHistory(),
                                        projects: try store.projectStates(), now: now)
    }

    /// `keepalive --sql`: the pg_cron keep-alive migration of one project.
    public func keepaliveSQL(project: String?) throws -> KeepaliveSQLReport {
        try KeepaliveSQLReport.build(inventory: try inventory(), project: project, now: now)
    }
}
