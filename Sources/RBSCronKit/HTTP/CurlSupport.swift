import CCurlShim
import Foundation

/// `curl_global_init` exactly once per process, before any handle exists.
enum CurlGlobal {
    private static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    /// The result of the one global initialisation (CURLE_OK when usable).
    @discardableResult
    static func ensureInitialized() -> CURLcode { initResult }

    /// libcurl's message for a CURLcode.
    static func message(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}

/// A value behind a lock, for the few pieces of state shared with the curl thread.
final class CurlLocked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
