import Foundation
import RBSCronTestSupport
import Testing

@testable import RBSCronKit

@Suite("audit: probes of live endpoints", .timeLimit(.minutes(2)))
struct AuditTests {
    typealias F = AuditFixture

    /// The loopback endpoints (a)–(c), (e)–(g), and a Receiver-less `signed` app whose URL refuses connections.
    func audit(_ request: AuditRequest = AuditRequest())
        async throws -> (AuditReport, [LoopbackRequest], InventoryStore) {
        let elsewhere = try LoopbackServer { _ in .json(200, #"{"ran":true}"#) }
        let server = try F.server(openElsewhere: elsewhere.baseURL)
        defer { server.stop(); elsewhere.stop() }
        let refused = try LoopbackListener.open(listening: false)
        defer { close(refused.fd) }
        let store = try InventoryStore.inMemory(seed: F.inventory(base: server.baseURL,
                                                                   signedBase: "http://127.0.0.1:\(refused.port)"))
        let report = try await F.workspace(store).audit(request)
        return (report, server.requests + elsewhere.requests, store)
    }

    func endpoint(_ report: AuditReport, _ job: String) throws -> EndpointAudit {
        try #require(report.endpoints.first { $0.job.description == job }, "no endpoint \(job)")
    }

    func probe(_ endpoint: EndpointAudit, _ kind: AuditProbe) throws -> ProbeResult {
        try #require(endpoint.probes.first { $0.probe == kind }, "\(endpoint.job) has no probe \(kind)")
    }

    @Test("each endpoint gets the right verdict, and no probe carries a real secret")
    func verdicts() async throws {
        let (report, requests, store) = try await audit()

        // (a) a constant-time bearer check: every probe refused, including the anon key instead of the service role.
        let strict = try endpoint(report, "strict/job")
        #expect(strict.probes.map(\.probe) == [.noCredentials, .wrongBearer, .bearerUndefined, .bearerNull, .bearerEmpty])
        #expect(strict.probes.allSatisfy { $0.verdict == .refused && $0.httpStatus == 401 && $0.severity == .ok })
        #expect(strict.deniesByDefault == true && strict.severity == .ok && strict.methodCheck == nil)
        let edge = try endpoint(report, "strict/edge")
        #expect(try probe(edge, .anonKey).verdict == .refused)
        #expect(edge.deniesByDefault == true)

        // (b) anything goes: let in at the first probe, and no further probe runs the job again.
        let open = try endpoint(report, "open/job")
        #expect(try probe(open, .noCredentials).verdict == .letIn)
        #expect(try probe(open, .noCredentials).severity == .critical)
        #expect(open.probes.dropFirst().allSatisfy { $0.verdict == .skipped && $0.detail?.contains("already got in") == true })
        // One GET from (b)'s single probe; one POST that (f)'s 307 redirected there.
        #expect(requests.filter { $0.path == "/api/cron/open" }.map(\.method).sorted() == ["GET", "POST"])
        #expect(open.deniesByDefault == false && open.severity == .critical)

        // (c) the `!==` template with an unset secret: `Bearer undefined` gets in.
        let undefined = try endpoint(report, "undefined/job")
        #expect(try probe(undefined, .noCredentials).verdict == .refused)
        #expect(try probe(undefined, .wrongBearer).verdict == .refused)
        #expect(try probe(undefined, .bearerUndefined).verdict == .letIn)
        #expect(try probe(undefined, .bearerNull).verdict == .skipped)
        let undefinedFinding = try #require(report.findings.first { $0.subject == "undefined/job" && $0.rule == "endpoint.let-in" })
        #expect(undefinedFinding.severity == .critical && undefinedFinding.fix.contains("Bearer undefined"))

        // (e) 500 when unconfigured: inconclusive, a warning, never a refusal.
        let unconfigured = try endpoint(report, "unconfigured/job")
        #expect(unconfigured.probes.allSatisfy { $0.verdict == .inconclusive && $0.severity == .warning })
        #expect(unconfigured.deniesByDefault == false && unconfigured.severity == .warning)
        #expect(report.findings.contains { $0.subject == "unconfigured/job" && $0.rule == "endpoint.inconclusive" && $0.severity == .warning })

        // (f) a redirect to an open endpoint on another origin: got in.
        let redirect = try endpoint(report, "redirect/job")
        let followed = try probe(redirect, .noCredentials)
        #expect(followed.verdict == .letIn && followed.severity == .critical && followed.httpStatus == 200)
        #expect(followed.redirects == 1 && followed.finalURL?.hasSuffix("/api/cron/open") == true)

        // (g) a Vercel route with only a POST handler: POST refused, Vercel's GET answered 405.
        let dispatcher = try endpoint(report, "postonly/dispatcher")
        #expect(dispatcher.probes.filter { $0.probe != .vercelGet }.allSatisfy { $0.verdict == .refused && $0.method == "POST" })
        let get = try probe(dispatcher, .vercelGet)
        #expect(get.method == "GET" && get.verdict == .methodNotAllowed && get.httpStatus == 405)
        #expect(dispatcher.methodCheck == MethodCheck(declared: "POST", getStatus: 405, result: .confirmed))
        #expect(dispatcher.deniesByDefault == true)
        #expect(report.findings.contains { $0.subject == "postonly/dispatcher" && $0.rule == "vercel.method-get" && $0.severity == .warning })

        // The unreachable QStash app: a warning, not a refusal.
        let signed = try endpoint(report, "signed/job")
        #expect(signed.probes.allSatisfy { $0.verdict == .unreachable })

        #expect(report.hasCritical)
        #expect(report.summary.critical == 3)  // open, undefined, redirect
        #expect(report.summary.deniesByDefault == 3)  // strict/job, strict/edge, postonly/dispatcher

        // From the server's side: no request carried a real secret, in any header.
        #expect(!requests.isEmpty)
        for request in requests {
            for secret in F.realSecrets { #expect(!request.head.contains(secret), "\(request.method) \(request.path) carried a secret") }
        }
        // Nothing in the report either (the anon key is public, but is redacted like every value on record).
        let json = try ReportJSON.encode(report)
        for secret in F.realSecrets + [F.anonKey] { #expect(!json.contains(secret)) }

        // Every probe is recorded, each endpoint under its latest audit.
        let recorded = try store.latestAuditProbes()
        #expect(recorded.values.reduce(0) { $0 + $1.count } == report.endpoints.reduce(0) { $0 + $1.probes.count })
        #expect(recorded[JobRef(app: "redirect", job: "job")]?.first?.verdict == "let_in")
    }

    @Test("the wrong bearer is as long as the real secret, and never equal to it")
    func wrongBearer() async throws {
        let (_, requests, _) = try await audit(AuditRequest(jobs: [JobRef(app: "strict", job: "job")]))
        let bearers = requests.compactMap(\.authorization).filter { $0.hasPrefix("Bearer ") }.map { String($0.dropFirst(7)) }
        let wrong = try #require(bearers.first { $0 != "undefined" && $0 != "null" && !$0.isEmpty })
        #expect(wrong.count == F.cronSecret.count && wrong != F.cronSecret)
        #expect(Set(bearers).isSuperset(of: ["undefined", "null"]))
        #expect(requests.contains { $0.authorization == "Bearer" || $0.authorization == "Bearer " })
    }

    @Test("a secret whose value a probe would send is never sent: that probe is skipped")
    func guardSkipsTheRealSecret() async throws {
        let server = try F.server(openElsewhere: "http://127.0.0.1:9")
        defer { server.stop() }
        let store = try InventoryStore.inMemory(seed: F.inventory(base: server.baseURL, signedBase: server.baseURL))
        var environment = F.environment
        environment["RBSCRON_SECRET_STRICT_CRON_SECRET"] = "undefined"
        let report = try await F.workspace(store, environment: environment)
            .audit(AuditRequest(jobs: [JobRef(app: "strict", job: "job")]))
        let skipped = try probe(try endpoint(report, "strict/job"), .bearerUndefined)
        #expect(skipped.verdict == .skipped && skipped.detail?.contains("real secret") == true)
        #expect(!server.requests.contains { $0.authorization == "Bearer undefined" })
        #expect(report.findings.contains { $0.rule == "secret.short" && $0.subject == "strict/CRON_SECRET" })
    }

    @Test("--dry-run and a declined confirmation send nothing and record nothing")
    func nothingSent() async throws {
        let server = try F.server(openElsewhere: "http://127.0.0.1:9")
        defer { server.stop() }
        let store = try InventoryStore.inMemory(seed: F.inventory(base: server.baseURL, signedBase: server.baseURL))
        let workspace = F.workspace(store)
        let plan = try await workspace.audit(AuditRequest(dryRun: true))
        #expect(plan.dryRun && plan.endpoints.count == 8)
        #expect(plan.endpoints.flatMap(\.probes).allSatisfy { $0.verdict == .planned && $0.severity == nil })
        #expect(try #require(plan.endpoints.first { $0.job.description == "postonly/dispatcher" }).methodCheck?.result == .planned)
        #expect(!plan.hasCritical)

        let asked = TestLocked<Int>(0)
        await #expect(throws: AuditError.declined) {
            _ = try await workspace.audit(AuditRequest()) { plan in
                asked.withLock { $0 = plan.probeCount }
                return false
            }
        }
        #expect(asked.withLock { $0 } > 30)
        #expect(server.requests.isEmpty)
        #expect(try store.latestAuditProbes().isEmpty)
    }

    @Test("one endpoint at a time per app, apps in parallel")
    func concurrency() async throws {
        let server = try LoopbackServer { _ in .json(401, #"{"error":"unauthorized"}"#, delayMs: 150) }
        defer { server.stop() }
        let apps = ["one", "two", "three"].map { App(name: $0, displayName: $0, baseURL: server.baseURL, platform: .other) }
        let jobs = apps.flatMap { app in
            (1...2).map { Job(app: app.name, name: "job-\($0)", path: "/api/cron/\(app.name)-\($0)", layer: .manual) }
        }
        let store = try InventoryStore.inMemory(seed: Inventory(apps: apps, jobs: jobs))
        _ = try await F.workspace(store, environment: [:]).audit(AuditRequest(app: "one"))
        #expect(server.peakInFlight == 1)
        #expect(server.requests.count == 10)
        _ = try await F.workspace(store, environment: [:]).audit(AuditRequest(parallel: 3))
        #expect(server.peakInFlight > 1)
        #expect(server.peakInFlight <= 3)
    }

    @Test("jobs declared auth none are not probed, and named in a finding")
    func authNone() async throws {
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let app = App(name: "shop", displayName: "Shop", baseURL: server.baseURL, platform: .other)
        let jobs = [Job(app: "shop", name: "open", path: "/api/cron/open", layer: .manual, auth: .none),
                    Job(app: "shop", name: "same", path: "/api/cron/strict", layer: .manual),
                    Job(app: "shop", name: "again", path: "/api/cron/strict", layer: .manual)]
        let store = try InventoryStore.inMemory(seed: Inventory(apps: [app], jobs: jobs))
        let report = try await F.workspace(store, environment: [:]).audit(AuditRequest(dryRun: true))
        #expect(report.endpoints.map(\.job.description) == ["shop/same"])
        #expect(report.notProbed.map(\.job) == ["shop/open", "shop/again"])
        #expect(report.findings.contains { $0.rule == "auth.none" && $0.subject == "shop/open" })
    }
}

@Suite("audit: a QStash endpoint guarded by Upstash's Receiver", .serialized, .timeLimit(.minutes(2)),
       .enabled(if: QStashOracle.shouldRun, "python3 cannot import qstash (pip install qstash); CI=true makes this fail instead"))
struct AuditReceiverTests {
    typealias F = AuditFixture

    func audit(signed: Bool) async throws -> (AuditReport, [(method: String, path: String, headers: [String: String])]) {
        let receiver = try await ReceiverServer(current: F.signingKey, next: F.nextSigningKey)
        defer { receiver.stop() }
        let store = try InventoryStore.inMemory(seed: F.inventory(base: "http://127.0.0.1:9", signedBase: receiver.baseURL))
        let report = try await F.workspace(store).audit(AuditRequest(jobs: [JobRef(app: "signed", job: "job")], signedProbes: signed))
        return (report, receiver.requests)
    }

    @Test("without --signed-probes: every probe refused, and no request carried a JWT signed with the real keys")
    func unsigned() async throws {
        let (report, requests) = try await audit(signed: false)
        let endpoint = try #require(report.endpoints.first)
        #expect(endpoint.probes.map(\.probe) == [.noCredentials, .wrongBearer, .bearerUndefined, .bearerNull, .bearerEmpty,
                                                   .qstashWrongKey])
        #expect(endpoint.probes.allSatisfy { $0.verdict == .refused }, "\(endpoint.probes.map { ($0.probe, $0.httpStatus) })")
        #expect(endpoint.deniesByDefault == true && !report.hasCritical)
        #expect(requests.count == 6)
        let tokens = requests.compactMap { $0.headers["upstash-signature"] }
        #expect(tokens.count == 1)
        for token in tokens {
            #expect(!F.signed(token, with: F.signingKey) && !F.signed(token, with: F.nextSigningKey))
        }
        for request in requests {
            for secret in F.realSecrets { #expect(!request.headers.values.contains { $0.contains(secret) }) }
        }
    }

    @Test("with --signed-probes: expired and wrong-body refused; another URL's signature accepted, reported as info")
    func signedProbes() async throws {
        let (report, requests) = try await audit(signed: true)
        let endpoint = try #require(report.endpoints.first)
        let byProbe = Dictionary(uniqueKeysWithValues: endpoint.probes.map { ($0.probe, $0) })
        #expect(byProbe[.qstashExpired]?.verdict == .refused)
        #expect(byProbe[.qstashWrongBody]?.verdict == .refused)
        #expect(byProbe[.qstashOtherSubject]?.verdict == .letIn)
        #expect(byProbe[.qstashOtherSubject]?.severity == .info)
        #expect(byProbe[.qstashOtherSubject]?.detail?.contains("signature not bound to this URL") == true)
        #expect(!report.hasCritical && endpoint.deniesByDefault == true)
        let finding = try #require(report.findings.first { $0.rule == "qstash.sub-unbound" })
        #expect(finding.severity == .info && finding.fix.contains("url"))
        // Only the three signed probes carry a token signed with the real key.
        let real = requests.compactMap { $0.headers["upstash-signature"] }.filter { F.signed($0, with: F.signingKey) }
        #expect(real.count == 3)
    }
}
