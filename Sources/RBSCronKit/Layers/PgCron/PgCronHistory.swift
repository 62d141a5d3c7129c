import Foundation

/// One row of `cron.job_run_details` joined with `cron.job`, as the history query returns it.
public struct PgCronRunRow: Sendable, Equatable, Decodable {
    public var runid: Int64
    public var jobname: String
    public var status: String
    public var returnMessage: String?
    public var startMs: Int64?
    public var endMs: Int64?
    /// Whether `rbscron.fires` holds the call this run made (nil when the database keeps no fire history).
    public var hasFire: Bool?

    public init(runid: Int64, jobname: String, status: String, returnMessage: String? = nil, startMs: Int64?, endMs: Int64?,
                hasFire: Bool? = nil) {
        self.runid = runid
        self.jobname = jobname
        self.status = status
        self.returnMessage = returnMessage
        self.startMs = startMs
        self.endMs = endMs
        self.hasFire = hasFire
    }

    enum CodingKeys: String, CodingKey {
        case runid, jobname, status, returnMessage = "return_message", startMs = "start_ms", endMs = "end_ms",
             hasFire = "has_fire"
    }

    /// PostgreSQL's bigint may arrive as a JSON number or a string; both are accepted.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let runid = c.bigint(.runid) else {
            throw DecodingError.dataCorruptedError(forKey: .runid, in: c, debugDescription: "runid is missing")
        }
        self.runid = runid
        jobname = try c.decode(String.self, forKey: .jobname)
        status = try c.decode(String.self, forKey: .status)
        returnMessage = try c.decodeIfPresent(String.self, forKey: .returnMessage)
        startMs = c.bigint(.startMs)
        endMs = c.bigint(.endMs)
        hasFire = try c.decodeIfPresent(Bool.self, forKey: .hasFire)
    }
}

extension KeyedDecodingContainer {
    /// A PostgreSQL bigint as the Management API sends it: a JSON number, or a string; nil when absent or null.
    func bigint(_ key: Key) -> Int64? {
        if let value = try? decodeIfPresent(Int64.self, forKey: key) { return value }
        if let text = try? decodeIfPresent(String.self, forKey: key) { return Int64(text) }
        if let double = try? decodeIfPresent(Double.self, forKey: key) { return Int64(double) }
        return nil
    }
}

/// Reads pg_cron's tables (run history for `stats --sync`, `cron.job` for `list schedules --remote`) through
/// Supabase's Management API SQL endpoint: `POST {base}/v1/projects/{ref}/database/query` with `{"query": …}` and
/// `Authorization: Bearer <SUPABASE_ACCESS_TOKEN>`.
public struct PgCronHistoryClient: Sendable {
    public static let defaultBaseURL = "https://api.supabase.com"
    public static let service = "the Supabase Management API"

    let transport: any HTTPTransport
    let baseURL: String
    let token: String
    let redactor: Redactor

    /// `SUPABASE_API_URL` from `environment` when set, else Supabase's public API.
    public static func baseURL(environment: [String: String]) -> String {
        if let url = environment["SUPABASE_API_URL"], !url.isEmpty { return url }
        return defaultBaseURL
    }

    public init(transport: any HTTPTransport, baseURL: String = PgCronHistoryClient.defaultBaseURL, token: String,
                redactor: Redactor = .none) {
        self.transport = transport
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.redactor = redactor.adding([token])
    }

    /// The `SUPABASE_ACCESS_TOKEN` for a project that `apps` use: the first of their scopes that has one, else the
    /// global one. Deny by default: with none stored this throws ``RemoteHistoryError/missingToken(service:key:scope:)``
    /// (naming the secret and how to store it), so no request is ever made without it.
    public static func accessToken(apps: [String], projectRef ref: String, secrets: any SecretProvider) throws -> String {
        var stored: String?
        for app in apps where stored == nil {
            stored = try secrets.secret(app: app, key: SecretKeys.supabaseAccessToken)
        }
        if apps.isEmpty { stored = try secrets.secret(app: SecretKeys.globalScope, key: SecretKeys.supabaseAccessToken) }
        guard let token = stored, !token.isEmpty else {
            throw RemoteHistoryError.missingToken(service: service, key: SecretKeys.supabaseAccessToken, scope: apps.first ?? ref)
        }
        return token
    }

    /// The read-only query for the finished runs since `sinceMs` of jobs named `rbs-<app>-…` for `apps`, and of the
    /// keep-alive jobs named in `extraJobNames`. With `linkFires`, each row says whether `rbscron.fires` holds the
    /// call it made (by pg_cron's run id, or, where the invoker could not learn it, by job name and time).
    public static func historyQuery(apps: [String], extraJobNames: [String], sinceMs: Int64, linkFires: Bool = false) -> String {
        var names = apps.sorted().map { app -> String in
            let prefix = ScheduleID.appPrefix(app)
            return "left(j.jobname, \(prefix.utf8.count)) = \(SQLText.literal(prefix))"
        }
        if !extraJobNames.isEmpty { names.append("j.jobname = ANY (\(SQLText.textArray(extraJobNames.sorted())))") }
        let filter = names.isEmpty ? "false" : names.joined(separator: " OR ")
        let fires = PgCronSQL.invokerSchema + ".fires"
        let link = linkFires ? """
            ,
                   EXISTS (SELECT 1 FROM \(fires) f WHERE f.cron_runid = d.runid
                           OR (f.cron_runid IS NULL AND f.trigger = 'cron'
                               AND f.job_name = regexp_replace(j.jobname::text, '[.][0-9]+$', '')
                               AND f.fired_at BETWEEN d.start_time AND coalesce(d.end_time, d.start_time) + interval '1 second')) AS has_fire
            """ : ""
        return """
            SELECT d.runid, j.jobname::text AS jobname, d.status, left(d.return_message, 500) AS return_message,
                   floor(extract(epoch FROM d.start_time) * 1000)::bigint AS start_ms,
                   floor(extract(epoch FROM d.end_time) * 1000)::bigint AS end_ms\(link)
            FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid
            WHERE (\(filter))
              AND d.status IN ('succeeded', 'failed')
              AND d.start_time >= to_timestamp(\(sinceMs / 1000))
            ORDER BY d.runid
            """
    }

    /// Runs the history `query` in project `ref` and decodes the rows.
    public func runs(projectRef ref: String, query: String) async throws(RemoteHistoryError) -> [PgCronRunRow] {
        try await rows(PgCronRunRow.self, projectRef: ref, query: query)
    }

    /// The project's status as the Management API reports it (`GET /v1/projects/{ref}`): `ACTIVE_HEALTHY`,
    /// `INACTIVE` (paused), `PAUSING`, `RESTORING`…; nil when the API has no such endpoint or answer (404).
    public func projectStatus(projectRef ref: String) async throws(RemoteHistoryError) -> String? {
        try Self.checkRef(ref)
        let request = HTTPRequest(
            method: "GET", url: "\(baseURL)/v1/projects/\(ref)",
            headers: [HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("User-Agent", RBSCronVersion.userAgent)],
            timeout: 30, maxBodyBytes: 1 << 20)
        let response: HTTPResponse
        switch await transport.send(request) {
        case .success(let r): response = r
        case .failure(let error): throw .transport(service: Self.service, message: redactor.remote(error.localizedDescription))
        }
        if response.status == 404 { return nil }
        guard (200..<300).contains(response.status) else {
            throw .http(service: Self.service, status: response.status, detail: redactor.excerpt(response.body))
        }
        struct Project: Decodable { var status: String? }
        return (try? JSONDecoder().decode(Project.self, from: response.body))?.status
    }

    /// Statuses in which a project's database runs nothing (Supabase paused it, or is pausing it).
    public static let pausedStatuses: Set<String> = ["INACTIVE", "PAUSING", "PAUSE_FAILED", "REMOVED", "GOING_DOWN"]

    /// A project ref names one path segment; anything else is refused before a request is made.
    static func checkRef(_ ref: String) throws(RemoteHistoryError) {
        // The manifest's own rule for supabase.project_ref, so what import accepts is what is asked for.
        guard InventoryValidator.isProjectRef(ref) else { throw .badProjectRef(ref) }
    }

    /// Runs the read-only `query` in project `ref` and decodes its rows (the endpoint answers a JSON array of objects).
    /// The token is sent only to the base URL and never appears in an error.
    public func rows<Row: Decodable>(_ type: Row.Type, projectRef ref: String, query: String)
        async throws(RemoteHistoryError) -> [Row] {
        try Self.checkRef(ref)
        let body: Data
        do {
            body = try JSONSerialization.data(withJSONObject: ["query": query])
        } catch {
            throw .malformed(service: Self.service, detail: "\(error)")
        }
        let request = HTTPRequest(
            method: "POST", url: "\(baseURL)/v1/projects/\(ref)/database/query",
            headers: [HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("Content-Type", "application/json"),
                      HTTPHeader("User-Agent", RBSCronVersion.userAgent)],
            body: body, timeout: 60, maxBodyBytes: 32 << 20)
        let response: HTTPResponse
        switch await transport.send(request) {
        case .success(let r): response = r
        case .failure(let error): throw .transport(service: Self.service, message: redactor.remote(error.localizedDescription))
        }
        guard (200..<300).contains(response.status) else {
            throw .http(service: Self.service, status: response.status, detail: redactor.excerpt(response.body))
        }
        do {
            return try JSONDecoder().decode([Row].self, from: response.body)
        } catch {
            throw .malformed(service: Self.service, detail: redactor.remote("\(error)", limit: 300))
        }
    }
}
