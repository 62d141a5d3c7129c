import Foundation
import QStashStandIn
import Testing
@testable import RBSCronKit

/// QStashClient and QStashSync over real HTTP against the loopback QStash stand-in.
@Suite("QStash sync against the loopback stand-in")
struct QStashSyncTests {
    typealias F = LayerFixtures

    @Test("apply creates every schedule; applying again changes nothing and the plan is all unchanged")
    func applyTwice() async throws {
        let standIn = try await QStashStandIn.start(token: F.token)
        let sync = try F.sync(standIn)
        let first = try await sync.apply(app: "colectiva")
        #expect(first.created == ["rbs-colectiva-daily-brain", "rbs-colectiva-heartbeat", "rbs-colectiva-local-morning"])
        let stored = standIn.schedules.first { $0.scheduleId == "rbs-colectiva-local-morning" }
        #expect(stored?.cron == "CRON_TZ=America/Mexico_City 0 8 * * 1-5")
        #expect(stored?.destination == "https://colectiva.example.test/api/cron/morning")
        #expect(stored?.method == "GET")
        #expect(stored?.timeout == 2)
        #expect(stored?.retries == 0)
        #expect(stored?.header == ["Authorization": ["Bearer \(F.cronSecret)"]])

        let posts = standIn.requests.filter { $0.method == "POST" }.count
        let second = try await sync.apply(app: "colectiva")
        #expect(second.created.isEmpty && second.updated.isEmpty && second.deleted.isEmpty)
        #expect(standIn.requests.filter { $0.method == "POST" }.count == posts)
        let plan = try await sync.plan(app: "colectiva")
        #expect(plan.items.map(\.action) == [.unchanged, .unchanged, .unchanged])
        #expect(!plan.hasDrift)
        await standIn.stop()
    }

    @Test("drift made in QStash is planned as an update and apply puts it back; a removed job's schedule is deleted")
    func driftRepaired() async throws {
        let standIn = try await QStashStandIn.start(token: F.token)
        let sync = try F.sync(standIn)
        _ = try await sync.apply(app: "colectiva")
        var edited = try #require(standIn.schedules.first { $0.scheduleId == "rbs-colectiva-heartbeat" })
        edited.cron = "*/5 * * * *"
        standIn.seed(edited)
        var inventory = F.inventory
        inventory.jobs.removeAll { $0.name == "daily-brain" }
        let later = try F.sync(standIn, inventory: inventory)
        let plan = try await later.plan(app: "colectiva")
        #expect(plan.items.first { $0.id == "rbs-colectiva-heartbeat" }?.changes == [FieldChange(field: "cron", from: "*/5 * * * *", to: "*/30 * * * *")])
        #expect(plan.items.first { $0.id == "rbs-colectiva-daily-brain" }?.action == .delete)
        let report = try await later.apply(app: "colectiva")
        #expect(report.updated == ["rbs-colectiva-heartbeat"] && report.deleted == ["rbs-colectiva-daily-brain"])
        #expect(standIn.schedules.map(\.scheduleId).sorted() == ["rbs-colectiva-heartbeat", "rbs-colectiva-local-morning"])
        #expect(standIn.schedules.first { $0.scheduleId == "rbs-colectiva-heartbeat" }?.cron == "*/30 * * * *")
        await standIn.stop()
    }

    @Test("an app whose qstash jobs all left the inventory: a plain apply deletes its schedules, nobody else's")
    func appWithNoQStashJobsLeft() async throws {
        let standIn = try await QStashStandIn.start(token: F.token)
        _ = try await F.sync(standIn).apply(app: nil)
        #expect(standIn.schedules.contains { $0.scheduleId == "rbs-la-tick" })
        // la's only qstash job moves to Vercel; la stays in the inventory.
        var inventory = F.inventory
        inventory.jobs = inventory.jobs.map { job in
            guard job.app == "la" else { return job }
            var moved = job
            moved.layer = .vercel
            moved.auth = .cronSecret
            return moved
        }
        // Without any token for it, such an app is left out rather than failing the whole plan.
        let others: [String: String] = [SecretKeys.qstashToken: F.token, SecretKeys.cronSecret: F.cronSecret]
        let noToken = try await F.sync(standIn, inventory: inventory,
                                       secrets: StaticSecrets(["colectiva": others, "la-hoja": others])).plan(app: nil)
        #expect(!noToken.items.contains { $0.id == "rbs-la-tick" } && !noToken.hasDrift)
        // With an old token QStash refuses, it is skipped with a warning; the other apps are still planned.
        let revoked = try await F.sync(standIn, inventory: inventory, secrets: StaticSecrets([
            "colectiva": others, "la-hoja": others, "la": [SecretKeys.qstashToken: "revoked-token-0000"],
        ])).plan(app: nil)
        #expect(!revoked.items.contains { $0.id == "rbs-la-tick" })
        #expect(revoked.items.contains { $0.id == "rbs-colectiva-heartbeat" })
        #expect(revoked.issues.contains { $0.severity == .warning && $0.message.contains("token of la ") })
        #expect(!revoked.issues.contains { $0.message.contains("revoked-token-0000") })

        // With the token, a plain plan and apply delete la's leftover schedule, and nobody else's.
        let later = try F.sync(standIn, inventory: inventory)
        let plan = try await later.plan(app: nil)
        #expect(plan.items.first { $0.id == "rbs-la-tick" }?.action == .delete)
        #expect(plan.hasDrift)
        let report = try await later.apply(app: nil)
        #expect(report.deleted == ["rbs-la-tick"])
        #expect(standIn.schedules.map(\.scheduleId).sorted() == [
            "rbs-colectiva-daily-brain", "rbs-colectiva-heartbeat", "rbs-colectiva-local-morning", "rbs-la-hoja-dispatcher",
        ])
        await standIn.stop()
    }

    @Test("foreign schedules survive apply; --prune-foreign removes them; --dry-run changes nothing")
    func pruneForeign() async throws {
        let standIn = try await QStashStandIn.start(token: F.token)
        standIn.seed(.init(scheduleId: "scd_hand_made", destination: "https://colectiva.example.test/api/legacy", cron: "0 3 * * *"))
        let sync = try F.sync(standIn)
        let dry = try await sync.apply(app: "colectiva", pruneForeign: true, dryRun: true)
        #expect(dry.deleted == ["scd_hand_made"] && dry.created.count == 3)
        #expect(standIn.schedules.map(\.scheduleId) == ["scd_hand_made"])
        _ = try await sync.apply(app: "colectiva")
        #expect(standIn.schedules.contains { $0.scheduleId == "scd_hand_made" })
        let pruned = try await sync.apply(app: "colectiva", pruneForeign: true)
        #expect(pruned.deleted == ["scd_hand_made"])
        #expect(!standIn.schedules.contains { $0.scheduleId == "scd_hand_made" })
        await standIn.stop()
    }

    @Test("pause and resume reach QStash; a job on another layer is refused")
    func pauseResume() async throws {
        let standIn = try await QStashStandIn.start(token: F.token)
        let sync = try F.sync(standIn)
        _ = try await sync.apply(app: "colectiva")
        let id = try await sync.setPaused(JobRef(app: "colectiva", job: "daily-brain"), paused: true)
        #expect(id == "rbs-colectiva-daily-brain")
        #expect(standIn.schedules.first { $0.scheduleId == id }?.isPaused == true)
        let listed = try await sync.remoteSchedules(app: "colectiva")
        #expect(listed.first { $0.id == id }?.paused == true)
        _ = try await sync.setPaused(JobRef(app: "colectiva", job: "daily-brain"), paused: false)
        #expect(standIn.schedules.first { $0.scheduleId == id }?.isPaused == false)
        await #expect(throws: QStashSyncError.notQStashJob(JobRef(app: "colectiva", job: "on-vercel"), .vercel)) {
            try await sync.setPaused(JobRef(app: "colectiva", job: "on-vercel"), paused: true)
        }
        await #expect(throws: QStashError.notFound(id: "rbs-la-tick")) {
            try await sync.setPaused(JobRef(app: "la", job: "tick"), paused: true)
        }
        await standIn.stop()
    }

    @Test("a missing QSTASH_TOKEN is an error and no request is made")
    func missingToken() async throws {
        let transport = NoRequestTransport()
        let sync = try QStashSync(inventory: F.inventory, secrets: StaticSecrets(["global": [SecretKeys.cronSecret: F.cronSecret]]),
                              transport: transport, baseURL: "http://127.0.0.1:9")
        await #expect(throws: QStashError.missingToken(app: "colectiva")) { try await sync.plan(app: "colectiva") }
        await #expect(throws: QStashError.missingToken(app: "colectiva")) { try await sync.apply(app: nil) }
        await #expect(throws: QStashError.missingToken(app: "colectiva")) { try await sync.cleanupRemote(app: nil, dryRun: true) }
        #expect(transport.counter.count == 0)
        #expect(QStashError.missingToken(app: "colectiva").localizedDescription.contains("rbscron secret set colectiva QSTASH_TOKEN"))
    }

    @Test("a 401 from QStash is a clear error that never shows the token")
    func unauthorized() async throws {
        let standIn = try await QStashStandIn.start(token: "the-real-token-000")
        let sync = try F.sync(standIn)
        do {
            _ = try await sync.plan(app: "colectiva")
            Issue.record("a refused token was accepted")
        } catch let error as QStashError {
            guard case .unauthorized(status: 401, _) = error else { Issue.record("unexpected \(error)"); return }
            let text = error.localizedDescription
            #expect(text.contains("QStash refused the token") && text.contains("QSTASH_TOKEN"))
            #expect(!text.contains(F.token))
        }
        #expect(standIn.requests.count == 1)
        #expect(standIn.requests.first?.authorization == "Bearer \(F.token)")
        await standIn.stop()
    }

    @Test("remote cleanup deletes only rbscron's schedules that left the inventory; dry run deletes nothing")
    func cleanup() async throws {
        let standIn = try await QStashStandIn.start(token: F.token)
        let sync = try F.sync(standIn)
        _ = try await sync.apply(app: nil)
        standIn.seed(.init(scheduleId: "rbs-colectiva-retired", destination: "https://colectiva.example.test/api/old", cron: "0 4 * * *"))
        standIn.seed(.init(scheduleId: "rbs-la-hoja-retired", destination: "https://la-hoja.example.test/api/old", cron: "0 4 * * *"))
        standIn.seed(.init(scheduleId: "scd_hand_made", destination: "https://colectiva.example.test/api/legacy", cron: "0 3 * * *"))
        let before = standIn.schedules.count

        let dry = try await sync.cleanupRemote(app: "la", dryRun: true)
        #expect(dry.deleted.isEmpty && dry.kept == 1)  // la-hoja's retired schedule is not la's
        let dryHoja = try await sync.cleanupRemote(app: "la-hoja", dryRun: true)
        #expect(dryHoja.deleted.map(\.id) == ["rbs-la-hoja-retired"])
        #expect(standIn.schedules.count == before)

        let report = try await sync.cleanupRemote(app: nil, dryRun: false)
        #expect(report.deleted.map(\.id) == ["rbs-colectiva-retired", "rbs-la-hoja-retired"])
        #expect(report.foreignKept == 1 && report.kept == 5)
        #expect(standIn.schedules.count == before - 2)
        let json = try ReportJSON.encode(report)
        #expect(json.contains("\"foreign_kept\" : 1") && json.contains("\"dry_run\" : false"))
        await standIn.stop()
    }

    @Test("list schedules --remote carries last/next schedule times and last states; secrets are redacted")
    func remoteListing() async throws {
        let standIn = try await QStashStandIn.start(token: F.token)
        standIn.seed(.init(scheduleId: "rbs-colectiva-daily-brain", destination: "https://colectiva.example.test/api/cron/daily-brain?k=\(F.cronSecret)",
                           cron: "0 11 * * *", lastScheduleTime: 1_775_822_400_000, nextScheduleTime: 1_775_908_800_000,
                           lastScheduleStates: ["msg_1": "SUCCESS", "msg_2": "FAIL"]))
        let listed = try await F.sync(standIn).remoteSchedules(app: "colectiva")
        let entry = try #require(listed.first)
        #expect(entry.job == "colectiva/daily-brain" && entry.managed)
        #expect(entry.lastScheduleTime.map(Timestamp.rfc3339) == "2026-04-10T12:00:00Z")
        #expect(entry.nextScheduleTime.map(Timestamp.rfc3339) == "2026-04-11T12:00:00Z")
        #expect(entry.lastScheduleStates == ["msg_1": "SUCCESS", "msg_2": "FAIL"])
        #expect(!entry.destination.contains(F.cronSecret) && entry.destination.contains(Redactor.placeholder))
        let json = try ReportJSON.encode(listed)
        #expect(json.contains("\"last_schedule_states\"") && json.contains("\"next_schedule_time\" : \"2026-04-11T12:00:00Z\""))
        await standIn.stop()
    }
}
