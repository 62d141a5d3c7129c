import CCurlShim
import Foundation

/// `curl_global_init` exactly once per process, before any handle exists.
enum CurlGlobal {
    private static let initResult: CURLcode = rbs_curl_global_init(Int(CURL_GLOBAL_ALL))

    /// The result of the one global initialisation (CURLE_OK when usable).
    @discardableResult
    static func ensureInitialized() -> CURLcode { initResult }

    /// libcurl's message for a CURLcode.
    static func message(_ code: CURLcode) -> String {
        String(cString: rbs_curl_easy_strerror(code))
    }
}
