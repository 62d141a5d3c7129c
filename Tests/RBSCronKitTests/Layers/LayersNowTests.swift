import Foundation
import Testing
@testable import RBSCronKit

/// Vercel Cron → Schedules migration on the embedded ecosystem, QStash budgets checked by hand, Vercel limits read as
/// data, and the manifest, store and checks carrying the new per-layer fields.
@Suite("the layers as they are now")
struct LayersNowTests {
    let inventory: Inventory

    init() throws {
        inventory = try EmbeddedEcosystem.inventory()
    }

    static let year = Fixture.date("2026-05-01T00:00:00Z")

    func app(_ name: String) throws -> App { try #require(inventory.app(named: name)) }

    // MARK: Migration

    @Test("migrating the embedded Camino and Baúl keeps every fire of the year; Camino's dispatcher gets its POST")
    func embeddedMigrationPreservesEveryFire() throws {
        for name in ["camino", "baul"] {
            let report = try VercelMigration.report(app: try app(name), jobs: inventory.jobs, move: [], text: nil,
                                                    file: "vercel.json", from: Self.year)
            let vercelJobs = inventory.jobs.filter { $0.app == name && $0.layer == .vercel && $0.enabled }
            #expect(report.jobs.map(\.job) == vercelJobs.map(\.ref.description))
            #expect(report.preserved, "\(name)")
            for job in report.jobs {
                #expect(job.firesBefore > 0 && job.firesBefore == job.firesKept && job.firesAfter == job.firesKept, "\(job.job)")
                #expect(job.shifts.isEmpty)
                // The manifest names no zone for them: the UTC instants stay, whatever the description says ("08:00 CDT").
                #expect(job.zoneBefore == "UTC" && job.zoneAfter == "UTC", "\(job.job)")
            }
            #expect(report.plan.issues.filter { $0.severity == .error }.isEmpty)
        }
        let camino = try VercelMigration.report(app: try app("camino"), jobs: inventory.jobs, move: [], text: nil,
                                                file: "vercel.json", from: Self.year)
        let dispatcher = try #require(camino.jobs.first)
        #expect(dispatcher.methodBefore == "GET" && dispatcher.methodAfter == "POST")
        #expect(dispatcher.firesBefore == 365)
        // The entry written for it names no timezone: 14:00 UTC stays 14:00 UTC.
        let entry = VercelSchedules.entry(for: try #require(inventory.job(JobRef(app: "camino", job: "daily-dispatcher"))))
        #expect(entry.timezone == nil && entry.requestMethod == "POST" && entry.schedule == "0 14 * * *")
        #expect(camino.candidates.map(\.job) == ["camino/voice-outbound"])

        let baul = try VercelMigration.report(app: try app("baul"), jobs: inventory.jobs, move: [], text: nil,
                                              file: "vercel.json", from: Self.year)
        // Weekdays at 12:00 UTC (261 in the year from 2026-05-01) and the 1st at 08:00 UTC (12).
        #expect(baul.jobs.map(\.firesBefore) == [261, 12])
        #expect(baul.jobs.allSatisfy { $0.methodBefore == "GET" && $0.methodAfter == "GET" })
    }

    @Test("a job whose manifest names a zone moves to that zone's instants, and the report says which fires move")
    func namedZoneMovesTheInstants() throws {
        let app = Fixture.app("a", plan: .pro)
        let job = Fixture.job("a", "local", layer: .vercel, schedule: "0 8 * * *", timezone: "America/Mexico_City")
        let report = try VercelMigration.report(app: app, jobs: [job], move: [], text: nil, file: "vercel.json", from: Self.year)
        let compared = try #require(report.jobs.first)
        #expect(!compared.preserved && !report.preserved)
        #expect(compared.firesBefore == 365 && compared.firesAfter == 365 && compared.firesKept == 0)
        // Mexico City is UTC−6 all year: Cron fired at 08:00 UTC, Schedules fires at 08:00 local = 14:00 UTC.
        let first = try #require(compared.shifts.first)
        #expect(first.before == Fixture.date("2026-05-01T08:00:00Z") && first.after == Fixture.date("2026-05-01T14:00:00Z"))
        #expect(compared.zoneBefore == "UTC" && compared.zoneAfter == "America/Mexico_City")
        #expect(compared.note.contains("Vercel Cron fired '0 8 * * *' in UTC"))
    }

    @Test("--move puts Camino's pg_cron voice-outbound on its Schedules with every fire kept; SQL and seconds jobs cannot move")
    func movingAPgCronJob() throws {
        let camino = try app("camino")
        let report = try VercelMigration.report(app: camino, jobs: inventory.jobs, move: ["voice-outbound"], text: nil,
                                                file: "vercel.json", from: Self.year)
        let voice = try #require(report.jobs.first { $0.job == "camino/voice-outbound" })
        #expect(voice.layerBefore == .pgCron && voice.preserved && voice.firesBefore > 10_000)
        #expect(voice.zoneBefore == "America/Mexico_City" && voice.zoneAfter == "America/Mexico_City")
        #expect(report.moved == ["voice-outbound"] && report.candidates.isEmpty)
        #expect(report.plan.items.contains { $0.id == "voice-outbound" && $0.action == .create
                && $0.target == "POST /api/cron/voice-outbound (America/Mexico_City)" })

        #expect(throws: VercelMigrationError.notMovable(job: "camino/keep-alive-ping",
                                                        reason: "it runs SQL inside the database; Vercel calls a path of the deployment")) {
            _ = try VercelMigration.migrated(app: camino, jobs: inventory.jobs, move: ["keep-alive-ping"])
        }
        #expect(throws: VercelMigrationError.unknownJob(app: "camino", job: "nope")) {
            _ = try VercelMigration.migrated(app: camino, jobs: inventory.jobs, move: ["nope"])
        }
        let fast = Job(app: "camino", name: "fast", path: "/api/cron/fast", layer: .pgCron, schedule: "30 seconds")
        #expect(throws: VercelMigrationError.self) {
            _ = try VercelMigration.migrated(app: camino, jobs: inventory.jobs + [fast], move: ["fast"])
        }
    }

    @Test("with Camino on Vercel Schedules (and voice-outbound moved there), schedule check reports neither of today's two errors")
    func caminoOnSchedulesClearsTodaysErrors() throws {
        let before = ScheduleCheck.run(inventory, now: Fixture.now)
        #expect(before.findings.filter { $0.severity == .error }.map { "\($0.job) \($0.rule)" }
                == ["camino/daily-dispatcher vercel.method-get", "camino/voice-outbound pg_cron.timezone"])

        let (app, jobs) = try VercelMigration.migrated(app: try app("camino"), jobs: inventory.jobs, move: ["voice-outbound"])
        var after = inventory
        after.apps = after.apps.map { $0.name == "camino" ? app : $0 }
        after.jobs = jobs
        let report = ScheduleCheck.run(after, now: Fixture.now)
        #expect(report.counts.error == 0)
        // What is left is information: the plan is not recorded, and no vercel_project to read its fires from.
        #expect(report.findings.filter { $0.job.hasPrefix("camino") }.map(\.rule) == ["vercel.unobserved", "vercel.plan-unknown"])

        // Switching the mode alone clears the dispatcher's error; the pg_cron job's fix now offers the move.
        var modeOnly = inventory
        modeOnly.apps = modeOnly.apps.map { $0.name == "camino" ? app : $0 }
        let partial = ScheduleCheck.run(modeOnly, now: Fixture.now)
        #expect(partial.findings.filter { $0.severity == .error }.map(\.rule) == ["pg_cron.timezone"])
        #expect(partial.findings(rule: "pg_cron.timezone").first?.fix.contains("--move voice-outbound") == true)
    }

    @Test("schedules mode: POST and a local zone are fine; PUT, a jitter out of range and jitter in crons mode are flagged")
    func schedulesModeRules() {
        var app = Fixture.app("a", plan: .pro)
        app.vercelMode = .schedules
        let jobs = [
            Fixture.job("a", "post", layer: .vercel, schedule: "0 8 * * *", method: .POST, timezone: "America/Mexico_City"),
            Fixture.job("a", "put", layer: .vercel, schedule: "0 9 * * *", method: .PUT),
            Job(app: "a", name: "jumpy", path: "/api/cron/jumpy", method: .GET, layer: .vercel, schedule: "0 10 * * *", jitter: 16),
        ]
        let report = ScheduleCheck.run(Inventory(apps: [app], jobs: jobs), now: Fixture.now)
        #expect(report.findings.map { "\($0.job) \($0.rule)" }.sorted() == ["a/jumpy vercel.jitter", "a/put vercel.schedules-method"])
        #expect(report.findings.allSatisfy { $0.severity == .error })

        app.vercelMode = .crons
        let crons = ScheduleCheck.run(Inventory(apps: [app], jobs: [
            Job(app: "a", name: "jumpy", path: "/api/cron/jumpy", method: .GET, layer: .vercel, schedule: "0 10 * * *", jitter: 5),
        ]), now: Fixture.now)
        #expect(crons.findings.map(\.rule) == ["vercel.jitter"] && crons.findings.first?.severity == .warning)
    }

    @Test("a Vercel Schedules job fires in its zone everywhere rbscron computes fires: next, due mode, list schedules")
    func schedulesModeFiresInTheJobsZone() throws {
        var app = Fixture.app("a", plan: .pro)
        let job = Fixture.job("a", "local", layer: .vercel, schedule: "0 8 * * *", method: .POST, timezone: "America/Mexico_City")
        let at = Fixture.date("2026-05-04T14:05:00Z")
        let crons = Inventory(apps: [app], jobs: [job])
        #expect(DueMode.fires(in: crons, app: nil, at: at, windowMs: 30 * 60_000).isEmpty)  // Cron fired at 08:00Z
        app.vercelMode = .schedules
        let schedules = Inventory(apps: [app], jobs: [job])
        #expect(DueMode.fires(in: schedules, app: nil, at: at, windowMs: 30 * 60_000).map(\.fireTime)
                == [Fixture.date("2026-05-04T14:00:00Z")])
        let next = try ScheduleReports.next(job: job, in: schedules, from: at, count: 1)
        #expect(next.fires == [Fixture.date("2026-05-05T14:00:00Z")] && next.timezone == "America/Mexico_City")
        let listed = ScheduledJobReport.list(schedules, filter: InventoryFilter())
        #expect(listed.map(\.id) == ["local"] && listed.map(\.target) == ["POST /api/cron/local"])
    }

    // MARK: Limits as data

    @Test("Vercel's plan limits are data: a Pro project limited to hourly crons flags a cron every 30 minutes")
    func vercelLimitsAreData() {
        var limits = ScheduleLimits()
        limits.layers.vercel[.pro]?.minimumIntervalSeconds = 3_600
        let inventory = Inventory(apps: [Fixture.app("a", plan: .pro)],
                                  jobs: [Fixture.job("a", "often", layer: .vercel, schedule: "*/30 * * * *")])
        #expect(ScheduleCheck.run(inventory, now: Fixture.now).findings.isEmpty)
        let changed = ScheduleCheck.run(inventory, now: Fixture.now, limits: limits)
        #expect(changed.findings.map(\.rule) == ["vercel.pro-frequency"])
        #expect(changed.findings.first?.message.contains("once an hour") == true)
        #expect(Set(ScheduleCheck.rules.map(\.id)).isSuperset(of: changed.findings.map(\.rule)))
    }

    @Test("disabled crons count against the 100 of a project (they are data too)")
    func disabledCronsCount() {
        let jobs = (0..<101).map { i in
            Fixture.job("a", "j\(i)", layer: .vercel, schedule: "\(i % 60) \(i / 60) * * *", enabled: i < 95)
        }
        let inventory = Inventory(apps: [Fixture.app("a", plan: .pro)], jobs: jobs)
        let report = ScheduleCheck.run(inventory, now: Fixture.now)
        let found = report.findings(rule: "vercel.job-limit")
        #expect(found.count == 1 && found.first?.message.contains("6 disabled") == true)
        var limits = ScheduleLimits()
        limits.layers.vercel[.pro]?.disabledCronsCount = false
        #expect(ScheduleCheck.run(inventory, now: Fixture.now, limits: limits).findings(rule: "vercel.job-limit").isEmpty)
    }

    // MARK: QStash budget

    /// Colectiva's 15 QStash jobs, by hand: 9 daily jobs and the heartbeat every 30 minutes (48) fire every day, 57 fires;
    /// Sundays add ecosystem-sync; the 1st adds monthly-first, revenue-reconciliation and earnings-poliza; the 5th adds
    /// monthly-fifth. Every job has retries 3, so each fire may cost 1 + 3 = 4 messages.
    @Test("Colectiva's budget checked by hand: 57 fires and 228 messages on an ordinary day, 240 on 1 May 2026 (a Friday)")
    func colectivaBudgetByHand() throws {
        let report = ScheduleBudget.report(inventory, from: Self.year, days: 31, app: "colectiva")
        let budget = try #require(report.budgets.first)
        #expect(report.budgets.count == 1 && budget.layer == .qstash && budget.schedules == 15)
        #expect(budget.plan == nil && budget.dailyLimit == nil && budget.scheduleLimit == nil)
        let byDate = Dictionary(budget.days.map { ($0.date, $0) }, uniquingKeysWith: { a, _ in a })
        let ordinary = 9 + 48
        #expect(byDate["2026-05-02"]?.fires == ordinary)                    // Saturday
        #expect(byDate["2026-05-02"]?.messages == ordinary * 4)             // 228
        #expect(byDate["2026-05-01"]?.fires == ordinary + 3)                // Friday the 1st: 60
        #expect(byDate["2026-05-01"]?.messages == (ordinary + 3) * 4)       // 240
        #expect(byDate["2026-05-03"]?.fires == ordinary + 1)                // Sunday
        #expect(byDate["2026-05-05"]?.fires == ordinary + 1)                // Tuesday the 5th
        let sundays = ["2026-05-03", "2026-05-10", "2026-05-17", "2026-05-24", "2026-05-31"]
        #expect(budget.days.map(\.fires).reduce(0, +) == 31 * ordinary + sundays.count + 3 + 1)
        #expect(budget.peak == BudgetDay(date: "2026-05-01", fires: 60, messages: 240))
        #expect(budget.days.count == 31 && report.to == Fixture.date("2026-06-01T00:00:00Z"))
    }

    @Test("on the free plan Colectiva's 15 schedules are over the 10 allowed; its 240 messages a day are within 1,000")
    func colectivaOnTheFreePlan() throws {
        var inventory = self.inventory
        let index = try #require(inventory.apps.firstIndex { $0.name == "colectiva" })
        let unknown = ScheduleCheck.run(inventory, app: "colectiva", now: Self.year)
        #expect(unknown.findings.map(\.rule) == ["qstash.plan-unknown"] && unknown.findings.first?.severity == .info)
        #expect(unknown.findings.first?.message.contains("15 QStash schedules") == true)
        #expect(unknown.findings.first?.message.contains("up to 240 messages a day") == true)

        inventory.apps[index].qstashPlan = .free
        let free = ScheduleCheck.run(inventory, app: "colectiva", now: Self.year)
        #expect(free.findings.map(\.rule) == ["qstash.schedule-limit"])
        #expect(free.findings.first?.severity == .error)
        #expect(free.findings.first?.message == "15 active QStash schedules; the free plan allows 10, so QStash refuses the rest.")

        // A heartbeat every minute: 1,440 fires × 4 = 5,760 messages a day, over the free plan's 1,000.
        let heartbeat = try #require(inventory.jobs.firstIndex { $0.app == "colectiva" && $0.name == "ecosystem-heartbeat" })
        inventory.jobs[heartbeat].schedule = "* * * * *"
        let busy = ScheduleCheck.run(inventory, app: "colectiva", now: Self.year)
        let daily = try #require(busy.findings(rule: "qstash.daily-messages").first)
        // 9 daily jobs + 1,440 heartbeats + 3 on the 1st = 1,452 fires, × 4 = 5,808 messages on 1 May.
        #expect(daily.message.hasPrefix("up to 5,808 messages a day (2026-05-01: 1,452 fires"))
        #expect(daily.message.contains("on 31 of the next 31 days"))

        inventory.apps[index].qstashPlan = .payg
        let payg = ScheduleCheck.run(inventory, app: "colectiva", now: Self.year)
        #expect(payg.findings.isEmpty)
    }

    // MARK: pg_cron releases

    @Test("a project on pg_cron 1.4 refuses `$` and `N seconds` in the manifest, in check and in the migration, naming 1.4")
    func pgCronReleaseIsWiredThrough() throws {
        let yaml = """
            version: 1
            apps:
              - name: old
                display_name: Old
                base_url: https://old.example.com
                platform: vercel
                supabase: {project_ref: abcd, pg_cron_version: "1.4"}
                jobs:
                  - {name: month-end, sql: "SELECT 1", layer: pg_cron, schedule: "0 12 $ * *"}
            """
        do {
            _ = try Manifest.load(yaml: yaml, file: "m.yaml")
            Issue.record("a `$` schedule on pg_cron 1.4 was accepted")
        } catch {
            #expect(error.issues.map(\.field) == ["apps[0].jobs[0].schedule"])
            #expect(error.issues.first?.message.contains("this project runs pg_cron 1.4") == true)
        }
        #expect(throws: Never.self) { _ = try Manifest.load(yaml: yaml.replacingOccurrences(of: "\"1.4\"", with: "\"1.6\""), file: "m.yaml") }

        let old = App(name: "old", displayName: "Old", baseURL: "https://old.example.com", platform: .vercel,
                      supabase: SupabaseProject(projectRef: "abcd", pgCronVersion: .debian))
        let jobs = [
            Job(app: "old", name: "month-end", path: nil, sql: "SELECT 1", layer: .pgCron, schedule: "0 12 $ * *", auth: .none),
            Job(app: "old", name: "fast", path: nil, sql: "SELECT 1", layer: .pgCron, schedule: "30 seconds", auth: .none),
        ]
        let report = ScheduleCheck.run(Inventory(apps: [old], jobs: jobs), now: Fixture.now)
        #expect(report.findings(rule: "schedule.invalid").map(\.job) == ["old/fast", "old/month-end"])
        #expect(report.findings(rule: "schedule.invalid").allSatisfy { $0.message.contains("pg_cron 1.4") })
        var current = old
        current.supabase?.pgCronVersion = nil
        #expect(ScheduleCheck.run(Inventory(apps: [current], jobs: jobs), now: Fixture.now).findings(rule: "schedule.invalid").isEmpty)

        let seconds = #expect(throws: PgCronSQLError.self) {
            _ = try PgCronSQL.scheduleMigration(app: old, jobs: [jobs[1]], previouslyScheduled: nil, now: Fixture.now)
        }
        #expect(seconds?.localizedDescription.contains("needs pg_cron 1.5 or later; this project runs pg_cron 1.4") == true)
        let dollar = #expect(throws: PgCronSQLError.self) {
            _ = try PgCronSQL.scheduleMigration(app: old, jobs: [jobs[0]], previouslyScheduled: nil, now: Fixture.now)
        }
        #expect(dollar?.localizedDescription.contains("needs pg_cron 1.6 or later; this project runs pg_cron 1.4") == true)
        #expect(throws: Never.self) {
            _ = try PgCronSQL.scheduleMigration(app: current, jobs: jobs, previouslyScheduled: nil, now: Fixture.now)
        }
    }

    @Test("a local-time job's UTC entries use `$` on pg_cron 1.6 but never on 1.4")
    func utcEntriesFollowTheRelease() throws {
        // 01:00 on the 1st in Tokyo (UTC+9) is 16:00 UTC on the last day of the previous month.
        let job = Job(app: "old", name: "monthly", path: nil, sql: "SELECT 1", layer: .pgCron, schedule: "0 1 1 * *",
                      timezone: "Asia/Tokyo", auth: .none)
        var app = App(name: "old", displayName: "Old", baseURL: "https://old.example.com", platform: .vercel,
                      supabase: SupabaseProject(projectRef: "abcd"))
        let modern = try PgCronSQL.scheduleMigration(app: app, jobs: [job], previouslyScheduled: nil, now: Fixture.now)
        #expect(modern.entries.first?.schedule == "0 16 $ * *")
        app.supabase?.pgCronVersion = .debian
        let debian = try PgCronSQL.scheduleMigration(app: app, jobs: [job], previouslyScheduled: nil, now: Fixture.now)
        #expect(debian.entries.allSatisfy { !$0.schedule.contains("$") && !$0.schedule.contains("second") })
    }

    // MARK: Manifest and store

    @Test("the new fields round-trip: manifest render → load, and the store (schema 010)")
    func newFieldsRoundTrip() throws {
        var inventory = self.inventory
        for (i, app) in inventory.apps.enumerated() {
            switch app.name {
            case "camino":
                inventory.apps[i].vercelMode = .schedules
                inventory.apps[i].vercelPlan = .pro
                inventory.apps[i].supabase = SupabaseProject(projectRef: "abcd", pgCronVersion: .debian)
            case "colectiva": inventory.apps[i].qstashPlan = .free
            case "caracol": inventory.apps[i].qstashPlan = .payg
            default: break
            }
        }
        let dispatcher = try #require(inventory.jobs.firstIndex { $0.name == "daily-dispatcher" })
        inventory.jobs[dispatcher].jitter = 5
        let yaml = Manifest.render(inventory)
        #expect(yaml.contains("vercel_mode: schedules") && yaml.contains("qstash_plan: free") && yaml.contains("jitter: 5"))
        #expect(yaml.contains("pg_cron_version: \"1.4\""))
        let again = try Manifest.load(yaml: yaml, file: "export.yaml")
        #expect(again == inventory)

        let store = try InventoryStore.inMemory(seed: inventory)
        #expect(try store.inventory() == inventory)

        let fresh = try InventoryStore.inMemory(seed: self.inventory)
        try fresh.recordVercelSchedules(app: "camino", moved: ["voice-outbound", "daily-dispatcher"])
        let stored = try fresh.inventory()
        #expect(stored.app(named: "camino")?.vercelMode == .schedules)
        #expect(stored.apps.filter { $0.vercelMode == .schedules }.map(\.name) == ["camino"])
        #expect(stored.job(JobRef(app: "camino", job: "voice-outbound"))?.layer == .vercel)
        #expect(stored.job(JobRef(app: "camino", job: "daily-dispatcher"))?.layer == .vercel)
        #expect(stored.job(JobRef(app: "camino", job: "sync-constanza-invoices"))?.layer == .pgCron)
    }

    @Test("the manifest refuses an unknown mode or plan, a malformed pg_cron version and a jitter off Vercel or out of range")
    func manifestRefusals() throws {
        func problems(_ appExtra: String, _ jobExtra: String = "", layer: String = "vercel") -> [String] {
            let yaml = """
                version: 1
                apps:
                  - name: a
                    display_name: A
                    base_url: https://a.example.com
                    platform: vercel
                \(appExtra)
                    jobs:
                      - {name: j, path: /api/cron/j, layer: \(layer), schedule: "0 3 * * *"\(jobExtra)}
                """
            do {
                _ = try Manifest.load(yaml: yaml, file: "m.yaml")
                return []
            } catch {
                return error.issues.map { "\($0.field): \($0.message)" }
            }
        }
        #expect(problems("    vercel_mode: schedule").first?.contains("did you mean 'schedules'?") == true)
        #expect(problems("    qstash_plan: pro").first?.hasPrefix("apps[0].qstash_plan: unknown qstash_plan 'pro'") == true)
        #expect(problems("    supabase: {pg_cron_version: \"one\"}").first?.contains("is not a pg_cron version") == true)
        #expect(problems("", ", jitter: 16") == ["apps[0].jobs[0].jitter: 16 is out of range: Vercel Schedules takes a jitter of 1–15 minutes"])
        #expect(problems("", ", jitter: 5", layer: "qstash") == ["apps[0].jobs[0].jitter: jitter is a Vercel Schedules setting; a qstash job has none"])
        #expect(problems("    vercel_mode: schedules\n    qstash_plan: fixed", ", jitter: 15").isEmpty)
    }
}
