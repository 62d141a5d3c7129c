import Foundation

/// The names under which the inventory keeps each kind of credential, per app (or `global`).
public enum SecretKeys {
    public static let cronSecret = "CRON_SECRET"
    public static let qstashCurrentSigningKey = "QSTASH_CURRENT_SIGNING_KEY"
    public static let qstashNextSigningKey = "QSTASH_NEXT_SIGNING_KEY"
    public static let qstashToken = "QSTASH_TOKEN"
    public static let supabaseServiceRoleKey = "SUPABASE_SERVICE_ROLE_KEY"
    public static let supabaseAnonKey = "SUPABASE_ANON_KEY"
    public static let supabaseAccessToken = "SUPABASE_ACCESS_TOKEN"
    /// A Vercel access token that may read the projects (cron state, request log, Schedules) of the apps.
    public static let vercelToken = "VERCEL_TOKEN"

    /// The scope name for secrets shared by every app.
    public static let globalScope = "global"

    /// The secret a job's auth kind needs to make a request; empty for `none`.
    public static func required(for auth: AuthKind) -> [String] {
        switch auth {
        case .cronSecret: return [cronSecret]
        case .qstash: return [qstashCurrentSigningKey]
        case .serviceRole: return [supabaseServiceRoleKey]
        case .none: return []
        }
    }
}

/// Where commands read secret values. The inventory implements it; tests use `StaticSecrets`.
///
/// Lookups fall back from the app's scope to the global scope. A missing secret is `nil`,
/// and callers deny the request (deny by default).
public protocol SecretProvider: Sendable {
    /// The current value of `key` for `app` (or the global scope), or nil when neither has it.
    func secret(app: String, key: String) throws -> String?
    /// Every value, current and previous, that must never be shown: the Redactor's input.
    func valuesForRedaction() throws -> [String]
    /// Where the value ``secret(app:key:)`` returns comes from (an environment variable's name, an inventory
    /// scope), never the value; nil when it is not known or there is none.
    func sourceDescription(app: String, key: String) throws -> String?
    /// The box that seals what must be kept but never shown (a dead letter's body that held a secret), when a
    /// master key is at hand without making one; nil otherwise.
    func sealingBox() -> SecretBox?
}

extension SecretProvider {
    public func sourceDescription(app: String, key: String) throws -> String? { nil }
    public func sealingBox() -> SecretBox? { nil }
}

/// A fixed set of secrets, for tests and dry runs.
public struct StaticSecrets: SecretProvider {
    /// Values keyed by `scope` then `key`.
    public var values: [String: [String: String]]

    public init(_ values: [String: [String: String]] = [:]) { self.values = values }

    public func secret(app: String, key: String) throws -> String? {
        values[app]?[key] ?? values[SecretKeys.globalScope]?[key]
    }

    public func valuesForRedaction() throws -> [String] {
        values.values.flatMap(\.values)
    }
}
