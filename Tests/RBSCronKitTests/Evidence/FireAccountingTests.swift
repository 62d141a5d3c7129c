import Foundation
import Testing
@testable import RBSCronKit

/// Per-fire accounting from scripted evidence: every fire gets exactly one state, for the reason the evidence gives.
@Suite("every fire accounted for: states from the layers' evidence")
struct FireAccountingTests {
    /// 2026-04-10T12:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_775_822_400)
    static let minute: TimeInterval = 60

    static let heartbeat = Job(app: "colectiva", name: "heartbeat", path: "/api/cron/heartbeat", layer: .qstash,
                               schedule: "*/30 * * * *", auth: .qstash)

    /// Half-hourly fires from 5 h ago up to now.
    static func fires(hours: Double = 5) -> [Date] {
        stride(from: -hours * 3600, through: 0, by: 1800).map { now.addingTimeInterval($0) }
    }

    static func observation(from: Date? = now.addingTimeInterval(-6 * 3600), state: LayerScheduleState = .active,
                            note: String? = nil) -> LayerObservation {
        LayerObservation(job: heartbeat.ref, layer: .qstash, observedAt: now, historyFrom: from, scheduleState: state, note: note)
    }

    static func account(_ evidence: [FireEvidence], observation: LayerObservation? = observation(),
                        fires: [Date] = fires()) -> [FireAccount] {
        FireAccounting.account(FireAccounting.Facts(
            job: heartbeat, fires: fires, nextFire: fires.last?.addingTimeInterval(1800), evidence: evidence,
            observation: observation, tolerance: LayerTiming.tolerance(.qstash)), now: now).map(\.account)
    }

    @Test("delivered, delivered late within tolerance, failed after retries, pending, unknown, missed, and too young to judge")
    func scripted() {
        let f = Self.fires()  // -5h … 0, 11 fires
        let evidence = [
            FireEvidence(at: f[0].addingTimeInterval(2), kind: .delivered, by: "qstash", httpStatus: 200),
            FireEvidence(at: f[1].addingTimeInterval(9 * Self.minute), kind: .delivered, by: "qstash", httpStatus: 200),  // late
            FireEvidence(at: f[2].addingTimeInterval(1), kind: .failed, by: "qstash", httpStatus: 503, attempts: 4, detail: "bad gateway"),
            FireEvidence(at: f[3].addingTimeInterval(1), kind: .pending, by: "qstash", attempts: 2),
            FireEvidence(at: f[4].addingTimeInterval(1), kind: .unknown, by: "pg_cron"),
            // f[5] nothing: missed
            FireEvidence(at: f[6].addingTimeInterval(-20), kind: .delivered, by: "qstash", httpStatus: 200),  // a clock ahead
            // f[7], f[8], f[9] delivered; f[10] is now: too young
            FireEvidence(at: f[7].addingTimeInterval(3), kind: .delivered, by: "qstash"),
            FireEvidence(at: f[8].addingTimeInterval(3), kind: .delivered, by: "qstash"),
            FireEvidence(at: f[9].addingTimeInterval(3), kind: .delivered, by: "qstash"),
        ]
        let accounts = Self.account(evidence)
        #expect(accounts.count == 11)
        #expect(accounts.map(\.state) == [.delivered, .delivered, .failed, .pending, .unknown, .missed, .delivered,
                                          .delivered, .delivered, .delivered, .pending])
        #expect(accounts[1].reason.contains("9m after the fire"))
        #expect(accounts[2].reason.contains("HTTP 503") && accounts[2].reason.contains("4 attempts") && accounts[2].reason.contains("bad gateway"))
        #expect(accounts[5].reason.hasPrefix("missed: no delivery by"))
        #expect(accounts[10].calledAt == nil && accounts[10].reason.contains("may still call it"))
        // Each call accounts for one fire only.
        #expect(accounts.compactMap(\.calledAt).count == Set(accounts.compactMap(\.calledAt)).count)
    }

    @Test("a call after the next fire belongs to the next fire; an every-minute schedule still matches calls a few seconds late")
    func windows() {
        let f = Self.fires(hours: 1)  // -1h, -30m, 0
        let late = FireEvidence(at: f[0].addingTimeInterval(29.5 * Self.minute + 40), kind: .delivered, by: "qstash")
        let accounts = Self.account([late], fires: f)
        #expect(accounts.map(\.state) == [.missed, .delivered, .pending])
        // pg_cron every minute: each call 0.2 s after its minute.
        let job = Job(app: "mesa", name: "ok", path: "/ok", layer: .pgCron, schedule: "* * * * *")
        let minutes = (1...5).map { Self.now.addingTimeInterval(-Double($0) * 60 - 300) }.reversed().map { $0 }
        let evidence = minutes.map { FireEvidence(at: $0.addingTimeInterval(0.2), kind: .delivered, by: "pg_cron") }
        let observation = LayerObservation(job: job.ref, layer: .pgCron, observedAt: Self.now, historyFrom: Self.now.addingTimeInterval(-3600))
        let minutely = FireAccounting.account(FireAccounting.Facts(
            job: job, fires: minutes, nextFire: minutes.last?.addingTimeInterval(60), evidence: evidence, observation: observation,
            tolerance: LayerTiming.tolerance(.pgCron)), now: Self.now).map(\.account.state)
        #expect(minutely == Array(repeating: .delivered, count: 5))
    }

    @Test("without evidence: paused, unobserved before the history read, not read since, absent schedule, no token")
    func unseen() {
        let f = Self.fires()
        // Paused after the third delivery: later fires are paused, not missed.
        let delivered = (0..<3).map { FireEvidence(at: f[$0].addingTimeInterval(1), kind: .delivered, by: "qstash") }
        let paused = Self.account(delivered, observation: Self.observation(state: .paused))
        #expect(paused[3..<10].allSatisfy { $0.state == .paused })
        #expect(paused[3].reason.contains("paused in qstash"))
        // The history was read only from 2 h ago.
        let recent = Self.account([], observation: Self.observation(from: Self.now.addingTimeInterval(-2 * 3600)))
        #expect(recent[0..<6].allSatisfy { $0.state == .unobserved } && recent[6..<10].allSatisfy { $0.state == .missed })
        #expect(recent[0].reason.contains("older than what was read"))
        // Last read 2 h ago: fires after it are not judged as missed.
        var stale = Self.observation()
        stale.observedAt = Self.now.addingTimeInterval(-2 * 3600)
        let old = Self.account([], observation: stale)
        #expect(old[7..<10].allSatisfy { $0.state == .unobserved } && old[7].reason.contains("last read"))
        // The layer holds no schedule: missed, and the reason says why.
        let absent = Self.account([], observation: Self.observation(state: .absent))
        #expect(absent[0].state == .missed && absent[0].reason.contains("holds no schedule"))
        // No token: nothing can be judged.
        let blind = Self.account([], observation: Self.observation(from: nil, note: "no QSTASH_TOKEN to read QStash with"))
        #expect(blind.dropLast().allSatisfy { $0.state == .unobserved && $0.reason.contains("QSTASH_TOKEN") })
        // Never read at all.
        #expect(Self.account([], observation: nil)[0].reason.contains("never read"))
    }

    @Test("the best call decides a fire: a backfill delivery wins over the layer's failure; a refused due run leaves it missed")
    func precedence() {
        let f = Self.fires(hours: 1)
        let accounts = Self.account([
            FireEvidence(at: f[0].addingTimeInterval(1), kind: .failed, by: "qstash", httpStatus: 500),
            FireEvidence(at: f[0].addingTimeInterval(600), scheduledFor: f[0], kind: .delivered, by: "rbscron", httpStatus: 200),
            FireEvidence(at: f[1].addingTimeInterval(900), scheduledFor: f[1], kind: .notSent, by: "rbscron", detail: "denied: no CRON_SECRET"),
        ], fires: f)
        #expect(accounts[0].state == .delivered && accounts[0].by == "rbscron" && accounts[0].reason.contains("due mode"))
        #expect(accounts[1].state == .missed && accounts[1].reason.contains("denied: no CRON_SECRET"))
    }

    // MARK: Fan-out

    static let child = Job(app: "la-hoja", name: "dispatcher", path: "/api/cron/dispatcher", layer: .fanout,
                           triggeredBy: heartbeat.ref, order: 2)

    @Test("children follow their parent: parent-delivered, per-child results when the answer reports them, missed when it failed")
    func fanOut() {
        let f = Self.fires(hours: 2)  // 5 fires
        let results = #"{"success": true, "results": [{"taskId": "dispatcher", "success": false, "message": "quota"}]}"#
        let parent = Self.account([
            FireEvidence(at: f[0].addingTimeInterval(1), kind: .delivered, by: "qstash", httpStatus: 200),
            FireEvidence(at: f[1].addingTimeInterval(1), kind: .delivered, by: "qstash", httpStatus: 200, responseExcerpt: results),
            FireEvidence(at: f[2].addingTimeInterval(1), kind: .failed, by: "qstash", httpStatus: 503),
            // f[3] missed; f[4] too young
        ], fires: f)
        let evidence: [FireEvidence?] = [
            FireEvidence(at: f[0], kind: .delivered, by: "qstash"),
            FireEvidence(at: f[1], kind: .delivered, by: "qstash", responseExcerpt: results), nil, nil, nil,
        ]
        let own = [FireEvidence(at: f[3].addingTimeInterval(700), scheduledFor: f[3], kind: .delivered, by: "rbscron", httpStatus: 200)]
        let child = FanOutAccounting.account(child: Self.child, parent: Self.heartbeat.ref,
                                             parentFires: Array(zip(parent, evidence)), own: []).map(\.account)
        #expect(child.map(\.state) == [.parentDelivered, .failed, .missed, .missed, .pending])
        #expect(child[0].reason.contains("does not report this job"))
        #expect(child[1].reason.contains("quota"))
        #expect(child[2].reason.contains("failed"))
        // Due mode fired the child itself for the missed fire: its own call decides.
        let fired = FanOutAccounting.account(child: Self.child, parent: Self.heartbeat.ref,
                                             parentFires: Array(zip(parent, evidence)), own: own).map(\.account)
        #expect(fired[3].state == .delivered && fired[3].by == "rbscron")
    }

    @Test("per-child results: taskId, job, name or path; success flag or HTTP status; a cut answer reports nothing")
    func childResults() {
        let job = Self.child
        #expect(ChildResults.result(for: job, in: #"{"results":[{"taskId":"dispatcher","success":true}]}"#)?.success == true)
        #expect(ChildResults.result(for: job, in: #"{"results":[{"path":"/api/cron/dispatcher","status":500}]}"#)?.success == false)
        #expect(ChildResults.result(for: job, in: #"{"results":[{"name":"other","success":true}]}"#) == nil)
        #expect(ChildResults.result(for: job, in: #"{"results":[{"taskId":"dispatcher","succ"#) == nil)
    }

    // MARK: Due mode's rule

    @Test("due mode fires only missed fires past tolerance and grace, within the window; never pending, paused, unknown or failed")
    func duePolicy() {
        func verdict(_ state: FireState, age: TimeInterval, dispatcher: Bool = false, blind: Bool = false) -> DuePolicy.Verdict {
            let fire = FireAccount(at: Self.now.addingTimeInterval(-age), state: state, reason: "\(state.rawValue): because")
            return DuePolicy.verdict(job: Self.heartbeat, fire: fire, at: Self.now, window: 1800, tolerance: 60, grace: 120,
                                     isDispatcher: dispatcher, includeUnobserved: blind)
        }
        #expect(verdict(.missed, age: 179) == .notDue)  // younger than tolerance + grace
        #expect(verdict(.missed, age: 181) == .fire(reason: "missed: because"))
        #expect(verdict(.missed, age: 1800 + 181) == .notDue)  // judged more than the window ago
        for state in [FireState.pending, .paused, .unknown, .failed, .delivered, .parentDelivered] {
            guard case .skip = verdict(state, age: 600) else { Issue.record("\(state) must not be fired"); continue }
        }
        guard case .skip(let why) = verdict(.unobserved, age: 600) else { Issue.record("unobserved fired"); return }
        #expect(why.contains("--include-unobserved"))
        guard case .fire = verdict(.unobserved, age: 600, blind: true) else { Issue.record("--include-unobserved did not fire"); return }
        guard case .skip = verdict(.missed, age: 600, dispatcher: true) else { Issue.record("a dispatcher was fired"); return }
    }
}
