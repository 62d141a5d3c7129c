import Foundation
import Testing
@testable import RBSCronKit

/// Local-time schedules turned into UTC entries, each proven against the cron engine.
@Suite struct UTCCompilerTests {
    let from = Fixture.date("2026-01-01T00:00:00Z")

    /// Independent of the compiler's own check: a year of the entries' fires in UTC equals
    /// a year of the local schedule's fires, each instant once.
    func expectSameYear(_ entries: [String], _ expression: String, _ zoneID: String, dialect: CronDialect = .vixie,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let zone = TZ.zone(zoneID)
        let to = from.addingTimeInterval(366 * 86_400)
        let local = try CronSchedule.parse(expression, dialect: dialect).fires(from: from, to: to, in: zone)
        var utc: [Date] = []
        for entry in entries { utc += try CronSchedule.parse(entry, dialect: dialect).fires(from: from, to: to, in: TZ.utc) }
        #expect(!local.isEmpty, sourceLocation: sourceLocation)
        #expect(utc.sorted() == local, "\(expression) in \(zoneID) vs \(entries)", sourceLocation: sourceLocation)
    }

    func compile(_ expression: String, _ zoneID: String, dialect: CronDialect = .vixie) throws -> UTCCompilation {
        UTCCompiler.compile(schedule: try CronSchedule.parse(expression, dialect: dialect), zone: TZ.zone(zoneID), from: from)
    }

    @Test func caminosVoiceOutboundInMexicoCity() throws {
        // Mexico City has kept UTC-6 all year since 2022; 18:00–18:45 local is 00:00–00:45 UTC the next day.
        let result = try compile("*/15 9-18 * * 1-6", "America/Mexico_City", dialect: .pgCron)
        #expect(result == .exact(["*/15 15-23 * * 1-6", "*/15 0 * * 0,2-6"]))
        try expectSameYear(["*/15 15-23 * * 1-6", "*/15 0 * * 0,2-6"], "*/15 9-18 * * 1-6", "America/Mexico_City", dialect: .pgCron)
    }

    @Test func eastOfGreenwichHoursWrapToThePreviousDay() throws {
        #expect(try compile("0 2 * * 1", "Asia/Kolkata") == .exact(["30 20 * * 0"]))
        #expect(try compile("0 9 * * 1-5", "Asia/Kolkata") == .exact(["30 3 * * 1-5"]))
        try expectSameYear(["30 20 * * 0"], "0 2 * * 1", "Asia/Kolkata")
    }

    @Test func dayOfMonthShiftsWithTheDay() throws {
        #expect(try compile("0 20 1,15 * *", "America/Mexico_City") == .exact(["0 2 2,16 * *"]))
        try expectSameYear(["0 2 2,16 * *"], "0 20 1,15 * *", "America/Mexico_City")
        // With months restricted the shifted days stay inside the month.
        #expect(try compile("30 19 10 1,7 *", "America/Mexico_City") == .exact(["30 1 11 1,7 *"]))
    }

    @Test func pgCronLastDayMovesToTheFirst() throws {
        let result = try compile("0 20 $ * *", "America/Mexico_City", dialect: .pgCron)
        #expect(result == .exact(["0 2 1 * *"]))
        try expectSameYear(["0 2 1 * *"], "0 20 $ * *", "America/Mexico_City", dialect: .pgCron)
    }

    @Test func vercelEntriesStayInVercelSyntax() throws {
        // Vercel fires in UTC whatever the zone; the compiler is used for jobs *meant* in a zone,
        // so the schedule is read as vixie and the entries checked in the Vercel dialect.
        let spec = try #require(try calendarSpec("0 20 * * 1-5"))
        guard case .success(let entries) = UTCCompiler.translate(spec, offsetSeconds: -6 * 3600, dialect: .vercel) else {
            Issue.record("translation refused"); return
        }
        #expect(entries == ["0 2 * * 2-6"])
        for entry in entries { _ = try CronSchedule.parse(entry, dialect: .vercel) }
    }

    @Test func whatCannotBeExactIsRefusedNotGuessed() throws {
        // The 31st at 20:00 in Mexico City is the 1st of *some* months in UTC.
        guard case .unsupported(let why) = try compile("0 20 31 * *", "America/Mexico_City") else {
            Issue.record("expected a refusal"); return
        }
        #expect(why.contains("month boundary"))
        guard case .unsupported = try compile("0 20 * 3 *", "America/Mexico_City") else {
            Issue.record("expected a refusal for a restricted month crossing midnight"); return
        }
    }

    @Test func aZoneWithDSTGetsSeasonalEntriesAndTheMovedFires() throws {
        guard case .seasonal(let seasons, let moved) = try compile("0 9 * * *", "America/New_York") else {
            Issue.record("expected seasonal entries"); return
        }
        #expect(seasons.map(\.offsetSeconds) == [-5 * 3600, -4 * 3600])
        #expect(seasons.map(\.entries) == [["0 14 * * *"], ["0 13 * * *"]])
        #expect(seasons.map(\.label) == ["standard time", "daylight time"])
        // The standard-time entry is wrong on each daylight day (a missed and an extra fire).
        let daylightDays = 238  // 8 March – 1 November 2026
        #expect(seasons[0].wrongFires.count == 2 * daylightDays)
        #expect(moved == min(seasons[0].wrongFires.count, seasons[1].wrongFires.count))
        #expect(seasons[1].wrongFires.first.map(Timestamp.rfc3339) == "2026-01-01T13:00:00Z")
    }

    @Test func utcAndIntervalsNeedNoChange() throws {
        #expect(try compile("*/5 * * * *", "UTC") == .exact(["*/5 * * * *"]))
        #expect(try compile("@daily", "Etc/UTC") == .exact(["0 0 * * *"]))
        #expect(try compile("30 seconds", "America/Mexico_City", dialect: .pgCron) == .exact(["30 seconds"]))
    }

    /// Many shapes in fixed-offset zones: each answer is exact (and independently verified)
    /// or a refusal; none is wrong.
    @Test(arguments: ["America/Mexico_City", "Asia/Kolkata", "Asia/Tokyo", "America/Bogota", "Asia/Kathmandu"])
    func everyExactAnswerFiresAtTheSameInstants(zoneID: String) throws {
        let expressions = ["0 14 * * *", "*/15 9-18 * * 1-6", "5 0 * * *", "50 23 * * 0", "0 */6 * * *",
                           "0 12 */3 * *", "0 3 * * 0", "15,45 22-23 2,20 * *", "0 0 1 * *", "0 22 * * 1-5",
                           "30 1 * * 1,3,5", "0 6,18 * * *", "0 23 10-12 * 5", "*/20 * * * *"]
        var exact = 0
        for expression in expressions {
            if case .exact(let entries) = try compile(expression, zoneID) {
                exact += 1
                try expectSameYear(entries, expression, zoneID)
            }
        }
        #expect(exact >= expressions.count - 3, "\(zoneID): only \(exact) of \(expressions.count) compiled")
    }

    @Test func fieldTextIsShortAndUsual() {
        func bits(_ values: [Int]) -> UInt64 { values.reduce(0) { $0 | (1 << UInt64($1)) } }
        #expect(UTCCompiler.fieldText(bits([0, 15, 30, 45]), 0...59) == "*/15")
        #expect(UTCCompiler.fieldText(bits([15, 30, 45]), 0...59) == "15-45/15")
        #expect(UTCCompiler.fieldText(bits(Array(15...23)), 0...23) == "15-23")
        #expect(UTCCompiler.fieldText(bits([0, 2, 3, 4, 5, 6]), 0...6) == "0,2-6")
        #expect(UTCCompiler.fieldText(bits([1, 2]), 0...6) == "1,2")
        #expect(UTCCompiler.fieldText(bits(Array(0...23)), 0...23) == "*")
    }

    func calendarSpec(_ text: String) throws -> CronSpec? {
        if case .calendar(let spec) = try CronSchedule.parse(text).kind { return spec }
        return nil
    }
}
