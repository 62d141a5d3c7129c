import Foundation
import GRDB
import Testing
@testable import RBSCronKit

@Suite struct InventoryStoreTests {
    @Test func aNewFileIsSeededAnd0600InA0700Folder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nested/inventory.sqlite").path
        let store = try InventoryStore.openSeeded(path: path)
        #expect(try store.counts().jobs == 69)
        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let dirMode = try FileManager.default.attributesOfItem(atPath: (path as NSString).deletingLastPathComponent)[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(dirMode == 0o700)
        let journal = try store.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test func reopeningDoesNotReseed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("inventory.sqlite").path
        let store = try InventoryStore.openSeeded(path: path)
        _ = try store.replaceInventory(with: Inventory(apps: [], jobs: []))
        let again = try InventoryStore.openSeeded(path: path)
        #expect(try again.counts().apps == 0, "an operator's empty inventory stays empty")
    }

    @Test func replaceKeepsSecretsHistoryAndWhenJobsWereAdded() throws {
        let seedDate = Date(timeIntervalSince1970: 1_700_000_000)
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory(), now: seedDate)
        try store.writer.write { db in
            try db.execute(sql: "INSERT INTO secrets(scope, key, ciphertext, created_at) VALUES ('camino', 'CRON_SECRET', x'00', 0)")
            try db.execute(sql: "INSERT INTO runs(app, job, source, started_at, state) VALUES ('camino', 'daily-dispatcher', 'manual', 0, 'started')")
        }
        var inventory = try store.inventory()
        inventory.jobs.removeAll { $0.app == "constanza" }
        inventory.apps.removeAll { $0.name == "constanza" }
        inventory.jobs[0].description = "changed"
        let later = seedDate.addingTimeInterval(3600)
        let summary = try store.replaceInventory(with: inventory, now: later)
        #expect(summary.appsRemoved == ["constanza"])
        #expect(summary.jobsRemoved.count == 4)
        #expect(summary.jobsChanged == ["camino/daily-dispatcher"])
        #expect(try store.inventory() == inventory)
        #expect(try store.counts().secrets == 1)
        #expect(try store.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runs") } == 1)
        #expect(try store.jobAddedTimes()[JobRef(app: "camino", job: "daily-dispatcher")] == seedDate)
    }

    @Test func dryRunWritesNothing() throws {
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
        let summary = try store.replaceInventory(with: Inventory(apps: [], jobs: []), dryRun: true)
        #expect(summary.jobsRemoved.count == 69 && summary.dryRun)
        #expect(try store.counts().jobs == 69)
    }

    @Test func aFailingReplaceLeavesTheInventoryAsItWas() throws {
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
        let before = try store.inventory()
        var broken = before
        // Bypass validation: a job whose app does not exist violates the foreign key.
        broken.jobs.append(Job(app: "ghost", name: "x", path: "/x", layer: .manual))
        #expect(throws: StoreError.self) { try store.replaceInventory(with: broken) }
        #expect(try store.inventory() == before)
    }

    @Test func sqliteEnforcesConstraints() throws {
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
        #expect(throws: (any Error).self) {
            try store.writer.write { try $0.execute(sql: "UPDATE jobs SET layer = 'cloud' WHERE name = 'voice-outbound'") }
        }
        #expect(throws: (any Error).self) {
            try store.writer.write { try $0.execute(sql: "INSERT INTO apps(name) VALUES ('x')") }
        }
        #expect(throws: (any Error).self) {
            try store.writer.write { try $0.execute(sql: "UPDATE jobs SET path = NULL WHERE name = 'voice-outbound'") }
        }
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("this is not sqlite, but it is long enough to look like a header........".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try InventoryStore.openSeeded(path: path)
        } throws: { error in
            (error as? StoreError)?.errorDescription?.contains(path) == true
        }
    }

    @Test func defaultPathFollowsXDG() {
        #expect(StorePaths.defaultDatabasePath(environment: ["RBSCRON_DB": "/x/db.sqlite", "HOME": "/h"]) == "/x/db.sqlite")
        #expect(StorePaths.defaultDatabasePath(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/d/rbscron/inventory.sqlite")
        #expect(StorePaths.defaultDatabasePath(environment: ["HOME": "/h"]) == "/h/.local/share/rbscron/inventory.sqlite")
        #expect(StorePaths.defaultDatabasePath(environment: ["XDG_DATA_HOME": "relative", "HOME": "/h"]) == "/h/.local/share/rbscron/inventory.sqlite")
    }
}
