import Foundation

/// The circuit breaker's defaults, one definition for `trigger`, the dashboard and alerts: a job's breaker opens
/// after this many failed runs in a row and skips the job for the cool-down, then lets one probe through.
public enum BreakerDefaults {
    public static let threshold = 5
    public static let cooldown: TimeInterval = 15 * 60
}
