import Foundation
import GRDB
import Testing
@testable import RBSCronKit

@Suite struct SecretStoreTests {
    static func box() throws -> SecretBox {
        SecretBox(masterKey: try MasterKey(rawBytes: Data((0..<32).map { _ in UInt8.random(in: 0...255) })))
    }

    @Test func setOpenReplaceAndRemove() throws {
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
        let box = try Self.box()
        #expect(try store.setSecret(scope: "camino", key: "CRON_SECRET", value: "first-value-123456", box: box))
        #expect(try store.setSecret(scope: "camino", key: "CRON_SECRET", value: "second-value-123456", box: box) == false)
        let secrets = try store.secrets(box: box)
        #expect(try secrets.secret(app: "camino", key: "CRON_SECRET") == "second-value-123456")
        #expect(try secrets.secret(app: "baul", key: "CRON_SECRET") == nil)
        #expect(try store.removeSecret(scope: "camino", key: "CRON_SECRET"))
        #expect(try store.removeSecret(scope: "camino", key: "CRON_SECRET") == false)
        #expect(try secrets.secret(app: "camino", key: "CRON_SECRET") == nil)
    }

    @Test func globalIsTheFallbackAndAnAppValueWins() throws {
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
        let box = try Self.box()
        try store.setSecret(scope: "global", key: "CRON_SECRET", value: "global-value-0000", box: box)
        try store.setSecret(scope: "baul", key: "CRON_SECRET", value: "baul-value-000000", box: box)
        let secrets = try store.secrets(box: box)
        #expect(try secrets.secret(app: "camino", key: "CRON_SECRET") == "global-value-0000")
        #expect(try secrets.secret(app: "baul", key: "CRON_SECRET") == "baul-value-000000")
    }

    @Test func rotationKeepsThePreviousValueForRedactionUntilPruned() throws {
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
        let box = try Self.box()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        try store.setSecret(scope: "camino", key: "CRON_SECRET", value: "old-value-abcdef", box: box, now: t0)
        try store.rotateSecret(scope: "camino", key: "CRON_SECRET", newValue: "new-value-ghijkl", grace: 3600, box: box, now: t0)
        let secrets = try store.secrets(box: box)
        #expect(try secrets.secret(app: "camino", key: "CRON_SECRET") == "new-value-ghijkl")
        #expect(Set(try secrets.valuesForRedaction()) == ["old-value-abcdef", "new-value-ghijkl"])
        let record = try #require(try store.secretRecords().first)
        #expect(record.hasPrevious && record.previousExpiresAt == t0.addingTimeInterval(3600))
        #expect(try store.pruneExpiredPreviousSecrets(now: t0.addingTimeInterval(60)) == 0)
        #expect(try store.pruneExpiredPreviousSecrets(now: t0.addingTimeInterval(3601)) == 1)
        #expect(try secrets.valuesForRedaction() == ["new-value-ghijkl"])
    }

    @Test func rotatingAMissingSecretIsAnError() throws {
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
        #expect(throws: SecretStoreError.notFound(scope: "camino", key: "CRON_SECRET")) {
            try store.rotateSecret(scope: "camino", key: "CRON_SECRET", newValue: "x-value-0000000000", grace: 0, box: try Self.box())
        }
    }

    @Test func aDifferentMasterKeyIsRefusedAndChangesNothing() throws {
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
        let right = try Self.box(), wrong = try Self.box()
        try store.setSecret(scope: "camino", key: "CRON_SECRET", value: "right-key-value-01", box: right)
        #expect(throws: SecretStoreError.self) {
            try store.setSecret(scope: "camino", key: "CRON_SECRET", value: "overwrite-attempt", box: wrong)
        }
        #expect(throws: SecretStoreError.self) {
            try store.setSecret(scope: "baul", key: "CRON_SECRET", value: "another-secret-01", box: wrong)
        }
        #expect(throws: SecretStoreError.self) { _ = try store.secrets(box: wrong) }
        #expect(try store.secrets(box: right).secret(app: "camino", key: "CRON_SECRET") == "right-key-value-01")
        #expect(try store.secretRecords().count == 1)
    }

    @Test func badScopesKeysAndEmptyValuesAreRefused() throws {
        let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
        let box = try Self.box()
        #expect(throws: SecretStoreError.invalidScope("Camino App")) {
            try store.setSecret(scope: "Camino App", key: "CRON_SECRET", value: "v-000000", box: box)
        }
        #expect(throws: SecretStoreError.invalidKey("cron-secret")) {
            try store.setSecret(scope: "camino", key: "cron-secret", value: "v-000000", box: box)
        }
        #expect(throws: SecretStoreError.emptyValue) {
            try store.setSecret(scope: "camino", key: "CRON_SECRET", value: "", box: box)
        }
    }

    @Test func theFileHoldsNoPlaintextWALIncluded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-secrets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("inventory.sqlite").path
        let plaintext = "PLAINTEXT-sentinel-\(UUID().uuidString)"
        let box = try Self.box()
        do {
            let store = try InventoryStore.openSeeded(path: path)
            try store.setSecret(scope: "camino", key: "CRON_SECRET", value: plaintext, box: box)
            try store.rotateSecret(scope: "camino", key: "CRON_SECRET", newValue: plaintext + "-2", grace: 60, box: box)
            // Inspect while the WAL still holds the writes.
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
                let bytes = try Data(contentsOf: dir.appendingPathComponent(file))
                #expect(bytes.range(of: Data(plaintext.utf8)) == nil, "plaintext found in \(file)")
            }
            #expect(try store.secrets(box: box).secret(app: "camino", key: "CRON_SECRET") == plaintext + "-2")
        }
    }

    @Test func theListReportShowsUsersAndMissingSecrets() throws {
        let inventory = try EmbeddedEcosystem.inventory()
        let records = [SecretRecord(scope: "camino", key: "CRON_SECRET", createdAt: Date(), hasPrevious: false)]
        let report = SecretListReport.build(inventory: inventory, records: records) { _ in "abcd…(20 chars)" }
        let camino = try #require(report.secrets.first)
        #expect(camino.usedBy.contains("camino/daily-dispatcher"))
        #expect(camino.usedBy.contains("camino/voice-outbound"))
        #expect(!camino.usedBy.contains("camino/keep-alive-ping"), "SQL jobs need no secret")
        #expect(report.missing.contains(SecretListReport.Missing(job: "colectiva/ecosystem-heartbeat", auth: .qstash,
                                                                 key: "QSTASH_CURRENT_SIGNING_KEY")))
        #expect(!report.missing.contains { $0.job.hasPrefix("camino/") })
        let json = try ReportJSON.encode(report)
        #expect(json.contains("\"used_by\"") && json.contains("\"created_at\""))
    }

    @Test func rotationStepsFollowTheLayersThatHoldTheSecret() throws {
        let inventory = try EmbeddedEcosystem.inventory()
        let camino = RotationReport.make(scope: "camino", key: "CRON_SECRET", generated: true, previousValidUntil: nil,
                                         inventory: inventory)
        // Camino's Vercel crons read it from the project env; its pg_cron jobs from Vault.
        #expect(camino.steps.map(\.layer) == ["local", "vercel", "supabase_vault", "local"])
        #expect(camino.steps.flatMap(\.commands).contains { $0.contains("rbscron_camino_cron_secret") })
        let colectiva = RotationReport.make(scope: "colectiva", key: "QSTASH_CURRENT_SIGNING_KEY", generated: false,
                                            previousValidUntil: nil, inventory: inventory)
        #expect(colectiva.steps.map(\.layer) == ["qstash"])
        #expect(colectiva.usedBy.count == 15)
    }
}
