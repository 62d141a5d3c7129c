import Foundation

/// Sends a plan's probes: one endpoint at a time per app, up to `parallel` apps at once, each probe once (nothing is
/// retried) within its job's timeout. An endpoint that lets a probe in gets no further probe: each would run its job
/// again.
struct AuditRunner: Sendable {
    let transport: any HTTPTransport
    let redactor: Redactor
    let now: @Sendable () -> Date
    let insecure: Bool

    /// Bytes of an answer kept, for the excerpt in a probe's detail.
    static let bodyCapBytes = 4096

    /// The endpoints of `plan` with their probes' outcomes, in the plan's order. `progress` is told each endpoint done.
    func run(_ plan: AuditPlan, parallel: Int, progress: (@Sendable (Int, Int) -> Void)?) async -> [EndpointAudit] {
        var apps: [String] = []
        var byApp: [String: [PlannedEndpoint]] = [:]
        for endpoint in plan.endpoints {
            if byApp[endpoint.job.app] == nil { apps.append(endpoint.job.app) }
            byApp[endpoint.job.app, default: []].append(endpoint)
        }
        let total = plan.endpoints.count
        let done = Locked(0)
        let groups = apps.map { byApp[$0] ?? [] }
        let results = await Bounded.mapEvery(groups, limit: parallel) { endpoints in
            var audits: [EndpointAudit] = []
            for endpoint in endpoints {
                audits.append(await self.probe(endpoint))
                let count = done.withLock { value -> Int in value += 1; return value }
                progress?(count, total)
            }
            return audits
        }
        let audited = Dictionary(uniqueKeysWithValues: results.flatMap { $0 }.map { ($0.job, $0) })
        return plan.endpoints.compactMap { audited[$0.job] }
    }

    /// One endpoint's probes, in order.
    func probe(_ endpoint: PlannedEndpoint) async -> EndpointAudit {
        var results: [ProbeResult] = []
        var letIn: AuditProbe?
        for planned in endpoint.probes {
            var result = ProbeResult(probe: planned.probe, method: planned.method, sends: planned.sends,
                                     expected: ProbeResult.expectedRefusal, httpStatus: nil, finalURL: nil, redirects: 0,
                                     verdict: .skipped, severity: nil, detail: nil, totalMs: nil)
            if let reason = planned.skipReason {
                result.detail = "not sent: \(reason)"
            } else if let earlier = letIn {
                result.detail = "not sent: \(earlier.rawValue) already got in, and each further probe would run the job again"
            } else {
                let made = Result { try headers(planned.credential, url: endpoint.url) }
                switch made {
                case .failure(let error):
                    result.detail = "not sent: \(redactor.redact(error.localizedDescription))"
                case .success(let headers) where Self.carriesSecret(headers, endpoint.facts.forbidden):
                    // The guard of last resort: a real secret equal to "undefined", say, is never sent as a probe.
                    result.detail = "not sent: it would carry a real secret of \(endpoint.job.app)"
                case .success(let headers):
                    let seconds = Double(endpoint.timeoutMs) / 1000
                    let request = HTTPRequest(method: planned.method, url: endpoint.url, headers: headers, body: nil,
                                              connectTimeout: min(10, seconds), timeout: seconds,
                                              maxBodyBytes: Self.bodyCapBytes, insecure: insecure)
                    result = ProbeJudge.judge(result, await transport.send(request), redactor: redactor)
                    if result.verdict == .letIn { letIn = planned.probe }
                }
            }
            results.append(result)
        }
        var audit = EndpointAudit(job: endpoint.job, url: endpoint.url, method: endpoint.method, layer: endpoint.layer,
                                  auth: endpoint.auth, timeoutMs: endpoint.timeoutMs, probes: results, methodCheck: nil)
        audit.methodCheck = ProbeJudge.methodCheck(audit)
        return audit
    }

    /// The headers of a probe. Throws when it cannot be made (a URL the signer refuses).
    func headers(_ credential: ProbeCredential, url: String) throws -> [HTTPHeader] {
        switch credential {
        case .none:
            return []
        case .bearer(let value):
            return [HTTPHeader("Authorization", "Bearer \(value)")]
        case .anonKey(let value):
            return [HTTPHeader("Authorization", "Bearer \(value)"), HTTPHeader("apikey", value)]
        case .qstash(let key, let deviation):
            let signer = try QStashSigner(signingKey: key, clock: now)
            return [HTTPHeader(QStashSigner.headerName, try signer.signature(url: url, body: Data(), deviation: deviation))]
        }
    }

    /// True when a header value contains one of `forbidden`.
    static func carriesSecret(_ headers: [HTTPHeader], _ forbidden: [String]) -> Bool {
        headers.contains { header in forbidden.contains { !$0.isEmpty && header.value.contains($0) } }
    }
}
