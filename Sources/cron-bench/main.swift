// Benchmark and inspection driver for the cron engine (used by bench/cron-throughput.sh).
//
//   cron-bench throughput EXPRFILE ZONE START_EPOCH FIRES_PER_EXPR
//       computes FIRES_PER_EXPR consecutive fires for every expression in EXPRFILE
//       (one per line) and prints {"fires": N, "seconds": S, "checksum": C}
//   cron-bench fires EXPR ZONE START_EPOCH COUNT [DIALECT]
//       prints the next COUNT fires as epoch seconds and ISO 8601 UTC
import Foundation
import RBSCronKit

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(64)
}

let args = CommandLine.arguments
guard args.count >= 2 else { fail("usage: cron-bench throughput|fires …") }

switch args[1] {
case "throughput":
    guard args.count == 6, let zone = TimeZone(identifier: args[3]), let start = Double(args[4]),
          let perExpr = Int(args[5]) else { fail("usage: cron-bench throughput EXPRFILE ZONE START_EPOCH FIRES_PER_EXPR") }
    guard let text = try? String(contentsOfFile: args[2], encoding: .utf8) else { fail("cannot read \(args[2])") }
    var schedules: [CronSchedule] = []
    for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
        do { schedules.append(try CronSchedule.parse(String(line))) } catch { fail(error.localizedDescription) }
    }
    let clock = ContinuousClock()
    var fires = 0
    var checksum = 0.0
    let elapsed = clock.measure {
        for schedule in schedules {
            var cursor = Date(timeIntervalSince1970: start)
            for _ in 0..<perExpr {
                guard let n = schedule.next(after: cursor, in: zone) else { break }
                cursor = n
                fires += 1
            }
            checksum += cursor.timeIntervalSince1970
        }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("{\"fires\": \(fires), \"seconds\": \(seconds), \"checksum\": \(Int(checksum))}")
case "fires":
    guard args.count >= 6, let zone = TimeZone(identifier: args[3]), let start = Double(args[4]),
          let count = Int(args[5]) else { fail("usage: cron-bench fires EXPR ZONE START_EPOCH COUNT [DIALECT]") }
    let dialect = args.count > 6 ? CronDialect(rawValue: args[6]) ?? .vixie : .vixie
    do {
        let schedule = try CronSchedule.parse(args[2], dialect: dialect)
        print(schedule.englishDescription)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        for d in schedule.nextFires(after: Date(timeIntervalSince1970: start), in: zone, count: count) {
            print(Int(d.timeIntervalSince1970), formatter.string(from: d))
        }
    } catch {
        fail(error.localizedDescription)
    }
default:
    fail("unknown mode \(args[1])")
}
