import Foundation
@testable import RBSCronKit

enum TZ {
    static func zone(_ id: String) -> TimeZone {
        guard let z = TimeZone(identifier: id) else { preconditionFailure("test zone \(id) missing") }
        return z
    }
    static let utc = zone("UTC")
}

/// The instant of a local wall-clock time (first occurrence if repeated).
func instant(_ text: String, _ zone: TimeZone = TZ.utc) -> Date {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = zone
    f.dateFormat = "yyyy-MM-dd HH:mm:ss"
    guard let d = f.date(from: text.count == 16 ? text + ":00" : text) else { preconditionFailure("bad test time \(text)") }
    return d
}

/// "yyyy-MM-dd HH:mm±hh:mm" in `zone`.
func local(_ date: Date, _ zone: TimeZone) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = zone
    f.dateFormat = "yyyy-MM-dd HH:mmxxx"
    return f.string(from: date)
}

func fires(_ expr: String, from start: String, in zoneID: String = "UTC", count: Int = 5,
           dialect: CronDialect = .vixie) throws -> [String] {
    let zone = TZ.zone(zoneID)
    let s = try CronSchedule.parse(expr, dialect: dialect)
    return s.nextFires(after: instant(start, zone), in: zone, count: count).map { local($0, zone) }
}

func parseError(_ expr: String, dialect: CronDialect = .vixie, pgCronVersion: PgCronVersion = .supabase) -> CronError? {
    do {
        _ = try CronSchedule.parse(expr, dialect: dialect, pgCronVersion: pgCronVersion)
        return nil
    } catch {
        return error
    }
}
