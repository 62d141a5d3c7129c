import Foundation

/// `secret list`: what is stored (masked), who uses it, and which jobs lack what they need.
public struct SecretListReport: Encodable, Sendable {
    public struct Entry: Encodable, Sendable, Equatable {
        public var scope: String
        public var key: String
        /// At most the first 4 characters and the length; `(locked)` without the master key.
        public var preview: String
        public var createdAt: Date
        public var rotatedAt: Date?
        public var previousExpiresAt: Date?
        public var usedBy: [String]

        enum CodingKeys: String, CodingKey {
            case scope, key, preview, createdAt = "created_at", rotatedAt = "rotated_at",
                 previousExpiresAt = "previous_expires_at", usedBy = "used_by"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(scope, forKey: .scope)
            try c.encode(key, forKey: .key)
            try c.encode(preview, forKey: .preview)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(rotatedAt, forKey: .rotatedAt)
            try c.encode(previousExpiresAt, forKey: .previousExpiresAt)
            try c.encode(usedBy, forKey: .usedBy)
        }
    }

    /// A job that would be denied: its auth needs `key` and neither its app nor `global` has it.
    public struct Missing: Encodable, Sendable, Equatable {
        public var job: String
        public var auth: AuthKind
        public var key: String
    }

    public var secrets: [Entry]
    public var missing: [Missing]
    /// Why the previews are `(locked)`: no master key (what to restore). Not part of the JSON; a warning.
    public var lockedReason: String?

    enum CodingKeys: String, CodingKey { case secrets, missing }

    /// Builds the report. `preview` opens a value for its masked preview; nil when it cannot (no key).
    /// `layer` narrows the jobs counted in `used_by` and `missing` to that layer's.
    public static func build(inventory: Inventory, records: [SecretRecord], app: String? = nil, layer: Layer? = nil,
                             preview: (SecretRecord) -> String?) -> SecretListReport {
        let present = Set(records.map { "\($0.scope)/\($0.key)" })
        func has(_ scope: String, _ key: String) -> Bool { present.contains("\(scope)/\(key)") }
        let jobs = inventory.jobs.filter { (app == nil || $0.app == app) && (layer == nil || $0.layer == layer) }
        var usedBy: [String: [String]] = [:]
        var missing: [Missing] = []
        for job in jobs where job.path != nil {
            for key in SecretKeys.required(for: job.auth) {
                if has(job.app, key) {
                    usedBy["\(job.app)/\(key)", default: []].append(job.ref.description)
                } else if has(SecretKeys.globalScope, key) {
                    usedBy["\(SecretKeys.globalScope)/\(key)", default: []].append(job.ref.description)
                } else {
                    missing.append(Missing(job: job.ref.description, auth: job.auth, key: key))
                }
            }
        }
        let entries = records
            .filter { app == nil || $0.scope == app || $0.scope == SecretKeys.globalScope }
            .map { record in
                Entry(scope: record.scope, key: record.key, preview: preview(record) ?? "(locked)",
                      createdAt: record.createdAt, rotatedAt: record.rotatedAt,
                      previousExpiresAt: record.previousExpiresAt,
                      usedBy: usedBy["\(record.scope)/\(record.key)"] ?? [])
            }
        return SecretListReport(secrets: entries, missing: missing)
    }
}

extension SecretListReport.Missing {
    enum CodingKeys: String, CodingKey { case job, auth, key }
}

/// What `secret rotate` reports: the new state and the steps for each layer that uses the secret.
public struct RotationReport: Encodable, Sendable {
    public var scope: String
    public var key: String
    public var generated: Bool
    public var previousValidUntil: Date?
    public var usedBy: [String]
    public var steps: [RotationStep]
    /// The new value's masked preview (for the human report; not in the JSON).
    public var preview: String?

    enum CodingKeys: String, CodingKey {
        case scope, key, generated, previousValidUntil = "previous_valid_until", usedBy = "used_by", steps
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scope, forKey: .scope)
        try c.encode(key, forKey: .key)
        try c.encode(generated, forKey: .generated)
        try c.encode(previousValidUntil, forKey: .previousValidUntil)
        try c.encode(usedBy, forKey: .usedBy)
        try c.encode(steps, forKey: .steps)
    }

    /// The report for a rotation just made: who uses the secret and what each layer needs done.
    public static func make(scope: String, key: String, generated: Bool, previousValidUntil: Date?,
                            inventory: Inventory) -> RotationReport {
        let (rotated, users) = rotatedSecret(scope: scope, key: key, inventory: inventory)
        return RotationReport(scope: scope, key: key, generated: generated, previousValidUntil: previousValidUntil,
                              usedBy: users.map(\.ref.description), steps: RotationGuide.steps(for: rotated), preview: nil)
    }

    /// Which layers hold a copy of `scope/key`, derived from the jobs that use it.
    public static func rotatedSecret(scope: String, key: String, inventory: Inventory) -> (RotatedSecret, [Job]) {
        let users = inventory.jobs.filter { job in
            job.path != nil && SecretKeys.required(for: job.auth).contains(key)
                && (job.app == scope || scope == SecretKeys.globalScope)
        }
        let apps = Set(users.map(\.app))
        // Vercel (and fan-out/manual endpoints served by a Vercel app) read it from the project's env.
        let onVercel = users.contains { job in
            inventory.app(named: job.app)?.platform == .vercel && job.layer != .pgCron
        }
        // pg_cron HTTP jobs read it from Supabase Vault through rbscron's invoker function.
        let onPgCron = users.contains { $0.layer == .pgCron }
        let vaultApp = scope == SecretKeys.globalScope ? apps.sorted().first : scope
        let secret = RotatedSecret(
            scope: scope, key: key,
            vercelEnvironments: onVercel ? ["production"] : [],
            vaultSecretName: onPgCron && key == SecretKeys.cronSecret ? vaultApp.map(PgCronSQL.vaultCronSecretName(app:)) : nil,
            isQStashSigningKey: key == SecretKeys.qstashCurrentSigningKey || key == SecretKeys.qstashNextSigningKey)
        return (secret, users)
    }
}
