import Crypto
import Foundation
import Testing

@testable import RBSCronKit

@Suite("trigger over loopback HTTP", .timeLimit(.minutes(1)))
struct TriggerTests {
    @Test("a 2xx is ok: one run, started then finished, with the bearer sent")
    func okRun() async throws {
        let seenDuringRequest = TestLocked<[StoredRun]>([])
        let holder = TestLocked<InventoryStore?>(nil)
        let server = try await LoopbackHTTPServer.start { _ in
            if let store = holder.withLock({ $0 }) { seenDuringRequest.withLock { $0 = (try? store.runs()) ?? [] } }
            return .text(200, #"{"success":true,"message":"Generated 2 specs"}"#)
        }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("digest")])
        holder.withLock { $0 = store }
        let trigger = try makeTrigger(store, time: FakeTime())
        let report = try await trigger.fire("digest")
        await server.stop()

        #expect(report.outcome == .ok && report.httpStatus == 200 && report.attempts == 1)
        #expect(report.timings != nil && report.error == nil && report.deadLetterID == nil)
        #expect(report.responseExcerpt?.contains("Generated 2 specs") == true)
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.method == "POST" && request.path == "/api/cron/digest")
        #expect(request.header("authorization") == "Bearer \(testCronSecret)")
        // The row existed, `started` with our pid, while the request was in flight.
        let during = seenDuringRequest.withLock { $0 }
        #expect(during.count == 1 && during.first?.state == "started" && during.first?.pid == 4242)
        let runs = try store.runs()
        #expect(runs.count == 1)
        #expect(runs[0].state == "finished" && runs[0].outcome == .ok && runs[0].attempts == 1 && runs[0].httpStatus == 200)
        #expect(runs[0].id == report.runID && runs[0].source == .manual)
    }

    @Test("a 4xx is not retried and makes no dead letter")
    func clientErrorNotRetried() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(404, "no such route") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("gone", retries: 3)])
        let time = FakeTime()
        let report = try await makeTrigger(store, time: time).fire("gone")
        await server.stop()

        #expect(report.outcome == .httpError && report.httpStatus == 404 && report.attempts == 1)
        #expect(report.error?.contains("HTTP 404") == true)
        #expect(server.requests.count == 1 && time.sleeps.isEmpty)
        #expect(try store.deadLetters().isEmpty)
    }

    @Test("a 5xx is retried with jittered backoff until a 2xx")
    func serverErrorRetried() async throws {
        let count = TestLocked(0)
        let server = try await LoopbackHTTPServer.start { _ in
            count.withLock { $0 += 1; return $0 } <= 2 ? .text(503, "busy") : .text(200, "ok")
        }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("flaky", retries: 3)])
        let time = FakeTime()
        let report = try await makeTrigger(store, time: time).fire("flaky", TriggerOptions(backoffBaseMs: 1000, backoffCapMs: 30_000))
        await server.stop()

        #expect(report.outcome == .ok && report.attempts == 3 && server.requests.count == 3)
        // Full jitter with random = 0.5: half of 1000, then half of 2000.
        #expect(time.sleeps == [500, 1000])
        #expect(try store.runs().count == 1, "retries are attempts of one run, not new runs")
    }

    @Test("a 429's Retry-After is honoured, in seconds and as an HTTP-date, and capped")
    func retryAfter() async throws {
        let time = FakeTime()
        let date = Date(timeIntervalSince1970: (time.now.timeIntervalSince1970 + 7).rounded(.up))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let httpDate = formatter.string(from: date)
        let values = TestLocked(["3", httpDate, "86400"])
        let server = try await LoopbackHTTPServer.start { _ in
            guard let value = values.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { return .text(200, "ok") }
            return .text(429, "slow down", headers: [("Retry-After", value)])
        }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("limited", retries: 5)])
        let report = try await makeTrigger(store, time: time).fire("limited", TriggerOptions(backoffCapMs: 60_000))
        await server.stop()

        #expect(report.outcome == .ok && report.attempts == 4)
        let sleeps = time.sleeps
        #expect(sleeps.count == 3)
        #expect(sleeps.first == 3000)
        let expectedDateWait = Int((date.timeIntervalSince(Date(timeIntervalSince1970: time.now.timeIntervalSince1970)) * 1000))
        #expect(sleeps.count == 3 && (4000...8000).contains(sleeps[1]), "HTTP-date wait \(sleeps) vs \(expectedDateWait)")
        #expect(sleeps.last == 60_000, "a day's Retry-After is capped at --backoff-cap")
    }

    @Test("a server that never answers ends in timeout, then a dead letter")
    func timeout() async throws {
        let server = try RawTCPServer { fd, server in
            var buffer = Data()
            _ = RawTCPServer.readHead(fd, buffer: &buffer)
            while !server.isStopping { usleep(20_000) }
        }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("hang", timeoutMs: 60_000)])
        let report = try await makeTrigger(store, time: FakeTime()).fire("hang", TriggerOptions(timeoutMs: 400))
        await server.stop()

        #expect(report.outcome == .timeout && report.attempts == 1)
        let letter = try #require(try store.deadLetters().first)
        #expect(letter.job == JobRef(app: "shop", job: "hang") && letter.attempts == 1 && letter.runID == report.runID)
        #expect(report.deadLetterID == letter.id)
    }

    @Test("headers trickling past the timeout end in timeout")
    func slowHeaders() async throws {
        let server = try RawTCPServer { fd, server in
            var buffer = Data()
            guard RawTCPServer.readHead(fd, buffer: &buffer) != nil else { return }
            RawTCPServer.write(fd, "HTTP/1.1 200 OK\r\nX-Slow: ")
            while !server.isStopping {
                guard RawTCPServer.write(fd, "a") else { return }
                usleep(50_000)
            }
        }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("slow")])
        let report = try await makeTrigger(store, time: FakeTime()).fire("slow", TriggerOptions(timeoutMs: 500))
        await server.stop()
        #expect(report.outcome == .timeout)
    }

    @Test("a refused connection is a transport error, retried, then a dead letter with the payload")
    func connectionRefused() async throws {
        let refusing = try RawTCPServer.refusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        let store = try testStore(baseURL: "http://127.0.0.1:\(port)", jobs: [testJob("down", retries: 2)])
        let time = FakeTime()
        let report = try await makeTrigger(store, time: time).fire("down", TriggerOptions(body: Data(#"{"batch":7}"#.utf8)))

        #expect(report.outcome == .transportError && report.attempts == 3 && time.sleeps.count == 2)
        #expect(report.error?.contains("127.0.0.1:\(port)") == true)
        let letter = try #require(try store.deadLetters().first)
        #expect(letter.attempts == 3 && letter.payload == #"{"batch":7}"# && letter.lastError.contains("refused"))
    }

    @Test("a body over the cap is cut to a 4 KiB excerpt")
    func bigBody() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, String(repeating: "é", count: 100_000)) }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("big")])
        let report = try await makeTrigger(store, time: FakeTime()).fire("big")
        await server.stop()

        let excerpt = try #require(report.responseExcerpt)
        #expect(excerpt.utf8.count <= JobTrigger.excerptBytes + "…".utf8.count)
        #expect(excerpt.utf8.count > 4000)
        #expect(excerpt.hasSuffix("é…"), "cut on a character boundary")
        let stored = try #require(try store.runs().first?.responseExcerpt)
        #expect(stored == excerpt)
    }

    @Test("a redirect to another port does not carry the bearer")
    func redirectDropsCredentials() async throws {
        let target = try await LoopbackHTTPServer.start { _ in .text(200, "landed") }
        let origin = try await LoopbackHTTPServer.start { _ in .redirect(307, to: target.baseURL + "/elsewhere") }
        let store = try testStore(baseURL: origin.baseURL, jobs: [testJob("moved")])
        let report = try await makeTrigger(store, time: FakeTime()).fire("moved")
        await origin.stop()
        await target.stop()

        #expect(report.outcome == .ok)
        #expect(origin.requests.first?.header("authorization") == "Bearer \(testCronSecret)")
        let landed = try #require(target.requests.first)
        #expect(landed.header("authorization") == nil)
    }

    @Test("a redirect to file:// is refused and not retried")
    func redirectToFileRefused() async throws {
        let origin = try await LoopbackHTTPServer.start { _ in .redirect(302, to: "file:///etc/passwd") }
        let store = try testStore(baseURL: origin.baseURL, jobs: [testJob("sneaky", retries: 3)])
        let time = FakeTime()
        let report = try await makeTrigger(store, time: time).fire("sneaky")
        await origin.stop()

        #expect(report.outcome == .transportError && report.attempts == 1 && time.sleeps.isEmpty)
        #expect(report.error?.contains("file:///etc/passwd") == true)
        #expect(try store.deadLetters().isEmpty, "a refusal is not worth replaying")
    }

    @Test("ftp:// and file:// job URLs are refused before any I/O", arguments: ["ftp", "file"])
    func otherSchemes(scheme: String) async throws {
        let listener = try RawTCPServer { _, _ in }
        // The store takes an inventory as given; imports validate base URLs, this one did not pass through one.
        let store = try testStore(baseURL: "\(scheme)://127.0.0.1:\(listener.port)", jobs: [testJob("odd", retries: 2)])
        let report = try await makeTrigger(store, time: FakeTime()).fire("odd")
        try await Task.sleep(for: .milliseconds(100))
        await listener.stop()

        #expect(report.outcome == .transportError && report.attempts == 1)
        #expect(report.error?.contains("does not use http or https") == true)
        #expect(listener.accepted == 0)
    }

    @Test("a missing secret denies the run: no request reaches the server")
    func deniedWithoutSecret() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "ok") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("guarded"), testJob("role", auth: .serviceRole),
                                                                  testJob("queue", auth: .qstash)])
        let trigger = try makeTrigger(store, time: FakeTime(), secrets: StaticSecrets(["other": ["CRON_SECRET": testCronSecret]]))
        for name in ["guarded", "role", "queue"] {
            let report = try await trigger.fire(name)
            #expect(report.outcome == .denied && report.attempts == 0 && report.httpStatus == nil)
            #expect(report.error?.contains("RBSCRON_SECRET_SHOP_") == true)
        }
        await server.stop()
        #expect(server.requests.isEmpty)
        #expect(try store.runs().map(\.outcome) == [.denied, .denied, .denied])
        #expect(try store.deadLetters().isEmpty)
    }

    @Test("service_role sends Authorization and apikey; none sends neither")
    func serviceRoleAndNone() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "ok") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("edge", auth: .serviceRole), testJob("open", auth: .none)])
        let trigger = try makeTrigger(store, time: FakeTime())
        _ = try await trigger.fire("edge")
        _ = try await trigger.fire("open")
        await server.stop()

        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests[0].header("authorization") == "Bearer \(testServiceRole)" && requests[0].header("apikey") == testServiceRole)
        #expect(requests[1].header("authorization") == nil && requests[1].header("apikey") == nil)
    }

    @Test("qstash auth sends an Upstash-Signature JWT whose claims and HMAC check out")
    func qstashSignature() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "ok") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("stamp", auth: .qstash)])
        let time = FakeTime()
        let body = Data(#"{"queue":"failed-stamps"}"#.utf8)
        _ = try await makeTrigger(store, time: time).fire("stamp", TriggerOptions(body: body))
        await server.stop()

        let request = try #require(server.requests.first)
        #expect(request.header("authorization") == nil)
        #expect(request.body == body)
        let token = try #require(request.header("upstash-signature"))
        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(parts[0]).\(parts[1])".utf8),
                                                  using: SymmetricKey(data: Data(testSigningKey.utf8)))
        #expect(try #require(base64URLDecode(parts[2])) == Data(mac))
        let headerData = try #require(base64URLDecode(parts[0]))
        let claimsData = try #require(base64URLDecode(parts[1]))
        let header = try #require(try JSONSerialization.jsonObject(with: headerData) as? [String: Any])
        #expect(header["alg"] as? String == "HS256")
        let claims = try #require(try JSONSerialization.jsonObject(with: claimsData) as? [String: Any])
        let iat = Int64(time.now.timeIntervalSince1970.rounded(.down))
        #expect(claims["iss"] as? String == "Upstash")
        #expect(claims["sub"] as? String == server.baseURL + "/api/cron/stamp")
        #expect((claims["iat"] as? NSNumber)?.int64Value == iat && (claims["nbf"] as? NSNumber)?.int64Value == iat)
        #expect((claims["exp"] as? NSNumber)?.int64Value == iat + 300)
        let hash = Data(SHA256.hash(data: body)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(claims["body"] as? String == hash)
    }

    @Test("a secret echoed in the response is redacted in the excerpt, the error and the store")
    func redaction() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            let auth = request.header("authorization") ?? ""
            return .text(500, #"{"error":"bad token \#(auth)","old":"\#(testPreviousCronSecret)"}"#)
        }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("leaky")])
        let report = try await makeTrigger(store, time: FakeTime()).fire("leaky")
        await server.stop()

        for text in [report.responseExcerpt, report.error, try store.runs().first?.responseExcerpt,
                     try store.runs().first?.error, try store.deadLetters().first?.lastError] {
            let value = try #require(text)
            #expect(value.contains("[REDACTED]"))
            #expect(!value.contains(testCronSecret) && !value.contains(testPreviousCronSecret))
        }
        let json = try ReportJSON.encode([report])
        #expect(!json.contains(testCronSecret) && !json.contains(testPreviousCronSecret))
    }

    @Test("a dead letter is replayed once per call, resolved on success")
    func deadLetterReplay() async throws {
        let healthy = TestLocked(false)
        let server = try await LoopbackHTTPServer.start { _ in healthy.withLock { $0 } ? .text(200, "ok") : .text(502, "bad gateway") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("webhook", retries: 1)])
        let trigger = try makeTrigger(store, time: FakeTime())
        let failed = try await trigger.fire("webhook", TriggerOptions(body: Data(#"{"id":1}"#.utf8)))
        #expect(failed.outcome == .httpError && failed.deadLetterID != nil)

        // Still failing: replayed once (one attempt), stays open.
        let inventory = try store.inventory()
        let first = try await trigger.replayDeadLetters(app: nil, limit: 10, inventory: inventory, options: TriggerOptions())
        #expect(first.count == 1 && first[0].source == .replay && first[0].attempts == 1 && first[0].outcome == .httpError)
        #expect(try store.openDeadLetters().first?.replayCount == 1)
        #expect(try store.deadLetters().count == 1, "a failed replay makes no new dead letter")

        healthy.withLock { $0 = true }
        let second = try await trigger.replayDeadLetters(app: "shop", limit: 10, inventory: inventory, options: TriggerOptions())
        #expect(second.count == 1 && second[0].outcome == .ok && second[0].deadLetterID == failed.deadLetterID)
        let third = try await trigger.replayDeadLetters(app: nil, limit: 10, inventory: inventory, options: TriggerOptions())
        await server.stop()

        #expect(third.isEmpty)
        let letter = try #require(try store.deadLetters().first)
        #expect(letter.resolvedAt != nil && letter.replayCount == 2 && letter.replayOutcome == "ok")
        #expect(server.requests.count == 4)  // 2 attempts, 2 replays
        #expect(server.requests.last?.body == Data(#"{"id":1}"#.utf8), "the payload is sent again")
        #expect(try store.runs().map(\.source) == [.replay, .replay, .manual])
    }

    @Test("the breaker opens after K failed runs, skips until the cool-down, then probes and closes")
    func circuitBreaker() async throws {
        let healthy = TestLocked(false)
        let server = try await LoopbackHTTPServer.start { _ in healthy.withLock { $0 } ? .text(200, "ok") : .text(500, "down") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("brittle")])
        let time = FakeTime()
        let trigger = try makeTrigger(store, time: time)
        let options = TriggerOptions(breakerThreshold: 2, breakerCooldownMs: 60_000)

        #expect(try await trigger.fire("brittle", options).outcome == .httpError)
        time.advance(ms: 1000)
        #expect(try await trigger.fire("brittle", options).outcome == .httpError)
        time.advance(ms: 1000)
        let open = try await trigger.fire("brittle", options)
        #expect(open.outcome == .circuitOpen && open.attempts == 0 && open.error?.contains("--force") == true)
        #expect(server.requests.count == 2, "an open breaker sends nothing")

        var forced = options
        forced.force = true
        #expect(try await trigger.fire("brittle", forced).outcome == .httpError)
        #expect(server.requests.count == 3)

        // The forced failure restarted the cool-down; after it, one half-open probe goes through.
        time.advance(ms: 30_000)
        #expect(try await trigger.fire("brittle", options).outcome == .circuitOpen)
        time.advance(ms: 31_000)
        healthy.withLock { $0 = true }
        let probe = try await trigger.fire("brittle", options)
        #expect(probe.outcome == .ok && probe.breakerProbe)
        let after = try await trigger.fire("brittle", options)
        await server.stop()
        #expect(after.outcome == .ok && !after.breakerProbe, "closed again")
        #expect(try store.deadLetters().count == 3, "each failed run left a dead letter")
    }

    @Test("half-open: only the first run in flight probes, the others are skipped; a lost one does not block")
    func exclusiveProbe() async throws {
        let healthy = TestLocked(false)
        let server = try await LoopbackHTTPServer.start { _ in healthy.withLock { $0 } ? .text(200, "ok") : .text(500, "down") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("brittle")])
        let time = FakeTime()
        let trigger = try makeTrigger(store, time: time)
        let options = TriggerOptions(breakerThreshold: 2, breakerCooldownMs: 60_000)
        let ref = JobRef(app: "shop", job: "brittle")
        #expect(try await trigger.fire("brittle", options).outcome == .httpError)
        #expect(try await trigger.fire("brittle", options).outcome == .httpError)
        time.advance(ms: 61_000)
        healthy.withLock { $0 = true }

        // Another process began its probe a moment ago and is still waiting for the answer.
        let other = try #require(try store.beginRun(ref, source: .manual, startedAt: time.now, pid: 1))
        let aside = try await trigger.fire("brittle", options)
        #expect(aside.outcome == .skipped && !aside.breakerProbe && aside.attempts == 0,
                "standing aside is not a failure: it says nothing of the job's health")
        #expect(aside.error?.contains("run \(other)") == true && aside.error?.contains("is its probe") == true)
        #expect(server.requests.count == 2, "standing aside sends nothing")
        var forced = options
        forced.force = true
        #expect(try await trigger.fire("brittle", forced).outcome == .ok, "--force still fires")
        #expect(server.requests.count == 3)

        // A fresh inventory where the other probe was lost long ago (longer than the cool-down and than the job's
        // longest possible run): it no longer holds the breaker.
        let lostStore = try testStore(baseURL: server.baseURL, jobs: [testJob("brittle")])
        let lostTime = FakeTime()
        let lostTrigger = try makeTrigger(lostStore, time: lostTime)
        healthy.withLock { $0 = false }
        #expect(try await lostTrigger.fire("brittle", options).outcome == .httpError)
        #expect(try await lostTrigger.fire("brittle", options).outcome == .httpError)
        lostTime.advance(ms: 200_000)
        healthy.withLock { $0 = true }
        _ = try #require(try lostStore.beginRun(ref, source: .manual, startedAt: lostTime.now.addingTimeInterval(-3600), pid: 1))
        let probe = try await lostTrigger.fire("brittle", options)
        await server.stop()
        #expect(probe.outcome == .ok && probe.breakerProbe)
    }

    @Test("--max-age stops retrying a run that has grown too old")
    func maxAge() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(503, "still down") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("webhook-retry", retries: 10)])
        let time = FakeTime()
        let report = try await makeTrigger(store, time: time).fire(
            "webhook-retry", TriggerOptions(maxAgeMs: 1500, backoffBaseMs: 1000))
        await server.stop()

        // Waits of 500 and 1000 fit within 1.5 s; the next (2000) would not.
        #expect(time.sleeps == [500, 1000])
        #expect(report.attempts == 3 && server.requests.count == 3)
        #expect(report.error?.contains("--max-age 1500ms") == true)
        #expect(report.deadLetterID != nil)
    }

    @Test("runs left started by a dead process are marked abandoned")
    func abandoned() async throws {
        let store = try testStore(baseURL: "http://127.0.0.1:1", jobs: [testJob("x")])
        let ref = JobRef(app: "shop", job: "x")
        let dead = try #require(try store.beginRun(ref, source: .manual, startedAt: Date(), pid: 999_999))
        let live = try #require(try store.beginRun(ref, source: .manual, startedAt: Date(), pid: 4242))
        let marked = try store.markAbandonedRuns(isAlive: { $0 == 4242 }, now: Date())
        #expect(marked == 1)
        let runs = Dictionary(uniqueKeysWithValues: try store.runs().map { ($0.id, $0) })
        #expect(runs[dead]?.state == "abandoned" && runs[dead]?.outcome == .abandoned)
        #expect(runs[live]?.state == "started")
        #expect(RunEnvironment.processExists(getpid()))
        #expect(!RunEnvironment.processExists(0))
    }

    @Test("--dry-run masks credentials, sends nothing and records nothing")
    func dryRun() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "ok") }
        let store = try testStore(baseURL: server.baseURL, jobs: [testJob("digest"), testJob("role", auth: .serviceRole),
                                                                  testJob("queue", auth: .qstash)])
        let trigger = try makeTrigger(store, time: FakeTime())
        let inventory = try store.inventory()
        var texts: [String] = []
        for job in inventory.jobs {
            let request = try trigger.dryRun(job, in: inventory, options: TriggerOptions(body: Data("{}".utf8)))
            #expect(request.url == server.baseURL + (job.path ?? "<no path>"))
            texts.append(try ReportJSON.encode(request))
        }
        await server.stop()
        let all = texts.joined()
        #expect(all.contains("Bearer " + SecretMask.preview(testCronSecret)))
        #expect(all.contains(#""name" : "apikey""#))
        #expect(all.contains("Upstash-Signature"))
        for secret in [testCronSecret, testServiceRole, testSigningKey] { #expect(!all.contains(secret)) }
        #expect(!all.contains("eyJhbGci"), "no usable JWT is shown, only its preview")
        #expect(server.requests.isEmpty)
        #expect(try store.runs().isEmpty)
    }

    @Test("a SQL job cannot be fired over HTTP and leaves no run")
    func sqlJob() async throws {
        let job = Job(app: "shop", name: "keep-alive", path: nil, sql: "SELECT 1", layer: .pgCron, schedule: "0 12 */3 * *", auth: .none)
        let store = try testStore(baseURL: "http://127.0.0.1:1", jobs: [job])
        let trigger = try makeTrigger(store, time: FakeTime())
        await #expect(throws: TriggerError.sqlJob(job.ref)) {
            _ = try await trigger.fire(job, in: try store.inventory(), options: TriggerOptions())
        }
        #expect(try store.runs().isEmpty)
    }

    @Test("a body for a GET job is refused before anything is recorded")
    func bodyOnGet() async throws {
        let store = try testStore(baseURL: "http://127.0.0.1:1", jobs: [testJob("read", method: .GET)])
        let trigger = try makeTrigger(store, time: FakeTime())
        let inventory = try store.inventory()
        let job = try #require(inventory.jobs.first)
        await #expect(throws: TriggerError.bodyNotAllowed(job.ref, method: "GET")) {
            _ = try await trigger.fire(job, in: inventory, options: TriggerOptions(body: Data("{}".utf8)))
        }
        #expect(try store.runs().isEmpty)
    }
}
