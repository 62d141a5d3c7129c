import CCurlShim
import Foundation

/// Why an HTTP exchange produced no response. Statuses (4xx, 5xx) are responses, not errors.
public enum HTTPError: Error, LocalizedError, Sendable, Equatable {
    /// The URL could not be parsed as an absolute URL.
    case invalidURL(String)
    /// The URL's scheme is not http or https; refused before any I/O.
    case unsupportedScheme(String)
    /// The URL carries a user name or password (shown without them); refused before any I/O.
    case credentialsInURL(String)
    /// The server's answer is not HTTP/1.0 or later (an HTTP/0.9 reply, or another protocol on that port).
    case notHTTP(String)
    /// A `Location` with a non-http(s) scheme, or one that could not be parsed.
    case redirectRefused(String)
    /// More redirects than the request allows; carries the limit.
    case tooManyRedirects(Int)
    /// The connect or total timeout ran out; carries that timeout in seconds.
    case timedOut(TimeInterval)
    /// No connection could be made to the given `host:port`.
    case connectionRefused(String)
    /// The host name did not resolve.
    case couldNotResolve(String)
    /// The TLS handshake or certificate verification failed; carries libcurl's detail.
    case tls(String)
    /// Any other libcurl failure: its `CURLcode` and message.
    case transport(code: Int, message: String)
    /// libcurl could not be loaded (it is loaded on a command's first request); carries why.
    case libcurlUnavailable(String)

    public var errorDescription: String? {
        switch self {
        case .invalidURL(let url):
            return "The URL “\(url)” is not a valid absolute URL. Write it in full, starting with https:// or http://."
        case .unsupportedScheme(let url):
            return "The URL “\(url)” does not use http or https, and no other scheme is ever fetched. Change it to an http:// or https:// address."
        case .credentialsInURL(let url):
            return "The URL “\(url)” (shown without them) carries a user name or password before its host, and a URL never "
                + "holds credentials: libcurl would send them, and the request would go to the host after the '@'. "
                + "Remove them from the app's base_url; a job's credentials come from its secrets."
        case .notHTTP(let hostPort):
            return "The server at \(hostPort) did not answer with HTTP/1.0 or later (an HTTP/0.9 reply, or another "
                + "protocol on that port). Check that the URL's port is the app's web server."
        case .redirectRefused(let location):
            return "The server redirected to “\(location)”, which is not an http or https URL, so the redirect was not followed. Fix the app's redirect or point the job at its final URL."
        case .tooManyRedirects(let limit):
            return "The request was redirected more than \(limit) times, which looks like a redirect loop. Point the job at its final URL or fix the app's redirects."
        case .timedOut(let seconds):
            return "The request did not complete within \(Self.formatSeconds(seconds)). Check that the endpoint answers, or raise the timeout."
        case .connectionRefused(let hostPort):
            return "Could not connect to \(hostPort): the connection was refused or the host is unreachable. Check that the app is running and that the URL's host and port are right."
        case .couldNotResolve(let host):
            return "The host name “\(host)” could not be resolved. Check the URL's spelling and this machine's DNS and network settings."
        case .tls(let detail):
            return "The TLS connection failed: \(detail). Check the server's certificate and host name, or, only for a host you trust, turn verification off with --insecure."
        case .transport(let code, let message):
            return "The HTTP transfer failed (libcurl error \(code)): \(message). Retry, and check the URL and the network if it keeps failing."
        case .libcurlUnavailable(let detail):
            return "libcurl, which rbscron sends every request with, could not be loaded: \(detail). Nothing was sent. "
                + "Install it (Debian: apt-get install libcurl4), or set RBSCRON_LIBCURL to the path of a libcurl "
                + "\(RBS_CURL_MIN_VERSION) or later."
        }
    }

    private static func formatSeconds(_ seconds: TimeInterval) -> String {
        if seconds == seconds.rounded() && seconds < 1e9 {
            let whole = Int(seconds)
            return whole == 1 ? "1 second" : "\(whole) seconds"
        }
        return String(format: "%.3g seconds", seconds)
    }
}
