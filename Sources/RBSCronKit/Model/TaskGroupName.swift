import Foundation

/// A seed-003 time-of-day group: `hourly`, `daily@HH:MM` or `weekly@ddd-HH:MM`.
public struct TaskGroupName: Sendable, Hashable, CustomStringConvertible {
    public enum Cadence: String, Sendable, CaseIterable, Equatable {
        case hourly, daily, weekly
    }

    public static let weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public var cadence: Cadence
    /// `HH:MM` for daily and weekly groups.
    public var time: String?
    /// `sun` … `sat` for weekly groups.
    public var weekday: String?

    /// Parses the group text; nil when it is not one of the three forms.
    public init?(_ text: String) {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let cadence = Cadence(rawValue: parts[0]) else { return nil }
        self.cadence = cadence
        switch cadence {
        case .hourly:
            guard parts.count == 1 else { return nil }
        case .daily:
            guard parts.count == 2, Self.isTime(parts[1]) else { return nil }
            time = parts[1]
        case .weekly:
            guard parts.count == 2 else { return nil }
            let pieces = parts[1].split(separator: "-", maxSplits: 1).map(String.init)
            guard pieces.count == 2, Self.weekdays.contains(pieces[0]), Self.isTime(pieces[1]) else { return nil }
            weekday = pieces[0]
            time = pieces[1]
        }
    }

    public var description: String {
        switch cadence {
        case .hourly: return "hourly"
        case .daily: return "daily@\(time ?? "")"
        case .weekly: return "weekly@\(weekday ?? "")-\(time ?? "")"
        }
    }

    /// `HH:MM`, 00:00 through 23:59.
    public static func isTime(_ text: String) -> Bool {
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces[0].count == 2, pieces[1].count == 2,
              let h = Int(pieces[0]), let m = Int(pieces[1]) else { return false }
        return (0...23).contains(h) && (0...59).contains(m)
    }
}
