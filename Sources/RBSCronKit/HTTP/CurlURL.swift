import CCurlShim
import Foundation

/// A URL as libcurl's own parser reads it, so the scheme we check is the scheme curl would use.
struct CurlURL: Sendable, Equatable {
    /// The normalised absolute URL handed to libcurl.
    let string: String
    /// Lowercased scheme ("http", "file", …).
    let scheme: String
    /// Lowercased host; empty for schemes without one (file:).
    let host: String
    /// Explicit port, else the scheme's default, else 0.
    let port: Int
    /// libcurl found a user name or a password before the host (`user:pass@`, also `1\\@` in `http://h:1\\@other`).
    let hasCredentials: Bool

    struct Origin: Hashable, Sendable {
        let scheme: String
        let host: String
        let port: Int
    }

    var origin: Origin { Origin(scheme: scheme, host: host, port: port) }
    var isHTTP: Bool { scheme == "http" || scheme == "https" }
    /// `host:port` for messages; IPv6 hosts keep curl's brackets.
    var hostPort: String { "\(host):\(port)" }

    /// Parses an absolute URL; nil when curl cannot parse it or it has no scheme.
    static func parse(_ text: String) -> CurlURL? {
        build(base: nil, reference: text)
    }

    /// Resolves a `Location` value against this URL, as a browser would.
    func resolving(_ location: String) -> CurlURL? {
        CurlURL.build(base: string, reference: location)
    }

    /// The URL without user name and password, for messages.
    var redacted: String {
        guard let handle = rbs_curl_url() else { return "\(scheme)://\(hostPort)" }
        defer { rbs_curl_url_cleanup(handle) }
        let flags = UInt32(CURLU_NON_SUPPORT_SCHEME)
        guard rbs_curl_url_set(handle, CURLUPART_URL, string, flags) == CURLUE_OK else { return "\(scheme)://\(hostPort)" }
        _ = rbs_curl_url_set(handle, CURLUPART_USER, nil, 0)
        _ = rbs_curl_url_set(handle, CURLUPART_PASSWORD, nil, 0)
        return CurlURL.part(handle, CURLUPART_URL, 0) ?? "\(scheme)://\(hostPort)"
    }

    private static func build(base: String?, reference: String) -> CurlURL? {
        // Control characters have no place in a URL and would reach the request line.
        guard !reference.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        CurlGlobal.ensureInitialized()
        guard let handle = rbs_curl_url() else { return nil }
        defer { rbs_curl_url_cleanup(handle) }
        // NON_SUPPORT_SCHEME lets unknown schemes parse so we can name them in the refusal.
        let flags = UInt32(CURLU_NON_SUPPORT_SCHEME)
        if let base {
            guard rbs_curl_url_set(handle, CURLUPART_URL, base, flags) == CURLUE_OK else { return nil }
        }
        // Same flags curl uses when it follows a Location itself.
        let referenceFlags = base == nil ? flags : flags | UInt32(CURLU_URLENCODE) | UInt32(CURLU_ALLOW_SPACE)
        guard rbs_curl_url_set(handle, CURLUPART_URL, reference, referenceFlags) == CURLUE_OK,
            let scheme = part(handle, CURLUPART_SCHEME, 0)?.lowercased(),
            let string = part(handle, CURLUPART_URL, 0)
        else { return nil }
        let host = part(handle, CURLUPART_HOST, 0)?.lowercased() ?? ""
        let port = part(handle, CURLUPART_PORT, UInt32(CURLU_DEFAULT_PORT)).flatMap { Int($0) } ?? 0
        let hasCredentials = part(handle, CURLUPART_USER, 0) != nil || part(handle, CURLUPART_PASSWORD, 0) != nil
        return CurlURL(string: string, scheme: scheme, host: host, port: port, hasCredentials: hasCredentials)
    }

    private static func part(_ handle: OpaquePointer, _ what: CURLUPart, _ flags: UInt32) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard rbs_curl_url_get(handle, what, &value, flags) == CURLUE_OK, let value else { return nil }
        defer { rbs_curl_free(value) }
        return String(cString: value)
    }
}
