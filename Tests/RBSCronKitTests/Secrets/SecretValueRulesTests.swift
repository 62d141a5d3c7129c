import Foundation
import Testing
@testable import RBSCronKit

/// What `secret set` and `secret rotate` store: long enough to be redacted wherever it appears, one line of
/// printable text, of a size a request can carry.
@Suite("Secret values")
struct SecretValueRulesTests {
    func store() throws -> (InventoryStore, SecretBox) {
        (try InventoryStore.inMemory(seed: try EmbeddedEcosystem.inventory()), SecretBox(masterKey: try testKey(3)))
    }

    @Test("refused: too short, control characters, too long", arguments: [
        "abc", "short-15-chars!", String(repeating: "x", count: SecretValueRules.maximumBytes + 1),
        "line-one-value\r\nline-two", "with-a-nul-\u{0}-inside-it", "escape-\u{1B}[2J-inside", "tab\tinside-the-value",
        "del-\u{7F}-inside-the-value",
    ])
    func refused(value: String) throws {
        let (store, box) = try store()
        #expect { try store.setSecret(scope: "camino", key: "CRON_SECRET", value: value, box: box) } throws: { error in
            let text = error.localizedDescription
            // The message never quotes the value.
            return text.contains("nothing was stored") && (value.count < 8 || !text.contains(value.prefix(8)))
        }
        try store.setSecret(scope: "camino", key: "CRON_SECRET", value: "a-good-value-0123456789", box: box)
        #expect(throws: SecretStoreError.self) {
            try store.rotateSecret(scope: "camino", key: "CRON_SECRET", newValue: value, grace: 60, box: box)
        }
    }

    @Test("accepted: printable values from the minimum to the maximum", arguments: [
        String(repeating: "k", count: SecretValueRules.minimumLength), "sig_7kYjw48p3Gv9bXz2QeTm5RhLcN1",
        "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl", "contraseña-con-acentos-ñ",
        String(repeating: "v", count: SecretValueRules.maximumBytes),
    ])
    func accepted(value: String) throws {
        let (store, box) = try store()
        #expect(try store.setSecret(scope: "camino", key: "CRON_SECRET", value: value, box: box))
    }

    @Test("bytes that are not UTF-8 are refused, not silently replaced")
    func notUTF8() {
        #expect(throws: SecretValueError.self) { try SecretValueRules.decode(Data([0xFF, 0xFE] + Array("abcdefghijklmnopqrs".utf8))) }
        #expect((try? SecretValueRules.decode(Data("a-good-value-0123456789\n".utf8))) == "a-good-value-0123456789")
    }
}
