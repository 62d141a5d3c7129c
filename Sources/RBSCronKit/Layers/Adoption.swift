import Foundation

/// Recognising entries a layer holds that rbscron did not make but that do an inventory job's work (the schedules
/// `register-qstash-schedules.mjs` registered, pg_cron jobs of hand-written migrations, the copied keep-alive
/// migration), and the credentials written into them. Pure: the layers read, this decides.
public enum Adoption {
    // MARK: QStash

    /// A URL as compared for matching: scheme and host lower-cased, without a trailing `/`.
    static func comparableURL(_ text: String) -> String {
        var url = text.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let hostEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        return url[..<hostEnd].lowercased() + url[hostEnd...]
    }

    /// The enabled qstash job of the inventory whose destination (the app's base URL and the job's path) and method
    /// are this schedule's; nil for a schedule rbscron made (`rbs-` id) or one that does no job's work.
    public static func qstashJob(scheduleID: String, destination: String, method: String, inventory: Inventory) -> Job? {
        guard !scheduleID.hasPrefix(ScheduleID.prefix) else { return nil }
        let target = comparableURL(destination)
        let verb = method.isEmpty ? "POST" : method.uppercased()
        return inventory.jobs.first { job in
            guard job.layer == .qstash, job.enabled, let path = job.path, let app = inventory.app(named: job.app) else { return false }
            return comparableURL(QStashSync.destination(app: app, path: path)) == target && job.method.rawValue == verb
        }
    }

    // MARK: pg_cron

    /// A SQL command as compared for matching: lower case, whitespace collapsed, no `public.` qualifier, no trailing
    /// semicolon.
    static func comparableSQL(_ sql: String) -> String {
        var text = sql.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        text = text.replacingOccurrences(of: "public.", with: "")
        while text.hasSuffix(";") || text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    /// The keep-alive pattern's history cleanup, as the seed's migration calls it, or written out.
    static func isHistoryCleanup(_ sql: String) -> Bool {
        let text = comparableSQL(sql)
        return text == "select cleanup_cron_history()"
            || (text.hasPrefix("delete from cron.job_run_details") && text.contains("end_time"))
    }

    /// True when the command makes an HTTP call: pg_net directly, or a wrapper in the style of seed 002's
    /// `invoke_cron_endpoint`.
    static func callsHTTP(_ command: String) -> Bool {
        let text = command.lowercased()
        return text.contains("http_post") || text.contains("http_get") || text.contains("invoke_")
            || text.contains("cron_endpoint")
    }

    /// True when `path` occurs in `command` as a whole path: followed by a quote, a query, a fragment, a space, a
    /// parenthesis, a comma or the end (so `/api/cron/sync` is not found in `/api/cron/sync-invoices`).
    static func mentions(path: String, in command: String) -> Bool {
        var rest = command[...]
        while let range = rest.range(of: path) {
            let after = range.upperBound
            if after == rest.endIndex { return true }
            if "'\"?#) ,;\n\t$".contains(rest[after]) { return true }
            rest = rest[after...]
        }
        return false
    }

    /// The method a command's call uses, when it says: `net.http_get` is a GET, `net.http_post` a POST, a wrapper
    /// taking `'GET'` or `'POST'` says it there.
    static func method(of command: String) -> HTTPMethod? {
        let text = command.lowercased()
        let get = text.contains("http_get") || text.contains("'get'")
        let post = text.contains("http_post") || text.contains("'post'")
        if get && !post { return .GET }
        if post && !get { return .POST }
        return nil
    }

    /// What rbscron's migration for `app` would schedule in place of a foreign pg_cron job: the name of the entry it
    /// matches (`rbs-<app>-<job>`, or `rbs-<app>-cleanup-cron-history` for the keep-alive pattern's cleanup when the
    /// inventory has no such job), or nil when the job is rbscron's own or does no work of the inventory.
    ///
    /// - a job whose command is an enabled SQL job's SQL (`SELECT keep_alive()`, say) is that job;
    /// - `SELECT cleanup_cron_history()` (or the `DELETE` it wraps) is the app's history cleanup;
    /// - a command that calls HTTP (pg_net, an `invoke_cron_endpoint`-style function) with an enabled HTTP job's path
    ///   and method is that job (the longest path that fits).
    public static func pgCronEntry(jobname: String?, command: String, app: App, jobs: [Job]) -> String? {
        if let name = jobname, name.hasPrefix(ScheduleID.prefix) { return nil }
        if command.trimmingCharacters(in: .whitespaces).hasPrefix("/* rbscron:") { return nil }
        let appJobs = jobs.filter { $0.app == app.name && $0.layer == .pgCron && $0.enabled }
        let sql = comparableSQL(command)
        if let job = appJobs.first(where: { $0.sql.map(comparableSQL) == sql }) {
            return ScheduleID.of(app: app.name, job: job.name)
        }
        if isHistoryCleanup(command) {
            let named = jobs.first { $0.app == app.name && $0.name == PgCronSQL.cleanupJobName }
            // A disabled cleanup job was disabled on purpose: its work is not rbscron's to take over.
            if let named, !(named.enabled && named.layer == .pgCron) { return nil }
            return ScheduleID.of(app: app.name, job: PgCronSQL.cleanupJobName)
        }
        guard callsHTTP(command) else { return nil }
        let verb = method(of: command)
        let candidates = appJobs.filter { job in
            guard job.sql == nil, let path = job.path, !path.isEmpty else { return false }
            return mentions(path: path, in: command) && (verb == nil || verb == job.method)
        }
        guard let job = candidates.max(by: { ($0.path ?? "").count < ($1.path ?? "").count }) else { return nil }
        return ScheduleID.of(app: app.name, job: job.name)
    }

    // MARK: Credentials

    /// A credential written into a layer's entry (a foreign pg_cron command).
    public struct Leak: Sendable, Equatable {
        public enum Kind: String, Sendable, Codable {
            /// A token after `Bearer ` (or a JWT, or a Supabase key) that rbscron does not hold.
            case literal
            /// A string equal to a secret of the inventory (or of the environment).
            case inventorySecret = "inventory_secret"
        }
        public var kind: Kind
        /// `SCOPE/KEY` of the secret it equals (``Kind/inventorySecret``).
        public var secret: String?

        /// How a message names it, never with its value.
        public var described: String {
            switch kind {
            case .literal: return "a literal bearer token"
            case .inventorySecret: return "the value of the inventory secret \(secret ?? "?")"
            }
        }
    }

    /// The credentials written into `command`: every token after `Bearer `, JSON Web Token and Supabase key, and every
    /// quoted string, compared in constant time with each known secret value (never printed, never returned). A value
    /// equal to a known secret is reported by its name; a bearer, JWT or key equal to none as a literal.
    public static func leaks(in command: String, known: [ScopedSecret]) -> [Leak] {
        var literal: [String] = []
        for match in command.matches(of: /(?i)bearer\s+([A-Za-z0-9._~+\/=-]{8,})/) { literal.append(String(match.output.1)) }
        for match in command.matches(of: /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(\.[A-Za-z0-9_-]*)?/) { literal.append(String(match.output.0)) }
        for match in command.matches(of: /(sb_secret_|sbp_)[A-Za-z0-9_]{8,}/) { literal.append(String(match.output.0)) }
        var quoted: [String] = []
        for match in command.matches(of: /'([^']{8,})'/) { quoted.append(String(match.output.1)) }
        for match in command.matches(of: /"([^"]{8,})"/) { quoted.append(String(match.output.1)) }
        let candidates = literal + quoted
        var found: [Leak] = []
        var matched = Set<String>()
        let secrets = known.filter { $0.value.count >= 8 }
        for secret in secrets {
            // Every candidate is compared, so the time taken does not depend on which one matches.
            var hit = false
            for candidate in candidates where ConstantTime.equals(candidate, secret.value) { hit = true }
            if hit, matched.insert(secret.name).inserted {
                found.append(Leak(kind: .inventorySecret, secret: secret.name))
            }
        }
        let unknownLiterals = literal.filter { token in !secrets.contains { ConstantTime.equals(token, $0.value) } }
        if !unknownLiterals.isEmpty { found.append(Leak(kind: .literal, secret: nil)) }
        return found
    }

    /// The secret to rotate for a leak found in the entry of `job` (or of `app` when no job matched): the inventory
    /// secret it equals, else the credential the job sends (its app's `CRON_SECRET` for a pg_cron HTTP job).
    public static func secretToRotate(_ leak: Leak, app: String, job: Job?) -> (scope: String, key: String) {
        if let name = leak.secret, let slash = name.firstIndex(of: "/") {
            return (String(name[..<slash]), String(name[name.index(after: slash)...]))
        }
        let key = job.flatMap { SecretKeys.required(for: $0.auth).first } ?? SecretKeys.cronSecret
        return (app, key)
    }
}

/// What `schedule apply --adopt` did for one job: the foreign entries replaced, rbscron's first fire, and, when a
/// foreign entry carried a credential, the secret to rotate and how.
public struct AdoptionOutcome: Encodable, Sendable, Equatable {
    /// `APP/JOB`, or `APP` for the history cleanup rbscron adds.
    public var job: String
    /// rbscron's entry.
    public var id: String
    /// The foreign entries removed.
    public var replaced: [String]
    /// The first fire rbscron's entry makes (QStash: as the layer reports it after the swap).
    public var firstFire: Date?
    /// `SCOPE/KEY` of the secret a replaced entry exposed; nil when none did.
    public var rotate: String?
    /// The steps that retire it, in order (empty when nothing leaked).
    public var rotationSteps: [RotationStep]
    /// What the operator should know (a fire that may have been doubled, the migration still to be applied).
    public var note: String?

    public init(job: String, id: String, replaced: [String], firstFire: Date? = nil, rotate: String? = nil,
                rotationSteps: [RotationStep] = [], note: String? = nil) {
        self.job = job
        self.id = id
        self.replaced = replaced
        self.firstFire = firstFire
        self.rotate = rotate
        self.rotationSteps = rotationSteps
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case job, id, replaced, firstFire = "first_fire", rotate, rotationSteps = "rotation_steps", note
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job, forKey: .job)
        try c.encode(id, forKey: .id)
        try c.encode(replaced, forKey: .replaced)
        try c.encode(firstFire, forKey: .firstFire)
        try c.encode(rotate, forKey: .rotate)
        try c.encode(rotationSteps, forKey: .rotationSteps)
        try c.encode(note, forKey: .note)
    }
}

/// An adoption whose replaced entry exposed a secret that was not rotated after it: the job is not adopted cleanly.
public struct PendingRotation: Sendable, Equatable {
    public var adoption: AdoptionRecord
    /// When the secret was last set or rotated in rbscron (before the adoption); nil when rbscron does not hold it.
    public var lastChanged: Date?

    public var subject: String { adoption.job.map { "\(adoption.app)/\($0)" } ?? adoption.app }
    public var secret: String { "\(adoption.leakScope ?? "?")/\(adoption.leakKey ?? "?")" }

    public var message: String {
        "\(subject) was adopted \(Timestamp.rfc3339(adoption.adoptedAt)) from the \(adoption.layer.rawValue) entry '\(adoption.foreignID)', "
            + "whose command held \(secret); it is not adopted cleanly until that secret is rotated ("
            + (lastChanged.map { "last set \(Timestamp.rfc3339($0)), before the adoption" } ?? "rbscron does not hold it")
            + "): the old value stays in cron.job_run_details, backups and the migration that wrote it"
    }

    public var fix: String {
        let scope = adoption.leakScope ?? adoption.app
        let key = adoption.leakKey ?? SecretKeys.cronSecret
        return "`rbscron secret rotate \(scope) \(key) --generate` (or `rbscron secret set \(scope) \(key)` if rbscron does not hold it), "
            + "then the steps it prints: Supabase Vault, the app's own setting"
    }
}

extension PlanIssue {
    /// A pending rotation as a plan's critical issue.
    public init(_ pending: PendingRotation) {
        self.init(severity: .critical, job: pending.adoption.job.map { "\(pending.adoption.app)/\($0)" },
                  message: pending.message + ". Fix: " + pending.fix)
    }
}
