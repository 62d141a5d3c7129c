import Foundation

/// Timing marks in milliseconds, like `curl -w`: `dnsMs`, `connectMs`, `tlsMs` and `firstByteMs`
/// are cumulative from the start of the final hop (so they never decrease; `tlsMs` equals
/// `connectMs` on plain HTTP), and `totalMs` covers the whole exchange, redirects included.
public struct HTTPTimings: Sendable, Codable, Equatable {
    public var dnsMs: Double
    public var connectMs: Double
    public var tlsMs: Double
    public var firstByteMs: Double
    public var totalMs: Double

    public init(dnsMs: Double = 0, connectMs: Double = 0, tlsMs: Double = 0, firstByteMs: Double = 0, totalMs: Double = 0) {
        self.dnsMs = dnsMs
        self.connectMs = connectMs
        self.tlsMs = tlsMs
        self.firstByteMs = firstByteMs
        self.totalMs = totalMs
    }
}
