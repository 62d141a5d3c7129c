import Foundation
import Testing
@testable import RBSCronKit

/// An app's Vercel project and team: in the manifest, in the inventory file, and in `schedule check`.
@Suite("vercel_project and vercel_team in the inventory")
struct VercelProjectTests {
    static let yaml = """
        version: 1
        apps:
          - name: shop
            display_name: Shop
            base_url: https://shop.example.com
            platform: vercel
            vercel_plan: pro
            vercel_project: prj_shop123
            vercel_team: team_rbs
            jobs:
              - {name: nightly, path: /api/cron/nightly, method: GET, layer: vercel, schedule: "0 3 * * *"}
          - name: blog
            display_name: Blog
            base_url: https://blog.example.com
            platform: vercel
            vercel_project: blog-site
            jobs:
              - {name: digest, path: /api/cron/digest, method: GET, layer: vercel, schedule: "0 6 * * *"}
          - name: plain
            display_name: Plain
            base_url: https://plain.example.com
            platform: vercel
            jobs:
              - {name: nightly, path: /api/cron/nightly, method: GET, layer: vercel, schedule: "0 3 * * *"}
              - {name: weekly, path: /api/cron/weekly, method: GET, layer: vercel, schedule: "0 3 * * 0"}
              - {name: off, path: /api/cron/off, method: GET, layer: vercel, schedule: "0 4 * * *", enabled: false}
        """

    @Test("the manifest reads both fields, export writes them, and they survive import → export → import and the file")
    func roundTrip() throws {
        let inventory = try Manifest.load(yaml: Self.yaml, file: "t.yaml")
        #expect(inventory.app(named: "shop")?.vercelProject == "prj_shop123" && inventory.app(named: "shop")?.vercelTeam == "team_rbs")
        #expect(inventory.app(named: "blog")?.vercelProject == "blog-site" && inventory.app(named: "blog")?.vercelTeam == nil)
        #expect(inventory.app(named: "plain")?.vercelProject == nil)
        let text = Manifest.render(inventory)
        #expect(text.contains("  vercel_project: prj_shop123\n  vercel_team: team_rbs\n"))
        #expect(try Manifest.load(yaml: text, file: "export.yaml") == inventory)

        let store = try InventoryStore.inMemory(seed: inventory)
        #expect(try store.inventory() == inventory)
        var changed = inventory
        changed.apps[1].vercelTeam = "team_blog"
        changed.apps[0].vercelProject = nil
        changed.apps[0].vercelTeam = nil
        _ = try store.replaceInventory(with: changed)
        #expect(try store.inventory() == changed)
    }

    @Test("identifiers that cannot travel in a Vercel API path, and a team without a project, are refused")
    func validation() {
        func issues(_ replacing: String, with: String) -> [String] {
            do {
                _ = try Manifest.load(yaml: Self.yaml.replacingOccurrences(of: replacing, with: with), file: "t.yaml")
                return []
            } catch {
                return error.issues.map(\.description)
            }
        }
        #expect(issues("vercel_project: prj_shop123", with: "vercel_project: ../v2/teams") == [
            "t.yaml:8:21: apps[0].vercel_project: '../v2/teams' is not a Vercel project id or name; use its id (prj_…) or its name (letters, digits, '.', '_' and '-')",
        ])
        #expect(issues("vercel_team: team_rbs", with: "vercel_team: \"team rbs\"").first?.contains("apps[0].vercel_team: 'team rbs' is not a Vercel team id") == true)
        #expect(issues("vercel_project: blog-site", with: "vercel_team: team_blog") == [
            "t.yaml:16:18: apps[1].vercel_team: a team without `vercel_project` reads nothing; add the project's id or name",
        ])
        #expect(issues("vercel_project: blog-site", with: "vercel_projekt: blog-site").first?.contains("did you mean 'vercel_project'?") == true)
        #expect(VercelIdentifier.isValid("prj_AbC.def-1") && !VercelIdentifier.isValid("") && !VercelIdentifier.isValid("..")
            && !VercelIdentifier.isValid("a/b") && !VercelIdentifier.isValid("a?b") && !VercelIdentifier.isValid(String(repeating: "a", count: 101)))
    }

    @Test("schedule check: an app with enabled Vercel crons and no vercel_project gets one info finding")
    func unobservedFinding() throws {
        let inventory = try Manifest.load(yaml: Self.yaml, file: "t.yaml")
        let report = ScheduleCheck.run(inventory, now: Date(timeIntervalSince1970: 1_790_000_000))
        let findings = report.findings.filter { $0.rule == "vercel.unobserved" }
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.severity == .info && finding.job == "plain")
        #expect(finding.message.hasPrefix("plain's 2 Vercel crons cannot be observed: no `vercel_project` is recorded"))
        #expect(finding.fix.contains("rbscron secret set global VERCEL_TOKEN --from-env VERCEL_TOKEN"))
        #expect(ScheduleCheck.rules.contains { $0.id == "vercel.unobserved" })
        #expect(!report.hasErrors)
    }
}
