import ArgumentParser
import Foundation
import RBSCronKit

/// Every duration option: `500ms`, `30s`, `5m`, `2h`, `7d`, or sums such as `1h30m`. A value that is not a
/// duration is a usage error naming the option (exit 64).
struct DurationArgument: ExpressibleByArgument, ExpressibleByStringLiteral, Sendable, CustomStringConvertible {
    let milliseconds: Int
    let text: String

    init?(argument: String) {
        guard let ms = DurationText.milliseconds(argument) else { return nil }
        milliseconds = ms
        text = argument
    }

    /// A default taken from a value the library defines, written as the help shows durations (`15m`).
    init(milliseconds: Int) {
        self.milliseconds = milliseconds
        text = DurationText.format(milliseconds: milliseconds)
    }

    /// The circuit breaker's default cool-down, for every command that takes `--breaker-cooldown`.
    static var breakerCooldown: DurationArgument { DurationArgument(milliseconds: Int(BreakerDefaults.cooldown * 1000)) }

    /// For defaults written in the source.
    init(stringLiteral value: String) {
        milliseconds = DurationText.milliseconds(value) ?? 0
        text = value
    }

    var seconds: TimeInterval { TimeInterval(milliseconds) / 1000 }
    var description: String { text }
    var defaultValueDescription: String { text }

    /// A usage error unless the duration is at least `minimum` and at most `maximum` milliseconds.
    func require(_ option: String, atLeast minimum: Int = 1, atMost maximum: Int? = nil) throws {
        if milliseconds < minimum {
            throw ValidationError(minimum <= 1 ? "\(option) '\(text)' must be longer than zero"
                                  : "\(option) '\(text)' must be at least \(DurationText.format(milliseconds: minimum))")
        }
        if let maximum, milliseconds > maximum {
            throw ValidationError("\(option) '\(text)' is longer than \(DurationText.format(milliseconds: maximum))")
        }
    }
}

extension Layer: ExpressibleByArgument {}
extension BackfillRoute: ExpressibleByArgument {}

/// `--layer` of `schedule plan` and `apply`: only the layers that have a scheduler to sync, so help and errors
/// list exactly those.
struct SchedulerLayer: ExpressibleByArgument, Sendable {
    static let layers: [Layer] = [.qstash, .vercel, .pgCron]
    let layer: Layer

    init?(argument: String) {
        guard let layer = Layer(rawValue: argument), Self.layers.contains(layer) else { return nil }
        self.layer = layer
    }

    static var allValueStrings: [String] { layers.map(\.rawValue) }
    var defaultValueDescription: String { layer.rawValue }
}
extension CronDialect: ExpressibleByArgument {}
extension TaskGroupName.Cadence: ExpressibleByArgument {}

/// Parsing of the option values that are not durations, with messages that quote the bad value.
enum ArgumentValues {
    static func zone(_ text: String?, option: String = "--tz") throws -> TimeZone? {
        guard let text else { return nil }
        guard let zone = TimeZone(identifier: text) else {
            throw ValidationError("\(option): unknown time zone '\(text)'; use an IANA name such as UTC or America/Mexico_City")
        }
        return zone
    }

    static func instant(_ text: String?, option: String = "--from") throws -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw ValidationError("\(option): '\(text)' is not an RFC 3339 time; write it like 2026-03-08T07:00:00Z")
        }
        return date
    }

    static func jobRef(_ text: String) throws -> JobRef {
        guard let ref = JobRef(text) else {
            throw ValidationError("'\(text)' is not a job address; write it as APP/JOB, e.g. camino/daily-dispatcher.")
        }
        return ref
    }
}
