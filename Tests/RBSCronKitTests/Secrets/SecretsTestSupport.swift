import Foundation
@testable import RBSCronKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh private temporary folder, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    var template = Array((NSTemporaryDirectory() + "/rbscron-secrets-XXXXXX").utf8CString)
    let path = try template.withUnsafeMutableBufferPointer { buffer -> String in
        guard let base = buffer.baseAddress, let made = mkdtemp(base) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return String(cString: made)
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// The permission bits of `path`, or nil when it does not exist.
func permissions(of path: String) -> UInt16? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return UInt16(truncatingIfNeeded: info.st_mode & 0o7777)
}

/// A master key from fixed bytes.
func testKey(_ fill: UInt8) throws -> MasterKey {
    try MasterKey(rawBytes: [UInt8](repeating: fill, count: 32))
}

/// base64url without padding → bytes.
func base64URLDecode(_ text: String) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64)
}
