import Foundation
import Testing
@testable import RBSCronKit

@Suite("MasterKey")
struct MasterKeyTests {
    @Test("first need creates the key file 0600 in a 0700 folder; later loads read it back")
    func createsPrivateKeyFile() throws {
        try withTemporaryDirectory { dir in
            let environment = ["XDG_CONFIG_HOME": dir + "/config", "HOME": dir + "/home"]
            let created = try MasterKey.load(environment: environment, createIfMissing: true)
            let path = dir + "/config/rbscron/master.key"
            #expect(created.source == .file(path: path, created: true))
            #expect(permissions(of: path) == 0o600)
            #expect(permissions(of: dir + "/config/rbscron") == 0o700)

            let text = try String(contentsOfFile: path, encoding: .utf8)
            let bytes = try #require(Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(bytes.count == 32)

            let again = try MasterKey.load(environment: environment, createIfMissing: false)
            #expect(again.keyID == created.keyID)
            #expect(again.source == .file(path: path, created: false))
            // No temporary file is left behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/config/rbscron") == ["master.key"])
        }
    }

    @Test("without XDG_CONFIG_HOME (or with a relative one) the key lives under HOME/.config")
    func homeFallback() throws {
        try withTemporaryDirectory { dir in
            #expect(try MasterKey.defaultKeyFilePath(environment: ["HOME": dir]) == dir + "/.config/rbscron/master.key")
            #expect(try MasterKey.defaultKeyFilePath(environment: ["HOME": dir, "XDG_CONFIG_HOME": "relative/cfg"])
                == dir + "/.config/rbscron/master.key")
            #expect(throws: SecretError.noConfigDirectory) {
                try MasterKey.defaultKeyFilePath(environment: [:])
            }
            let key = try MasterKey.load(environment: ["HOME": dir], createIfMissing: true)
            #expect(key.source == .file(path: dir + "/.config/rbscron/master.key", created: true))
        }
    }

    @Test("a missing key file is an error when creation is not allowed, and nothing is created")
    func missingWithoutCreate() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/rbscron/master.key"
            #expect(throws: SecretError.masterKeyMissing(path: path)) {
                try MasterKey.load(environment: ["XDG_CONFIG_HOME": dir], createIfMissing: false)
            }
            #expect(permissions(of: path) == nil)
        }
    }

    @Test("RBSCRON_MASTER_KEY takes precedence over the key file")
    func environmentPrecedence() throws {
        try withTemporaryDirectory { dir in
            let fileKey = try MasterKey.load(environment: ["XDG_CONFIG_HOME": dir], createIfMissing: true)
            let raw = Data((0..<32).map { UInt8($0) })
            let envKey = try MasterKey.load(
                environment: ["XDG_CONFIG_HOME": dir, "RBSCRON_MASTER_KEY": raw.base64EncodedString()],
                createIfMissing: true
            )
            #expect(envKey.source == .environment)
            #expect(envKey.keyID == (try MasterKey(rawBytes: raw)).keyID)
            #expect(envKey.keyID != fileKey.keyID)
        }
    }

    @Test("a key that is not base64 is refused without echoing it", arguments: [
        "this is not base64 at all!!",
        "c2VjcmV0LXZhbHVl###",
    ])
    func badBase64(value: String) throws {
        do {
            _ = try MasterKey.load(environment: ["RBSCRON_MASTER_KEY": value, "HOME": "/nonexistent"], createIfMissing: false)
            Issue.record("accepted a non-base64 key")
        } catch let error as SecretError {
            #expect(error == .masterKeyNotBase64(variable: "RBSCRON_MASTER_KEY"))
            let message = error.localizedDescription
            #expect(message.contains("RBSCRON_MASTER_KEY"))
            #expect(!message.contains(value))
        }
    }

    @Test("a key of the wrong length is refused without echoing it", arguments: [16, 31, 33, 64])
    func wrongLength(byteCount: Int) throws {
        let value = Data((0..<byteCount).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).base64EncodedString()
        do {
            _ = try MasterKey.load(environment: ["RBSCRON_MASTER_KEY": value], createIfMissing: false)
            Issue.record("accepted a \(byteCount)-byte key")
        } catch let error as SecretError {
            #expect(error == .masterKeyWrongLength(variable: "RBSCRON_MASTER_KEY", byteCount: byteCount))
            let message = error.localizedDescription
            #expect(message.contains("RBSCRON_MASTER_KEY"))
            #expect(message.contains("32 bytes"))
            #expect(!message.contains(value))
        }
    }

    @Test("an existing key file readable by group or others is refused, like ssh", arguments: [0o644, 0o640, 0o604, 0o660])
    func insecureKeyFile(mode: Int) throws {
        try withTemporaryDirectory { dir in
            let created = try MasterKey.load(environment: ["XDG_CONFIG_HOME": dir], createIfMissing: true)
            guard case let .file(path, _) = created.source else {
                Issue.record("key did not come from a file")
                return
            }
            #expect(chmod(path, mode_t(mode)) == 0)
            do {
                _ = try MasterKey.load(environment: ["XDG_CONFIG_HOME": dir], createIfMissing: true)
                Issue.record("accepted a key file with mode \(String(mode, radix: 8))")
            } catch let error as SecretError {
                #expect(error == .keyFileInsecurePermissions(path: path, mode: UInt16(mode)))
                #expect(error.localizedDescription.contains("chmod 600 \(path)"))
            }
            // The file is left as it was: never silently replaced.
            #expect(permissions(of: path) == UInt16(mode))
        }
    }

    @Test("a key file with bad contents is refused without echoing them")
    func malformedKeyFile() throws {
        try withTemporaryDirectory { dir in
            let folder = dir + "/rbscron"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = folder + "/master.key"
            let contents = Data(repeating: 7, count: 20).base64EncodedString()
            try contents.write(toFile: path, atomically: false, encoding: .utf8)
            #expect(chmod(path, 0o600) == 0)
            do {
                _ = try MasterKey.load(environment: ["XDG_CONFIG_HOME": dir], createIfMissing: true)
                Issue.record("accepted a malformed key file")
            } catch let error as SecretError {
                #expect(error == .keyFileMalformed(path: path))
                #expect(!error.localizedDescription.contains(contents))
            }
        }
    }

    @Test("a symbolic link in place of the key file is refused")
    func symlinkRefused() throws {
        try withTemporaryDirectory { dir in
            let folder = dir + "/rbscron"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: folder + "/master.key", withDestinationPath: dir + "/elsewhere")
            #expect(throws: SecretError.keyFileNotRegular(path: folder + "/master.key")) {
                try MasterKey.load(environment: ["XDG_CONFIG_HOME": dir], createIfMissing: true)
            }
        }
    }

    @Test("keyID is short, stable, not the key, and checkMatches tells keys apart")
    func keyIdentifier() throws {
        let a = try testKey(1)
        let b = try testKey(2)
        #expect(a.keyID.count == 16)
        #expect(a.keyID.allSatisfy { $0.isHexDigit })
        #expect(a.keyID == (try testKey(1)).keyID)
        #expect(a.keyID != b.keyID)
        #expect(!Data(repeating: 1, count: 32).base64EncodedString().contains(a.keyID))
        try a.checkMatches(storedKeyID: a.keyID)
        #expect(throws: SecretError.wrongKey(expectedKeyID: a.keyID, foundKeyID: b.keyID)) {
            try a.checkMatches(storedKeyID: b.keyID)
        }
    }
}
