import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

extension PgCronServerTests {
    /// Camino's voice-outbound is meant every 15 minutes 09:00–18:45 Monday–Saturday, Mexico City time;
    /// pg_cron fires in cron.timezone (GMT). The migration's UTC entries, read back from the server,
    /// must fire at exactly the instants cronsim gives for the local schedule, for a whole year.
    @Test("voice-outbound's UTC entries on pg_cron (cron.timezone GMT) fire at the local schedule's instants for a year")
    func localTimeJobFiresAtTheSameInstantsOnGMTPgCron() async throws {
        let db = try await PgTestDatabase.open()
        await #expect(try db.exec("SHOW cron.timezone").contains("GMT"))
        let inventory = try EmbeddedEcosystem.inventory()
        let camino = try #require(inventory.app(named: "camino"))
        let voice = try #require(inventory.job(JobRef(app: "camino", job: "voice-outbound")))
        let migration = try PgCronSQL.scheduleMigration(app: camino, jobs: inventory.jobs, previouslyScheduled: nil, now: Self.now)
        try await db.exec(migration.sql)

        let entries = try await db.cronJobs().filter { $0.jobname.hasPrefix("rbs-camino-voice-outbound") }
        #expect(entries.map(\.jobname) == ["rbs-camino-voice-outbound", "rbs-camino-voice-outbound.2"])
        #expect(Set(entries.map(\.command)).count == 1, "every entry runs the same call")
        #expect(!entries.map(\.schedule).contains("*/15 9-18 * * 1-6"), "the local-time text is not scheduled on a GMT server")

        let start = Self.now, end = Self.now.addingTimeInterval(365 * 86_400)
        let utc = try #require(TimeZone(identifier: "UTC"))
        var serverFires: [Date] = []
        for entry in entries {
            serverFires += try CronSchedule.parse(entry.schedule, dialect: .pgCron).fires(from: start, to: end, in: utc, limit: 1_000_000)
        }
        serverFires.sort()
        #expect(Set(serverFires).count == serverFires.count, "no instant fires twice")

        let zone = try #require(TimeZone(identifier: voice.timezone))
        let engine = try CronSchedule.parse(try #require(voice.schedule), dialect: .vixie).fires(from: start, to: end, in: zone, limit: 1_000_000)
        let oracle = try await cronsimFires(voice.schedule ?? "", zone: voice.timezone, from: start, to: end)
        #expect(serverFires.count > 10_000)
        #expect(oracle == engine, "rbscron's engine and cronsim disagree on the local schedule")
        #expect(serverFires == oracle, "the UTC entries on the server miss or add fires")
    }

    /// The fires of `expression` in `zone` in (from, to], from Python's cronsim.
    func cronsimFires(_ expression: String, zone: String, from: Date, to: Date) async throws -> [Date] {
        let script = """
            import sys, datetime, zoneinfo
            from cronsim import CronSim
            tz = zoneinfo.ZoneInfo(sys.argv[2])
            start = datetime.datetime.fromtimestamp(int(sys.argv[3]), tz)
            end = int(sys.argv[4])
            for fire in CronSim(sys.argv[1], start):
                t = int(fire.timestamp())
                if t > end: break
                print(t)
            """
        let result = try await runTool("/usr/bin/env", ["python3", "-c", script, expression, zone,
                                                        String(Int(from.timeIntervalSince1970)), String(Int(to.timeIntervalSince1970))])
        try #require(result.status == 0, "python3 with cronsim is needed (pip install cronsim)")
        return result.text.split(separator: "\n").compactMap { Double($0) }
            .map { Date(timeIntervalSince1970: $0) }
    }
}
