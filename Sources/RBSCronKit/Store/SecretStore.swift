import Foundation
import GRDB

/// A stored secret's metadata; never its value.
public struct SecretRecord: Sendable, Equatable {
    public var scope: String
    public var key: String
    public var createdAt: Date
    public var rotatedAt: Date?
    /// When the previous value (kept during a rotation's grace period) stops being accepted.
    public var previousExpiresAt: Date?
    public var hasPrevious: Bool
}

/// Why a secret operation was refused. Never carries a value.
public enum SecretStoreError: Error, LocalizedError, Sendable, Equatable {
    case invalidScope(String)
    case invalidKey(String)
    case emptyValue
    /// The value breaks ``SecretValueRules`` (the reason never quotes it).
    case invalidValue(String)
    case notFound(scope: String, key: String)
    case keyMismatch(storedKeyID: String, currentKeyID: String)

    public var errorDescription: String? {
        switch self {
        case .invalidScope(let scope):
            return "'\(scope)' is not a secret scope; use an app's slug (e.g. camino) or 'global'."
        case .invalidKey(let key):
            return "'\(key)' is not a secret key; use upper-case letters, digits and underscores (e.g. CRON_SECRET)."
        case .emptyValue:
            return "the secret value is empty; nothing was stored."
        case .invalidValue(let reason):
            return "the secret value \(reason); nothing was stored."
        case .notFound(let scope, let key):
            return "no secret \(scope)/\(key) in the inventory. See `rbscron secret list`."
        case .keyMismatch(let stored, let current):
            return "the inventory's secrets were sealed with master key \(stored), but the key in use is \(current). "
                + "Set RBSCRON_MASTER_KEY or the key file to the key this inventory was made with; nothing was changed."
        }
    }
}

extension InventoryStore {
    static let masterKeyIDMeta = "master_key_id"

    /// Checks that `box` is the key this inventory's secrets were sealed with, recording it on first use.
    func bindMasterKey(_ box: SecretBox, in db: Database) throws {
        let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.masterKeyIDMeta])
        if let stored {
            guard stored == box.keyID else { throw SecretStoreError.keyMismatch(storedKeyID: stored, currentKeyID: box.keyID) }
        } else {
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?)", arguments: [Self.masterKeyIDMeta, box.keyID])
        }
    }

    /// The master key id recorded for this inventory, if any secret was ever stored.
    public func masterKeyID() throws(StoreError) -> String? {
        try run {
            try writer.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.masterKeyIDMeta])
            }
        }
    }

    static func validate(scope: String, key: String) throws {
        guard scope == SecretKeys.globalScope || Slug.isValid(scope) else { throw SecretStoreError.invalidScope(scope) }
        let allowed = key.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        guard !key.isEmpty, key.count <= 128, allowed, !(key.first?.isNumber ?? true) else {
            throw SecretStoreError.invalidKey(key)
        }
    }

    static func validate(value: String) throws {
        guard !value.isEmpty else { throw SecretStoreError.emptyValue }
        if let problem = SecretValueRules.problem(value) { throw SecretStoreError.invalidValue(problem) }
    }

    /// Stores (or replaces) a secret's value, sealed. Returns true when it was new.
    @discardableResult
    public func setSecret(scope: String, key: String, value: String, box: SecretBox, now: Date = Date()) throws -> Bool {
        try Self.validate(scope: scope, key: key)
        try Self.validate(value: value)
        let sealed = try box.seal(value, scope: scope, key: key)
        return try runAny {
            try writer.write { db in
                try bindMasterKey(box, in: db)
                let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM secrets WHERE scope = ? AND key = ?",
                                               arguments: [scope, key]) ?? false
                if exists {
                    try db.execute(sql: """
                        UPDATE secrets SET ciphertext = ?, previous_ciphertext = NULL, previous_expires_at = NULL,
                                           rotated_at = ? WHERE scope = ? AND key = ?
                        """, arguments: [sealed, Timestamp.ms(now), scope, key])
                } else {
                    try db.execute(sql: "INSERT INTO secrets(scope, key, ciphertext, created_at) VALUES (?, ?, ?, ?)",
                                   arguments: [scope, key, sealed, Timestamp.ms(now)])
                }
                return !exists
            }
        }
    }

    /// Replaces a secret's value and keeps the previous one until `now + grace`.
    public func rotateSecret(scope: String, key: String, newValue: String, grace: TimeInterval, box: SecretBox,
                             now: Date = Date()) throws {
        try Self.validate(scope: scope, key: key)
        try Self.validate(value: newValue)
        let sealed = try box.seal(newValue, scope: scope, key: key)
        try runAny {
            try writer.write { db in
                try bindMasterKey(box, in: db)
                guard let current = try Data.fetchOne(db, sql: "SELECT ciphertext FROM secrets WHERE scope = ? AND key = ?",
                                                      arguments: [scope, key]) else {
                    throw SecretStoreError.notFound(scope: scope, key: key)
                }
                // Prove the current value opens under this key before replacing it.
                _ = try box.open(current, scope: scope, key: key)
                try db.execute(sql: """
                    UPDATE secrets SET ciphertext = ?, previous_ciphertext = ?, previous_expires_at = ?, rotated_at = ?
                    WHERE scope = ? AND key = ?
                    """, arguments: [sealed, grace > 0 ? current : nil, grace > 0 ? Timestamp.ms(now.addingTimeInterval(grace)) : nil,
                                     Timestamp.ms(now), scope, key])
            }
        }
    }

    /// Removes a secret. Returns false when there was none.
    @discardableResult
    public func removeSecret(scope: String, key: String) throws -> Bool {
        try Self.validate(scope: scope, key: key)
        return try runAny {
            try writer.write { db in
                try db.execute(sql: "DELETE FROM secrets WHERE scope = ? AND key = ?", arguments: [scope, key])
                return db.changesCount > 0
            }
        }
    }

    /// Drops previous values whose grace period has ended. Returns how many.
    @discardableResult
    public func pruneExpiredPreviousSecrets(now: Date = Date()) throws(StoreError) -> Int {
        try run {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE secrets SET previous_ciphertext = NULL, previous_expires_at = NULL
                    WHERE previous_expires_at IS NOT NULL AND previous_expires_at <= ?
                    """, arguments: [Timestamp.ms(now)])
                return db.changesCount
            }
        }
    }

    /// Every secret's metadata, sorted by scope and key.
    public func secretRecords() throws(StoreError) -> [SecretRecord] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM secrets ORDER BY scope, key").map { row in
                    SecretRecord(scope: row["scope"], key: row["key"], createdAt: Timestamp.date(ms: row["created_at"]),
                                 rotatedAt: (row["rotated_at"] as Int64?).map(Timestamp.date(ms:)),
                                 previousExpiresAt: (row["previous_expires_at"] as Int64?).map(Timestamp.date(ms:)),
                                 hasPrevious: (row["previous_ciphertext"] as Data?) != nil)
                }
            }
        }
    }

    /// A provider that opens values from this inventory with `box`.
    public func secrets(box: SecretBox) throws -> StoredSecrets {
        try runAny { try writer.read { db in try bindMasterKeyReadOnly(box, in: db) } }
        return StoredSecrets(store: self, box: box)
    }

    private func bindMasterKeyReadOnly(_ box: SecretBox, in db: Database) throws {
        if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.masterKeyIDMeta]),
           stored != box.keyID {
            throw SecretStoreError.keyMismatch(storedKeyID: stored, currentKeyID: box.keyID)
        }
    }

    func sealedSecret(scope: String, key: String) throws -> (current: Data, previous: Data?, previousExpires: Int64?)? {
        try runAny {
            try writer.read { db in
                try Row.fetchOne(db, sql: "SELECT ciphertext, previous_ciphertext, previous_expires_at FROM secrets WHERE scope = ? AND key = ?",
                                 arguments: [scope, key]).map { ($0["ciphertext"], $0["previous_ciphertext"], $0["previous_expires_at"]) }
            }
        }
    }

    func allSealedSecrets() throws -> [(scope: String, key: String, current: Data, previous: Data?)] {
        try runAny {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT scope, key, ciphertext, previous_ciphertext FROM secrets").map {
                    ($0["scope"], $0["key"], $0["ciphertext"], $0["previous_ciphertext"])
                }
            }
        }
    }

    /// Runs database work, passing rbscron's own errors through and wrapping SQLite's.
    func runAny<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SecretStoreError {
            throw error
        } catch let error as SecretError {
            throw error
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(Self.reason(error))
        }
    }
}

/// Secret values opened from the inventory on demand. Implements `SecretProvider` for auth and redaction.
public struct StoredSecrets: SecretProvider {
    let store: InventoryStore
    let box: SecretBox

    /// The current value for `app`, falling back to the global scope.
    public func secret(app: String, key: String) throws -> String? {
        for scope in [app, SecretKeys.globalScope] {
            if let sealed = try store.sealedSecret(scope: scope, key: key) {
                return try box.open(sealed.current, scope: scope, key: key)
            }
        }
        return nil
    }

    /// The exact scope's current value, without the global fallback.
    public func value(scope: String, key: String) throws -> String? {
        guard let sealed = try store.sealedSecret(scope: scope, key: key) else { return nil }
        return try box.open(sealed.current, scope: scope, key: key)
    }

    /// Every current and previous value (expired previous ones too, until pruned): what must never be shown.
    public func valuesForRedaction() throws -> [String] {
        var values: [String] = []
        for secret in try store.allSealedSecrets() {
            values.append(try box.open(secret.current, scope: secret.scope, key: secret.key))
            if let previous = secret.previous {
                values.append(try box.open(previous, scope: secret.scope, key: secret.key))
            }
        }
        return values
    }
}
