import Foundation

/// Per-fire accounting: for every fire a job's schedule says happened in a window, exactly one ``FireState``, from the
/// evidence of the job's layer (calls it made, calls in flight, whether its schedule is there and active, how far back
/// it was read) and of due mode. Pure: the store and the layers supply the facts.
public enum FireAccounting {
    /// What is known of one scheduled job.
    public struct Facts: Sendable {
        public var job: Job
        /// The fires the schedule made in the window, ascending (already without those before the job existed).
        public var fires: [Date]
        /// The next fire after the window, which bounds the last fire's matching window.
        public var nextFire: Date?
        /// Calls recorded for the job (stored runs of the layer and of due mode, and calls in flight), any order.
        public var evidence: [FireEvidence]
        /// The layer's latest observation; nil when it was never read.
        public var observation: LayerObservation?
        /// How late the layer may make a call.
        public var tolerance: TimeInterval
        /// Why the layer can show nothing for this job, when that is so (Vercel Cron keeps no history, no token).
        public var blindReason: String?

        public init(job: Job, fires: [Date], nextFire: Date? = nil, evidence: [FireEvidence], observation: LayerObservation?,
                    tolerance: TimeInterval, blindReason: String? = nil) {
            self.job = job
            self.fires = fires
            self.nextFire = nextFire
            self.evidence = evidence
            self.observation = observation
            self.tolerance = tolerance
            self.blindReason = blindReason
        }
    }

    /// One account per fire, in order, and for each the evidence that decided it (a fan-out parent's children read
    /// their results from it).
    public static func account(_ facts: Facts, now: Date) -> [(account: FireAccount, evidence: FireEvidence?)] {
        let layer = facts.job.layer.rawValue
        let fires = facts.fires
        guard !fires.isEmpty else { return [] }
        var exact: [Int64: [FireEvidence]] = [:]
        var loose: [FireEvidence] = []
        for e in facts.evidence {
            if let s = e.scheduledFor { exact[Timestamp.ms(s), default: []].append(e) } else { loose.append(e) }
        }
        loose.sort { $0.at < $1.at }
        let window = max(LayerTiming.matchWindow, facts.tolerance)
        var index = 0
        var result: [(FireAccount, FireEvidence?)] = []
        var lastDelivery: Date?
        for (i, fire) in fires.enumerated() {
            let next = i + 1 < fires.count ? fires[i + 1] : facts.nextFire
            let previous = i > 0 ? fires[i - 1] : nil
            // Clocks differ by up to the skew, but never by more than half the gap to a neighbouring fire.
            let before = previous.map { min(LayerTiming.clockSkew, fire.timeIntervalSince($0) / 2) } ?? LayerTiming.clockSkew
            let lower = fire.addingTimeInterval(-before)
            var upper = fire.addingTimeInterval(window)
            if let next { upper = min(upper, next.addingTimeInterval(-min(LayerTiming.clockSkew, next.timeIntervalSince(fire) / 2))) }
            while index < loose.count, loose[index].at < lower { index += 1 }  // calls no fire accounts for
            var matched = exact[Timestamp.ms(fire)] ?? []
            while index < loose.count, loose[index].at <= upper {
                matched.append(loose[index])
                index += 1
            }
            let chosen = best(matched)
            let account: FireAccount
            if let chosen, chosen.kind != .notSent {
                account = decided(fire, by: chosen, layer: layer)
                if chosen.kind == .delivered { lastDelivery = fire }
            } else {
                account = unseen(fire, facts: facts, now: now, lastDelivery: lastDelivery, notSent: chosen)
            }
            result.append((account, chosen))
        }
        return result
    }

    /// The evidence that decides a fire when there are several calls for it: a delivery wins (the work was done),
    /// then a call still in flight, then an unknown result, then a failure.
    static func best(_ matched: [FireEvidence]) -> FireEvidence? {
        let rank: [FireEvidence.Kind: Int] = [.delivered: 0, .pending: 1, .unknown: 2, .failed: 3, .notSent: 4]
        return matched.min { (rank[$0.kind] ?? 9, $0.at) < (rank[$1.kind] ?? 9, $1.at) }
    }

    static func decided(_ fire: Date, by e: FireEvidence, layer: String) -> FireAccount {
        let when = Timestamp.rfc3339(e.at)
        let status = e.httpStatus.map { " (HTTP \($0))" } ?? ""
        let tries = (e.attempts ?? 1) > 1 ? ", \(e.attempts ?? 1) attempts" : ""
        let who = e.by == "rbscron" ? "rbscron's due mode" : e.by
        let late = e.at.timeIntervalSince(fire) >= 120 ? ", \(LayerTiming.text(e.at.timeIntervalSince(fire).rounded())) after the fire" : ""
        func reasonText(_ detail: String) -> (FireState, String) {
            switch e.kind {
            case .delivered:
                return (.delivered, "delivered by \(who) at \(when)\(status)\(tries)\(late)")
            case .failed:
                return (.failed, "failed: \(who) called it at \(when)\(status)\(tries)\(detail)")
            case .pending:
                return (.pending, "pending: \(who) called it at \(when) and has no final answer yet\(tries)\(detail)")
            case .unknown, .notSent:
                return (.unknown, "unknown: \(who) called it at \(when), its result is unknown\(detail)")
            }
        }
        let detail = e.detail.map { ": \(TextLine.single($0, limit: 160))" } ?? ""
        let (state, reason) = reasonText(detail)
        var account = FireAccount(at: fire, state: state, by: e.by, calledAt: e.at, httpStatus: e.httpStatus,
                                  attempts: e.attempts, reason: reason)
        if !detail.isEmpty { account.reasonWithoutDetail = reasonText("").1 }
        return account
    }

    /// A fire no call accounts for: too young to judge, outside what was read, paused, or missed.
    static func unseen(_ fire: Date, facts: Facts, now: Date, lastDelivery: Date?, notSent: FireEvidence?) -> FireAccount {
        let layer = facts.job.layer.rawValue
        let due = fire.addingTimeInterval(facts.tolerance)
        if let blind = facts.blindReason {
            return FireAccount(at: fire, state: .unobserved, reason: "unobserved: \(blind)")
        }
        guard let observation = facts.observation else {
            // Never read: even a fire too young to judge is not "pending" (nothing says the layer is at it).
            return FireAccount(at: fire, state: .unobserved,
                               reason: "unobserved: \(layer) was never read for this job; run `rbscron stats --sync`")
        }
        if let note = observation.note, observation.historyFrom == nil {
            return FireAccount(at: fire, state: .unobserved, reason: "unobserved: \(note)")
        }
        guard let from = observation.historyFrom else {
            return FireAccount(at: fire, state: .unobserved, reason: "unobserved: \(layer) keeps no history rbscron can read")
        }
        if fire < from {
            return FireAccount(at: fire, state: .unobserved,
                               reason: "unobserved: older than what was read of \(layer) (from \(Timestamp.rfc3339(from)))")
        }
        if due > now {
            return FireAccount(at: fire, state: .pending,
                               reason: "pending: \(layer) may still call it (up to \(LayerTiming.text(facts.tolerance)) late)")
        }
        if due > observation.observedAt {
            return FireAccount(at: fire, state: .unobserved,
                               reason: "unobserved: \(layer) was last read at \(Timestamp.rfc3339(observation.observedAt)); run `rbscron stats --sync`")
        }
        if observation.scheduleState == .paused, lastDelivery.map({ fire > $0 }) ?? true {
            return FireAccount(at: fire, state: .paused, reason: "paused: the schedule is paused in \(layer), so no call was made")
        }
        var reason = "missed: no delivery by \(Timestamp.rfc3339(due))"
        if observation.scheduleState == .absent { reason += "; \(layer) holds no schedule for this job (`rbscron schedule plan --layer \(layer)`)" }
        if let notSent {
            reason += "; due mode could not send it" + (notSent.detail.map { ": \(TextLine.single($0, limit: 120))" } ?? "")
        }
        return FireAccount(at: fire, state: .missed, reason: reason)
    }
}

/// Fan-out children follow their parent's fires: called when the parent was delivered (`parent-delivered`, unless the
/// parent's answer reports per-child results), not called when it failed or was missed (`missed`: due mode fires the
/// children directly).
public enum FanOutAccounting {
    /// The accounts of `child` for the fires of its parent, given the parent's accounts with the evidence that decided
    /// them and the child's own calls (due mode's direct fires, which carry the parent's fire time).
    public static func account(child: Job, parent: JobRef, parentFires: [(account: FireAccount, evidence: FireEvidence?)],
                               own: [FireEvidence]) -> [(account: FireAccount, evidence: FireEvidence?)] {
        var ownByFire: [Int64: [FireEvidence]] = [:]
        for e in own { if let s = e.scheduledFor { ownByFire[Timestamp.ms(s), default: []].append(e) } }
        return parentFires.map { entry in
            let p = entry.account
            if let mine = FireAccounting.best(ownByFire[Timestamp.ms(p.at)] ?? []), mine.kind != .notSent {
                return (FireAccounting.decided(p.at, by: mine, layer: "rbscron"), mine)
            }
            switch p.state {
            case .delivered:
                if let excerpt = entry.evidence?.responseExcerpt, let result = ChildResults.result(for: child, in: excerpt) {
                    let state: FireState = result.success ? .delivered : .failed
                    let reason = "\(state == .delivered ? "delivered" : "failed"): \(parent) reported \(result.success ? "success" : "failure") "
                        + "for this job at \(Timestamp.rfc3339(p.calledAt ?? p.at))" + (result.message.map { ": \(TextLine.single($0, limit: 120))" } ?? "")
                    return (FireAccount(at: p.at, state: state, by: parent.description, calledAt: p.calledAt, reason: reason), nil)
                }
                return (FireAccount(at: p.at, state: .parentDelivered, by: parent.description, calledAt: p.calledAt,
                                    reason: "parent-delivered: \(parent) was delivered at \(Timestamp.rfc3339(p.calledAt ?? p.at)); "
                                        + "its answer does not report this job, so only the call is known"), nil)
            case .failed, .missed:
                return (FireAccount(at: p.at, state: .missed, by: parent.description,
                                    reason: "missed: its parent \(parent) \(p.state == .failed ? "failed" : "was missed"), so it was not called"), nil)
            case .pending, .paused, .unknown, .unobserved, .parentDelivered:
                return (FireAccount(at: p.at, state: p.state == .parentDelivered ? .parentDelivered : p.state,
                                    by: parent.description, reason: "\(p.state.rawValue): as its parent \(parent) (\(p.reason))"), nil)
            }
        }
    }
}

/// Per-child results in a fan-out parent's answer: the seed-003 orchestrator summary
/// `{"results": [{"taskId": "<job>", "success": true, "message": "…"}, …]}`. A result names the child by `taskId`,
/// `task`, `job` or `name` (the job's name, or its path, or the path's last segment) and says `success` (a boolean)
/// or `status` (an HTTP status: 2xx is success). An answer cut short (pg_cron keeps 300 characters) reports nothing.
public enum ChildResults {
    public struct Result: Sendable, Equatable {
        public var success: Bool
        public var message: String?
    }

    public static func result(for child: Job, in text: String) -> Result? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let results = object["results"] as? [[String: Any]] else { return nil }
        var names: Set<String> = [child.name]
        if let path = child.path {
            names.insert(path)
            if let last = path.split(separator: "/").last { names.insert(String(last)) }
        }
        for item in results {
            let id = ["taskId", "task", "job", "name", "path"].lazy.compactMap { item[$0] as? String }.first
            guard let id, names.contains(id) else { continue }
            let success: Bool
            if let flag = item["success"] as? Bool {
                success = flag
            } else if let status = item["status"] as? Int {
                success = (200..<300).contains(status)
            } else {
                continue
            }
            return Result(success: success, message: item["message"] as? String ?? item["error"] as? String)
        }
        return nil
    }
}
