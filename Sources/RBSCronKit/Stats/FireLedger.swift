import Foundation

/// Every fire of the selected jobs in a window, each with its state, from what the store holds: the layers' calls
/// (runs read back by `stats --sync`), due mode's calls, and the layers' latest observations. Fan-out children follow
/// their parents' fires.
public struct FireLedger: Sendable {
    public struct Entry: Sendable {
        public var account: FireAccount
        /// The call that decided the state, when one did.
        public var evidence: FireEvidence?
    }

    /// Per job, its fires in order. Jobs without a schedule of their own and not under a scheduled parent, disabled
    /// jobs and jobs of inactive apps have none.
    public var fires: [JobRef: [Entry]]

    /// At most this many fires per job are accounted (the latest ones).
    public static let maxFiresPerJob = 20_000

    public init(fires: [JobRef: [Entry]]) { self.fires = fires }

    /// The ledger of `jobs` (and of the fan-out parents they follow) over `[from, now]`.
    public static func build(store: InventoryStore, inventory: Inventory, jobs: [Job], from: Date, now: Date) throws -> FireLedger {
        let byRef = Dictionary(inventory.jobs.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        // The scheduled roots the selection needs: the jobs themselves, and the scheduled ancestor of each child.
        var roots: [JobRef: Job] = [:]
        for job in jobs {
            if let root = scheduledRoot(of: job, byRef: byRef) { roots[root.ref] = root }
        }
        let added = try store.jobAddedTimes()
        let observations = try store.observations()
        let projects = try store.projectStates()
        let evidenceFrom = from.addingTimeInterval(-LayerTiming.clockSkew)
        let layers = Dictionary(inventory.jobs.map { ($0.ref, $0.layer) }, uniquingKeysWith: { first, _ in first })
        let children = inventory.jobs.filter { $0.triggeredBy != nil && $0.enabled }
        let evidence = try store.fireEvidence(jobs: Array(roots.keys) + children.map(\.ref), layers: layers,
                                              from: evidenceFrom, until: now)
        let firstCalls = try store.firstFireEvidence(jobs: Array(roots.keys))
        var fires: [JobRef: [Entry]] = [:]
        for root in roots.values.sorted(by: { $0.ref < $1.ref }) {
            // The fires as the layer makes them: its dialect, its zone (Vercel Schedules: the job's), its release.
            guard let app = inventory.app(named: root.app), app.active,
                  let timing = try? JobFires.of(root, app: app) else { continue }
            let own = evidence[root.ref] ?? []
            // A job never read from its layer, but fired by due mode or read back before layers were observed: its
            // calls cover it from the first one on, as due mode runs on (a fire with no call since then is missed).
            let observation = observations[root.ref] ?? firstCalls[root.ref].map {
                LayerObservation(job: root.ref, layer: root.layer, observedAt: now, historyFrom: $0.addingTimeInterval(-LayerTiming.matchWindow))
            }
            // The layer knows when its schedule began (when it says); otherwise fires count from when the job entered
            // the inventory. A fresh copy of the inventory (a CI runner without cache) still sees the layer's fires.
            var start = from
            if let read = observations[root.ref] {
                if let created = read.scheduleCreatedAt { start = max(start, created) }
            } else {
                start = max(start, added[root.ref] ?? from)
            }
            // Fires after the window's start (one exactly at it belongs to the window before).
            var list = timing.fires(from: start, to: now)
            if list.count > maxFiresPerJob { list = Array(list.suffix(maxFiresPerJob)) }
            let next = timing.next(after: list.last ?? now)
            var blind: String?
            if root.layer == .pgCron, let ref = app.supabase?.projectRef, let project = projects[ref],
               project.status == .paused || project.status == .unreachable {
                blind = "project \(project.status.rawValue)"
            }
            let facts = FireAccounting.Facts(
                job: root, fires: list, nextFire: next, evidence: own + (observation?.pending ?? []),
                observation: observation, tolerance: LayerTiming.tolerance(of: root, app: app),
                blindReason: blind)
            fires[root.ref] = FireAccounting.account(facts, now: now).map { Entry(account: $0.account, evidence: $0.evidence) }
        }
        // Children, parents first (a child can be a dispatcher of its own).
        var pending = children
        var progress = true
        while progress, !pending.isEmpty {
            progress = false
            pending.removeAll { child in
                guard let parent = child.triggeredBy, let parentFires = fires[parent] else { return false }
                fires[child.ref] = FanOutAccounting.account(
                    child: child, parent: parent, parentFires: parentFires.map { ($0.account, $0.evidence) },
                    own: evidence[child.ref] ?? []).map { Entry(account: $0.account, evidence: $0.evidence) }
                progress = true
                return true
            }
        }
        let wanted = Set(jobs.map(\.ref))
        return FireLedger(fires: fires.filter { wanted.contains($0.key) })
    }

    /// The scheduled job whose fires `job` follows: itself when it has a schedule on a scheduler layer, else its
    /// fan-out parent's (recursively); nil when there is none or the chain loops.
    static func scheduledRoot(of job: Job, byRef: [JobRef: Job]) -> Job? {
        var current = job
        var seen: Set<JobRef> = []
        while seen.insert(current.ref).inserted {
            guard current.enabled else { return nil }
            if current.layer.isScheduled, current.schedule != nil { return current }
            guard let parent = current.triggeredBy, let next = byRef[parent] else { return nil }
            current = next
        }
        return nil
    }
}
