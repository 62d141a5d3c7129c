import Foundation
import Testing
@testable import RBSCronKit

/// Large inventories: lookups by name go through an index that stays right as the inventory changes, and the
/// shortcuts the commands take give the same answers as the long way.
@Suite("Inventory lookups and schedule shortcuts at scale")
struct InventoryScaleTests {
    static func inventory(apps: Int) -> Inventory {
        var list: [App] = [], jobs: [Job] = []
        for i in 0..<apps {
            list.append(App(name: "app-\(i)", displayName: "App \(i)", baseURL: "https://app-\(i).example.com", platform: .vercel))
            jobs.append(Job(app: "app-\(i)", name: "nightly", path: "/n", layer: .vercel, schedule: "0 3 * * *"))
            jobs.append(Job(app: "app-\(i)", name: "child", path: "/c", layer: .fanout,
                            triggeredBy: JobRef(app: "app-\(i)", job: "nightly"), order: 1))
        }
        return Inventory(apps: list, jobs: jobs)
    }

    @Test("lookups by name match a linear search, and follow changes to apps and jobs")
    func lookups() {
        var inventory = Self.inventory(apps: 300)
        for i in stride(from: 0, to: 300, by: 37) {
            #expect(inventory.app(named: "app-\(i)") == inventory.apps.first { $0.name == "app-\(i)" })
            #expect(inventory.jobs(ofApp: "app-\(i)") == inventory.jobs.filter { $0.app == "app-\(i)" })
            #expect(inventory.children(of: JobRef(app: "app-\(i)", job: "nightly")).map(\.name) == ["child"])
        }
        #expect(inventory.app(named: "app-300") == nil)
        let copy = inventory
        inventory.apps[5].displayName = "Renamed"
        inventory.jobs.removeAll { $0.app == "app-7" }
        inventory.apps.append(App(name: "late", displayName: "Late", baseURL: "https://late.example.com", platform: .other))
        #expect(inventory.app(named: "app-5")?.displayName == "Renamed")
        #expect(inventory.jobs(ofApp: "app-7").isEmpty && inventory.job(JobRef(app: "app-7", job: "nightly")) == nil)
        #expect(inventory.app(named: "late") != nil)
        #expect(copy.app(named: "app-5")?.displayName == "App 5" && copy.jobs(ofApp: "app-7").count == 2,
                "a copy keeps its own answers")
        #expect(inventory != copy)
    }

    @Test("export of an inventory renders every app's jobs under it, in order", arguments: [1, 250])
    func exportRoundTrip(apps: Int) throws {
        let inventory = Self.inventory(apps: apps)
        let again = try Manifest.load(yaml: Manifest.render(inventory), file: "scale.yaml")
        #expect(again == inventory)
    }

    @Test("the every-day shortcut for a schedule's shortest gap agrees with the 30-year walk", arguments: [
        "*/15 * * * *", "0 3 * * *", "0 0,23 * * *", "5,50 1,22 * * *", "* * * * *", "0 9 1-31 * 1-5", "*/7 */5 * * *",
        "@daily", "@hourly", "0 9 * * 1", "0 9 1 * *", "0 0 29 2 *", "0 9 * 1-6 *",
    ])
    func intervalShortcut(expression: String) throws {
        guard case .calendar(let spec) = try CronSchedule.parse(expression).kind else { return }
        #expect(spec.minimumIntervalSeconds() == spec.minimumIntervalSecondsOverDays(), "\(expression)")
    }
}
