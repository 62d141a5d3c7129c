import Foundation
import Testing

@testable import RBSCronKit

let testCronSecret = "cron-secret-value-0123456789abcdef"
let testPreviousCronSecret = "previous-cron-secret-9876543210"
let testServiceRole = "service-role-key-abcdefghijklmnop"
let testSigningKey = "sig_7kYjw48p3Gv9bXz2QeTm5RhLcN1"

/// A controllable clock, a sleeper that advances it instead of waiting, and a record of the waits.
final class FakeTime: Sendable {
    private let state: TestLocked<(now: Date, sleeps: [Int])>

    init(_ start: Date = Date(timeIntervalSince1970: 1_775_800_000)) { state = TestLocked((start, [])) }

    var now: Date { state.withLock { $0.now } }
    var sleeps: [Int] { state.withLock { $0.sleeps } }

    func advance(ms: Int) { state.withLock { $0.now = $0.now.addingTimeInterval(Double(ms) / 1000) } }

    func environment(random: Double = 0.5, alive: @escaping @Sendable (Int32) -> Bool = { _ in true }) -> RunEnvironment {
        RunEnvironment(
            now: { self.now },
            sleep: { ms in self.state.withLock { $0.sleeps.append(ms); $0.now = $0.now.addingTimeInterval(Double(ms) / 1000) } },
            random: { random }, pid: 4242, isAlive: alive)
    }
}

/// An inventory of one app at `baseURL` with the given jobs.
func testStore(baseURL: String, jobs: [Job]) throws -> InventoryStore {
    let app = App(name: "shop", displayName: "Shop", baseURL: baseURL, platform: .vercel)
    return try InventoryStore.inMemory(seed: Inventory(apps: [app], jobs: jobs))
}

func testJob(_ name: String, path: String? = nil, layer: Layer = .manual, schedule: String? = nil,
             auth: AuthKind = .cronSecret, timeoutMs: Int = 30_000, retries: Int = 0, method: HTTPMethod = .POST,
             priority: Priority = .medium, triggeredBy: JobRef? = nil, order: Int? = nil,
             dependsOn: [JobRef] = [], group: String? = nil) -> Job {
    Job(app: "shop", name: name, path: path ?? "/api/cron/\(name)", method: method, layer: layer, schedule: schedule,
        auth: auth, timeoutMs: timeoutMs, retries: retries, priority: priority, triggeredBy: triggeredBy, order: order,
        dependsOn: dependsOn, group: group)
}

let testSecrets = StaticSecrets([
    "shop": [SecretKeys.cronSecret: testCronSecret, SecretKeys.supabaseServiceRoleKey: testServiceRole,
             SecretKeys.qstashCurrentSigningKey: testSigningKey],
    "old": ["PREVIOUS": testPreviousCronSecret],
])

/// A trigger over the real libcurl transport with fake time.
func makeTrigger(_ store: InventoryStore, time: FakeTime, secrets: any SecretProvider = testSecrets,
                 alive: @escaping @Sendable (Int32) -> Bool = { _ in true }) throws -> JobTrigger {
    try JobTrigger(store: store, transport: CurlTransport(userAgent: testUserAgent), secrets: secrets,
                   environment: time.environment(alive: alive))
}

extension JobTrigger {
    /// Fires `name` from the store's inventory; the run must be recorded.
    func fire(_ name: String, _ options: TriggerOptions = TriggerOptions(),
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> RunReport {
        let inventory = try store.inventory()
        let job = try #require(inventory.job(JobRef(app: "shop", job: name)), sourceLocation: sourceLocation)
        return try #require(try await fire(job, in: inventory, options: options), sourceLocation: sourceLocation)
    }
}
