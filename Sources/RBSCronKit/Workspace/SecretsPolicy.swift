import Foundation

/// Where a secret's value came from: what `trigger --dry-run` names, never the value.
public struct SecretSource: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// An `RBSCRON_SECRET_<SCOPE>_<KEY>` environment variable.
        case environment
        /// A value sealed in the inventory.
        case inventory
    }

    public var kind: Kind
    /// The app's slug or `global`.
    public var scope: String
    public var key: String

    public init(kind: Kind, scope: String, key: String) {
        self.kind = kind
        self.scope = scope
        self.key = key
    }

    /// `environment RBSCRON_SECRET_CAMINO_CRON_SECRET` or `inventory camino/CRON_SECRET`.
    public var description: String {
        switch kind {
        case .environment: return "environment \(EnvironmentSecrets.variableName(app: scope, key: key))"
        case .inventory: return "inventory \(scope)/\(key)"
        }
    }
}

/// The one secrets policy every command uses.
///
/// A value is looked up in this order, and the first found wins:
/// 1. the environment variable `RBSCRON_SECRET_<APP>_<KEY>`,
/// 2. the environment variable `RBSCRON_SECRET_GLOBAL_<KEY>`,
/// 3. the inventory's sealed value for the app,
/// 4. the inventory's sealed global value.
///
/// The environment wins because it is what a CI run (or an operator's one-off `VAR=… rbscron …`) controls for
/// that run; the inventory is the standing default. The master key is loaded only when a lookup reaches a value
/// that is actually sealed in the inventory, so a run whose secrets all come from the environment needs no key.
public final class SecretsPolicy: SecretProvider, @unchecked Sendable {
    let store: InventoryStore?
    let environment: [String: String]
    let loadKey: @Sendable (_ create: Bool) throws -> MasterKey

    private struct State {
        var box: Result<SecretBox, any Error>?
        var records: [SecretRecord]?
    }
    private let state = Locked(State())

    /// - Parameters:
    ///   - store: the inventory whose sealed secrets are read; nil for the environment alone.
    ///   - environment: the process environment.
    ///   - loadKey: loads the master key (creating the key file only when its argument is true).
    public init(store: InventoryStore?, environment: [String: String],
                loadKey: (@Sendable (_ create: Bool) throws -> MasterKey)? = nil) {
        self.store = store
        self.environment = environment
        self.loadKey = loadKey ?? { create in try MasterKey.load(environment: environment, createIfMissing: create) }
    }

    /// The value of `key` for `app` (falling back to the global scope) and where it came from; nil when no source
    /// has it (the caller denies the request).
    public func lookup(app: String, key: String) throws -> (value: String, source: SecretSource)? {
        for scope in scopes(of: app) {
            if let value = environment[EnvironmentSecrets.variableName(app: scope, key: key)], !value.isEmpty {
                return (value, SecretSource(kind: .environment, scope: scope, key: key))
            }
        }
        guard let store else { return nil }
        for scope in scopes(of: app) {
            guard let sealed = try store.sealedSecret(scope: scope, key: key) else { continue }
            let value = try box().open(sealed.current, scope: scope, key: key)
            return (value, SecretSource(kind: .inventory, scope: scope, key: key))
        }
        return nil
    }

    public func secret(app: String, key: String) throws -> String? {
        try lookup(app: app, key: key)?.value
    }

    public func sourceDescription(app: String, key: String) throws -> String? {
        try lookup(app: app, key: key)?.source.description
    }

    /// Every value that must never be shown: the `RBSCRON_SECRET_*` variables, and the inventory's current and
    /// previous values when the master key is at hand. Without the key no sealed value was read in this process,
    /// so there is none of them to leak from it.
    public func valuesForRedaction() throws -> [String] {
        var values = environment.filter { $0.key.hasPrefix(EnvironmentSecrets.prefix) && !$0.value.isEmpty }.map(\.value)
        guard let store, try !records().isEmpty else { return values }
        guard let box = try? box() else { return values }
        for secret in try store.allSealedSecrets() {
            values.append(try box.open(secret.current, scope: secret.scope, key: secret.key))
            if let previous = secret.previous { values.append(try box.open(previous, scope: secret.scope, key: secret.key)) }
        }
        return values
    }

    /// The box that seals and opens the inventory's values, loaded once. `create` allows making a new key file
    /// (only `secret set` and `secret rotate` do).
    public func box(create: Bool = false) throws -> SecretBox {
        if let cached = state.withLock({ $0.box }), case .success(let box) = cached { return box }
        let result = Result<SecretBox, any Error> {
            // A key file is made only for an inventory with no sealed secret yet: for one sealed under another key,
            // a new key would only be refused below and left behind.
            let sealedUnder = create ? try store?.masterKeyID() : nil
            let key: MasterKey
            do {
                key = try loadKey(create && sealedUnder == nil)
            } catch SecretError.masterKeyMissing(let path) where sealedUnder != nil {
                throw SecretError.masterKeyMissingForSealedInventory(path: path, keyID: sealedUnder ?? "")
            }
            let box = SecretBox(masterKey: key)
            // A key other than the one this inventory was sealed with is refused before anything is opened.
            if let store { _ = try store.secrets(box: box) }
            return box
        }
        state.withLock { $0.box = result }
        return try result.get()
    }

    /// The box for sealing a dead letter's body: only when a master key exists already (the environment's or the key
    /// file), never a new one.
    public func sealingBox() -> SecretBox? {
        try? box(create: false)
    }

    /// The inventory's stored secrets (metadata only), read once.
    public func records() throws -> [SecretRecord] {
        if let cached = state.withLock({ $0.records }) { return cached }
        let records = try store?.secretRecords() ?? []
        state.withLock { $0.records = records }
        return records
    }

    private func scopes(of app: String) -> [String] {
        app == SecretKeys.globalScope ? [app] : [app, SecretKeys.globalScope]
    }
}
