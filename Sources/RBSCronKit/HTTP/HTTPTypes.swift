import Foundation

/// One HTTP header line. Names keep the caller's spelling; comparisons are case-insensitive.
public struct HTTPHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request for an ``HTTPTransport``. Only `http` and `https` URLs are sent.
public struct HTTPRequest: Sendable {
    /// The default set of headers that never cross to another origin on a redirect.
    public static let defaultCredentialHeaders: Set<String> = ["authorization", "apikey", "upstash-signature", "cookie"]

    /// "GET", "POST", "HEAD", … (sent as written; must be an HTTP token).
    public var method: String
    /// An absolute `http://` or `https://` URL.
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data?
    /// Seconds allowed to establish each connection.
    public var connectTimeout: TimeInterval
    /// Seconds allowed for the whole exchange, redirects included.
    public var timeout: TimeInterval
    /// Bytes of the response body kept; the rest is read, counted and dropped.
    public var maxBodyBytes: Int
    /// Redirects followed before the request fails with ``HTTPError/tooManyRedirects(_:)``;
    /// 0 turns following off and returns the 3xx response as it is.
    public var maxRedirects: Int
    /// Turns TLS certificate and host-name verification off.
    public var insecure: Bool
    /// Header names (any case) removed when a redirect leads to another origin (scheme, host or port).
    public var credentialHeaders: Set<String>

    public init(
        method: String = "GET",
        url: String,
        headers: [HTTPHeader] = [],
        body: Data? = nil,
        connectTimeout: TimeInterval = 10,
        timeout: TimeInterval = 30,
        maxBodyBytes: Int = 65_536,
        maxRedirects: Int = 5,
        insecure: Bool = false,
        credentialHeaders: Set<String> = HTTPRequest.defaultCredentialHeaders
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
        self.maxRedirects = maxRedirects
        self.insecure = insecure
        self.credentialHeaders = credentialHeaders
    }
}

/// A response of any status (4xx and 5xx are responses, not errors).
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Headers of the final response, in the order received.
    public var headers: [HTTPHeader]
    /// The first `maxBodyBytes` bytes of the body.
    public var body: Data
    /// Every body byte received, kept or not.
    public var bodyBytes: Int
    /// True when `bodyBytes` exceeds what `body` holds.
    public var truncated: Bool
    /// The URL of the final hop.
    public var finalURL: String
    /// Redirects followed to reach `finalURL`.
    public var redirects: Int
    public var timings: HTTPTimings

    public init(
        status: Int,
        headers: [HTTPHeader] = [],
        body: Data = Data(),
        bodyBytes: Int? = nil,
        truncated: Bool = false,
        finalURL: String,
        redirects: Int = 0,
        timings: HTTPTimings = HTTPTimings()
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyBytes = bodyBytes ?? body.count
        self.truncated = truncated
        self.finalURL = finalURL
        self.redirects = redirects
        self.timings = timings
    }

    /// The last value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last { $0.name.lowercased() == wanted }?.value
    }
}
