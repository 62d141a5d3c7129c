import Foundation

/// One thing an operator does, in one layer, to roll a rotated secret out.
public struct RotationStep: Codable, Sendable, Equatable {
    /// `local`, `vercel`, `supabase_vault` or `qstash`.
    public let layer: String
    /// What the step achieves, as a sentence.
    public let title: String
    /// Shell commands or SQL to run, in order. Never a secret's value.
    public let commands: [String]

    public init(layer: String, title: String, commands: [String]) {
        self.layer = layer
        self.title = title
        self.commands = commands
    }
}

/// The places a secret is used, and how to name it in each.
public struct RotatedSecret: Sendable, Equatable {
    /// An app slug, or `global`.
    public var scope: String
    /// The secret's key, which is also its environment variable name (`CRON_SECRET`).
    public var key: String
    /// Vercel environments to update (`production`, `preview`, `development`); empty when the
    /// secret is not a Vercel environment variable.
    public var vercelEnvironments: [String]
    /// The Vercel team slug, for `--scope`, when the project is not in the personal account.
    public var vercelTeam: String?
    /// The name of the secret in Supabase Vault, when pg_cron reads it from there.
    public var vaultSecretName: String?
    /// True for `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY`, which Upstash rotates.
    public var isQStashSigningKey: Bool

    public init(
        scope: String,
        key: String,
        vercelEnvironments: [String] = [],
        vercelTeam: String? = nil,
        vaultSecretName: String? = nil,
        isQStashSigningKey: Bool = false
    ) {
        self.scope = scope
        self.key = key
        self.vercelEnvironments = vercelEnvironments
        self.vercelTeam = vercelTeam
        self.vaultSecretName = vaultSecretName
        self.isQStashSigningKey = isQStashSigningKey
    }
}

/// Pure functions that turn a rotated secret into the steps each layer needs.
///
/// The new value never appears in a command. The commands read it from the shell variable
/// `RBSCRON_NEW_VALUE`, which the first step fills from `rbscron secret get … --reveal` by command
/// substitution (not echoed, not in shell history, not in any process's argv): Vercel reads it on standard input, psql through
/// `\getenv` into a psql variable that is interpolated as a quoted literal.
public enum RotationGuide {
    /// The shell variable the commands read the new value from.
    public static let valueVariable = "RBSCRON_NEW_VALUE"

    /// All steps for `secret`, in the order to run them.
    public static func steps(for secret: RotatedSecret) -> [RotationStep] {
        var steps: [RotationStep] = []
        if secret.isQStashSigningKey {
            steps.append(qstashStep(for: secret))
        }
        let needsValue = !secret.vercelEnvironments.isEmpty || secret.vaultSecretName != nil
        if needsValue {
            steps.append(RotationStep(
                layer: "local",
                title: "Load the new value of \(secret.scope)/\(secret.key) from rbscron into this shell "
                    + "(never echoed, never in a command line or the history).",
                commands: ["\(valueVariable)=\"$(rbscron secret get \(shellQuoted(secret.scope)) \(shellQuoted(secret.key)) --reveal)\" && export \(valueVariable)"]
            ))
        }
        if !secret.vercelEnvironments.isEmpty {
            steps.append(vercelStep(for: secret))
        }
        if let vaultName = secret.vaultSecretName {
            steps.append(vaultStep(for: secret, vaultName: vaultName))
        }
        if needsValue {
            steps.append(RotationStep(
                layer: "local",
                title: "Forget the value in this shell.",
                commands: ["unset \(valueVariable)"]
            ))
        }
        return steps
    }

    /// `vercel env rm` / `vercel env add` for each environment (value on stdin), then a redeploy,
    /// since Vercel applies environment changes only to new deployments.
    public static func vercelStep(for secret: RotatedSecret) -> RotationStep {
        let team = secret.vercelTeam.map { " --scope " + shellQuoted($0) } ?? ""
        let name = shellQuoted(secret.key)
        var commands: [String] = []
        for environment in secret.vercelEnvironments {
            let env = shellQuoted(environment)
            commands.append("vercel env rm \(name) \(env) --yes\(team)")
            commands.append("printf '%s' \"$\(valueVariable)\" | vercel env add \(name) \(env)\(team)")
        }
        commands.append("vercel deploy --prod\(team)")
        return RotationStep(
            layer: "vercel",
            title: "Replace \(secret.key) in the Vercel project of \(secret.scope) and redeploy "
                + "(run in the project's linked folder).",
            commands: commands
        )
    }

    /// The psql script that updates the Vault secret from a psql variable, then shows when
    /// it was last updated so the operator can see it took.
    public static func vaultStep(for secret: RotatedSecret, vaultName: String) -> RotationStep {
        let literal = sqlQuoted(vaultName)
        return RotationStep(
            layer: "supabase_vault",
            title: "Update the Supabase Vault secret \(vaultName) that pg_cron jobs of \(secret.scope) read "
                + "(run with psql 15 or later, connected to the project's database).",
            commands: [
                "\\getenv new_value \(valueVariable)",
                "select vault.update_secret((select id from vault.secrets where name = \(literal)), :'new_value');",
                "\\unset new_value",
                "select name, updated_at from vault.secrets where name = \(literal);",
            ]
        )
    }

    /// QStash signing keys are rotated by Upstash, not by rbscron: the next key becomes the
    /// current one and a new next key is made. Receivers accept either, so update them after.
    public static func qstashStep(for secret: RotatedSecret) -> RotationStep {
        RotationStep(
            layer: "qstash",
            title: "Rotate the signing keys in the Upstash console (QStash → Signing Keys → Roll): "
                + "the next key becomes current and a new next key is made. Receivers accept either "
                + "key, so then store both new keys in rbscron (signing uses the current one) and in "
                + "every app that verifies QStash requests.",
            commands: [
                "rbscron secret set \(shellQuoted(secret.scope)) QSTASH_CURRENT_SIGNING_KEY",
                "rbscron secret set \(shellQuoted(secret.scope)) QSTASH_NEXT_SIGNING_KEY",
            ]
        )
    }

    /// A POSIX shell word: bare when it is plainly safe, else single-quoted.
    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/@%+=")
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// An SQL string literal with single quotes doubled.
    static func sqlQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
