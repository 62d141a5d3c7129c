import Foundation
import Testing
@testable import RBSCronKit

@Suite("QStash plan: the inventory against QStash's schedules")
struct QStashPlanTests {
    typealias F = LayerFixtures

    func desired(_ app: App) throws -> [(job: Job, spec: QStashScheduleSpec)] {
        try QStashSync.desired(app: app, jobs: F.jobs, secrets: F.secrets)
    }

    func remote(_ spec: QStashScheduleSpec, paused: Bool = false) -> QStashSchedule {
        QStashSchedule(scheduleId: spec.scheduleId, cron: spec.cron, destination: spec.destination, method: spec.method,
                       retries: spec.retries, timeout: spec.timeout, header: spec.forwardHeaders.mapValues { [$0] },
                       isPaused: paused)
    }

    @Test("desired specs: rbs-<app>-<job> ids, CRON_TZ for non-UTC jobs, URL joined, timeout rounded up, disabled left out")
    func desiredSpecs() throws {
        let specs = try desired(F.colectiva).map(\.spec)
        #expect(specs.map(\.scheduleId) == ["rbs-colectiva-daily-brain", "rbs-colectiva-heartbeat", "rbs-colectiva-local-morning"])
        #expect(specs[0].destination == "https://colectiva.example.test/api/cron/daily-brain")
        #expect(specs[0].cron == "0 11 * * *")
        #expect(specs[0].forwardHeaders.isEmpty)  // qstash auth: QStash signs, nothing forwarded
        #expect(specs[2].cron == "CRON_TZ=America/Mexico_City 0 8 * * 1-5")
        #expect(specs[2].method == "GET")
        #expect(specs[2].timeout == 2)
        #expect(specs[2].forwardHeaders == ["Authorization": "Bearer \(F.cronSecret)"])
    }

    @Test("a cron_secret job without its secret is refused (deny by default)")
    func missingForwardedSecret() {
        let secrets = StaticSecrets(["global": [SecretKeys.qstashToken: F.token]])
        #expect(throws: QStashSyncError.missingSecret(JobRef(app: "colectiva", job: "local-morning"), key: SecretKeys.cronSecret)) {
            try QStashSync.desired(app: F.colectiva, jobs: F.jobs, secrets: secrets)
        }
    }

    @Test("create, update (with the differing fields), delete and unchanged")
    func actions() throws {
        let wanted = try desired(F.colectiva)
        var changed = remote(wanted[1].spec)
        changed.cron = "*/20 * * * *"
        changed.retries = 1
        changed.timeout = nil
        let stale = QStashSchedule(scheduleId: "rbs-colectiva-gone", cron: "0 0 * * *", destination: "https://colectiva.example.test/x")
        let items = QStashSync.plan(desired: wanted, remote: [remote(wanted[0].spec), changed, stale],
                                    scopeApps: ["colectiva"], allApps: ["colectiva", "la", "la-hoja"], limitedTo: nil,
                                    pruneForeign: false)
        let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
        #expect(byID["rbs-colectiva-daily-brain"]?.action == .unchanged)
        #expect(byID["rbs-colectiva-heartbeat"]?.action == .update)
        #expect(byID["rbs-colectiva-heartbeat"]?.changes == [
            FieldChange(field: "cron", from: "*/20 * * * *", to: "*/30 * * * *"),
            FieldChange(field: "retries", from: "1", to: "3"),
            FieldChange(field: "timeout", from: nil, to: "30s"),
        ])
        #expect(byID["rbs-colectiva-local-morning"]?.action == .create)
        #expect(byID["rbs-colectiva-gone"]?.action == .delete)
        #expect(byID["rbs-colectiva-gone"]?.job == "colectiva/gone")
        #expect(items.count == 4)
    }

    @Test("a changed forwarded header is an update whose values are never shown")
    func headerValuesHidden() throws {
        let wanted = try desired(F.colectiva)
        var old = remote(wanted[2].spec)
        old.header = ["Authorization": ["Bearer old-secret-value-xyz"]]
        let items = QStashSync.plan(desired: [wanted[2]], remote: [old], scopeApps: ["colectiva"], allApps: ["colectiva"],
                                    limitedTo: nil, pruneForeign: false)
        #expect(items.first?.changes == [FieldChange(field: "header authorization", from: "(hidden)", to: "(hidden)")])
        let json = try ReportJSON.encode(LayerPlan(layer: .qstash, app: nil, items: items))
        #expect(!json.contains("old-secret-value-xyz") && !json.contains(F.cronSecret))
    }

    @Test("foreign schedules are ignored unless --prune-foreign; with --app only those calling the app are in play")
    func foreign() throws {
        let wanted = try desired(F.colectiva)
        let mine = QStashSchedule(scheduleId: "scd_hand_made", cron: "0 0 * * *", destination: "https://colectiva.example.test/api/x")
        let other = QStashSchedule(scheduleId: "scd_other", cron: "0 0 * * *", destination: "https://elsewhere.test/api/x")
        let all = wanted.map { remote($0.spec) } + [mine, other]
        let kept = QStashSync.plan(desired: wanted, remote: all, scopeApps: ["colectiva"], allApps: ["colectiva"],
                                   limitedTo: nil, pruneForeign: false)
        #expect(kept.filter { $0.action == .ignored }.map(\.id) == ["scd_hand_made", "scd_other"])
        #expect(!LayerPlan(layer: .qstash, app: nil, items: kept).hasDrift)
        let pruned = QStashSync.plan(desired: wanted, remote: all, scopeApps: ["colectiva"], allApps: ["colectiva"],
                                     limitedTo: nil, pruneForeign: true)
        #expect(pruned.filter { $0.action == .delete }.map(\.id) == ["scd_hand_made", "scd_other"])
        let limited = QStashSync.plan(desired: wanted, remote: all, scopeApps: ["colectiva"], allApps: ["colectiva"],
                                      limitedTo: "https://colectiva.example.test", pruneForeign: true)
        #expect(limited.filter { $0.action == .delete }.map(\.id) == ["scd_hand_made"])
    }

    @Test("an rbs- id belongs to the longest app name that fits: la never deletes la-hoja's schedules")
    func prefixOwnership() throws {
        #expect(ScheduleID.owner(of: "rbs-la-hoja-dispatcher", apps: ["la", "la-hoja"]) == "la-hoja")
        #expect(ScheduleID.owner(of: "rbs-la-tick", apps: ["la", "la-hoja"]) == "la")
        #expect(ScheduleID.owner(of: "rbs-gone-x", apps: ["la", "la-hoja"]) == nil)
        let laWanted = try desired(F.la)
        let hoja = QStashSchedule(scheduleId: "rbs-la-hoja-dispatcher", cron: "*/15 * * * *", destination: "https://la-hoja.example.test/api/cron/dispatcher")
        let orphan = QStashSchedule(scheduleId: "rbs-gone-x", cron: "0 0 * * *", destination: "https://gone.test/x")
        let items = QStashSync.plan(desired: laWanted, remote: [hoja, orphan], scopeApps: ["la"], allApps: ["la", "la-hoja"],
                                    limitedTo: "https://la.example.test", pruneForeign: false)
        #expect(items.map(\.id) == ["rbs-la-tick"])  // la-hoja's and the orphan are out of --app la's scope
        // Without --app, an rbs- schedule of an app that left the inventory is rbscron's to delete.
        let all = QStashSync.plan(desired: laWanted, remote: [hoja, orphan], scopeApps: ["la", "la-hoja"], allApps: ["la", "la-hoja"],
                                  limitedTo: nil, pruneForeign: false)
        #expect(all.first { $0.id == "rbs-gone-x" }?.action == .delete)
        #expect(all.first { $0.id == "rbs-la-hoja-dispatcher" }?.action == .delete)  // not in desired for this call
    }

    @Test("a paused schedule is not drift; the plan notes it")
    func pausedIsNotDrift() throws {
        let wanted = try desired(F.colectiva)
        let items = QStashSync.plan(desired: wanted, remote: wanted.map { remote($0.spec, paused: $0.spec.scheduleId.hasSuffix("brain")) },
                                    scopeApps: ["colectiva"], allApps: ["colectiva"], limitedTo: nil, pruneForeign: false)
        #expect(items.allSatisfy { $0.action == .unchanged })
        #expect(items.first?.note == "paused in QStash")
    }

    @Test("QSTASH_URL overrides the base URL; anything but http(s) is refused")
    func baseURL() throws {
        #expect(try QStashClient.baseURL(environment: [:]) == "https://qstash.upstash.io")
        #expect(try QStashClient.baseURL(environment: ["QSTASH_URL": "http://127.0.0.1:9"]) == "http://127.0.0.1:9")
        #expect(throws: QStashError.invalidBaseURL("ftp://x")) { try QStashClient.baseURL(environment: ["QSTASH_URL": "ftp://x"]) }
    }

    @Test("the plan's JSON: sorted snake_case keys, a summary and a drift flag")
    func json() throws {
        let plan = LayerPlan(layer: .qstash, app: "colectiva", items: [
            PlanItem(id: "rbs-colectiva-a", job: "colectiva/a", action: .create, schedule: "0 0 * * *", target: "https://x/a"),
        ])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ReportJSON.encode(plan).utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["app", "drift", "file", "issues", "items", "layer", "sql", "summary"])
        #expect(object["drift"] as? Bool == true)
        #expect((object["summary"] as? [String: Int])?["create"] == 1)
    }
}
