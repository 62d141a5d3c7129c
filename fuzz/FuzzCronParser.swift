// libFuzzer harness for the cron parser: every input is parsed in every dialect; whatever
// parses is described and asked for fires in zones with and without DST.
import Foundation

private let zones: [TimeZone] = ["UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
    .compactMap { TimeZone(identifier: $0) }
private let starts: [Date] = [1_710_050_000, 1_730_600_000, 1_712_413_000]
    .map { Date(timeIntervalSince1970: $0) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCronParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for dialect in CronDialect.allCases {
        do {
            let schedule = try CronSchedule.parse(text, dialect: dialect)
            _ = schedule.englishDescription
            _ = schedule.minimumIntervalSeconds
            for (i, zone) in zones.enumerated() {
                let start = starts[i % starts.count]
                let fires = schedule.nextFires(after: start, in: zone, count: 3)
                for (a, b) in zip([start] + fires, fires) where !(a < b) {
                    fatalError("fires not increasing for '\(text)' in \(zone.identifier)")
                }
                _ = schedule.previous(atOrBefore: start, in: zone, lookback: 3 * 86_400)
            }
        } catch {
            // Compare bytes: a leading combining mark in the input fuses with the quote into
            // one Character, so String.hasPrefix would say no (fuzz finding, see the tests).
            guard let message = error.errorDescription,
                  message.utf8.starts(with: "invalid cron expression '".utf8) else {
                fatalError("error without a proper message for '\(text)'")
            }
        }
    }
    return 0
}
