import Foundation

/// Secrets from environment variables `RBSCRON_SECRET_<APP>_<KEY>` (APP upper-cased, `-` → `_`;
/// `GLOBAL` for the global scope), e.g. `RBSCRON_SECRET_LA_HOJA_CRON_SECRET`.
///
/// The CI escape hatch: a CI job passes its secrets as masked variables, never in argv.
public enum EnvironmentSecrets {
    public static let prefix = "RBSCRON_SECRET_"

    /// The variable that holds `key` for `app` (or for `global`).
    public static func variableName(app: String, key: String) -> String {
        prefix + app.uppercased().replacingOccurrences(of: "-", with: "_") + "_" + key
    }

    /// The secrets of `apps` (and the global scope) found in `environment`.
    public static func provider(environment: [String: String], apps: [String]) -> StaticSecrets {
        var values: [String: [String: String]] = [:]
        for scope in apps + [SecretKeys.globalScope] {
            let scopePrefix = variableName(app: scope, key: "")
            for (name, value) in environment where name.hasPrefix(scopePrefix) && !value.isEmpty {
                let key = String(name.dropFirst(scopePrefix.count))
                guard !key.isEmpty else { continue }
                values[scope, default: [:]][key] = value
            }
        }
        return StaticSecrets(values)
    }
}

/// Looks secrets up in `primary`, then `fallback` (e.g. the store, then the environment).
public struct LayeredSecrets: SecretProvider {
    public var primary: any SecretProvider
    public var fallback: any SecretProvider

    public init(primary: any SecretProvider, fallback: any SecretProvider) {
        self.primary = primary
        self.fallback = fallback
    }

    public func secret(app: String, key: String) throws -> String? {
        try primary.secret(app: app, key: key) ?? fallback.secret(app: app, key: key)
    }

    public func valuesForRedaction() throws -> [String] {
        try primary.valuesForRedaction() + fallback.valuesForRedaction()
    }
}
