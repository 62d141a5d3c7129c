import Foundation
import Testing
@testable import RBSCronKit

@Suite("SecretBox")
struct SecretBoxTests {
    @Test("seal then open gives the value back", arguments: [
        "s3cr3t-value-for-baul",
        "",
        "ñandú 🔑 \"quoted\" \\ back",
        String(repeating: "x", count: 10_000),
    ])
    func roundTrip(value: String) throws {
        let box = SecretBox(masterKey: try testKey(9))
        let sealed = try box.seal(value, scope: "baul", key: "CRON_SECRET")
        #expect(try box.open(sealed, scope: "baul", key: "CRON_SECRET") == value)
        if value.utf8.count >= 4 {
            #expect(sealed.range(of: Data(value.utf8)) == nil)
        }
    }

    @Test("a value sealed under another master key fails with wrongKey")
    func wrongKey() throws {
        let first = try testKey(1)
        let second = try testKey(2)
        let sealed = try SecretBox(masterKey: first).seal("value-1234", scope: "global", key: "QSTASH_TOKEN")
        #expect(SecretBox.keyID(ofSealed: sealed) == first.keyID)
        #expect(throws: SecretError.wrongKey(expectedKeyID: second.keyID, foundKeyID: first.keyID)) {
            try SecretBox(masterKey: second).open(sealed, scope: "global", key: "QSTASH_TOKEN")
        }
    }

    @Test("a ciphertext moved to another scope or key does not open", arguments: [
        ("camino", "CRON_SECRET"),  // other scope
        ("baul", "SERVICE_ROLE_KEY"),  // other key
        ("bau", "lCRON_SECRET"),  // same concatenation, different split
        ("global", "CRON_SECRET"),
    ])
    func boundToSecret(scope: String, key: String) throws {
        let box = SecretBox(masterKey: try testKey(3))
        let sealed = try box.seal("the-baul-cron-secret", scope: "baul", key: "CRON_SECRET")
        #expect(throws: SecretError.sealedValueCorrupted(scope: scope, key: key)) {
            try box.open(sealed, scope: scope, key: key)
        }
    }

    @Test("flipping any single byte after the version is detected, never a crash")
    func tamperedBytes() throws {
        let key = try testKey(4)
        let box = SecretBox(masterKey: key)
        let sealed = try box.seal("tamper-me-please", scope: "la-hoja", key: "CRON_SECRET")
        for index in 1..<sealed.count {
            var copy = sealed
            copy[copy.startIndex + index] ^= 0x01
            do {
                _ = try box.open(copy, scope: "la-hoja", key: "CRON_SECRET")
                Issue.record("byte \(index) altered and still opened")
            } catch let error as SecretError {
                if index < SecretBox.headerByteCount {
                    // The key id in the header no longer matches this key.
                    #expect(error == .wrongKey(expectedKeyID: key.keyID, foundKeyID: SecretBox.keyID(ofSealed: copy) ?? ""))
                } else {
                    #expect(error == .sealedValueCorrupted(scope: "la-hoja", key: "CRON_SECRET"))
                }
            }
        }
    }

    @Test("truncated, empty and unknown-version input is an error")
    func malformedInput() throws {
        let box = SecretBox(masterKey: try testKey(5))
        let sealed = try box.seal("short-lived", scope: "baul", key: "K1")
        for length in [0, 1, 8, 9, 20, 36, sealed.count - 1] {
            #expect(throws: SecretError.self) {
                try box.open(sealed.prefix(length), scope: "baul", key: "K1")
            }
        }
        var future = sealed
        future[future.startIndex] = 2
        #expect(throws: SecretError.unsupportedSealedFormat(version: 2)) {
            try box.open(future, scope: "baul", key: "K1")
        }
        #expect(SecretBox.keyID(ofSealed: Data([1, 2])) == nil)
    }

    @Test("sealing the same value twice gives different ciphertexts (random nonce)")
    func randomNonce() throws {
        let box = SecretBox(masterKey: try testKey(6))
        let sealed = try (0..<20).map { _ in try box.seal("same-value", scope: "baul", key: "K") }
        #expect(Set(sealed).count == sealed.count)
        let nonces = sealed.map { $0.subdata(in: SecretBox.headerByteCount..<(SecretBox.headerByteCount + 12)) }
        #expect(Set(nonces).count == nonces.count)
        for item in sealed {
            #expect(try box.open(item, scope: "baul", key: "K") == "same-value")
        }
    }
}
