import Foundation

/// The credentials an app's probes are built around. The real values are held in memory only: to size the wrong
/// bearer, to sign the `--signed-probes` tokens, and to make sure no probe ever carries one of them.
public struct AuditSecretFacts: Sendable {
    public var cronSecret: String?
    public var serviceRoleKey: String?
    public var anonKey: String?
    public var signingKey: String?
    public var nextSigningKey: String?

    public init(cronSecret: String? = nil, serviceRoleKey: String? = nil, anonKey: String? = nil, signingKey: String? = nil,
                nextSigningKey: String? = nil) {
        self.cronSecret = cronSecret
        self.serviceRoleKey = serviceRoleKey
        self.anonKey = anonKey
        self.signingKey = signingKey
        self.nextSigningKey = nextSigningKey
    }

    /// Looks `app`'s credentials up through `secrets`; a lookup that fails (a sealed value without its master key)
    /// leaves that value unknown and is returned as the error, so the audit can still probe without it.
    public static func gather(app: String, secrets: any SecretProvider) -> (facts: AuditSecretFacts, error: String?) {
        var firstError: String?
        func value(_ key: String) -> String? {
            do {
                return try secrets.secret(app: app, key: key).flatMap { $0.isEmpty ? nil : $0 }
            } catch {
                if firstError == nil { firstError = error.localizedDescription }
                return nil
            }
        }
        let facts = AuditSecretFacts(
            cronSecret: value(SecretKeys.cronSecret), serviceRoleKey: value(SecretKeys.supabaseServiceRoleKey),
            anonKey: value(SecretKeys.supabaseAnonKey), signingKey: value(SecretKeys.qstashCurrentSigningKey),
            nextSigningKey: value(SecretKeys.qstashNextSigningKey))
        return (facts, firstError)
    }

    /// Every value no probe may carry: the job secrets and signing keys (the anon key is public by design).
    var forbidden: [String] {
        [cronSecret, serviceRoleKey, signingKey, nextSigningKey].compactMap { $0 }.filter { !$0.isEmpty }
    }
}

/// What a probe carries, made into headers at send time (a JWT is signed then, with its own clock).
enum ProbeCredential: Sendable {
    case none
    case bearer(String)
    /// The anon key as both `Authorization: Bearer` and `apikey`, as a Supabase client sends it.
    case anonKey(String)
    /// An `Upstash-Signature` JWT signed with `key`, departing from QStash's own as `deviation` says.
    case qstash(key: String, deviation: QStashSigner.Deviation)
}

/// One probe of the plan.
public struct PlannedProbe: Sendable {
    public var probe: AuditProbe
    public var method: String
    /// What it sends, in words; never a secret.
    public var sends: String
    /// Why it will not be sent (no anon key on record, no signing key); nil when it will be.
    public var skipReason: String?
    var credential: ProbeCredential
}

/// One endpoint of the plan and the probes it gets, in order.
public struct PlannedEndpoint: Sendable {
    public var job: JobRef
    public var url: String
    public var method: String
    public var layer: Layer
    public var auth: AuthKind
    public var timeoutMs: Int
    public var probes: [PlannedProbe]
    var facts: AuditSecretFacts
}

/// Everything an audit will send, before any of it is sent: what the operator confirms, what `--dry-run` prints.
public struct AuditPlan: Sendable {
    public var endpoints: [PlannedEndpoint]
    public var notProbed: [NotProbed]
    public var signedProbes: Bool

    /// Probes that will be sent (skipped ones left out).
    public var probeCount: Int { endpoints.reduce(0) { $0 + $1.probes.filter { $0.skipReason == nil }.count } }
    public var appCount: Int { Set(endpoints.map(\.job.app)).count }

    /// Where a `qstash_other_sub` token says it is going: plainly not the endpoint.
    static let otherSubject = "https://rbscron-audit.invalid/api/cron/another-endpoint"
    /// The body a `qstash_wrong_body` token carries the hash of (the probe itself sends no body).
    static let otherBody = Data(#"{"rbscron":"audit"}"#.utf8)
    /// The length of a wrong bearer when the real secret's is unknown: that of a secret rbscron generates.
    static let defaultBearerLength = 43

    /// The jobs `request` selects, and the probes for each.
    ///
    /// - Parameter facts: each app's credentials (see ``AuditSecretFacts/gather(app:secrets:)``).
    /// - Throws: an unknown app or job; ``AuditError/notHTTP(_:)`` for a SQL job named with `--job`.
    public static func make(inventory: Inventory, request: AuditRequest,
                            facts: (String) -> AuditSecretFacts) throws -> AuditPlan {
        let jobs = try selectJobs(inventory: inventory, request: request)
        var plan = AuditPlan(endpoints: [], notProbed: [], signedProbes: request.signedProbes)
        var seen: [String: JobRef] = [:]
        var factsByApp: [String: AuditSecretFacts] = [:]
        for job in jobs {
            guard let path = job.path, let app = inventory.app(named: job.app) else { continue }
            let url = URLRules.join(app.baseURL, path)
            if job.auth == .none {
                plan.notProbed.append(NotProbed(job: job.ref.description, reason:
                    "declared `auth: none`: a probe would run it; see the finding auth.none"))
                continue
            }
            let key = job.method.rawValue + " " + url
            if let first = seen[key] {
                plan.notProbed.append(NotProbed(job: job.ref.description, reason: "the same endpoint as \(first), probed once"))
                continue
            }
            seen[key] = job.ref
            let appFacts = factsByApp[job.app] ?? facts(job.app)
            factsByApp[job.app] = appFacts
            plan.endpoints.append(PlannedEndpoint(
                job: job.ref, url: url, method: job.method.rawValue, layer: job.layer, auth: job.auth,
                timeoutMs: request.timeoutMs ?? job.timeoutMs,
                probes: probes(for: job, facts: appFacts, signed: request.signedProbes), facts: appFacts))
        }
        return plan
    }

    static func selectJobs(inventory: Inventory, request: AuditRequest) throws -> [Job] {
        try InventoryFilter(app: request.app).validate(against: inventory)
        if request.jobs.isEmpty {
            return inventory.jobs.filter { (request.app == nil || $0.app == request.app) && $0.path != nil }
        }
        var jobs: [Job] = []
        for ref in request.jobs {
            let job = try inventory.resolve(ref)
            guard job.path != nil else { throw AuditError.notHTTP(ref.description) }
            if let app = request.app, job.app != app { continue }
            if !jobs.contains(where: { $0.ref == job.ref }) { jobs.append(job) }
        }
        return jobs
    }

    /// The probes of one job, in the order they are sent: the unsigned ones first, those with the real key last.
    static func probes(for job: Job, facts: AuditSecretFacts, signed: Bool) -> [PlannedProbe] {
        func probe(_ kind: AuditProbe, _ sends: String, _ credential: ProbeCredential, method: String? = nil,
                   skip: String? = nil) -> PlannedProbe {
            PlannedProbe(probe: kind, method: method ?? job.method.rawValue, sends: sends, skipReason: skip, credential: credential)
        }
        let secretKey = job.auth == .serviceRole ? SecretKeys.supabaseServiceRoleKey : SecretKeys.cronSecret
        let realLength = (job.auth == .serviceRole ? facts.serviceRoleKey : facts.cronSecret)?.count
        let length = realLength ?? defaultBearerLength
        let lengthNote = realLength != nil ? "as long as \(secretKey)" : "no \(secretKey) on record"
        var list = [
            probe(.noCredentials, "no credentials", .none),
            probe(.wrongBearer, "Authorization: Bearer + \(length) random characters (\(lengthNote))",
                  .bearer(wrongValue(length: length, avoiding: facts.forbidden))),
            probe(.bearerUndefined, "Authorization: Bearer undefined", .bearer("undefined")),
            probe(.bearerNull, "Authorization: Bearer null", .bearer("null")),
            probe(.bearerEmpty, "Authorization: Bearer (empty)", .bearer("")),
        ]
        if job.auth == .qstash {
            list.append(probe(.qstashWrongKey, "Upstash-Signature: a JWT for this URL and body signed with a random key",
                              .qstash(key: "sig_" + wrongValue(length: 28, avoiding: facts.forbidden), deviation: .none)))
        }
        if job.auth == .serviceRole {
            var skip: String?
            if facts.anonKey == nil {
                skip = "no \(SecretKeys.supabaseAnonKey) on record for \(job.app)"
            } else if let anon = facts.anonKey, let role = facts.serviceRoleKey, ConstantTime.equals(anon, role) {
                skip = "the \(SecretKeys.supabaseAnonKey) on record is the service role key itself"
            }
            list.append(probe(.anonKey, "Authorization: Bearer and apikey: the project's \(SecretKeys.supabaseAnonKey)",
                              .anonKey(facts.anonKey ?? ""), skip: skip))
        }
        if job.layer == .vercel && job.method != .GET {
            list.append(probe(.vercelGet, "GET with no credentials (Vercel Cron calls with GET)", .none, method: "GET"))
        }
        if job.auth == .qstash && signed {
            let key = facts.signingKey ?? ""
            let skip = facts.signingKey == nil ? "no \(SecretKeys.qstashCurrentSigningKey) on record for \(job.app)" : nil
            let expired = QStashSigner.Deviation(issuedAtOffset: -(QStashSigner.lifetime + 300))
            list.append(probe(.qstashExpired, "Upstash-Signature signed with the real signing key, expired 5 minutes ago",
                              .qstash(key: key, deviation: expired), skip: skip))
            list.append(probe(.qstashWrongBody, "Upstash-Signature signed with the real signing key for another body",
                              .qstash(key: key, deviation: QStashSigner.Deviation(claimedBody: otherBody)), skip: skip))
            list.append(probe(.qstashOtherSubject, "Upstash-Signature signed with the real signing key for another URL (sub)",
                              .qstash(key: key, deviation: QStashSigner.Deviation(subject: otherSubject)), skip: skip))
        }
        return list
    }

    /// Random base64url characters, `length` of them, equal to none of `avoiding`.
    static func wrongValue(length: Int, avoiding: [String]) -> String {
        while true {
            var text = ""
            while text.count < length {
                text += SecretGenerator.base64URL(Data(SecureRandom.bytes(count: 48)), padded: false)
            }
            let value = String(text.prefix(length))
            if !avoiding.contains(where: { ConstantTime.equals($0, value) }) { return value }
        }
    }
}
