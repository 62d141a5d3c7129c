import Foundation
import Testing
@testable import RBSCronKit

/// `secret set` never leaves a new key file behind for an inventory sealed under another key.
@Suite("The master key on secret set")
struct MasterKeyOnSetTests {
    @Test("secret set with no key file, on an inventory sealed under another key: refused, and no key file left behind")
    func noStrayKeyFile() throws {
        try withTemporaryDirectory { dir in
            let store = try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory())
            try store.setSecret(scope: "camino", key: "CRON_SECRET", value: "sealed-under-another-key-01", box: SecretBox(masterKey: try testKey(9)))
            let environment = ["HOME": dir, "XDG_CONFIG_HOME": dir + "/config"]
            let workspace = Workspace(store: store, environment: environment, transport: { CurlTransport(userAgent: testUserAgent) })
            #expect { try workspace.setSecret(scope: "camino", key: "QSTASH_TOKEN", value: "a-new-token-value-0123") } throws: { error in
                error.localizedDescription.contains("master key") && error.localizedDescription.contains(dir + "/config/rbscron/master.key")
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/config/rbscron/master.key"))
        }
    }
}
