import Foundation
import GRDB

/// One foreign layer entry that `schedule apply --adopt` replaced with rbscron's (a row of `adoptions`).
public struct AdoptionRecord: Sendable, Equatable {
    public var layer: Layer
    public var app: String
    /// The inventory job's name; nil for an entry rbscron adds itself (the history cleanup).
    public var job: String?
    /// rbscron's entry that took its place.
    public var entry: String
    /// The foreign entry's id (QStash schedule id, pg_cron job name).
    public var foreignID: String
    public var adoptedAt: Date
    /// The secret (`scope`, `key`) the foreign entry exposed, if it carried one.
    public var leakScope: String?
    public var leakKey: String?

    public init(layer: Layer, app: String, job: String?, entry: String, foreignID: String, adoptedAt: Date,
                leakScope: String? = nil, leakKey: String? = nil) {
        self.layer = layer
        self.app = app
        self.job = job
        self.entry = entry
        self.foreignID = foreignID
        self.adoptedAt = adoptedAt
        self.leakScope = leakScope
        self.leakKey = leakKey
    }
}

extension InventoryStore {
    // MARK: adoptions

    /// Records the entries one `apply --adopt` replaced, in one transaction.
    public func recordAdoptions(_ records: [AdoptionRecord]) throws(StoreError) {
        guard !records.isEmpty else { return }
        try run {
            try writer.write { db in
                for r in records {
                    try db.execute(sql: """
                        INSERT INTO adoptions (layer, app, job, entry, foreign_id, adopted_at, leak_scope, leak_key)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [r.layer.rawValue, r.app, r.job, r.entry, r.foreignID, Timestamp.ms(r.adoptedAt),
                                         r.leakScope, r.leakKey])
                }
            }
        }
    }

    /// Every adoption on record (of `app`, when given), oldest first.
    public func adoptions(app: String? = nil) throws(StoreError) -> [AdoptionRecord] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT * FROM adoptions WHERE (? IS NULL OR app = ?) ORDER BY adopted_at, id
                    """, arguments: [app, app]).map { row in
                    AdoptionRecord(layer: Layer(rawValue: row["layer"]) ?? .manual, app: row["app"], job: row["job"],
                                   entry: row["entry"], foreignID: row["foreign_id"],
                                   adoptedAt: Timestamp.date(ms: row["adopted_at"]), leakScope: row["leak_scope"],
                                   leakKey: row["leak_key"])
                }
            }
        }
    }
}
