import Crypto
import Foundation

/// Seals and opens secret values with AES-256-GCM under the ``MasterKey``.
///
/// A sealed value is `version (1) ‖ key id (8) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`.
/// The secret's scope and key name, and the header, are bound as authenticated data, so a
/// ciphertext copied onto another secret's row fails to open. The key id in the header lets
/// ``open(_:scope:key:)`` tell "sealed under another master key" (``SecretError/wrongKey(expectedKeyID:foundKeyID:)``)
/// from "altered" (``SecretError/sealedValueCorrupted(scope:key:)``).
public struct SecretBox: Sendable {
    /// The current sealed format.
    public static let formatVersion: UInt8 = 1
    static let keyIDByteCount = 8
    static let nonceByteCount = 12
    static let tagByteCount = 16
    static let headerByteCount = 1 + keyIDByteCount

    let masterKey: MasterKey

    /// The non-secret id of the master key this box seals with.
    public var keyID: String { masterKey.keyID }

    public init(masterKey: MasterKey) {
        self.masterKey = masterKey
    }

    /// Seals `value` for the secret `scope`/`key` (scope: an app slug, or `global`).
    /// Each call uses a fresh random nonce, so sealing the same value twice gives different bytes.
    public func seal(_ value: String, scope: String, key: String) throws -> Data {
        let header = Data([Self.formatVersion] + masterKey.keyIDBytes)
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(
                Data(value.utf8),
                using: masterKey.symmetricKey,
                nonce: AES.GCM.Nonce(),
                authenticating: Self.authenticatedData(header: header, scope: scope, key: key)
            )
        } catch {
            // AES-GCM sealing fails only for impossible parameter sizes; report it without detail.
            throw SecretError.sealedValueCorrupted(scope: scope, key: key)
        }
        var out = header
        out.append(contentsOf: box.nonce)
        out.append(box.ciphertext)
        out.append(box.tag)
        return out
    }

    /// Opens a value sealed by ``seal(_:scope:key:)`` for the same `scope`/`key`.
    ///
    /// - Throws: ``SecretError/wrongKey(expectedKeyID:foundKeyID:)`` when it was sealed under
    ///   another master key; ``SecretError/sealedValueCorrupted(scope:key:)`` when it was
    ///   altered, truncated or belongs to another secret. Never crashes on bad input.
    public func open(_ sealed: Data, scope: String, key: String) throws -> String {
        let bytes = [UInt8](sealed)
        guard let version = bytes.first else {
            throw SecretError.sealedValueCorrupted(scope: scope, key: key)
        }
        guard version == Self.formatVersion else {
            throw SecretError.unsupportedSealedFormat(version: version)
        }
        guard bytes.count >= Self.headerByteCount + Self.nonceByteCount + Self.tagByteCount else {
            throw SecretError.sealedValueCorrupted(scope: scope, key: key)
        }
        let header = Data(bytes[0..<Self.headerByteCount])
        let foundKeyID = Self.hex(bytes[1..<Self.headerByteCount])
        guard ConstantTime.equals(foundKeyID, masterKey.keyID) else {
            throw SecretError.wrongKey(expectedKeyID: masterKey.keyID, foundKeyID: foundKeyID)
        }
        let nonceEnd = Self.headerByteCount + Self.nonceByteCount
        let tagStart = bytes.count - Self.tagByteCount
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: bytes[Self.headerByteCount..<nonceEnd]),
                ciphertext: bytes[nonceEnd..<tagStart],
                tag: bytes[tagStart...]
            )
            let plain = try AES.GCM.open(
                box,
                using: masterKey.symmetricKey,
                authenticating: Self.authenticatedData(header: header, scope: scope, key: key)
            )
            guard let value = String(data: plain, encoding: .utf8) else {
                throw SecretError.sealedValueCorrupted(scope: scope, key: key)
            }
            return value
        } catch {
            throw SecretError.sealedValueCorrupted(scope: scope, key: key)
        }
    }

    /// The key id recorded in a sealed value's header, or `nil` if it is not a sealed value
    /// of a known format. Lets the store check a database against the current key cheaply.
    public static func keyID(ofSealed sealed: Data) -> String? {
        let bytes = [UInt8](sealed.prefix(headerByteCount))
        guard bytes.count == headerByteCount, bytes[0] == formatVersion else { return nil }
        return hex(bytes[1...])
    }

    /// `"rbscron-secret" ‖ 0 ‖ header ‖ len(scope) ‖ scope ‖ len(key) ‖ key`, with 4-byte
    /// big-endian lengths so that ("a:b", "c") and ("a", "b:c") can never collide.
    static func authenticatedData(header: Data, scope: String, key: String) -> Data {
        var out = Data("rbscron-secret".utf8)
        out.append(0)
        out.append(header)
        for part in [scope, key] {
            let bytes = Data(part.utf8)
            let length = UInt32(truncatingIfNeeded: bytes.count)
            out.append(contentsOf: [
                UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
            ])
            out.append(bytes)
        }
        return out
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
