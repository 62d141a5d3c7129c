import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The 256-bit key that seals every secret in the inventory.
///
/// It comes from the environment variable `RBSCRON_MASTER_KEY` (base64 of exactly 32 bytes)
/// or, when that is unset, from the key file `$XDG_CONFIG_HOME/rbscron/master.key`
/// (`$HOME/.config/rbscron/master.key` without XDG), which is created on first need with
/// mode 0600 in a folder with mode 0700 when the caller allows it. Like ssh with a private
/// key, an existing key file that group or others may read is refused.
public struct MasterKey: Sendable {
    /// The environment variable that, when set, overrides the key file.
    public static let environmentVariable = "RBSCRON_MASTER_KEY"
    /// The key's length in bytes.
    public static let byteCount = 32

    /// Where the key came from.
    public enum Source: Sendable, Equatable {
        case environment
        case file(path: String, created: Bool)
    }

    let symmetricKey: SymmetricKey
    let keyIDBytes: [UInt8]
    /// A short non-secret identifier of the key: 16 hex digits of HMAC-SHA256(key, "rbscron key id").
    ///
    /// The store records it so it can tell that a database was sealed under another key
    /// before writing anything.
    public let keyID: String
    /// Where the key came from.
    public let source: Source

    /// A key from exactly 32 raw bytes.
    public init(rawBytes: some ContiguousBytes, source: Source = .environment) throws {
        let count = rawBytes.withUnsafeBytes { $0.count }
        guard count == Self.byteCount else {
            throw SecretError.masterKeyWrongLength(variable: Self.environmentVariable, byteCount: count)
        }
        self.symmetricKey = SymmetricKey(data: rawBytes)
        self.keyIDBytes = Self.identifier(of: symmetricKey)
        self.keyID = SecretBox.hex(keyIDBytes)
        self.source = source
    }

    /// Throws ``SecretError/wrongKey(expectedKeyID:foundKeyID:)`` when `storedKeyID` (what a
    /// database recorded) is not this key's ``keyID``. Call it before writing anything.
    public func checkMatches(storedKeyID: String) throws {
        guard ConstantTime.equals(storedKeyID, keyID) else {
            throw SecretError.wrongKey(expectedKeyID: keyID, foundKeyID: storedKeyID)
        }
    }

    static func identifier(of key: SymmetricKey) -> [UInt8] {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("rbscron key id".utf8), using: key)
        return Array(Data(mac).prefix(8))
    }

    /// The key file's path for an environment: `$XDG_CONFIG_HOME/rbscron/master.key` when
    /// `XDG_CONFIG_HOME` is an absolute path (the XDG spec ignores relative ones), else
    /// `$HOME/.config/rbscron/master.key`.
    public static func defaultKeyFilePath(environment: [String: String]) throws -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return (xdg as NSString).appendingPathComponent("rbscron/master.key")
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return (home as NSString).appendingPathComponent(".config/rbscron/master.key")
        }
        throw SecretError.noConfigDirectory
    }

    /// Loads the master key.
    ///
    /// - Parameters:
    ///   - environment: the process environment (injected so tests need no global state).
    ///   - keyFilePath: overrides ``defaultKeyFilePath(environment:)``.
    ///   - createIfMissing: create a new random key file when there is none. Commands that
    ///     only read secrets pass `false`, so a typo in `HOME` does not silently mint a new key.
    public static func load(
        environment: [String: String],
        keyFilePath: String? = nil,
        createIfMissing: Bool
    ) throws -> MasterKey {
        if let encoded = environment[environmentVariable] {
            return try fromEnvironmentValue(encoded)
        }
        let path = try keyFilePath ?? defaultKeyFilePath(environment: environment)
        if let existing = try readKeyFile(path: path) {
            return existing
        }
        guard createIfMissing else { throw SecretError.masterKeyMissing(path: path) }
        return try createKeyFile(path: path)
    }

    static func fromEnvironmentValue(_ encoded: String) throws -> MasterKey {
        let trimmed = encoded.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: trimmed) else {
            throw SecretError.masterKeyNotBase64(variable: environmentVariable)
        }
        guard bytes.count == byteCount else {
            throw SecretError.masterKeyWrongLength(variable: environmentVariable, byteCount: bytes.count)
        }
        return try MasterKey(rawBytes: bytes, source: .environment)
    }

    /// Reads an existing key file; `nil` when there is none.
    static func readKeyFile(path: String) throws -> MasterKey? {
        var info = stat()
        if lstat(path, &info) != 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw SecretError.keyFileIO(path: path, operation: "inspect", errno: code)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SecretError.keyFileNotRegular(path: path)
        }
        let permissions = UInt16(truncatingIfNeeded: info.st_mode & 0o7777)
        guard permissions & 0o077 == 0 else {
            throw SecretError.keyFileInsecurePermissions(path: path, mode: permissions)
        }
        let contents: Data
        do {
            contents = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SecretError.keyFileIO(path: path, operation: "read", errno: EIO)
        }
        guard let text = String(data: contents, encoding: .utf8),
              let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              bytes.count == byteCount
        else {
            throw SecretError.keyFileMalformed(path: path)
        }
        return try MasterKey(rawBytes: bytes, source: .file(path: path, created: false))
    }

    /// Creates the key file with 32 fresh random bytes, never replacing an existing one.
    ///
    /// The key is written to a private temporary file in the same folder and published with
    /// `link(2)`, which fails if the name exists: two rbscron processes racing on a fresh
    /// machine end up with one key, and nobody ever reads a half-written file.
    static func createKeyFile(path: String) throws -> MasterKey {
        let folder = (path as NSString).deletingLastPathComponent
        try makePrivateFolder(folder)

        let raw = SecureRandom.bytes(count: byteCount)
        let text = Data((Data(raw).base64EncodedString() + "\n").utf8)
        let temporary = folder + "/.master.key.\(getpid()).\(SecureRandom.hex(byteCount: 6)).tmp"

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SecretError.keyFileIO(path: temporary, operation: "create", errno: errno)
        }
        defer { unlink(temporary) }
        do {
            defer { close(fd) }
            // umask can only remove bits, but be exact anyway.
            guard fchmod(fd, 0o600) == 0 else {
                throw SecretError.keyFileIO(path: temporary, operation: "set permissions on", errno: errno)
            }
            try text.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw SecretError.keyFileIO(path: temporary, operation: "write", errno: errno)
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else {
                throw SecretError.keyFileIO(path: temporary, operation: "flush", errno: errno)
            }
        }
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST, let winner = try readKeyFile(path: path) {
                return winner
            }
            throw SecretError.keyFileIO(path: path, operation: "create", errno: code)
        }
        return try MasterKey(rawBytes: raw, source: .file(path: path, created: true))
    }

    /// Creates `folder` (and missing parents) and makes sure `folder` itself is 0700.
    static func makePrivateFolder(_ folder: String) throws {
        var info = stat()
        if lstat(folder, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw SecretError.keyFileIO(path: folder, operation: "use as a folder", errno: ENOTDIR)
            }
            if info.st_mode & 0o077 != 0, info.st_uid == geteuid() {
                guard chmod(folder, 0o700) == 0 else {
                    throw SecretError.keyFileIO(path: folder, operation: "set permissions on", errno: errno)
                }
            }
            return
        }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != folder, lstat(parent, &info) != 0 {
            // Parents such as ~/.config follow the usual umask; only our own folder is forced private.
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw SecretError.keyFileIO(path: parent, operation: "create the folder", errno: EACCES)
            }
        }
        if mkdir(folder, 0o700) != 0, errno != EEXIST {
            throw SecretError.keyFileIO(path: folder, operation: "create the folder", errno: errno)
        }
        guard chmod(folder, 0o700) == 0 else {
            throw SecretError.keyFileIO(path: folder, operation: "set permissions on", errno: errno)
        }
    }
}

/// Cryptographically secure random bytes.
///
/// `SystemRandomNumberGenerator` is documented as cryptographically secure on every
/// platform Swift supports (getrandom(2) on Linux, arc4random on Apple platforms).
enum SecureRandom {
    static func bytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    static func hex(byteCount: Int) -> String {
        SecretBox.hex(bytes(count: byteCount))
    }
}
