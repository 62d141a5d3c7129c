import Foundation

/// Everything that can go wrong with the master key, sealed secrets and request signing.
///
/// Every message is a full sentence that says what to do next. None ever contains a
/// secret's value: only variable names, file paths, scopes, key names and permissions.
public enum SecretError: Error, Equatable, Sendable {
    /// `RBSCRON_MASTER_KEY` is set but is not valid base64.
    case masterKeyNotBase64(variable: String)
    /// `RBSCRON_MASTER_KEY` decodes to the wrong number of bytes.
    case masterKeyWrongLength(variable: String, byteCount: Int)
    /// The key file exists but does not hold base64 of exactly 32 bytes.
    case keyFileMalformed(path: String)
    /// The key file can be read or written by group or others.
    case keyFileInsecurePermissions(path: String, mode: UInt16)
    /// The key file path exists but is not a regular file (a folder, a symbolic link, …).
    case keyFileNotRegular(path: String)
    /// No key in the environment and no key file, and the caller did not allow creating one.
    case masterKeyMissing(path: String)
    /// No key at hand, and the inventory already holds secrets sealed under key `keyID`: a new key would not open them.
    case masterKeyMissingForSealedInventory(path: String, keyID: String)
    /// Neither `XDG_CONFIG_HOME` nor `HOME` gives a place for the key file.
    case noConfigDirectory
    /// A file system call on the key file or its folder failed.
    case keyFileIO(path: String, operation: String, errno: Int32)
    /// The value was sealed under a different master key (or the database belongs to another key).
    case wrongKey(expectedKeyID: String, foundKeyID: String)
    /// The sealed value failed authentication: altered, truncated, or copied from another secret.
    case sealedValueCorrupted(scope: String, key: String)
    /// The sealed value's format version is not one this build reads.
    case unsupportedSealedFormat(version: UInt8)
    /// The QStash signing key is empty.
    case emptySigningKey
    /// The destination URL handed to the QStash signer is not an absolute http(s) URL.
    case invalidDestinationURL(String)
}

extension SecretError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .masterKeyNotBase64(variable):
            return "The environment variable \(variable) is not valid base64, so no secret can be opened with it. "
                + "Set it to the master key the inventory's secrets were sealed with (the base64 of 32 bytes, as "
                + "the key file holds it), or unset it to use the key file."
        case let .masterKeyWrongLength(variable, byteCount):
            return "The environment variable \(variable) decodes to \(byteCount) bytes, but the master key "
                + "is exactly 32 bytes: it was cut or copied wrongly. Set it to the master key the inventory's secrets "
                + "were sealed with (as the key file holds it), or unset it to use the key file."
        case let .keyFileMalformed(path):
            return "The master key file \(path) does not hold the base64 of exactly 32 bytes. "
                + "Restore it from your backup; if it is lost, secrets sealed under it cannot be opened "
                + "and must be set again after moving the file aside."
        case let .keyFileInsecurePermissions(path, mode):
            return "The master key file \(path) has permissions \(String(mode, radix: 8)), "
                + "which let other users read or change it. Run `chmod 600 \(path)` and try again."
        case let .keyFileNotRegular(path):
            return "The master key path \(path) is not a regular file (it may be a folder or a symbolic link). "
                + "Put the key file itself there (mode 0600), or set RBSCRON_MASTER_KEY to the master key."
        case let .masterKeyMissing(path):
            return "No master key was found: RBSCRON_MASTER_KEY is not set and \(path) does not exist, so the "
                + "secrets sealed in this inventory cannot be opened. Restore the key file from your backup (mode 0600) "
                + "or set RBSCRON_MASTER_KEY to the key they were sealed with; a new key cannot open them."
        case let .masterKeyMissingForSealedInventory(path, keyID):
            return "This inventory's secrets are sealed under master key \(keyID), and no key was found: "
                + "RBSCRON_MASTER_KEY is not set and \(path) does not exist. A new key would not open them, so none "
                + "was created and nothing was stored. Restore that key file (or set RBSCRON_MASTER_KEY to it), "
                + "or choose another inventory with --db."
        case .noConfigDirectory:
            return "Neither XDG_CONFIG_HOME nor HOME is set, so there is no place for the master key file. "
                + "Set HOME or XDG_CONFIG_HOME, or set RBSCRON_MASTER_KEY."
        case let .keyFileIO(path, operation, code):
            return "Could not \(operation) \(path): \(String(cString: strerror(code))). "
                + "Check that the folder exists and belongs to you, then try again."
        case let .wrongKey(expected, found):
            return "The secrets were sealed under master key \(found), but the current master key is \(expected). "
                + "Use the master key these secrets were sealed with (RBSCRON_MASTER_KEY or the key file), "
                + "or point --db at a database sealed under the current key."
        case let .sealedValueCorrupted(scope, key):
            return "The stored value of secret \(scope)/\(key) failed its integrity check: it was altered, "
                + "truncated, or copied from another secret. Set it again with `rbscron secret set \(scope)/\(key)`."
        case let .unsupportedSealedFormat(version):
            return "A stored secret uses format version \(version), which this rbscron does not read. "
                + "Upgrade rbscron, or set the secret again."
        case .emptySigningKey:
            return "The QStash signing key is empty. Set QSTASH_CURRENT_SIGNING_KEY with `rbscron secret set` "
                + "using the key from the Upstash console."
        case let .invalidDestinationURL(url):
            return "The destination \"\(url)\" is not an absolute http or https URL. "
                + "Give the app's base URL with its scheme, for example https://example.vercel.app."
        }
    }
}
