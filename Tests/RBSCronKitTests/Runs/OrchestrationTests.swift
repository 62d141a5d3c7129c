import Foundation
import Testing

@testable import RBSCronKit

@Suite("orchestrated groups, due mode and retry rules", .timeLimit(.minutes(1)))
struct OrchestrationTests {
    static let dispatcher = JobRef(app: "shop", job: "dispatcher")

    func groupJobs() -> [Job] {
        [
            testJob("dispatcher", layer: .vercel, schedule: "0 14 * * *"),
            testJob("extract", layer: .fanout, triggeredBy: Self.dispatcher, order: 1),
            testJob("gaps", layer: .fanout, triggeredBy: Self.dispatcher, order: 2,
                    dependsOn: [JobRef(app: "shop", job: "extract")]),
            testJob("recommend", layer: .fanout, triggeredBy: Self.dispatcher, order: 3,
                    dependsOn: [JobRef(app: "shop", job: "gaps")]),
            testJob("backup", layer: .fanout, priority: .critical, triggeredBy: Self.dispatcher, order: 4),
        ]
    }

    @Test("a group runs in order, skips dependants of a failure, continues, and prints seed 003's shape")
    func sequentialSummary() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            request.path.hasSuffix("/extract") ? .text(500, #"{"success":false,"error":"db down"}"#)
                : .text(200, #"{"success":true,"message":"did \#(request.path)"}"#)
        }
        let store = try testStore(baseURL: server.baseURL, jobs: groupJobs())
        let trigger = try makeTrigger(store, time: FakeTime())
        let inventory = try store.inventory()
        let tasks = try Orchestrator.children(of: Self.dispatcher, in: inventory)
        let summary = try await Orchestrator(trigger: trigger).run(
            tasks, label: "group shop/dispatcher", groupApp: "shop", parallel: 1, inventory: inventory, options: TriggerOptions())
        await server.stop()

        #expect(server.requests.map(\.path) == ["/api/cron/extract", "/api/cron/backup"])
        #expect(summary.results.map(\.taskId) == ["extract", "gaps", "recommend", "backup"])
        #expect(summary.results.map(\.success) == [false, false, false, true])
        #expect(summary.results[1].message.contains("dependency shop/extract"))
        #expect(summary.results[2].message.contains("dependency shop/gaps"))
        #expect(summary.results[3].message == "did /api/cron/backup")
        #expect(summary.summary.total == 4 && summary.summary.succeeded == 1 && summary.summary.failed == 3)
        #expect(!summary.success)
        #expect(try store.runs().map(\.outcome).filter { $0 == .skipped }.count == 2)

        // The exact keys of the seed's response format.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ReportJSON.encode(summary).utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["success", "schedule", "summary", "results"])
        #expect(Set((json["summary"] as? [String: Any])?.keys ?? [:].keys) == ["total", "succeeded", "failed", "totalDuration"])
        let first = try #require((json["results"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == ["taskId", "success", "duration", "message"])
        #expect(first["duration"] is Int && json["schedule"] as? String == "group shop/dispatcher")
    }

    @Test("--parallel honours depends_on and priority and never exceeds N in flight")
    func parallelGroup() async throws {
        let (server, inFlight) = try await countingServer(gate: 2)
        var jobs = groupJobs()
        for i in 5...8 { jobs.append(testJob("extra-\(i)", layer: .fanout, priority: .low, triggeredBy: Self.dispatcher, order: i)) }
        let store = try testStore(baseURL: server.baseURL, jobs: jobs)
        let trigger = try makeTrigger(store, time: FakeTime())
        let inventory = try store.inventory()
        let tasks = try Orchestrator.children(of: Self.dispatcher, in: inventory)
        let summary = try await Orchestrator(trigger: trigger).run(
            tasks, label: "g", groupApp: "shop", parallel: 2, inventory: inventory, options: TriggerOptions())
        await server.stop()

        #expect(summary.success && summary.summary.succeeded == 8)
        #expect(inFlight.withLock { $0.max } == 2)
        let order = server.requests.map { String($0.path.dropFirst("/api/cron/".count)) }
        // Critical first; a dependant only after what it depends on.
        #expect(order.prefix(2).contains("backup"), "the critical task starts in the first wave")
        let index = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let extract = try #require(index["extract"]), gaps = try #require(index["gaps"])
        let recommend = try #require(index["recommend"])
        #expect(extract < gaps && gaps < recommend)
        #expect(summary.results.map(\.taskId) == tasks.map(\.name), "results stay in the group's order")
    }

    @Test("time-of-day groups are chosen by cadence and --at")
    func scheduledGroups() throws {
        let jobs = [
            testJob("hunter", group: "hourly"), testJob("calls", group: "hourly"),
            testJob("spec", group: "daily@09:00"), testJob("backup", group: "daily@02:00"),
            testJob("reviews", group: "weekly@sun-10:00"),
        ]
        let inventory = Inventory(apps: [App(name: "shop", displayName: "Shop", baseURL: "https://x.example", platform: .vercel)], jobs: jobs)
        #expect(try Orchestrator.scheduled(app: "shop", cadence: .hourly, time: nil, in: inventory).jobs.map(\.name) == ["hunter", "calls"])
        let morning = try Orchestrator.scheduled(app: "shop", cadence: .daily, time: "09:00", in: inventory)
        #expect(morning.name == "daily@09:00" && morning.jobs.map(\.name) == ["spec"])
        #expect(throws: TriggerError.ambiguousSchedule(app: "shop", groups: ["daily@02:00", "daily@09:00"])) {
            try Orchestrator.scheduled(app: "shop", cadence: .daily, time: nil, in: inventory)
        }
        #expect(try Orchestrator.scheduled(app: "shop", cadence: .weekly, time: nil, in: inventory).jobs.map(\.name) == ["reviews"])
        #expect(throws: TriggerError.self) { try Orchestrator.scheduled(app: "shop", cadence: .daily, time: "11:00", in: inventory) }
        #expect(throws: TriggerError.notAGroup(JobRef(app: "shop", job: "spec"))) {
            try Orchestrator.children(of: JobRef(app: "shop", job: "spec"), in: inventory)
        }
    }

    @Test("due mode fires each fire time once, in the job's zone, only within the window")
    func dueMode() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "ok") }
        let jobs = [
            testJob("hourly", layer: .vercel, schedule: "0 * * * *"),
            testJob("mexico", layer: .qstash, schedule: "CRON_TZ=America/Mexico_City 0 8 * * *"),
            testJob("manual-only"),
            Job(app: "shop", name: "sql", path: nil, sql: "SELECT 1", layer: .pgCron, schedule: "* * * * *", auth: .none),
        ]
        let store = try testStore(baseURL: server.baseURL, jobs: jobs)
        let trigger = try makeTrigger(store, time: FakeTime())
        let inventory = try store.inventory()
        // 08:10 in Mexico City (UTC-6) is 14:10 UTC.
        let at = try #require(Timestamp.parse("2026-04-10T14:10:00Z"))
        let first = try await trigger.fireDue(inventory: inventory, app: nil, at: at, windowMs: 30 * 60_000, options: TriggerOptions())
        #expect(Set(first.runs.map(\.job.job)) == ["hourly", "mexico"])
        #expect(first.runs.allSatisfy { $0.source == .due })
        let mexico = try #require(first.runs.first { $0.job.job == "mexico" })
        #expect(mexico.scheduledFor == Timestamp.parse("2026-04-10T14:00:00Z"))

        let again = try await trigger.fireDue(inventory: inventory, app: nil, at: at.addingTimeInterval(300),
                                              windowMs: 30 * 60_000, options: TriggerOptions())
        #expect(again.runs.isEmpty && again.alreadyClaimed.count == 2)

        let nextHour = try await trigger.fireDue(inventory: inventory, app: nil, at: at.addingTimeInterval(3600),
                                                 windowMs: 30 * 60_000, options: TriggerOptions())
        #expect(nextHour.runs.map(\.job.job) == ["hourly"], "the daily job's fire is outside the window")
        await server.stop()
        #expect(server.requests.count == 3)
        let keys = try store.runs().compactMap(\.idempotencyKey)
        #expect(keys.contains("due:shop/hourly:\(Timestamp.ms(try #require(Timestamp.parse("2026-04-10T14:00:00Z"))))"))
    }

    /// A server that counts the requests in flight and the most seen at once. Each request is held until `gate`
    /// requests have been in flight together once (or 20 s passed), so a client that really sends `gate` at once
    /// is seen doing so however loaded the machine is, and one that does not fails the test instead of hanging.
    func countingServer(gate: Int) async throws -> (LoopbackHTTPServer, TestLocked<(now: Int, max: Int)>) {
        let inFlight = TestLocked((now: 0, max: 0))
        let server = try await LoopbackHTTPServer.start { request in
            inFlight.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
            let deadline = ContinuousClock.now + .seconds(20)
            while inFlight.withLock({ $0.max }) < gate, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
            inFlight.withLock { $0.now -= 1 }
            return request.path.hasSuffix("/job-3") ? .text(500, "down") : .text(200, "ok")
        }
        return (server, inFlight)
    }

    @Test("APP/JOB… with --parallel N: at most N in flight, reports in the order asked, one run each")
    func parallelJobs() async throws {
        let (server, inFlight) = try await countingServer(gate: 3)
        let jobs = (1...7).map { testJob("job-\($0)", layer: .vercel, schedule: "0 * * * *") }
        let store = try testStore(baseURL: server.baseURL, jobs: jobs)
        let trigger = try makeTrigger(store, time: FakeTime())
        let inventory = try store.inventory()
        var options = TriggerOptions()
        options.retries = 0
        let reports = try await trigger.fireAll(jobs, in: inventory, options: options, parallel: 3)
        await server.stop()

        #expect(reports.map(\.job.job) == jobs.map(\.name))
        #expect(reports.map(\.succeeded) == [true, true, false, true, true, true, true])
        #expect(inFlight.withLock { $0.max } == 3)
        #expect(server.requests.count == 7)
        #expect(try store.runs().count == 7)

        // One at a time when --parallel is 1 (the default).
        let (serial, serialFlight) = try await countingServer(gate: 1)
        let serialStore = try testStore(baseURL: serial.baseURL, jobs: jobs)
        let serialTrigger = try makeTrigger(serialStore, time: FakeTime())
        _ = try await serialTrigger.fireAll(jobs, in: try serialStore.inventory(), options: options)
        await serial.stop()
        #expect(serialFlight.withLock { $0.max } == 1)
        #expect(serial.requests.map(\.path) == jobs.map { "/api/cron/\($0.name)" })
    }

    @Test("--due with --parallel: every due fire once, at most N in flight, claims still exclusive")
    func parallelDue() async throws {
        let (server, inFlight) = try await countingServer(gate: 4)
        let jobs = (1...6).map { testJob("job-\($0)", layer: .qstash, schedule: "*/15 * * * *") }
        let store = try testStore(baseURL: server.baseURL, jobs: jobs)
        let trigger = try makeTrigger(store, time: FakeTime())
        let inventory = try store.inventory()
        let at = try #require(Timestamp.parse("2026-04-10T14:05:00Z"))
        let first = try await trigger.fireDue(inventory: inventory, app: nil, at: at, windowMs: 30 * 60_000,
                                              options: TriggerOptions(), parallel: 4)
        let again = try await trigger.fireDue(inventory: inventory, app: nil, at: at, windowMs: 30 * 60_000,
                                              options: TriggerOptions(), parallel: 4)
        await server.stop()
        #expect(first.runs.map(\.job.job) == jobs.map(\.name))
        #expect(first.runs.allSatisfy { $0.scheduledFor == Timestamp.parse("2026-04-10T14:00:00Z") })
        #expect(inFlight.withLock { $0.max } == 4)
        #expect(again.runs.isEmpty && again.alreadyClaimed.count == 6)
        #expect(server.requests.count == 6)
    }

    @Test("bounded map: order kept, bound respected; an error lets running work finish, starts nothing new")
    func boundedMap() async throws {
        let inFlight = TestLocked((now: 0, max: 0))
        let doubled = try await Bounded.map(Array(0..<20), limit: 5) { n in
            inFlight.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
            inFlight.withLock { $0.now -= 1 }
            return n * 2
        }
        #expect(doubled == (0..<20).map { $0 * 2 })
        #expect(inFlight.withLock { $0.max } <= 5)

        struct Boom: Error, Equatable { var n: Int }
        let started = TestLocked<[Int]>([]), finished = TestLocked<[Int]>([])
        await #expect(throws: Boom(n: 1)) {
            _ = try await Bounded.map(Array(0..<50), limit: 2) { n in
                started.withLock { $0.append(n) }
                if n == 1 { throw Boom(n: 1) }
                try await Task.sleep(for: .milliseconds(100))
                finished.withLock { $0.append(n) }
                return n
            }
        }
        #expect(started.withLock { $0 }.sorted() == [0, 1], "nothing new starts after the error")
        #expect(finished.withLock { $0 } == [0], "the call already running was not cancelled")
    }

    @Test("a job refused before sending (a body for a GET job) stops the batch before any request")
    func refusedBeforeSending() async throws {
        let (server, _) = try await countingServer(gate: 1)
        let jobs = [testJob("post-one", layer: .vercel, schedule: "0 * * * *"),
                    Job(app: "shop", name: "get-one", path: "/api/cron/get-one", method: .GET, layer: .vercel, schedule: "0 * * * *",
                        auth: .none)]
        let store = try testStore(baseURL: server.baseURL, jobs: jobs)
        let trigger = try makeTrigger(store, time: FakeTime())
        var options = TriggerOptions()
        options.body = Data("{}".utf8)
        await #expect(throws: TriggerError.self) {
            _ = try await trigger.fireAll(jobs, in: try store.inventory(), options: options, parallel: 2)
        }
        let runs = try store.runs()
        #expect(server.requests.isEmpty && runs.isEmpty)
        let twice = try await trigger.fireAll([jobs[0], jobs[0]], in: try store.inventory(), options: TriggerOptions(), parallel: 2)
        await server.stop()
        #expect(twice.count == 2 && server.requests.count == 2, "a job named twice is fired twice, as asked")
    }

    @Test("two triggers racing for one fire: exactly one claims it")
    func dueClaimIsExclusive() throws {
        let store = try testStore(baseURL: "http://127.0.0.1:1", jobs: [testJob("x")])
        let ref = JobRef(app: "shop", job: "x")
        let claims = (0..<8).map { _ in
            try? store.beginRun(ref, source: .due, startedAt: Date(), pid: 1, idempotencyKey: "due:shop/x:1000")
        }
        #expect(claims.compactMap { $0 }.count == 1)
    }

    @Test("retry rules: what is retried, and full-jitter delays")
    func retryPolicy() {
        func response(_ status: Int) -> Result<HTTPResponse, HTTPError> { .success(HTTPResponse(status: status, finalURL: "http://x")) }
        #expect(RetryPolicy.isRetryable(response(500)) && RetryPolicy.isRetryable(response(503)) && RetryPolicy.isRetryable(response(429)))
        #expect(!RetryPolicy.isRetryable(response(200)) && !RetryPolicy.isRetryable(response(400)) && !RetryPolicy.isRetryable(response(404)))
        #expect(RetryPolicy.isRetryable(.failure(.timedOut(1))) && RetryPolicy.isRetryable(.failure(.connectionRefused("h:1"))))
        #expect(!RetryPolicy.isRetryable(.failure(.unsupportedScheme("ftp://x"))) && !RetryPolicy.isRetryable(.failure(.tls("bad"))))
        let policy = RetryPolicy(baseMs: 500, capMs: 30_000)
        #expect(policy.delayMs(afterAttempt: 1, retryAfterSeconds: nil, random: 0.999_999) == 499)
        #expect(policy.delayMs(afterAttempt: 3, retryAfterSeconds: nil, random: 0.5) == 1000)
        #expect(policy.delayMs(afterAttempt: 20, retryAfterSeconds: nil, random: 0.5) == 15_000, "capped before jitter")
        #expect(policy.delayMs(afterAttempt: 1, retryAfterSeconds: nil, random: 0) == 0)
        #expect(policy.delayMs(afterAttempt: 1, retryAfterSeconds: 2, random: 0) == 2000)
        #expect(policy.delayMs(afterAttempt: 1, retryAfterSeconds: 3600, random: 0) == 30_000)
    }

    @Test("task groups parse; the manifest round-trips them and rejects bad ones")
    func groupField() throws {
        #expect(TaskGroupName("hourly")?.cadence == .hourly)
        #expect(TaskGroupName("daily@09:00")?.time == "09:00")
        #expect(TaskGroupName("weekly@sun-10:00")?.weekday == "sun")
        for bad in ["daily", "daily@9:00", "daily@24:00", "weekly@10:00", "weekly@sunday-10:00", "hourly@01:00", "monthly"] {
            #expect(TaskGroupName(bad) == nil, "\(bad)")
        }
        let text = try String(contentsOf: RBSCronRepository.root.appendingPathComponent("examples/orchestrator.yaml"), encoding: .utf8)
        let inventory = try Manifest.load(yaml: text, file: "orchestrator.yaml")
        #expect(inventory.jobs.compactMap(\.group).count == 9)
        #expect(try Manifest.load(yaml: Manifest.render(inventory), file: "again.yaml") == inventory)
        let store = try InventoryStore.inMemory(seed: inventory)
        #expect(try store.inventory() == inventory)
        let bad = text.replacingOccurrences(of: "group: hourly,", with: "group: often,")
        #expect(throws: ManifestError.self) { try Manifest.load(yaml: bad, file: "bad.yaml") }
    }

    @Test("RBSCRON_SECRET_<APP>_<KEY> variables become secrets, with a global fallback")
    func environmentSecrets() throws {
        let env = ["RBSCRON_SECRET_LA_HOJA_CRON_SECRET": "hoja-secret-value", "RBSCRON_SECRET_GLOBAL_QSTASH_CURRENT_SIGNING_KEY": "sig_global",
                   "RBSCRON_SECRET_BAUL_CRON_SECRET": "", "PATH": "/bin"]
        let secrets = EnvironmentSecrets.provider(environment: env, apps: ["la-hoja", "baul"])
        #expect(try secrets.secret(app: "la-hoja", key: "CRON_SECRET") == "hoja-secret-value")
        #expect(try secrets.secret(app: "baul", key: "CRON_SECRET") == nil, "an empty variable is no secret")
        #expect(try secrets.secret(app: "baul", key: "QSTASH_CURRENT_SIGNING_KEY") == "sig_global")
        #expect(Set(try secrets.valuesForRedaction()) == ["hoja-secret-value", "sig_global"])
        #expect(EnvironmentSecrets.variableName(app: "la-hoja", key: "CRON_SECRET") == "RBSCRON_SECRET_LA_HOJA_CRON_SECRET")
    }
}

enum RBSCronRepository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}
