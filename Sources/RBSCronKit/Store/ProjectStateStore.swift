import Foundation
import GRDB

extension InventoryStore {
    /// Records what was learnt of each project, replacing what was known before.
    public func recordProjectStates(_ states: [ProjectState]) throws(StoreError) {
        try run {
            try writer.write { db in
                for state in states {
                    try db.execute(sql: """
                        INSERT INTO project_states (project_ref, status, provider_status, pg_cron_version, detail, checked_at,
                                                    synced_until)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(project_ref) DO UPDATE SET status = excluded.status,
                            provider_status = excluded.provider_status,
                            pg_cron_version = coalesce(excluded.pg_cron_version, project_states.pg_cron_version),
                            detail = excluded.detail, checked_at = excluded.checked_at,
                            synced_until = max(coalesce(excluded.synced_until, 0), coalesce(project_states.synced_until, 0))
                        """, arguments: [state.projectRef, state.status.rawValue, state.providerStatus, state.pgCronVersion,
                                         state.detail, Timestamp.ms(state.checkedAt), state.syncedUntil.map(Timestamp.ms)])
                }
            }
        }
    }

    /// What is known of each project, by project ref.
    public func projectStates() throws(StoreError) -> [String: ProjectState] {
        try run {
            try writer.read { db in
                var states: [String: ProjectState] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT * FROM project_states") {
                    let ref: String = row["project_ref"]
                    states[ref] = ProjectState(
                        projectRef: ref, status: ProjectState.Status(rawValue: row["status"]) ?? .unknown,
                        providerStatus: row["provider_status"], pgCronVersion: row["pg_cron_version"], detail: row["detail"],
                        checkedAt: Timestamp.date(ms: row["checked_at"]),
                        syncedUntil: (row["synced_until"] as Int64?).flatMap { $0 > 0 ? Timestamp.date(ms: $0) : nil })
                }
                return states
            }
        }
    }
}
