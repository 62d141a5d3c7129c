import Foundation

/// One secret's effective value in one scope, held in memory for the static checks only. Not `Encodable`: a finding
/// names its scope, key and source, never its value.
public struct ScopedSecret: Sendable {
    /// An app's slug or `global`.
    public var scope: String
    public var key: String
    /// `environment RBSCRON_SECRET_…` or `inventory SCOPE/KEY`.
    public var source: String
    public var value: String
    /// True when the value is sealed in the inventory (it can be rotated with `rbscron secret rotate`).
    public var inInventory: Bool

    public init(scope: String, key: String, source: String, value: String, inInventory: Bool) {
        self.scope = scope
        self.key = key
        self.source = source
        self.value = value
        self.inInventory = inInventory
    }

    var name: String { "\(scope)/\(key)" }
}
