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

/// What the static checks look at: the inventory's jobs and secrets, nothing on the network.
public struct SecretCheckInput: Sendable {
    public var inventory: Inventory
    /// The apps the audit covers (their secrets and the global ones are checked).
    public var apps: Set<String>
    /// The jobs the audit covers.
    public var jobs: [Job]
    /// Every scope's effective values (environment over inventory), for length, entropy and sharing.
    public var values: [ScopedSecret]
    /// The inventory's secrets (metadata), for their age.
    public var records: [SecretRecord]
    /// Per app: whether a current and a next QStash signing key are on record.
    public var signingKeys: [String: (current: Bool, next: Bool)]
    /// Why some values could not be read (no master key); they are then left out of the comparisons.
    public var unreadable: String?
    public var maxAgeMs: Int
    public var now: Date

    public init(inventory: Inventory, apps: Set<String>, jobs: [Job], values: [ScopedSecret], records: [SecretRecord],
                signingKeys: [String: (current: Bool, next: Bool)], unreadable: String?, maxAgeMs: Int, now: Date) {
        self.inventory = inventory
        self.apps = apps
        self.jobs = jobs
        self.values = values
        self.records = records
        self.signingKeys = signingKeys
        self.unreadable = unreadable
        self.maxAgeMs = maxAgeMs
        self.now = now
    }
}

/// The checks `audit` makes from the inventory alone: weak, shared and old secrets, endpoints declared without auth,
/// QStash apps without signing keys. Pure; values are compared in constant time and never leave this function.
public enum SecretChecks {
    /// Vercel's guidance for CRON_SECRET: at least 16 characters.
    public static let minimumLength = 16
    /// Below this estimate (characters × Shannon entropy of their distribution) a value is guessable.
    public static let minimumBits = 64.0
    /// Keys that are not secrets: the anon key is public by design.
    static let publicKeys: Set<String> = [SecretKeys.supabaseAnonKey]

    public static func run(_ input: SecretCheckInput) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        func add(_ severity: AuditSeverity, _ rule: String, _ subject: String, _ message: String, _ fix: String) {
            findings.append(AuditFinding(severity: severity, rule: rule, subject: subject, message: message, fix: fix))
        }
        let inScope: (String) -> Bool = { $0 == SecretKeys.globalScope || input.apps.contains($0) }
        if let unreadable = input.unreadable {
            add(.warning, "secret.unreadable", "inventory",
                "some secrets could not be read (\(unreadable)); they are left out of the length, entropy and sharing checks, "
                    + "and a wrong bearer is then 43 characters long.",
                "Set RBSCRON_MASTER_KEY (or the key file) to the key this inventory was sealed with, then audit again.")
        }
        let values = input.values.filter { !publicKeys.contains($0.key) }

        // Weak values.
        for secret in values where inScope(secret.scope) {
            let length = secret.value.count
            if length < minimumLength {
                add(.warning, "secret.short", secret.name,
                    "\(secret.name) (\(secret.source)) is \(length) character\(length == 1 ? "" : "s") long; Vercel asks "
                        + "for at least \(minimumLength) for CRON_SECRET, and a short secret can be guessed.",
                    replaceFix(secret))
            } else if entropyBits(secret.value) < minimumBits {
                add(.warning, "secret.low-entropy", secret.name,
                    "\(secret.name) (\(secret.source)) has little entropy (about \(Int(entropyBits(secret.value))) bits "
                        + "from \(Set(secret.value).count) distinct characters): it can be guessed.",
                    replaceFix(secret))
            }
        }

        // The same value in several scopes: one leak opens them all.
        var groups: [[ScopedSecret]] = []
        for secret in values {
            if let index = groups.firstIndex(where: { ConstantTime.equals($0[0].value, secret.value) }) {
                groups[index].append(secret)
            } else {
                groups.append([secret])
            }
        }
        for group in groups where Set(group.map(\.scope)).count > 1 && group.contains(where: { inScope($0.scope) }) {
            let names = group.map(\.name)
            let apps = Set(group.map(\.scope)).sorted()
            let rotate = group.first(where: { $0.scope != SecretKeys.globalScope }) ?? group[0]
            add(.warning, "secret.shared", names.joined(separator: ", "),
                "\(names.joined(separator: " and ")) hold the same value: a leak from "
                    + "\(apps.joined(separator: " or ")) opens \(apps.count == 2 ? "both" : "them all").",
                "Give each its own value, e.g. " + rotateCommand(rotate) + " (and set the new value where the app reads it).")
        }

        // One global value serving several apps.
        for secret in values where secret.scope == SecretKeys.globalScope {
            let own = Set(values.filter { $0.key == secret.key && $0.scope != SecretKeys.globalScope }.map(\.scope))
            let users = Set(input.inventory.jobs.filter {
                $0.path != nil && SecretKeys.required(for: $0.auth).contains(secret.key) && !own.contains($0.app)
            }.map(\.app)).sorted()
            guard users.count > 1, users.contains(where: input.apps.contains) else { continue }
            add(.info, "secret.global", secret.name,
                "\(secret.name) (\(secret.source)) serves \(users.count) apps (\(users.joined(separator: ", "))): "
                    + "one value for several apps, so a leak from one opens all of them.",
                "Give each app its own \(secret.key) (`rbscron secret set APP \(secret.key)`) when they are run by different people.")
        }

        // Age.
        for record in input.records where inScope(record.scope) && !publicKeys.contains(record.key) {
            let changed = record.rotatedAt ?? record.createdAt
            let ageMs = input.now.timeIntervalSince(changed) * 1000
            guard ageMs > Double(input.maxAgeMs) else { continue }
            let secret = ScopedSecret(scope: record.scope, key: record.key, source: "inventory \(record.scope)/\(record.key)",
                                      value: "", inInventory: true)
            add(.warning, "secret.age", secret.name,
                "\(secret.name) was last set \(Int(ageMs / 86_400_000)) days ago (\(Timestamp.rfc3339(changed))), longer "
                    + "than --max-age \(DurationText.format(milliseconds: input.maxAgeMs)).",
                "Rotate it: " + rotateCommand(secret) + ", then follow the steps it prints for each layer.")
        }

        // Endpoints declared open.
        for job in input.jobs where job.auth == .none {
            guard let path = job.path, path.contains("/api/cron/") else { continue }
            add(.warning, "auth.none", job.ref.description,
                "\(job.ref) is declared `auth: none` on the cron path \(path): either the inventory is wrong or the "
                    + "endpoint runs for anyone. It is not probed, since a probe would run it.",
                "If the route checks CRON_SECRET, set `auth: cron_secret` and run `rbscron audit --job \(job.ref)`; "
                    + "otherwise make it deny by default.")
        }

        // QStash apps without their signing keys.
        let qstashApps = Set(input.jobs.filter { $0.auth == .qstash && $0.path != nil }.map(\.app))
        for app in input.inventory.apps.map(\.name) where qstashApps.contains(app) {
            let keys = input.signingKeys[app] ?? (false, false)
            var missing: [String] = []
            if !keys.current { missing.append(SecretKeys.qstashCurrentSigningKey) }
            if !keys.next { missing.append(SecretKeys.qstashNextSigningKey) }
            guard !missing.isEmpty else { continue }
            add(.warning, "qstash.signing-keys", app,
                "\(app) has QStash jobs but no \(missing.joined(separator: " or ")) on record"
                    + (keys.current ? "" : ": `trigger` denies its QStash jobs and --signed-probes cannot be sent")
                    + (keys.next ? "" : "; when Upstash rolls its keys, nothing here knows the next one") + ".",
                "Copy \(missing.count == 1 ? "it" : "them") from the Upstash console (QStash, Signing keys): "
                    + missing.map { "`rbscron secret set \(app) \($0)`" }.joined(separator: " and ") + ".")
        }
        return findings.sorted { ($0.severity, $0.rule, $0.subject) < ($1.severity, $1.rule, $1.subject) }
    }

    /// Characters × the Shannon entropy of their distribution in the value: a cheap estimate of how guessable it is
    /// (a random base64url value of 43 characters scores about 200, `aaaa…` zero).
    public static func entropyBits(_ value: String) -> Double {
        let characters = Array(value)
        guard !characters.isEmpty else { return 0 }
        var counts: [Character: Int] = [:]
        for character in characters { counts[character, default: 0] += 1 }
        let total = Double(characters.count)
        let perCharacter = counts.values.reduce(0.0) { sum, count in
            let p = Double(count) / total
            return sum - p * log2(p)
        }
        return perCharacter * total
    }

    static func rotateCommand(_ secret: ScopedSecret) -> String {
        switch secret.key {
        case SecretKeys.qstashCurrentSigningKey, SecretKeys.qstashNextSigningKey, SecretKeys.qstashToken,
             SecretKeys.supabaseServiceRoleKey, SecretKeys.supabaseAccessToken, SecretKeys.vercelToken:
            // These values are issued by Upstash, Supabase or Vercel: roll them there, then store the new one.
            return "roll it where it is issued, then `rbscron secret rotate \(secret.scope) \(secret.key) --from-env NEW_VALUE`"
        default:
            return "`rbscron secret rotate \(secret.scope) \(secret.key) --generate`"
        }
    }

    static func replaceFix(_ secret: ScopedSecret) -> String {
        if secret.inInventory { return "Replace it with a random value: " + rotateCommand(secret) + "." }
        return "Replace the value of \(EnvironmentSecrets.variableName(app: secret.scope, key: secret.key)) and of the "
            + "app's own setting with at least 32 random characters (e.g. `openssl rand -base64 32`)."
    }
}
