import Foundation

/// Where rbscron reads Vercel: the REST API (projects), the request log behind `vercel logs`, and Vercel Schedules.
/// Each can be pointed elsewhere (a stand-in, a proxy) through the environment; only `http` and `https` are accepted.
public struct VercelEndpoints: Sendable, Equatable {
    public static let defaultAPI = "https://api.vercel.com"
    /// The request log is served by vercel.com itself, not by api.vercel.com.
    public static let defaultLogs = "https://vercel.com"
    public static let defaultSchedules = "https://vercel-schedules.com"

    /// `VERCEL_API_URL`.
    public var api: String
    /// `VERCEL_LOGS_URL`.
    public var logs: String
    /// `VERCEL_SCHEDULE_BASE_URL`, the variable Vercel's own Schedules SDK reads.
    public var schedules: String

    public init(api: String = VercelEndpoints.defaultAPI, logs: String = VercelEndpoints.defaultLogs,
                schedules: String = VercelEndpoints.defaultSchedules) {
        self.api = Self.trimmed(api)
        self.logs = Self.trimmed(logs)
        self.schedules = Self.trimmed(schedules)
    }

    /// The endpoints `environment` names, Vercel's own for those it does not; a value that is not an http(s) URL is
    /// refused, never used.
    public static func from(environment: [String: String]) throws(VercelAPIError) -> VercelEndpoints {
        func value(_ variable: String, _ fallback: String) throws(VercelAPIError) -> String {
            guard let text = environment[variable], !text.isEmpty else { return fallback }
            guard URLRules.problem(withBaseURL: Self.trimmed(text)) == nil else {
                throw .invalidBaseURL(variable: variable, value: text)
            }
            return text
        }
        return VercelEndpoints(api: try value("VERCEL_API_URL", defaultAPI), logs: try value("VERCEL_LOGS_URL", defaultLogs),
                               schedules: try value("VERCEL_SCHEDULE_BASE_URL", defaultSchedules))
    }

    private static func trimmed(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// Why reading Vercel failed. Never carries the token: every remote text passes the redactor, which also hides it.
public enum VercelAPIError: Error, LocalizedError, Sendable, Equatable {
    /// A base-URL variable that is not an http(s) URL; nothing was sent.
    case invalidBaseURL(variable: String, value: String)
    /// A project or team identifier that cannot travel in a path or query; nothing was sent.
    case badIdentifier(field: String, value: String)
    /// 401 or 403: the token was refused (or may not read this).
    case refused(service: String, status: Int, detail: String)
    /// 404: no such project, or the service does not have this endpoint (any more).
    case notFound(service: String, detail: String)
    case http(service: String, status: Int, detail: String)
    case transport(service: String, message: String)
    /// An answer whose shape rbscron does not know.
    case malformed(service: String, detail: String)
    /// An answer larger than rbscron reads.
    case tooLarge(service: String, limitBytes: Int)
    /// Paging went on past the limit; stopped.
    case tooManyPages(service: String, pages: Int)

    public var errorDescription: String? {
        switch self {
        case .invalidBaseURL(let variable, let value):
            return "\(variable) is '\(value)', which is not an http or https URL; fix or unset it."
        case .badIdentifier(let field, let value):
            return "'\(value)' is not a Vercel \(field) (letters, digits, '.', '_' and '-'); nothing was sent. Fix it in the manifest."
        case .refused(let service, let status, let detail):
            return "\(service) refused VERCEL_TOKEN (HTTP \(status): \(detail)). Check the token's scope and team, and store it again "
                + "with `rbscron secret set global VERCEL_TOKEN --from-env VERCEL_TOKEN`."
        case .notFound(let service, let detail):
            return "\(service) answered HTTP 404 (\(detail))"
        case .http(let service, let status, let detail):
            return "\(service) answered HTTP \(status): \(detail)"
        case .transport(let service, let message):
            return "could not reach \(service): \(message)"
        case .malformed(let service, let detail):
            return "\(service) sent an answer rbscron cannot read: \(detail)"
        case .tooLarge(let service, let limit):
            return "\(service) sent an answer larger than \(limit / (1 << 20)) MiB; not read"
        case .tooManyPages(let service, let pages):
            return "\(service) kept returning more pages after \(pages); stopped"
        }
    }

    /// 401 or 403: the operator's to fix.
    public var isRefusal: Bool {
        if case .refused = self { return true }
        return false
    }
}

/// A Vercel project as `GET /v9/projects/{idOrName}` returns it: what rbscron needs of it.
public struct VercelProject: Sendable, Equatable, Decodable {
    public var id: String
    public var name: String?
    /// The owner (a team or a user): the request log's `ownerId` when the inventory names no team.
    public var accountId: String?
    /// Vercel Cron's state; nil when the project has never deployed crons.
    public var crons: VercelProjectCrons?

    public init(id: String, name: String? = nil, accountId: String? = nil, crons: VercelProjectCrons? = nil) {
        self.id = id
        self.name = name
        self.accountId = accountId
        self.crons = crons
    }
}

/// The `crons` of a project: the definitions of the deployment they came from and whether they are enabled.
public struct VercelProjectCrons: Sendable, Equatable, Decodable {
    /// When crons were (last) enabled: with the first deployment that declared any.
    public var enabledAt: Date?
    /// Set when crons are disabled for the whole project; nil while they run.
    public var disabledAt: Date?
    public var updatedAt: Date?
    /// The deployment whose vercel.json the definitions come from.
    public var deploymentId: String?
    public var definitions: [VercelCronDefinition]

    public init(enabledAt: Date? = nil, disabledAt: Date? = nil, updatedAt: Date? = nil, deploymentId: String? = nil,
                definitions: [VercelCronDefinition]) {
        self.enabledAt = enabledAt
        self.disabledAt = disabledAt
        self.updatedAt = updatedAt
        self.deploymentId = deploymentId
        self.definitions = definitions
    }

    enum CodingKeys: String, CodingKey { case enabledAt, disabledAt, updatedAt, deploymentId, definitions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabledAt = c.vercelInstant(.enabledAt)
        disabledAt = c.vercelInstant(.disabledAt)
        updatedAt = c.vercelInstant(.updatedAt)
        deploymentId = try c.decodeIfPresent(String.self, forKey: .deploymentId)
        definitions = try c.decodeIfPresent([VercelCronDefinition].self, forKey: .definitions) ?? []
    }
}

/// One cron of the deployed vercel.json.
public struct VercelCronDefinition: Sendable, Equatable, Decodable {
    public var host: String?
    /// The path Vercel calls, query string included when the definition has one.
    public var path: String
    public var schedule: String

    public init(host: String? = nil, path: String, schedule: String) {
        self.host = host
        self.path = path
        self.schedule = schedule
    }
}

/// One request of the project's request log (what `vercel logs` shows). It carries no user agent: a call Vercel
/// Cron made cannot be told from anyone else's call to the same path.
public struct VercelRequestLogRow: Sendable, Equatable {
    public var requestId: String
    public var timestamp: Date
    public var deploymentId: String?
    public var requestMethod: String?
    public var requestPath: String
    /// nil when the row has none (the request had not been answered when it was logged).
    public var statusCode: Int?
    /// `production` or `preview`.
    public var environment: String?

    public init(requestId: String, timestamp: Date, deploymentId: String? = nil, requestMethod: String? = nil,
                requestPath: String, statusCode: Int? = nil, environment: String? = nil) {
        self.requestId = requestId
        self.timestamp = timestamp
        self.deploymentId = deploymentId
        self.requestMethod = requestMethod
        self.requestPath = requestPath
        self.statusCode = statusCode
        self.environment = environment
    }
}

/// What was read of a request log over a window.
public struct VercelRequestLog: Sendable, Equatable {
    public var rows: [VercelRequestLogRow]
    public var pages: Int
    /// False when paging stopped at ``VercelClient/maxLogPages`` with more rows left.
    public var complete: Bool
    /// Rows without an id, a path or a readable timestamp, skipped.
    public var unreadableRows: Int
}

/// A schedule of Vercel Schedules (`GET /v1/schedules`), as far as rbscron uses it: its state and target.
public struct VercelSchedule: Sendable, Equatable {
    /// Unique in its namespace; a static schedule's name is its key in vercel.json.
    public var name: String
    public var namespace: String?
    /// `active` or `inactive`.
    public var state: String
    public var createdAt: Date?
    /// The cron expression, for a recurring schedule.
    public var cron: String?
    public var timezone: String?
    /// Minutes Vercel may start a run after its scheduled time.
    public var jitterMinutes: Int?
    /// `path`, `function` or `queue`.
    public var targetType: String?
    /// The path a `path` target calls (then called like a Vercel Cron path).
    public var targetPath: String?
    /// The method a `path` target is called with, when the API says.
    public var targetMethod: String?
    /// `static` (from vercel.json) or `dynamic`.
    public var source: String?

    public init(name: String, namespace: String? = nil, state: String, createdAt: Date? = nil, cron: String? = nil,
                timezone: String? = nil, jitterMinutes: Int? = nil, targetType: String? = nil, targetPath: String? = nil,
                targetMethod: String? = nil, source: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.state = state
        self.createdAt = createdAt
        self.cron = cron
        self.timezone = timezone
        self.jitterMinutes = jitterMinutes
        self.targetType = targetType
        self.targetPath = targetPath
        self.targetMethod = targetMethod
        self.source = source
    }

    public var isActive: Bool { state == "active" }
}

/// Reads what Vercel lets anyone see of a project's scheduled calls, with `Authorization: Bearer <VERCEL_TOKEN>`:
///
/// - `GET {api}/v9/projects/{idOrName}?teamId=…`: the project and its `crons` (definitions, enabled or disabled);
/// - `GET {logs}/api/logs/request-logs?projectId=…&ownerId=…&startDate=…&endDate=…&page=N`: the request log
///   (undocumented; what `vercel logs` reads), page by page while `hasMoreRows`;
/// - `GET {schedules}/v1/schedules?namespace=…&cursor=…&limit=…`: Vercel Schedules, page by page while `cursor`.
///
/// Every answer is capped in size and every page count bounded; the token goes only to these base URLs (the
/// transport drops it on a redirect to another origin) and never appears in an error.
public struct VercelClient: Sendable {
    public static let projectService = "Vercel's project API"
    public static let logService = "Vercel's request log"
    public static let scheduleService = "Vercel Schedules"
    /// The most request-log pages read in one sync (a busy project's whole day may not fit).
    public static let maxLogPages = 100
    public static let maxSchedulePages = 50
    public static let schedulePageSize = 100
    /// The largest answer read, per request.
    public static let maxBodyBytes = 8 << 20

    let transport: any HTTPTransport
    let endpoints: VercelEndpoints
    let token: String
    let redactor: Redactor

    public init(transport: any HTTPTransport, endpoints: VercelEndpoints = VercelEndpoints(), token: String,
                redactor: Redactor = .none) {
        self.transport = transport
        self.endpoints = endpoints
        self.token = token
        self.redactor = redactor.adding([token])
    }

    /// The project `idOrName` (of `team`, when given) with its cron state.
    public func project(_ idOrName: String, team: String?) async throws(VercelAPIError) -> VercelProject {
        try Self.check(idOrName, field: "project id or name")
        if let team { try Self.check(team, field: "team id") }
        let query = team.map { [URLQueryItem(name: "teamId", value: $0)] } ?? []
        let body = try await get(endpoints.api, path: "/v9/projects/\(idOrName)", query: query, service: Self.projectService)
        do {
            return try JSONDecoder().decode(VercelProject.self, from: body)
        } catch {
            throw .malformed(service: Self.projectService, detail: redactor.remote("\(error)", limit: 300))
        }
    }

    /// One page (0-based) of the request log of project `projectID` (owned by `ownerID`) between `from` and `to`.
    public func requestLogPage(projectID: String, ownerID: String, from: Date, to: Date, page: Int)
        async throws(VercelAPIError) -> (rows: [VercelRequestLogRow], hasMore: Bool, unreadable: Int) {
        try Self.check(projectID, field: "project id")
        try Self.check(ownerID, field: "owner id")
        let query = [
            URLQueryItem(name: "projectId", value: projectID), URLQueryItem(name: "ownerId", value: ownerID),
            URLQueryItem(name: "startDate", value: String(Timestamp.ms(from))),
            URLQueryItem(name: "endDate", value: String(Timestamp.ms(to))), URLQueryItem(name: "page", value: String(page)),
        ]
        let body = try await get(endpoints.logs, path: "/api/logs/request-logs", query: query, service: Self.logService)
        let decoded: LogPage
        do {
            decoded = try JSONDecoder().decode(LogPage.self, from: body)
        } catch {
            throw .malformed(service: Self.logService, detail: redactor.remote("\(error)", limit: 300))
        }
        guard let raw = decoded.rows else {
            throw .malformed(service: Self.logService, detail: "no `rows` in the answer")
        }
        let rows = raw.compactMap(\.row)
        if !raw.isEmpty, rows.isEmpty {
            throw .malformed(service: Self.logService,
                             detail: "none of \(raw.count) rows has a request id, a path and a timestamp rbscron can read")
        }
        return (rows, decoded.hasMoreRows ?? false, raw.count - rows.count)
    }

    /// The request log between `from` and `to`, page by page while Vercel says there is more, at most
    /// ``maxLogPages`` pages (then `complete` is false). An empty page ends it, whatever it says.
    public func requestLog(projectID: String, ownerID: String, from: Date, to: Date) async throws(VercelAPIError)
        -> VercelRequestLog {
        var log = VercelRequestLog(rows: [], pages: 0, complete: true, unreadableRows: 0)
        var page = 0
        while true {
            let read = try await requestLogPage(projectID: projectID, ownerID: ownerID, from: from, to: to, page: page)
            log.rows += read.rows
            log.unreadableRows += read.unreadable
            log.pages += 1
            page += 1
            guard read.hasMore, read.rows.count + read.unreadable > 0 else { break }
            if page >= Self.maxLogPages {
                log.complete = false
                break
            }
        }
        return log
    }

    /// Every schedule of `namespace` in project `projectID` (of `team`), following cursors until there is none,
    /// an empty page, or the same cursor again; past ``maxSchedulePages`` it throws.
    ///
    /// With an access token (not a deployment's OIDC token) Vercel's docs say to pass the team and the project;
    /// their parameter names are not documented, so they are sent as the REST API names them (`teamId`, `projectId`).
    public func schedules(projectID: String, team: String?, namespace: String = "default") async throws(VercelAPIError)
        -> [VercelSchedule] {
        try Self.check(projectID, field: "project id")
        if let team { try Self.check(team, field: "team id") }
        var result: [VercelSchedule] = []
        var cursor: String?
        var pages = 0
        repeat {
            var query = [URLQueryItem(name: "namespace", value: namespace),
                         URLQueryItem(name: "limit", value: String(Self.schedulePageSize)),
                         URLQueryItem(name: "projectId", value: projectID)]
            if let team { query.append(URLQueryItem(name: "teamId", value: team)) }
            if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
            let body = try await get(endpoints.schedules, path: "/v1/schedules", query: query, service: Self.scheduleService)
            let page: SchedulePage
            do {
                page = try JSONDecoder().decode(SchedulePage.self, from: body)
            } catch {
                throw .malformed(service: Self.scheduleService, detail: redactor.remote("\(error)", limit: 300))
            }
            guard let data = page.data else { throw .malformed(service: Self.scheduleService, detail: "no `data` in the answer") }
            result += data.map(\.schedule)
            pages += 1
            let next = page.cursor.flatMap { $0.isEmpty ? nil : $0 }
            if data.isEmpty || next == cursor { break }
            cursor = next
            if cursor != nil, pages >= Self.maxSchedulePages { throw .tooManyPages(service: Self.scheduleService, pages: pages) }
        } while cursor != nil
        return result
    }

    // MARK: - Transport

    static func check(_ value: String, field: String) throws(VercelAPIError) {
        guard VercelIdentifier.isValid(value) else { throw .badIdentifier(field: field, value: value) }
    }

    /// A GET of `base` + `path` with `query`; the body of a 2xx answer, else the typed error for its status.
    func get(_ base: String, path: String, query: [URLQueryItem], service: String) async throws(VercelAPIError) -> Data {
        var components = URLComponents(string: base + path)
        if !query.isEmpty { components?.queryItems = query }
        guard let url = components?.string else { throw .malformed(service: service, detail: "bad base URL '\(base)'") }
        let request = HTTPRequest(
            method: "GET", url: url,
            headers: [HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("Accept", "application/json"),
                      HTTPHeader("User-Agent", RBSCronVersion.userAgent)],
            timeout: 30, maxBodyBytes: Self.maxBodyBytes)
        let response: HTTPResponse
        switch await transport.send(request) {
        case .success(let r): response = r
        case .failure(let error): throw .transport(service: service, message: redactor.remote(error.localizedDescription))
        }
        switch response.status {
        case 200..<300:
            if response.truncated { throw .tooLarge(service: service, limitBytes: Self.maxBodyBytes) }
            return response.body
        case 401, 403:
            throw .refused(service: service, status: response.status, detail: redactor.excerpt(response.body, limit: 200))
        case 404:
            throw .notFound(service: service, detail: redactor.excerpt(response.body, limit: 200))
        default:
            throw .http(service: service, status: response.status, detail: redactor.excerpt(response.body))
        }
    }

    // MARK: - Wire shapes

    struct LogPage: Decodable {
        var rows: [LogRow]?
        var hasMoreRows: Bool?
    }

    /// A row as sent: every field optional, so one odd row does not hide the others.
    struct LogRow: Decodable {
        var requestId: String?
        var timestamp: Date?
        var deploymentId: String?
        var requestMethod: String?
        var requestPath: String?
        var statusCode: Int?
        var environment: String?

        enum CodingKeys: String, CodingKey {
            case requestId, timestamp, deploymentId, requestMethod, requestPath, statusCode, environment
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            requestId = try? c.decodeIfPresent(String.self, forKey: .requestId)
            timestamp = c.vercelInstant(.timestamp)
            deploymentId = try? c.decodeIfPresent(String.self, forKey: .deploymentId)
            requestMethod = try? c.decodeIfPresent(String.self, forKey: .requestMethod)
            requestPath = try? c.decodeIfPresent(String.self, forKey: .requestPath)
            statusCode = try? c.decodeIfPresent(Int.self, forKey: .statusCode)
            environment = try? c.decodeIfPresent(String.self, forKey: .environment)
        }

        var row: VercelRequestLogRow? {
            guard let requestId, !requestId.isEmpty, let timestamp, let requestPath, requestPath.hasPrefix("/") else { return nil }
            return VercelRequestLogRow(requestId: requestId, timestamp: timestamp, deploymentId: deploymentId,
                                       requestMethod: requestMethod.flatMap { $0.isEmpty ? nil : $0.uppercased() },
                                       requestPath: requestPath, statusCode: statusCode.flatMap { $0 > 0 ? $0 : nil },
                                       environment: environment)
        }
    }

    struct SchedulePage: Decodable {
        var data: [WireSchedule]?
        var cursor: String?
    }

    struct WireSchedule: Decodable {
        var schedule: VercelSchedule

        enum CodingKeys: String, CodingKey {
            case name, namespace, state, createdAt, expression, timezone, jitter, target, source
        }

        struct Expression: Decodable {
            var type: String?
            var cron: String?
        }

        struct Target: Decodable {
            var type: String?
            var path: String?
            var method: String?
            var requestMethod: String?
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let name = try c.decode(String.self, forKey: .name)
            let state = try c.decode(String.self, forKey: .state)
            // A recurring schedule's expression is `{type: cron, cron}`; a plain string is taken as the cron too.
            var cron: String?
            if let expression = try? c.decodeIfPresent(Expression.self, forKey: .expression) {
                cron = expression.type == nil || expression.type == "cron" ? expression.cron : nil
            } else {
                cron = try? c.decodeIfPresent(String.self, forKey: .expression)
            }
            let target = try? c.decodeIfPresent(Target.self, forKey: .target)
            schedule = VercelSchedule(
                name: name, namespace: try? c.decodeIfPresent(String.self, forKey: .namespace), state: state,
                createdAt: c.vercelInstant(.createdAt), cron: cron,
                timezone: try? c.decodeIfPresent(String.self, forKey: .timezone),
                jitterMinutes: try? c.decodeIfPresent(Int.self, forKey: .jitter),
                targetType: target?.type, targetPath: target?.path,
                targetMethod: (target?.requestMethod ?? target?.method)?.uppercased(),
                source: try? c.decodeIfPresent(String.self, forKey: .source))
        }
    }
}

extension KeyedDecodingContainer {
    /// An instant as Vercel writes it: epoch milliseconds (a number, or a string of digits), or an ISO 8601 string
    /// with or without fractional seconds; nil when absent, null or unreadable.
    func vercelInstant(_ key: Key) -> Date? {
        if let ms = try? decodeIfPresent(Double.self, forKey: key) { return Date(timeIntervalSince1970: ms / 1000) }
        guard let text = try? decodeIfPresent(String.self, forKey: key) else { return nil }
        if let ms = Double(text), ms > 0 { return Date(timeIntervalSince1970: ms / 1000) }
        return VercelTime.parse(text)
    }
}

/// ISO 8601 instants as Vercel's request log writes them.
enum VercelTime {
    static func parse(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }
}
