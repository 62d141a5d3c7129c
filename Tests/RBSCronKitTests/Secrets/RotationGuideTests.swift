import Foundation
import Testing
@testable import RBSCronKit

@Suite("RotationGuide")
struct RotationGuideTests {
    let cronSecret = RotatedSecret(
        scope: "baul", key: "CRON_SECRET",
        vercelEnvironments: ["production", "preview"],
        vaultSecretName: "cron_secret"
    )

    @Test("a Vercel + Vault secret gets load, vercel, vault and forget steps in that order")
    func order() {
        let steps = RotationGuide.steps(for: cronSecret)
        #expect(steps.map(\.layer) == ["local", "vercel", "supabase_vault", "local"])
        #expect(steps.first?.commands == [#"RBSCRON_NEW_VALUE="$(rbscron secret get baul CRON_SECRET --reveal)" && export RBSCRON_NEW_VALUE"#])
        #expect(steps.last?.commands == ["unset RBSCRON_NEW_VALUE"])
    }

    @Test("vercel commands remove and re-add per environment, value on stdin, then redeploy")
    func vercel() {
        let step = RotationGuide.vercelStep(for: cronSecret)
        #expect(step.commands == [
            "vercel env rm CRON_SECRET production --yes",
            "printf '%s' \"$RBSCRON_NEW_VALUE\" | vercel env add CRON_SECRET production",
            "vercel env rm CRON_SECRET preview --yes",
            "printf '%s' \"$RBSCRON_NEW_VALUE\" | vercel env add CRON_SECRET preview",
            "vercel deploy --prod",
        ])
        var team = cronSecret
        team.vercelTeam = "rbs team's"
        #expect(RotationGuide.vercelStep(for: team).commands.allSatisfy { $0.hasSuffix(" --scope 'rbs team'\\''s'") })
    }

    @Test("the Vault SQL passes the value through a psql variable, never inline")
    func vault() {
        let step = RotationGuide.vaultStep(for: cronSecret, vaultName: "cron_secret")
        #expect(step.commands == [
            "\\getenv new_value RBSCRON_NEW_VALUE",
            "select vault.update_secret((select id from vault.secrets where name = 'cron_secret'), :'new_value');",
            "\\unset new_value",
            "select name, updated_at from vault.secrets where name = 'cron_secret';",
        ])
        let quoted = RotationGuide.vaultStep(for: cronSecret, vaultName: "o'brien")
        #expect(quoted.commands[1].contains("where name = 'o''brien'"))
    }

    @Test("QStash signing keys get the Upstash roll note and nothing that needs the value")
    func qstash() {
        let steps = RotationGuide.steps(for: RotatedSecret(scope: "global", key: "QSTASH_CURRENT_SIGNING_KEY", isQStashSigningKey: true))
        #expect(steps.map(\.layer) == ["qstash"])
        #expect(steps[0].title.contains("next key becomes current"))
        #expect(steps[0].commands == [
            "rbscron secret set global QSTASH_CURRENT_SIGNING_KEY",
            "rbscron secret set global QSTASH_NEXT_SIGNING_KEY",
        ])
    }

    @Test("a secret used nowhere else needs no steps")
    func localOnly() {
        #expect(RotationGuide.steps(for: RotatedSecret(scope: "camino", key: "API_TOKEN")).isEmpty)
    }

    @Test("steps encode to JSON with layer, title and commands")
    func codable() throws {
        let steps = RotationGuide.steps(for: cronSecret)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(steps)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(object.allSatisfy { Set($0.keys) == ["layer", "title", "commands"] })
        #expect(try JSONDecoder().decode([RotationStep].self, from: data) == steps)
    }
}
