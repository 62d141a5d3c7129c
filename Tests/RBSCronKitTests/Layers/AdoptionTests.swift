import Foundation
import QStashStandIn
import Testing
@testable import RBSCronKit

/// Recognising the entries the running ecosystem already holds (register-qstash-schedules.mjs, hand-written pg_cron
/// migrations, the copied keep-alive migration) and replacing them with rbscron's.
@Suite("adopting foreign layer entries")
struct AdoptionTests {
    typealias F = LayerFixtures

    static let camino = App(name: "camino", displayName: "Camino", baseURL: "https://camino.example.test", platform: .vercel,
                            supabase: SupabaseProject(url: nil, projectRef: "camino"))
    static let caminoJobs: [Job] = [
        Job(app: "camino", name: "sync-constanza-invoices", path: "/api/cron/sync-constanza-invoices", layer: .pgCron,
            schedule: "0 */6 * * *", auth: .cronSecret, timeoutMs: 10_000),
        Job(app: "camino", name: "sync", path: "/api/cron/sync", layer: .pgCron, schedule: "0 1 * * *", auth: .cronSecret,
            timeoutMs: 10_000),
        Job(app: "camino", name: "voice-outbound", path: "/api/cron/voice-outbound", layer: .pgCron, schedule: "*/15 9-18 * * 1-6",
            timezone: "America/Mexico_City", auth: .cronSecret, timeoutMs: 10_000),
        Job(app: "camino", name: "keep-alive-ping", path: nil, sql: "SELECT keep_alive()", layer: .pgCron, schedule: "0 12 */3 * *",
            auth: .none),
        Job(app: "camino", name: "cleanup-cron-history", path: nil, sql: "SELECT cleanup_cron_history()", layer: .pgCron,
            schedule: "0 3 * * 0", auth: .none),
    ]

    static let bearer = "hardcoded-bearer-7Qm2xV9sLk3"

    /// What seed 000's Camino database holds: the copied keep-alive migration and hand-written HTTP jobs.
    static var caminoRows: [PgCronJobRow] {
        [
            PgCronJobRow(jobid: 1, jobname: "keep-alive-ping", schedule: "0 12 */3 * *", command: "SELECT keep_alive()"),
            PgCronJobRow(jobid: 2, jobname: "cleanup-cron-history", schedule: "0 3 * * 0", command: "SELECT cleanup_cron_history()"),
            PgCronJobRow(jobid: 3, jobname: "sync-constanza-invoices", schedule: "0 */6 * * *", command: """
                SELECT net.http_post(url := 'https://camino.example.test/api/cron/sync-constanza-invoices',
                  headers := '{"Authorization": "Bearer \(bearer)", "Content-Type": "application/json"}'::jsonb)
                """),
            PgCronJobRow(jobid: 4, jobname: "voice-outbound", schedule: "*/15 15-23 * * 1-6",
                         command: "SELECT public.invoke_cron_endpoint('/api/cron/voice-outbound', 'POST')"),
            PgCronJobRow(jobid: 5, jobname: "nightly-vacuum", schedule: "0 4 * * *", command: "VACUUM"),
        ]
    }

    // MARK: Matching

    @Test("a pg_cron command is matched by the path it calls, its method, or the keep-alive pattern's SQL")
    func pgCronMatching() {
        func entry(_ command: String, name: String? = "hand-made") -> String? {
            Adoption.pgCronEntry(jobname: name, command: command, app: Self.camino, jobs: Self.caminoJobs)
        }
        #expect(entry("SELECT net.http_post(url := 'https://camino.example.test/api/cron/sync-constanza-invoices')")
                == "rbs-camino-sync-constanza-invoices")
        #expect(entry("select invoke_cron_endpoint('/api/cron/voice-outbound', 'POST');") == "rbs-camino-voice-outbound")
        // A path that is only the start of another job's path is not that job.
        #expect(entry("SELECT net.http_post(url := 'https://camino.example.test/api/cron/sync?x=1')") == "rbs-camino-sync")
        #expect(entry("SELECT net.http_post(url := 'https://camino.example.test/api/cron/sync-other')") == nil)
        // net.http_get is a GET: not the POST job at that path.
        #expect(entry("SELECT net.http_get(url := 'https://camino.example.test/api/cron/sync-constanza-invoices')") == nil)
        #expect(entry("SELECT keep_alive()") == "rbs-camino-keep-alive-ping")
        #expect(entry("  select   public.keep_alive() ; ") == "rbs-camino-keep-alive-ping")
        #expect(entry("SELECT cleanup_cron_history()") == "rbs-camino-cleanup-cron-history")
        #expect(entry("DELETE FROM cron.job_run_details WHERE end_time < now() - interval '7 days'")
                == "rbs-camino-cleanup-cron-history")
        #expect(entry("VACUUM") == nil)
        // rbscron's own entries are never foreign.
        #expect(entry("SELECT keep_alive()", name: "rbs-camino-keep-alive-ping") == nil)
        #expect(entry("/* rbscron:camino */ SELECT keep_alive()") == nil)
        // Without a cleanup job in the inventory, the cleanup rbscron adds takes the keep-alive pattern's place.
        let noCleanup = Self.caminoJobs.filter { $0.name != "cleanup-cron-history" }
        #expect(Adoption.pgCronEntry(jobname: "cleanup-cron-history", command: "SELECT cleanup_cron_history()", app: Self.camino,
                                     jobs: noCleanup) == "rbs-camino-cleanup-cron-history")
    }

    @Test("credentials in a command: a literal bearer, and a value equal to a stored secret named without its value")
    func leaks() {
        let known = [ScopedSecret(scope: "camino", key: "CRON_SECRET", source: "inventory camino/CRON_SECRET",
                                  value: Self.bearer, inInventory: true)]
        let command = Self.caminoRows[2].command
        #expect(Adoption.leaks(in: command, known: known) == [Adoption.Leak(kind: .inventorySecret, secret: "camino/CRON_SECRET")])
        #expect(Adoption.leaks(in: command, known: []) == [Adoption.Leak(kind: .literal, secret: nil)])
        #expect(Adoption.leaks(in: "SELECT f('\(Self.bearer)')", known: known).map(\.secret) == ["camino/CRON_SECRET"])
        #expect(Adoption.leaks(in: "SELECT keep_alive()", known: known).isEmpty)
        #expect(Adoption.leaks(in: "SELECT invoke_cron_endpoint('/api/cron/voice-outbound', 'POST')", known: known).isEmpty)
    }

    // MARK: pg_cron plan and migration

    @Test("Camino's hand-made jobs are planned as adopt with a critical issue; the migration unschedules them in one statement")
    func pgCronPlan() throws {
        let known = [ScopedSecret(scope: "camino", key: "CRON_SECRET", source: "inventory camino/CRON_SECRET",
                                  value: Self.bearer, inInventory: true)]
        let inventory = Inventory(apps: [Self.camino], jobs: Self.caminoJobs)
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let plan = try PgCronSync.plan(app: Self.camino, jobs: Self.caminoJobs, now: now,
                                       remote: .init(rows: Self.caminoRows, projectRef: "camino", known: known))
        let adopt = plan.items.filter { $0.action == .adopt }
        #expect(Set(adopt.map(\.id)) == ["rbs-camino-sync-constanza-invoices", "rbs-camino-voice-outbound",
                                         "rbs-camino-keep-alive-ping", "rbs-camino-cleanup-cron-history"])
        let voice = try #require(adopt.first { $0.id == "rbs-camino-voice-outbound" })
        #expect(voice.adopts.map(\.id) == ["voice-outbound"] && voice.firstFire != nil)
        #expect(plan.items.contains { $0.id == "rbs-camino-voice-outbound.2" && $0.action == .create })
        let critical = plan.issues.filter { $0.severity == .critical }
        #expect(critical.count == 1 && critical.first?.job == "camino/sync-constanza-invoices")
        #expect(critical.first?.message.contains("camino/CRON_SECRET") == true)
        #expect(plan.hasCritical && plan.hasDrift)
        let sql = try #require(plan.sql)
        #expect(sql.contains("ARRAY['cleanup-cron-history', 'keep-alive-ping', 'sync-constanza-invoices', 'voice-outbound']::text[]"))
        #expect(sql.contains("PERFORM cron.unschedule(foreign_job.jobid)"))
        #expect(sql.contains("rbscron_camino_cron_secret") && sql.contains("RAISE EXCEPTION 'rbscron: Vault lacks"))
        #expect(!sql.contains("nightly-vacuum"))
        let json = try ReportJSON.encode(plan)
        #expect(!json.contains(Self.bearer))
        #expect(json.contains("\"adopt\" : 4") || json.contains("\"adopt\":4"))

        // Without --adopt, apply refuses and writes nothing.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-adopt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: LayerSyncError.self) {
            _ = try PgCronSync.apply(app: Self.camino, jobs: Self.caminoJobs, directory: dir.path, now: now, dryRun: false,
                                     remote: .init(rows: Self.caminoRows, projectRef: "camino", known: known))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path))
        let report = try PgCronSync.apply(app: Self.camino, jobs: Self.caminoJobs, directory: dir.path, now: now, dryRun: false,
                                          remote: .init(rows: Self.caminoRows, projectRef: "camino", known: known),
                                          adopt: true)
        let leaked = try #require(report.adopted.first { $0.id == "rbs-camino-sync-constanza-invoices" })
        #expect(leaked.rotate == "camino/CRON_SECRET" && leaked.replaced == ["sync-constanza-invoices"])
        let steps = Workspace.rotationSteps(scope: "camino", key: "CRON_SECRET", inventory: inventory)
        #expect(steps.first?.commands == ["rbscron secret rotate camino CRON_SECRET --generate"])
        #expect(steps.contains { $0.layer == "supabase_vault" && $0.title.contains("rbscron_camino_cron_secret") })
        #expect(report.written != nil)
    }

    @Test("a database whose foreign jobs are gone plans no adoption; an unread cron.job is a warning")
    func pgCronNothingToAdopt() throws {
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let clean = try PgCronSync.plan(app: Self.camino, jobs: Self.caminoJobs, now: now,
                                        remote: .init(rows: [Self.caminoRows[4]], projectRef: "camino"))
        #expect(clean.count(.adopt) == 0 && clean.issues.isEmpty && !(clean.sql ?? "").contains("unschedule(foreign_job"))
        let unread = try PgCronSync.plan(app: Self.camino, jobs: Self.caminoJobs, now: now,
                                         remote: .init(rows: nil, projectRef: "camino", unreadable: "no token"))
        #expect(unread.issues.map(\.severity) == [.warning] && unread.issues.first?.message.contains("no token") == true)
    }

    // MARK: QStash

    /// Schedules as register-qstash-schedules.mjs makes them: ids QStash chose, the jobs' destinations.
    static func registered(_ job: Job, id: String, cron: String? = nil) -> QStashStandIn.Schedule {
        .init(scheduleId: id, destination: "https://colectiva.example.test" + (job.path ?? ""), cron: cron ?? job.schedule ?? "",
              method: job.method.rawValue, retries: 3, createdAt: 1_700_000_000_000)
    }

    @Test("QStash: foreign schedules calling a job's URL are adopt items; --prune-foreign removes only the others")
    func qstashPlan() throws {
        let wanted = try QStashSync.desired(app: F.colectiva, jobs: F.jobs, secrets: F.secrets)
        let brain = QStashSchedule(scheduleId: "scd_1", cron: "0 11 * * *", destination: "https://colectiva.example.test/api/cron/daily-brain")
        let beat = QStashSchedule(scheduleId: "scd_2", cron: "*/10 * * * *", destination: "https://COLECTIVA.example.test/api/cron/ecosystem-heartbeat/")
        let legacy = QStashSchedule(scheduleId: "scd_3", cron: "0 3 * * *", destination: "https://colectiva.example.test/api/legacy")
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        for prune in [false, true] {
            let items = QStashSync.plan(desired: wanted, remote: [brain, beat, legacy], scopeApps: ["colectiva"],
                                        allApps: ["colectiva", "la", "la-hoja"], limitedTo: nil, pruneForeign: prune, now: now)
            let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
            #expect(byID["rbs-colectiva-daily-brain"]?.action == .adopt)
            #expect(byID["rbs-colectiva-daily-brain"]?.adopts.map(\.id) == ["scd_1"])
            #expect(byID["rbs-colectiva-heartbeat"]?.changes.first == FieldChange(field: "cron", from: "*/10 * * * *", to: "*/30 * * * *"))
            #expect(byID["rbs-colectiva-heartbeat"]?.firstFire == QStashSync.nextFire(cron: "*/30 * * * *", after: now))
            #expect(byID["rbs-colectiva-local-morning"]?.action == .create)
            #expect(byID["scd_3"]?.action == (prune ? .delete : .ignored))
            #expect(byID["scd_1"] == nil && byID["scd_2"] == nil)
        }
    }

    @Test("QStash apply --adopt: rbscron's schedule replaces each foreign one, once; refused without --adopt; again, nothing")
    func qstashApply() async throws {
        let standIn = try await QStashStandIn.start(token: F.token)
        let brain = try #require(F.jobs.first { $0.name == "daily-brain" })
        let beat = try #require(F.jobs.first { $0.name == "heartbeat" })
        standIn.seed(Self.registered(brain, id: "scd_brain"))
        standIn.seed(Self.registered(beat, id: "scd_beat"))
        standIn.seed(.init(scheduleId: "scd_legacy", destination: "https://colectiva.example.test/api/legacy", cron: "0 3 * * *"))
        let sync = try F.sync(standIn)

        await #expect(throws: LayerSyncError.self) { _ = try await sync.apply(app: "colectiva") }
        #expect(standIn.schedules.map(\.scheduleId) == ["scd_brain", "scd_beat", "scd_legacy"])

        let report = try await sync.apply(app: "colectiva", adopt: true)
        #expect(report.adopted.map(\.id).sorted() == ["rbs-colectiva-daily-brain", "rbs-colectiva-heartbeat"])
        #expect(report.adopted.allSatisfy { $0.firstFire != nil && $0.note == nil })
        #expect(report.created == ["rbs-colectiva-local-morning"])
        #expect(standIn.schedules.map(\.scheduleId).sorted()
                == ["rbs-colectiva-daily-brain", "rbs-colectiva-heartbeat", "rbs-colectiva-local-morning", "scd_legacy"])
        // Created before the foreign one was deleted: the log shows the POST first.
        let log = standIn.requests.map { "\($0.method) \($0.path)" }
        let created = try #require(log.firstIndex { $0.hasPrefix("POST /v2/schedules/https://colectiva.example.test/api/cron/daily-brain") })
        let deleted = try #require(log.firstIndex(of: "DELETE /v2/schedules/scd_brain"))
        #expect(created < deleted)

        let again = try await sync.apply(app: "colectiva", adopt: true)
        #expect(again.adopted.isEmpty && again.created.isEmpty && again.updated.isEmpty && again.deleted.isEmpty)
        await standIn.stop()
    }

    /// A clock that answers the given instants in turn (the last one from then on), and a sleeper that records.
    final class Script: @unchecked Sendable {
        private let lock = NSLock()
        private var times: [Date]
        private(set) var slept: [Duration] = []
        init(_ times: [Date]) { self.times = times }
        func now() -> Date {
            lock.lock(); defer { lock.unlock() }
            return times.count > 1 ? times.removeFirst() : times[0]
        }
        func sleep(_ d: Duration) { lock.lock(); slept.append(d); lock.unlock() }
    }

    @Test("QStash swap: a fire due within 5 s is waited for; a fire between create and delete is reported as doubled")
    func qstashSwapTiming() async throws {
        let beat = try #require(F.jobs.first { $0.name == "heartbeat" })
        let boundary = Date(timeIntervalSince1970: 1_780_002_000)  // a :00 or :30 minute, a fire of */30
        #expect(QStashSync.nextFire(cron: "*/30 * * * *", after: boundary.addingTimeInterval(-1)) == boundary)

        // 2 s before a fire: wait it out (3 s), then swap well inside the next half hour: no note.
        // QStash's own clock is just past the fire when the schedule is created.
        let standIn = try await QStashStandIn.start(token: F.token, options: .init(clock: { boundary.addingTimeInterval(1) }))
        standIn.seed(Self.registered(beat, id: "scd_beat"))
        // Instants read: the plan, the swap's start, the create, the delete.
        let early = Script([boundary.addingTimeInterval(-2), boundary.addingTimeInterval(-2), boundary.addingTimeInterval(1),
                            boundary.addingTimeInterval(1.2)])
        var sync = try F.sync(standIn)
        sync.clock = { early.now() }
        sync.sleep = { early.sleep($0) }
        let report = try await sync.apply(app: "colectiva", adopt: true)
        #expect(early.slept == [.milliseconds(3000)])
        let outcome = try #require(report.adopted.first)
        #expect(outcome.note == nil && outcome.replaced == ["scd_beat"])
        #expect(outcome.firstFire == boundary.addingTimeInterval(1800))
        await standIn.stop()

        // The clock jumps over a fire between the create and the delete (a slow network): reported, not hidden.
        let slow = try await QStashStandIn.start(token: F.token, options: .init(clock: { boundary.addingTimeInterval(0.5) }))
        slow.seed(Self.registered(beat, id: "scd_beat"))
        let late = Script([boundary.addingTimeInterval(-60), boundary.addingTimeInterval(-60), boundary.addingTimeInterval(-0.5),
                           boundary.addingTimeInterval(0.5)])
        var lagging = try F.sync(slow)
        lagging.clock = { late.now() }
        lagging.sleep = { late.sleep($0) }
        let doubled = try await lagging.apply(app: "colectiva", adopt: true)
        #expect(late.slept.isEmpty)
        #expect(doubled.adopted.first?.note?.contains("scd_beat fired at \(Timestamp.rfc3339(boundary))") == true)
        await slow.stop()
    }

    // MARK: Vercel

    @Test("Vercel Schedules: an entry under another name for a job's path and method is adopted in the one rewrite")
    func vercelSchedules() throws {
        let app = VercelSchedulesTests.camino
        let jobs = VercelSchedulesTests.jobs
        let text = """
            {
              "schedules": {
                "dispatch-daily": { "schedule": "0 13 * * *", "path": "/api/cron/daily-dispatcher", "requestMethod": "POST" },
                "nightly": { "schedule": "0 3 * * *", "path": "/api/cron/nightly", "requestMethod": "GET" },
                "voice-outbound": { "schedule": "*/15 9-18 * * 1-6", "timezone": "America/Mexico_City", "jitter": 3, "path": "/api/cron/voice-outbound", "requestMethod": "POST" },
                "nightly-get-copy": { "schedule": "0 3 * * *", "path": "/api/cron/nightly", "requestMethod": "GET" }
              }
            }

            """
        let plan = try VercelConfig.plan(app: app, jobs: jobs, text: text, file: "vercel.json")
        let byID = Dictionary(plan.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byID["daily-dispatcher"]?.action == .adopt)
        #expect(byID["daily-dispatcher"]?.adopts.map(\.id) == ["dispatch-daily"])
        #expect(byID["daily-dispatcher"]?.changes == [FieldChange(field: "schedule", from: "0 13 * * *", to: "0 14 * * *")])
        #expect(byID["dispatch-daily"] == nil)
        // rbscron's entry for the path is already there: the copy is a plain delete, not an adoption.
        #expect(byID["nightly-get-copy"]?.action == .delete)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-vercel-adopt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vercel.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: LayerSyncError.self) { _ = try VercelConfig.apply(app: app, jobs: jobs, path: path, dryRun: false) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        let report = try VercelConfig.apply(app: app, jobs: jobs, path: path, dryRun: false, adopt: true)
        #expect(report.adopted.map(\.replaced) == [["dispatch-daily"]])
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!written.contains("dispatch-daily") && written.components(separatedBy: "/api/cron/daily-dispatcher").count == 2)
        let listed = try VercelCrons.remote(app: app, jobs: jobs, text: text, file: "vercel.json")
        #expect(listed.schedules.first { $0.name == "dispatch-daily" }?.adoptableBy == "camino/daily-dispatcher")
        #expect(listed.schedules.first { $0.name == "nightly-get-copy" }?.adoptableBy == nil)
        let again = try VercelConfig.plan(app: app, jobs: jobs, text: written, file: "vercel.json")
        #expect(again.count(.adopt) == 0 && !again.hasDrift)
    }
}
