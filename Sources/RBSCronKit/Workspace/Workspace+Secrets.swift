import Foundation

/// What `secret set` did.
public struct SecretSetReport: Sendable {
    public var scope: String
    public var key: String
    /// True when the secret was new, false when a value was replaced.
    public var created: Bool
    /// The masked preview of the stored value.
    public var preview: String
    /// The scope is neither `global` nor an app of the inventory: stored, but no job uses it.
    public var unknownScope: Bool
}

extension Workspace {
    /// `secret set`: seals `value` under the master key (creating the key file on first need).
    public func setSecret(scope: String, key: String, value: String) throws -> SecretSetReport {
        let created = try store.setSecret(scope: scope, key: key, value: value, box: try secrets.box(create: true), now: now)
        let known = try scope == SecretKeys.globalScope || inventory().app(named: scope) != nil
        return SecretSetReport(scope: scope, key: key, created: created, preview: SecretMask.preview(value), unknownScope: !known)
    }

    /// `secret list` / `list secrets`: what is stored (masked), who uses it, and which jobs lack what they need.
    /// Previews need the master key. With no key at all the list still shows what exists, each preview `(locked)`,
    /// and says why (``SecretListReport/lockedReason``); a key that is there but malformed or not this inventory's
    /// is an error, never a quiet `(locked)`.
    public func secretList(_ filter: InventoryFilter) throws -> SecretListReport {
        let inventory = try inventory()
        try filter.validate(against: inventory)
        let records = try secrets.records()
        var box: SecretBox?
        var lockedReason: String?
        if !records.isEmpty {
            do {
                box = try secrets.box()
            } catch let error as SecretError {
                guard case .masterKeyMissing = error else { throw error }
                lockedReason = error.localizedDescription
            }
        }
        var report = SecretListReport.build(inventory: inventory, records: records, app: filter.app, layer: filter.layer) { record in
            guard let box, let sealed = try? store.sealedSecret(scope: record.scope, key: record.key),
                  let value = try? box.open(sealed.current, scope: record.scope, key: record.key) else { return nil }
            return SecretMask.preview(value)
        }
        report.lockedReason = lockedReason
        return report
    }

    /// `secret get --reveal`: the stored value of exactly `scope/key` (no global fallback, no environment).
    public func revealSecret(scope: String, key: String) throws -> String {
        guard let sealed = try store.sealedSecret(scope: scope, key: key) else {
            throw SecretStoreError.notFound(scope: scope, key: key)
        }
        return try secrets.box().open(sealed.current, scope: scope, key: key)
    }

    /// `secret rotate`: replaces the value, keeps the previous one for `grace`, and lists each layer's steps.
    public func rotateSecret(scope: String, key: String, newValue: String, generated: Bool,
                             grace: TimeInterval) throws -> RotationReport {
        let now = self.now
        try store.rotateSecret(scope: scope, key: key, newValue: newValue, grace: grace, box: try secrets.box(), now: now)
        var report = RotationReport.make(scope: scope, key: key, generated: generated,
                                         previousValidUntil: grace > 0 ? now.addingTimeInterval(grace) : nil,
                                         inventory: try inventory())
        report.preview = SecretMask.preview(newValue)
        return report
    }

    /// `secret rm`.
    public func removeSecret(scope: String, key: String) throws {
        guard try store.removeSecret(scope: scope, key: key) else { throw SecretStoreError.notFound(scope: scope, key: key) }
    }
}
