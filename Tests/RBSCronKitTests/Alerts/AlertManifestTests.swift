import Foundation
import Testing

@testable import RBSCronKit

@Suite("the manifest's maintenance windows and per-job alert thresholds")
struct AlertManifestTests {
    static let manifest = """
        version: 1
        apps:
          - name: shop
            display_name: Shop
            base_url: https://shop.example.com
            platform: vercel
            jobs:
              - name: nightly
                path: /api/cron/nightly
                layer: vercel
                schedule: "0 3 * * *"
                alert: {failures: 3, success_rate: 99.5%, missed_fires: false}
              - {name: hourly, path: /api/cron/hourly, layer: vercel, schedule: "0 * * * *", alert: {success_rate: 0.9}}
        maintenance:
          - name: sunday-deploys
            cron: "0 3 * * 0"
            duration: 2h
            timezone: America/Mexico_City
            apps: [shop]
            reason: weekly deploy
          - {name: nightly-only, cron: "55 2 * * *", duration: 15m, jobs: [shop/nightly]}
        """

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try Manifest.load(yaml: yaml, file: "m.yaml")
            return []
        } catch {
            return error.issues.map { "\($0.field): \($0.message)" }
        }
    }

    @Test("they load, export and import back to the same inventory, through the store too")
    func roundTrip() throws {
        let inventory = try Manifest.load(yaml: Self.manifest, file: "m.yaml")
        #expect(inventory.jobs[0].alert == JobAlertPolicy(failures: 3, successRate: 0.995, missedFires: false))
        #expect(inventory.jobs[1].alert == JobAlertPolicy(successRate: 0.9))
        #expect(inventory.maintenance == [
            MaintenanceWindow(name: "sunday-deploys", cron: "0 3 * * 0", timezone: "America/Mexico_City", durationMs: 7_200_000,
                              apps: ["shop"], reason: "weekly deploy"),
            MaintenanceWindow(name: "nightly-only", cron: "55 2 * * *", durationMs: 900_000, jobs: [JobRef(app: "shop", job: "nightly")]),
        ])
        let text = Manifest.render(inventory)
        #expect(text.contains("alert: {failures: 3, success_rate: 99.5%, missed_fires: false}"))
        #expect(text.contains("maintenance:"))
        #expect(try Manifest.load(yaml: text, file: "again.yaml") == inventory)
        let store = try InventoryStore.inMemory(seed: Inventory(apps: [], jobs: []))
        let summary = try store.replaceInventory(with: inventory)
        #expect(summary.maintenanceWindows == 2)
        #expect(try store.inventory() == inventory)
        // A manifest without them exports without them (existing manifests stay as they are).
        #expect(!Manifest.render(try EmbeddedEcosystem.inventory()).contains("maintenance:"))
        #expect(!Manifest.render(try EmbeddedEcosystem.inventory()).contains("alert:"))
    }

    @Test("bad windows and thresholds are refused with their field")
    func validation() {
        let bad = Self.manifest
            .replacingOccurrences(of: "cron: \"0 3 * * 0\"", with: "cron: \"0 3 * *\"")
            .replacingOccurrences(of: "timezone: America/Mexico_City", with: "timezone: Mars/Olympus")
            .replacingOccurrences(of: "apps: [shop]", with: "apps: [shopp]")
            .replacingOccurrences(of: "jobs: [shop/nightly]", with: "jobs: [shop/weekly]")
            .replacingOccurrences(of: "failures: 3", with: "failures: -1")
            .replacingOccurrences(of: "success_rate: 0.9", with: "success_rate: 150%")
        let found = problems(bad)
        #expect(found.contains { $0.hasPrefix("maintenance[0].cron:") })
        #expect(found.contains("maintenance[0].timezone: 'Mars/Olympus' is not an IANA time zone (e.g. America/Mexico_City, UTC)"))
        #expect(found.contains("maintenance[0].apps[0]: 'shopp' is not an app of this manifest"))
        #expect(found.contains("maintenance[1].jobs[0]: 'shop/weekly' is not a job of this manifest"))
        #expect(found.contains("apps[0].jobs[0].alert.failures: -1 is out of range (0 turns failure alerts off; at most 1000)"))
        #expect(found.contains("apps[0].jobs[1].alert.success_rate: must be more than 0% and at most 100% (e.g. 90%)"))
        #expect(problems(Self.manifest.replacingOccurrences(of: "duration: 2h", with: "duration: soon"))
            == ["maintenance[0].duration: 'soon' is not a duration; write it like 30m, 2h or 1d"])
        #expect(problems(Self.manifest.replacingOccurrences(of: "duration: 15m, ", with: ""))
            == ["maintenance[1].duration: missing; how long each window lasts, e.g. 2h"])
        #expect(problems(Self.manifest.replacingOccurrences(of: "missed_fires: false", with: "missed: false"))
            == ["apps[0].jobs[0].alert.missed: unknown field 'missed'; did you mean 'missed_fires'?"])
        #expect(problems(Self.manifest.replacingOccurrences(of: "name: nightly-only", with: "name: sunday-deploys"))
            == ["maintenance[1].name: maintenance window 'sunday-deploys' is declared twice"])
    }

    @Test("rates read as percentages or fractions")
    func rates() {
        #expect(Manifest.rate("90%") == 0.9 && Manifest.rate("0.9") == 0.9 && Manifest.rate(" 99.5 % ") == 0.995)
        #expect(Manifest.rate("ninety") == nil && Manifest.rate("%") == nil)
        #expect(Manifest.percent(0.9) == "90%" && Manifest.percent(0.995) == "99.5%")
    }
}
