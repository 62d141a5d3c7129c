import Foundation

/// Which jobs are fired by which, from the inventory's `triggered_by` links: the answer to "if this
/// app is down, whose background jobs stop?". Nothing here knows an app by name.
public struct FanOutGraph: Sendable {
    private let children: [JobRef: [Job]]
    private let jobsByApp: [String: [Job]]

    public init(inventory: Inventory) {
        var children: [JobRef: [Job]] = [:]
        for job in inventory.jobs {
            if let parent = job.triggeredBy { children[parent, default: []].append(job) }
        }
        self.children = children
        self.jobsByApp = Dictionary(grouping: inventory.jobs, by: \.app)
    }

    /// The other apps that lose jobs when `app` is down: every enabled job reached through `triggered_by`
    /// links from one of `app`'s jobs (also through fan-out jobs of other apps, since a job that is not
    /// fired fires nothing), grouped by app. The down app's own jobs are not listed; apps sorted by name.
    public func dependentsLost(ifDown app: String) -> [AffectedDependent] {
        var lost: [String: Set<String>] = [:]
        var roots: [String: Set<String>] = [:]
        for root in jobsByApp[app] ?? [] where root.enabled {
            // Depth-first from each of the down app's own jobs; `seen` guards against cycles.
            var seen: Set<JobRef> = [root.ref]
            var stack = [root.ref]
            while let ref = stack.popLast() {
                for child in children[ref] ?? [] where child.enabled {
                    if child.app != app {
                        lost[child.app, default: []].insert(child.ref.description)
                        roots[child.app, default: []].insert(root.ref.description)
                    }
                    if seen.insert(child.ref).inserted { stack.append(child.ref) }
                }
            }
        }
        return lost.keys.sorted().map { name in
            AffectedDependent(app: name, jobs: (lost[name] ?? []).sorted(), triggeredBy: (roots[name] ?? []).sorted())
        }
    }
}

/// An app whose background jobs stop while another app is down, because a job of the down app fans
/// out to them (seed 000: Colectiva's heartbeat calls Agora, La Hoja and Servilleta).
public struct AffectedDependent: Sendable, Equatable, Encodable {
    /// The dependent app.
    public var app: String
    /// Its jobs that will not be fired, as `APP/JOB`, sorted.
    public var jobs: [String]
    /// The down app's jobs that fire them (directly or through other fan-out jobs), as `APP/JOB`, sorted.
    public var triggeredBy: [String]

    public init(app: String, jobs: [String], triggeredBy: [String]) {
        self.app = app
        self.jobs = jobs
        self.triggeredBy = triggeredBy
    }

    enum CodingKeys: String, CodingKey { case app, jobs, triggeredBy = "triggered_by" }
}
