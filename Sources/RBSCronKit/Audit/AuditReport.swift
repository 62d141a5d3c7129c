import Foundation

/// What `audit` is asked to do.
public struct AuditRequest: Sendable {
    /// Only this app's endpoints (and its secrets, with the global ones).
    public var app: String?
    /// Only these jobs; empty means every HTTP job (of `app`, when given).
    public var jobs: [JobRef]
    /// Also send the probes signed with the real QStash signing key (expired, wrong body hash, other `sub`).
    public var signedProbes: Bool
    /// Plan, run the static checks, send nothing and record nothing.
    public var dryRun: Bool
    /// A secret last set longer ago than this is reported (milliseconds).
    public var maxAgeMs: Int
    /// Apps probed at once; within an app, one endpoint at a time.
    public var parallel: Int
    /// Bounds each probe instead of the job's own timeout.
    public var timeoutMs: Int?
    /// Turns TLS verification off.
    public var insecure: Bool

    /// The default `--max-age`: 90 days.
    public static let defaultMaxAgeMs = 90 * 86_400_000

    public init(app: String? = nil, jobs: [JobRef] = [], signedProbes: Bool = false, dryRun: Bool = false,
                maxAgeMs: Int = AuditRequest.defaultMaxAgeMs, parallel: Int = 4, timeoutMs: Int? = nil,
                insecure: Bool = false) {
        self.app = app
        self.jobs = jobs
        self.signedProbes = signedProbes
        self.dryRun = dryRun
        self.maxAgeMs = maxAgeMs
        self.parallel = parallel
        self.timeoutMs = timeoutMs
        self.insecure = insecure
    }
}

/// Why `audit` stopped before sending anything.
public enum AuditError: Error, LocalizedError, Sendable, Equatable {
    /// The operator answered no when asked to confirm.
    case declined
    /// `--job` named a job that makes no HTTP request (a pg_cron SQL job).
    case notHTTP(String)

    public var errorDescription: String? {
        switch self {
        case .declined:
            return "audit cancelled: no probe was sent."
        case .notHTTP(let job):
            return "\(job) runs SQL inside its database and has no endpoint to probe; leave it out of --job."
        }
    }
}

/// How serious a finding or a probe's outcome is. Only `critical` fails the audit (exit 2).
public enum AuditSeverity: String, Codable, Sendable, CaseIterable, Comparable {
    /// The endpoint runs its job for a caller without the secret.
    case critical
    case warning
    case info
    /// The endpoint refused, as it should.
    case ok

    var rank: Int {
        switch self {
        case .critical: return 0
        case .warning: return 1
        case .info: return 2
        case .ok: return 3
        }
    }

    /// More severe first.
    public static func < (lhs: AuditSeverity, rhs: AuditSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// The probes `audit` sends. None carries a real secret; the three `qstash_*` ones after `anon_key` are signed with
/// the real signing key and are sent only with `--signed-probes`.
public enum AuditProbe: String, Codable, Sendable, CaseIterable {
    /// No credential at all.
    case noCredentials = "no_credentials"
    /// `Authorization: Bearer` and random characters as long as the real secret.
    case wrongBearer = "wrong_bearer"
    /// `Authorization: Bearer undefined`: what a template string makes of an unset secret.
    case bearerUndefined = "bearer_undefined"
    /// `Authorization: Bearer null`.
    case bearerNull = "bearer_null"
    /// `Authorization: Bearer ` with nothing after it.
    case bearerEmpty = "bearer_empty"
    /// An `Upstash-Signature` JWT for this URL and body, signed with a random key.
    case qstashWrongKey = "qstash_wrong_key"
    /// The project's anon key where the service role key belongs (`Authorization` and `apikey`).
    case anonKey = "anon_key"
    /// A GET with no credential: Vercel Cron calls with GET whatever the job declares.
    case vercelGet = "vercel_get"
    /// Signed with the real key, expired five minutes ago.
    case qstashExpired = "qstash_expired"
    /// Signed with the real key, its `body` claim the hash of another body.
    case qstashWrongBody = "qstash_wrong_body"
    /// Signed with the real key, its `sub` claim another URL.
    case qstashOtherSubject = "qstash_other_sub"

    /// True for the probes signed with the real signing key (`--signed-probes`).
    public var usesRealKey: Bool {
        switch self {
        case .qstashExpired, .qstashWrongBody, .qstashOtherSubject: return true
        default: return false
        }
    }

    /// How serious it is when the endpoint lets this probe in.
    public var severityWhenLetIn: AuditSeverity {
        switch self {
        case .qstashExpired, .qstashWrongBody: return .warning
        case .qstashOtherSubject: return .info
        default: return .critical
        }
    }
}

/// What one probe's answer means.
public enum ProbeVerdict: String, Codable, Sendable {
    /// 401 or 403: denied, as it should be.
    case refused
    /// A 2xx (after any redirects): the endpoint let the probe in and ran its job.
    case letIn = "let_in"
    /// A 5xx or 429: "secret not configured", or the job failing after it ran; never counted as a refusal.
    case inconclusive
    /// 405: no handler for the method.
    case methodNotAllowed = "method_not_allowed"
    /// 404: no route at the path.
    case notFound = "not_found"
    /// Another status: not the 401/403 of a refusal.
    case unexpected
    /// No answer: connection refused, timeout, DNS, TLS, redirect loop.
    case unreachable
    /// Not sent (see the detail).
    case skipped
    /// `--dry-run`: would be sent.
    case planned
}

/// One probe of one endpoint and its outcome.
public struct ProbeResult: Encodable, Sendable, Equatable {
    public var probe: AuditProbe
    public var method: String
    /// What the probe sends, in words; never a secret.
    public var sends: String
    public var expected: String
    public var httpStatus: Int?
    /// The URL that answered, when redirects were followed.
    public var finalURL: String?
    public var redirects: Int
    public var verdict: ProbeVerdict
    /// Nil for a probe that was not sent.
    public var severity: AuditSeverity?
    /// What it means, with a redacted excerpt of the answer; nil for a plain refusal.
    public var detail: String?
    public var totalMs: Double?

    /// Every probe expects a refusal.
    public static let expectedRefusal = "401 or 403"

    enum CodingKeys: String, CodingKey {
        case probe, method, sends, expected, httpStatus = "http_status", finalURL = "final_url", redirects, verdict,
             severity, detail, totalMs = "total_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(probe, forKey: .probe)
        try c.encode(method, forKey: .method)
        try c.encode(sends, forKey: .sends)
        try c.encode(expected, forKey: .expected)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(finalURL, forKey: .finalURL)
        try c.encode(redirects, forKey: .redirects)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(severity, forKey: .severity)
        try c.encode(detail, forKey: .detail)
        try c.encode(totalMs.map { ($0 * 10).rounded() / 10 }, forKey: .totalMs)
    }
}

/// For a Vercel Cron job declared with another method than GET: does the live endpoint handle GET?
public struct MethodCheck: Encodable, Sendable, Equatable {
    public enum Result: String, Codable, Sendable {
        /// GET answered 405: no GET handler, the cron never runs (`schedule check`'s `vercel.method-get` holds).
        case confirmed
        /// GET is handled (it answered something else than 405): the finding does not hold against the endpoint.
        case cleared
        /// No answer to judge by (unreachable, 5xx, not sent).
        case inconclusive
        /// `--dry-run`.
        case planned
    }

    public var declared: String
    public var getStatus: Int?
    public var result: Result

    enum CodingKeys: String, CodingKey { case declared, getStatus = "get_status", result }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(declared, forKey: .declared)
        try c.encode(getStatus, forKey: .getStatus)
        try c.encode(result, forKey: .result)
    }
}

/// One endpoint (a job's URL and method) and its probes.
public struct EndpointAudit: Encodable, Sendable, Equatable {
    public var job: JobRef
    public var url: String
    public var method: String
    public var layer: Layer
    public var auth: AuthKind
    public var timeoutMs: Int
    public var probes: [ProbeResult]
    /// Vercel Cron jobs declared with a method other than GET; nil otherwise.
    public var methodCheck: MethodCheck?

    /// The most serious outcome of the probes sent; nil when none was sent.
    public var severity: AuditSeverity? { probes.compactMap(\.severity).min() }

    /// True when every probe without the real key was refused with 401 or 403 (405 for the extra GET of a Vercel
    /// job); nil when none was sent.
    public var deniesByDefault: Bool? {
        let sent = probes.filter { $0.severity != nil }
        guard !sent.isEmpty else { return nil }
        return sent.filter { !$0.probe.usesRealKey }.allSatisfy { result in
            result.verdict == .refused || (result.probe == .vercelGet && result.verdict == .methodNotAllowed)
        } && !sent.contains { $0.severity == .critical }
    }

    enum CodingKeys: String, CodingKey {
        case app, job, address, url, method, layer, auth, timeoutMs = "timeout_ms", probes, methodCheck = "method_check", severity,
             deniesByDefault = "denies_by_default"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job.app, forKey: .app)
        try c.encode(job.description, forKey: .job)
        try c.encode(job.description, forKey: .address)
        try c.encode(url, forKey: .url)
        try c.encode(method, forKey: .method)
        try c.encode(layer, forKey: .layer)
        try c.encode(auth, forKey: .auth)
        try c.encode(timeoutMs, forKey: .timeoutMs)
        try c.encode(probes, forKey: .probes)
        try c.encode(methodCheck, forKey: .methodCheck)
        try c.encode(severity, forKey: .severity)
        try c.encode(deniesByDefault, forKey: .deniesByDefault)
    }
}

/// A job of the selection that is not probed, and why.
public struct NotProbed: Encodable, Sendable, Equatable {
    public var job: String
    public var reason: String
}

/// Something to act on: from the probes (an endpoint that let a caller in) or from the inventory (a weak, shared or
/// old secret; an endpoint declared without auth). Names scopes and keys, never a value.
public struct AuditFinding: Encodable, Sendable, Equatable {
    public var severity: AuditSeverity
    /// A stable id (`endpoint.let-in`, `secret.shared`, …).
    public var rule: String
    /// `APP/JOB`, `SCOPE/KEY` or an app.
    public var subject: String
    public var message: String
    public var fix: String
}

/// What `audit` reports. Its JSON is a contract (README "Auditing endpoints").
public struct AuditReport: Encodable, Sendable {
    public struct Summary: Encodable, Sendable, Equatable {
        public var endpoints: Int
        public var probesSent: Int
        /// Endpoints whose every probe without the real key was refused.
        public var deniesByDefault: Int
        public var critical: Int
        public var warning: Int
        public var info: Int

        enum CodingKeys: String, CodingKey {
            case endpoints, probesSent = "probes_sent", deniesByDefault = "denies_by_default", critical, warning, info
        }
    }

    public var auditedAt: Date
    public var dryRun: Bool
    public var signedProbes: Bool
    public var maxAgeMs: Int
    public var endpoints: [EndpointAudit]
    public var notProbed: [NotProbed]
    /// Most severe first.
    public var findings: [AuditFinding]

    public var summary: Summary {
        Summary(endpoints: endpoints.count,
                probesSent: endpoints.reduce(0) { $0 + $1.probes.filter { $0.severity != nil }.count },
                deniesByDefault: endpoints.filter { $0.deniesByDefault == true }.count,
                critical: findings.filter { $0.severity == .critical }.count,
                warning: findings.filter { $0.severity == .warning }.count,
                info: findings.filter { $0.severity == .info }.count)
    }

    /// True when an endpoint let a caller without the secret in: the audit fails (exit 2).
    public var hasCritical: Bool { findings.contains { $0.severity == .critical } }

    enum CodingKeys: String, CodingKey {
        case auditedAt = "audited_at", dryRun = "dry_run", signedProbes = "signed_probes", maxAgeMs = "max_age_ms",
             summary, endpoints, notProbed = "not_probed", findings
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(auditedAt, forKey: .auditedAt)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(signedProbes, forKey: .signedProbes)
        try c.encode(maxAgeMs, forKey: .maxAgeMs)
        try c.encode(summary, forKey: .summary)
        try c.encode(endpoints, forKey: .endpoints)
        try c.encode(notProbed, forKey: .notProbed)
        try c.encode(findings, forKey: .findings)
    }
}
