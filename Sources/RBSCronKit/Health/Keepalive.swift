import Foundation

/// What became of one project's keep-alive ping.
public enum KeepaliveOutcome: String, Codable, Sendable, CaseIterable {
    /// The project answered 2xx.
    case ok
    /// A request was made and failed (status or transport).
    case failed
    /// No request: the key was missing or the secrets could not be opened (deny by default).
    case denied
    /// The app has a Supabase block without a URL; nothing to ping.
    case notConfigured = "not_configured"
}

/// Which request touches the project.
public enum KeepaliveMode: String, Codable, Sendable {
    /// `POST {url}/rest/v1/rpc/keep_alive`: the app runs the seed's `SELECT keep_alive()` pg_cron job,
    /// so the function exists and the call reaches the database.
    case rpc
    /// `GET {url}/rest/v1/`: PostgREST's root, for projects without the function.
    case rest
}

/// The result for one Supabase project. Keys are a contract (see README).
public struct KeepalivePingResult: Sendable, Equatable, Encodable {
    public var app: String
    public var projectRef: String?
    /// The request URL; nil when not configured.
    public var url: String?
    public var mode: KeepaliveMode?
    public var method: String?
    public var outcome: KeepaliveOutcome
    public var httpStatus: Int?
    /// The secret's name (never its value) sent as `apikey`, when one was found.
    public var key: String?
    /// Why it failed, was denied or is not configured.
    public var reason: String?
    public var totalMs: Double?
    public var pingedAt: Date?

    enum CodingKeys: String, CodingKey {
        case app, projectRef = "project_ref", url, mode, method, outcome, httpStatus = "http_status", key, reason,
             totalMs = "total_ms", pingedAt = "pinged_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app, forKey: .app)
        try c.encode(projectRef, forKey: .projectRef)
        try c.encode(url, forKey: .url)
        try c.encode(mode, forKey: .mode)
        try c.encode(method, forKey: .method)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(key, forKey: .key)
        try c.encode(reason, forKey: .reason)
        try c.encode(totalMs.map(HealthTimings.rounded), forKey: .totalMs)
        try c.encode(pingedAt, forKey: .pingedAt)
    }

    /// The row to store, for a ping that made a request.
    public var record: KeepalivePingRecord? {
        guard outcome == .ok || outcome == .failed, let pingedAt else { return nil }
        return KeepalivePingRecord(app: app, pingedAt: pingedAt, ok: outcome == .ok, httpStatus: httpStatus,
                                   error: outcome == .ok ? nil : reason, totalMs: totalMs)
    }
}

/// Every project's ping, in inventory order. Its JSON is the array of results.
public struct KeepaliveReport: Sendable, Equatable, Encodable {
    public var results: [KeepalivePingResult]

    public func encode(to encoder: any Encoder) throws { try results.encode(to: encoder) }

    /// True when a request failed or a configured project was denied: `keepalive` then exits 2.
    public var anyFailed: Bool { results.contains { $0.outcome == .failed || $0.outcome == .denied } }
}

/// Why a keep-alive command could not run.
public enum KeepaliveError: Error, LocalizedError, Sendable, Equatable {
    /// `--project` names an app without a `supabase` block.
    case noSupabaseProject(app: String, withProjects: [String])
    /// `--sql` without `--project` while several apps have a Supabase project.
    case chooseProject([String])
    /// No app has a Supabase project.
    case noProjects
    /// The secrets could not be opened (no master key, wrong key); every ping is denied with this.
    case secretsUnavailable(String)

    public var errorDescription: String? {
        switch self {
        case .noSupabaseProject(let app, let projects):
            let list = projects.isEmpty ? "none has one" : "those with one: " + projects.joined(separator: ", ")
            return "the app '\(app)' has no Supabase project in the inventory (\(list)). "
                + "Add `supabase: {url: …, project_ref: …}` to it with `rbscron export` / `rbscron import`."
        case .chooseProject(let projects):
            return "several apps have a Supabase project (\(projects.joined(separator: ", "))); choose one with --app."
        case .noProjects:
            return "no app in the inventory has a Supabase project. Add `supabase: {url: …}` to an app with `rbscron export` / `rbscron import`."
        case .secretsUnavailable(let reason):
            return "the inventory's secrets cannot be opened: \(reason)"
        }
    }
}

/// A provider that has no secrets to give because they could not be opened; every lookup fails with `reason`,
/// so the projects that need a key are denied (and say why) while the others are still reported.
public struct UnavailableSecrets: SecretProvider {
    public let reason: String

    public init(reason: String) { self.reason = reason }

    public func secret(app: String, key: String) throws -> String? { throw KeepaliveError.secretsUnavailable(reason) }
    public func valuesForRedaction() throws -> [String] { [] }
}

/// Touches every Supabase project with a cheap authenticated request, so a free-tier project does not
/// pause after 7 days without activity.
public struct KeepalivePinger: Sendable {
    /// The keys tried, in order: the anon key is enough for PostgREST and the `keep_alive()` RPC, so the
    /// more powerful service-role key is used only when there is no anon key.
    public static let keyOrder = [SecretKeys.supabaseAnonKey, SecretKeys.supabaseServiceRoleKey]

    let transport: any HTTPTransport
    let secrets: any SecretProvider
    let now: @Sendable () -> Date

    public init(transport: any HTTPTransport, secrets: any SecretProvider, now: @escaping @Sendable () -> Date = { Date() }) {
        self.transport = transport
        self.secrets = secrets
        self.now = now
    }

    /// The apps with a `supabase` block, or the one named.
    public static func projects(in inventory: Inventory, project: String?) throws -> [App] {
        let withProjects = inventory.apps.filter { $0.supabase != nil }
        guard let project else { return withProjects }
        try InventoryFilter(app: project).validate(against: inventory)
        guard let app = withProjects.first(where: { $0.name == project }) else {
            throw KeepaliveError.noSupabaseProject(app: project, withProjects: withProjects.map(\.name))
        }
        return [app]
    }

    /// Whether the app runs the seed's keep-alive on pg_cron (`SELECT keep_alive()`), so the RPC exists.
    public static func hasKeepAliveFunction(app: String, in inventory: Inventory) -> Bool {
        inventory.jobs.contains { job in
            guard job.app == app, job.layer == .pgCron, let sql = job.sql else { return false }
            var text = sql.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if text.hasSuffix(";") { text = String(text.dropLast()).trimmingCharacters(in: .whitespaces) }
            let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return words == "select keep_alive()" || words == "select public.keep_alive()"
        }
    }

    /// Pings the projects (all, or `project`), in parallel, `timeoutMs` each.
    public func run(inventory: Inventory, project: String?, timeoutMs: Int = 10_000,
                    insecure: Bool = false) async throws -> KeepaliveReport {
        let apps = try Self.projects(in: inventory, project: project)
        let results = await Bounded.mapEvery(apps, limit: 8) { app in
            await self.ping(app, inventory: inventory, timeoutMs: timeoutMs, insecure: insecure)
        }
        return KeepaliveReport(results: results)
    }

    func ping(_ app: App, inventory: Inventory, timeoutMs: Int, insecure: Bool) async -> KeepalivePingResult {
        var result = KeepalivePingResult(app: app.name, projectRef: app.supabase?.projectRef, outcome: .notConfigured)
        guard let base = app.supabase?.url, !base.isEmpty else {
            result.reason = "no Supabase URL in the inventory; add supabase.url to ping it"
            return result
        }
        let rpc = Self.hasKeepAliveFunction(app: app.name, in: inventory)
        result.mode = rpc ? .rpc : .rest
        result.method = rpc ? "POST" : "GET"
        let url = URLRules.join(base, rpc ? "/rest/v1/rpc/keep_alive" : "/rest/v1/")
        result.url = url

        var found: (name: String, value: String)?
        do {
            for name in Self.keyOrder {
                if let value = try secrets.secret(app: app.name, key: name), !value.isEmpty {
                    found = (name, value)
                    break
                }
            }
        } catch {
            result.outcome = .denied
            result.reason = "no request made: " + ((error as? LocalizedError)?.errorDescription ?? "\(error)")
            return result
        }
        guard let found else {
            result.outcome = .denied
            result.reason = "no request made: neither \(SecretKeys.supabaseAnonKey) nor \(SecretKeys.supabaseServiceRoleKey) "
                + "is set for \(app.name) or global (rbscron secret set \(app.name) \(SecretKeys.supabaseAnonKey))"
            return result
        }
        let (keyName, keyValue) = found
        result.key = keyName

        var headers = [HTTPHeader("apikey", keyValue), HTTPHeader("Authorization", "Bearer \(keyValue)")]
        var body: Data?
        if rpc {
            headers.append(HTTPHeader("Content-Type", "application/json"))
            body = Data("{}".utf8)
        }
        let timeout = Double(max(1, timeoutMs)) / 1000
        let request = HTTPRequest(method: rpc ? "POST" : "GET", url: url, headers: headers, body: body,
                                  connectTimeout: min(timeout, 10), timeout: timeout, maxBodyBytes: 1024, insecure: insecure)
        result.pingedAt = now()
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = await transport.send(request)
        switch outcome {
        case .success(let response):
            result.httpStatus = response.status
            result.totalMs = response.timings.totalMs
            if (200..<300).contains(response.status) {
                result.outcome = .ok
            } else {
                result.outcome = .failed
                result.reason = Self.describe(status: response.status, rpc: rpc, keyName: keyName)
            }
        case .failure(let error):
            result.totalMs = HealthChecker.milliseconds(clock.now - started)
            result.outcome = .failed
            result.reason = HealthChecker.describe(error).1
        }
        return result
    }

    static func describe(status: Int, rpc: Bool, keyName: String) -> String {
        switch status {
        case 401, 403:
            return "HTTP \(status): the project refused \(keyName); check it with `rbscron secret list`"
        case 404 where rpc:
            return "HTTP 404: no keep_alive() function; apply `rbscron keepalive --sql` to the project"
        case 540:
            return "HTTP 540: the project is paused; restore it in the Supabase dashboard, then apply `rbscron keepalive --sql`"
        default:
            return "HTTP \(status), expected 2xx"
        }
    }
}
