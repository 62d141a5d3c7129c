import CCurlShim
import Foundation

/// The libcurl transport: one multi handle and its thread per instance, redirects followed here
/// (never by curl) so credentials stay with their origin and schemes stay http(s).
public final class CurlTransport: HTTPTransport, Sendable {
    private let userAgent: String
    /// Internal so tests can watch the thread wind down.
    let executor: CurlMultiExecutor

    /// A transport whose every request fails with `HTTPError.libcurlUnavailable` when libcurl cannot be loaded
    /// (the first request of a process loads it; see CCurlShim). Commands use `loaded(userAgent:)`, which says so
    /// before anything is attempted.
    /// - Parameter userAgent: sent as `User-Agent` on every request, e.g. `rbscron/0.1.0`.
    public init(userAgent: String) {
        self.userAgent = userAgent
        self.executor = CurlMultiExecutor()
    }

    deinit {
        executor.shutdown()
    }

    /// Loads libcurl, then makes a transport.
    /// - Throws: `HTTPError.libcurlUnavailable` with the reason when libcurl cannot be loaded.
    public static func loaded(userAgent: String) throws(HTTPError) -> CurlTransport {
        if let problem = libcurlProblem { throw .libcurlUnavailable(problem) }
        return CurlTransport(userAgent: userAgent)
    }

    /// Why libcurl cannot be loaded; nil when it is loaded (this loads it).
    static var libcurlProblem: String? {
        rbs_curl_load() == 1 ? nil : String(cString: rbs_curl_load_error())
    }

    public func send(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPError> {
        let clock = ContinuousClock()
        let started = clock.now

        if let problem = Self.libcurlProblem { return .failure(.libcurlUnavailable(problem)) }
        // Everything below is checked before any I/O. The written scheme is checked first, so
        // URLs curl would refuse to parse anyway (file://host:port/…) still read as a scheme refusal.
        if let scheme = Self.writtenScheme(request.url), scheme != "http", scheme != "https" {
            return .failure(.unsupportedScheme(request.url))
        }
        guard let first = CurlURL.parse(request.url) else { return .failure(.invalidURL(request.url)) }
        guard first.isHTTP else { return .failure(.unsupportedScheme(request.url)) }
        guard !first.host.isEmpty else { return .failure(.invalidURL(request.url)) }
        // Credentials in a URL are refused as libcurl reads it, so "http://h:1\\@other" cannot carry a bearer to `other`.
        guard !first.hasCredentials else { return .failure(.credentialsInURL(first.redacted)) }
        if let problem = Self.validate(method: request.method, headers: request.headers) {
            return .failure(problem)
        }

        let credentialNames = Set(request.credentialHeaders.map { $0.lowercased() })
        let firstOrigin = first.origin
        var current = first
        var method = request.method
        var headers = request.headers
        var body = request.body
        var redirects = 0
        var earlierHopsUs: Int64 = 0

        while true {
            let elapsed = clock.now - started
            let remainingMs = Self.milliseconds(request.timeout) - Self.milliseconds(elapsed)
            guard remainingMs > 0 else { return .failure(.timedOut(request.timeout)) }
            let connectMs = min(Self.milliseconds(request.connectTimeout), remainingMs)

            // Credentials go only to the origin they were given for (as curl compares with the first host);
            // a caller's Host header is dropped there too, so curl names the new host itself.
            let hopHeaders =
                current.origin == firstOrigin
                ? headers
                : headers.filter {
                    let name = $0.name.lowercased()
                    return !credentialNames.contains(name) && name != "host"
                }
            let hop = CurlHop(
                url: current, method: method, headers: hopHeaders, body: body,
                connectTimeoutMs: max(1, connectMs), timeoutMs: remainingMs,
                maxBodyBytes: request.maxBodyBytes, insecure: request.insecure, userAgent: userAgent)
            let outcome = await executor.perform(hop)

            guard outcome.code == CURLE_OK else {
                return .failure(Self.mapError(outcome, url: current, request: request, remainingMs: remainingMs))
            }

            let location = outcome.headers.last { $0.name.lowercased() == "location" }?.value
            if Self.redirectStatuses.contains(outcome.status), let location, request.maxRedirects > 0 {
                guard redirects < request.maxRedirects else { return .failure(.tooManyRedirects(request.maxRedirects)) }
                guard let next = current.resolving(location) else { return .failure(.redirectRefused(location)) }
                guard next.isHTTP, !next.host.isEmpty, !next.hasCredentials else { return .failure(.redirectRefused(next.redacted)) }
                redirects += 1
                earlierHopsUs += outcome.totalUs
                // Like browsers and curl -L: 303 turns anything but HEAD into GET; 301/302 turn POST into GET.
                let becomesGET =
                    (outcome.status == 303 && method != "HEAD")
                    || ((outcome.status == 301 || outcome.status == 302) && method == "POST")
                if becomesGET {
                    method = "GET"
                    body = nil
                    headers = headers.filter { !Self.bodyHeaders.contains($0.name.lowercased()) }
                }
                current = next
                continue
            }

            let timings = Self.timings(outcome, earlierHopsUs: earlierHopsUs)
            return .success(
                HTTPResponse(
                    status: outcome.status,
                    headers: outcome.headers,
                    body: outcome.body,
                    bodyBytes: outcome.bodyBytes,
                    truncated: outcome.bodyBytes > outcome.body.count,
                    finalURL: outcome.effectiveURL,
                    redirects: redirects,
                    timings: timings))
        }
    }


    // MARK: helpers

    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]
    private static let bodyHeaders: Set<String> = ["content-type", "content-length", "content-encoding", "transfer-encoding"]

    private static func milliseconds(_ seconds: TimeInterval) -> Int {
        guard seconds.isFinite else { return Int(Int32.max) }
        return Int(min(max(seconds * 1000, 0), Double(Int32.max)).rounded(.up))
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// The scheme as written (`ftp:`, `mailto:`), lowercased; nil when the text has none.
    /// `host:8080/…` and `example.com:443` are not read as schemes.
    static func writtenScheme(_ text: String) -> String? {
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        guard let colon = trimmed.firstIndex(of: ":") else { return nil }
        let scheme = trimmed[..<colon]
        let rest = trimmed[trimmed.index(after: colon)...]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return nil }
        if rest.hasPrefix("//") { return scheme.lowercased() }
        if scheme.contains(".") || rest.first?.isNumber == true { return nil }
        return scheme.lowercased()
    }

    /// Refuses methods and headers that would let a value rewrite the request line or add lines.
    private static func validate(method: String, headers: [HTTPHeader]) -> HTTPError? {
        let tokenScalars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars)
        func isToken(_ text: String) -> Bool {
            !text.isEmpty && text.unicodeScalars.allSatisfy { tokenScalars.contains($0) }
        }
        guard isToken(method) else {
            return .transport(
                code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue),
                message: "the method “\(method)” is not a valid HTTP method; use GET, POST, HEAD or another token")
        }
        for header in headers {
            guard isToken(header.name) else {
                return .transport(
                    code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue),
                    message: "the header name “\(header.name)” is not a valid HTTP header name")
            }
            // Scalars, not Characters: "\r\n" is a single Character.
            if header.value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                // The value is not quoted: it may be a secret.
                return .transport(
                    code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue),
                    message: "the value of header “\(header.name)” contains a line break; remove it")
            }
        }
        return nil
    }

    private static func timings(_ outcome: CurlHopOutcome, earlierHopsUs: Int64) -> HTTPTimings {
        // Clamp into order: on a reused connection curl leaves some marks at 0.
        let dns = Double(max(0, outcome.nameLookupUs)) / 1000
        let connect = max(dns, Double(outcome.connectUs) / 1000)
        let tls = max(connect, Double(outcome.appConnectUs) / 1000)
        let firstByte = max(tls, Double(outcome.startTransferUs) / 1000)
        let total = max(firstByte, Double(outcome.totalUs) / 1000) + Double(max(0, earlierHopsUs)) / 1000
        return HTTPTimings(dnsMs: dns, connectMs: connect, tlsMs: tls, firstByteMs: firstByte, totalMs: total)
    }

    private static let tlsCodes: Set<UInt32> = [
        CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
        CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
        CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
        CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED,
    ].reduce(into: Set<UInt32>()) { $0.insert($1.rawValue) }

    private static func mapError(_ outcome: CurlHopOutcome, url: CurlURL, request: HTTPRequest, remainingMs: Int) -> HTTPError {
        let code = outcome.code
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            // No connection yet and the connect limit was the tighter one: report that limit.
            if outcome.connectUs == 0 && milliseconds(request.connectTimeout) < remainingMs {
                return .timedOut(request.connectTimeout)
            }
            return .timedOut(request.timeout)
        case CURLE_COULDNT_CONNECT:
            return .connectionRefused(url.hostPort)
        case CURLE_COULDNT_RESOLVE_HOST:
            return .couldNotResolve(url.host)
        case CURLE_UNSUPPORTED_PROTOCOL:
            // The scheme was checked before any I/O; here curl refused what the server sent (HTTP/0.9).
            return url.isHTTP ? .notHTTP(url.hostPort) : .unsupportedScheme(url.redacted)
        default:
            if tlsCodes.contains(code.rawValue) {
                return .tls("\(url.hostPort): \(outcome.message)")
            }
            return .transport(code: Int(code.rawValue), message: outcome.message)
        }
    }
}
