import Foundation

/// When and how long to wait before another attempt.
///
/// Retried: transport failures that may pass (timeouts, refused connections, DNS, other libcurl
/// errors), 5xx and 429. Never retried: other 4xx, and failures that a second try cannot fix
/// (a refused URL scheme or redirect, a redirect loop, a TLS verification failure).
public struct RetryPolicy: Sendable, Equatable {
    public var baseMs: Int
    public var capMs: Int

    public init(baseMs: Int = 500, capMs: Int = 30_000) {
        self.baseMs = max(0, baseMs)
        self.capMs = max(0, capMs)
    }

    /// Whether this result is worth another attempt.
    public static func isRetryable(_ result: Result<HTTPResponse, HTTPError>) -> Bool {
        switch result {
        case .success(let response):
            return response.status == 429 || (500...599).contains(response.status)
        case .failure(let error):
            switch error {
            case .timedOut, .connectionRefused, .couldNotResolve, .transport: return true
            case .invalidURL, .unsupportedScheme, .credentialsInURL, .notHTTP, .redirectRefused, .tooManyRedirects, .tls,
                .libcurlUnavailable:
                return false
            }
        }
    }

    /// The wait before attempt `attempt + 1` (`attempt` ≥ 1 attempts made so far), in milliseconds.
    ///
    /// Full jitter: a uniform value in `0 … min(cap, base · 2^(attempt-1))`. A `Retry-After`
    /// from the server wins over the jitter, capped at `capMs` so a hostile or confused server
    /// cannot park the run for hours.
    public func delayMs(afterAttempt attempt: Int, retryAfterSeconds: TimeInterval?, random: Double) -> Int {
        if let retryAfterSeconds, retryAfterSeconds.isFinite, retryAfterSeconds >= 0 {
            return Int(min(retryAfterSeconds * 1000, Double(capMs)).rounded(.up))
        }
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(Double(capMs), Double(baseMs) * pow(2, Double(exponent)))
        let unit = min(max(random, 0), 1)
        return Int((ceiling * unit).rounded(.down))
    }
}
