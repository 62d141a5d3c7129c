import Foundation
import Testing

@testable import RBSCronKit

@Suite("audit: static checks of the secrets on record")
struct SecretChecksTests {
    static let now = Date(timeIntervalSince1970: 1_775_800_000)
    static let day: TimeInterval = 86_400

    static let inventory = Inventory(
        apps: ["camino", "baul", "colectiva"].map { App(name: $0, displayName: $0, baseURL: "https://\($0).example", platform: .vercel) },
        jobs: [
            Job(app: "camino", name: "dispatcher", path: "/api/cron/dispatcher", layer: .vercel, schedule: "0 14 * * *"),
            Job(app: "camino", name: "ping", path: "/api/cron/ping", layer: .manual, auth: .none),
            Job(app: "camino", name: "health", path: "/health", layer: .manual, auth: .none),
            Job(app: "baul", name: "routes", path: "/api/cron/routes", layer: .vercel, schedule: "0 12 * * 1-5"),
            Job(app: "colectiva", name: "heartbeat", path: "/api/cron/heartbeat", layer: .qstash, schedule: "*/30 * * * *",
                auth: .qstash),
        ])

    static let shared = "shared-value-Zq4mT8vR2kLx9Wc7"
    static let values = [
        ScopedSecret(scope: "camino", key: "CRON_SECRET", source: "inventory camino/CRON_SECRET", value: shared, inInventory: true),
        ScopedSecret(scope: "baul", key: "CRON_SECRET", source: "environment RBSCRON_SECRET_BAUL_CRON_SECRET", value: shared,
                     inInventory: false),
        ScopedSecret(scope: "colectiva", key: "QSTASH_CURRENT_SIGNING_KEY", source: "inventory colectiva/QSTASH_CURRENT_SIGNING_KEY",
                     value: "sig_short", inInventory: true),
        ScopedSecret(scope: "global", key: "QSTASH_TOKEN", source: "inventory global/QSTASH_TOKEN",
                     value: "abababababababababababababababab", inInventory: true),
        ScopedSecret(scope: "camino", key: "SUPABASE_ANON_KEY", source: "inventory camino/SUPABASE_ANON_KEY", value: "anon",
                     inInventory: true),
    ]

    static func records() -> [SecretRecord] {
        [SecretRecord(scope: "camino", key: "CRON_SECRET", createdAt: now.addingTimeInterval(-200 * day),
                      rotatedAt: now.addingTimeInterval(-120 * day), previousExpiresAt: nil, hasPrevious: false),
         SecretRecord(scope: "colectiva", key: "QSTASH_CURRENT_SIGNING_KEY", createdAt: now.addingTimeInterval(-10 * day),
                      rotatedAt: nil, previousExpiresAt: nil, hasPrevious: false)]
    }

    func findings(apps: Set<String> = ["camino", "baul", "colectiva"], maxAgeDays: Int = 90) -> [AuditFinding] {
        SecretChecks.run(SecretCheckInput(
            inventory: Self.inventory, apps: apps, jobs: Self.inventory.jobs.filter { apps.contains($0.app) }, values: Self.values, records: Self.records(),
            signingKeys: ["colectiva": (current: true, next: false)], unreadable: nil, maxAgeMs: maxAgeDays * 86_400_000,
            now: Self.now))
    }

    @Test("short, low-entropy, shared and old secrets; auth none on a cron path; a QStash app without its next key")
    func rules() throws {
        let found = findings()
        func one(_ rule: String, _ subject: String) throws -> AuditFinding {
            try #require(found.first { $0.rule == rule && $0.subject == subject }, "no \(rule) for \(subject) in \(found.map(\.rule))")
        }
        #expect(try one("secret.short", "colectiva/QSTASH_CURRENT_SIGNING_KEY").message.contains("9 characters"))
        #expect(try one("secret.low-entropy", "global/QSTASH_TOKEN").severity == .warning)
        let shared = try one("secret.shared", "camino/CRON_SECRET, baul/CRON_SECRET")
        #expect(shared.message.contains("camino") && shared.message.contains("baul"))
        #expect(shared.fix.contains("rbscron secret rotate camino CRON_SECRET --generate"))
        let age = try one("secret.age", "camino/CRON_SECRET")
        #expect(age.message.contains("120 days") && age.fix.contains("rbscron secret rotate camino CRON_SECRET --generate"))
        #expect(try one("auth.none", "camino/ping").severity == .warning)
        #expect(!found.contains { $0.subject == "camino/health" })  // not a cron path
        let keys = try one("qstash.signing-keys", "colectiva")
        #expect(keys.message.contains("QSTASH_NEXT_SIGNING_KEY") && !keys.message.contains("QSTASH_CURRENT_SIGNING_KEY"))
        // The anon key is public: never short, shared or old.
        #expect(!found.contains { $0.subject.contains("SUPABASE_ANON_KEY") })
        #expect(!found.contains { $0.severity == .critical })
        // Names, never values.
        for finding in found {
            for value in Self.values.map(\.value) where value.count > 4 {
                #expect(!finding.message.contains(value) && !finding.fix.contains(value))
            }
        }
    }

    @Test("only the audited apps' secrets (and the global ones) are reported")
    func scope() {
        let found = findings(apps: ["colectiva"], maxAgeDays: 365)
        #expect(!found.contains { $0.subject.hasPrefix("camino") })
        #expect(found.contains { $0.rule == "secret.low-entropy" && $0.subject == "global/QSTASH_TOKEN" })
        #expect(!found.contains { $0.rule == "secret.age" })
    }

    @Test("entropy: random values score high, repeated ones low")
    func entropy() {
        #expect(SecretChecks.entropyBits(SecretGenerator.generate()) > 150)
        #expect(SecretChecks.entropyBits(String(repeating: "a", count: 40)) == 0)
        #expect(SecretChecks.entropyBits("passwordpassword") < SecretChecks.minimumBits)
    }

    @Test("values sealed in the inventory are compared in memory; the report names scopes, never values")
    func sealedValuesCompared() async throws {
        let masterKey = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let environment = ["RBSCRON_MASTER_KEY": masterKey]
        let store = try InventoryStore.inMemory(seed: Self.inventory)
        let workspace = AuditFixture.workspace(store, environment: environment)
        _ = try workspace.setSecret(scope: "camino", key: "CRON_SECRET", value: Self.shared)
        _ = try workspace.setSecret(scope: "baul", key: "CRON_SECRET", value: Self.shared)
        _ = try workspace.setSecret(scope: "colectiva", key: "CRON_SECRET", value: "another-value-Hk2Pq8Lz4Rt6Wy1B")
        let report = try await workspace.audit(AuditRequest(dryRun: true))
        let shared = try #require(report.findings.first { $0.rule == "secret.shared" })
        #expect(shared.subject == "camino/CRON_SECRET, baul/CRON_SECRET" || shared.subject == "baul/CRON_SECRET, camino/CRON_SECRET")
        #expect(!(try ReportJSON.encode(report)).contains(Self.shared))

        // Without the master key the sealed values cannot be compared, and the report says so.
        let locked = try await AuditFixture.workspace(store, environment: [:]).audit(AuditRequest(dryRun: true))
        #expect(locked.findings.contains { $0.rule == "secret.unreadable" })
        #expect(!locked.findings.contains { $0.rule == "secret.shared" })
    }
}
