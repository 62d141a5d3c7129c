import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rules an inventory must satisfy before it is stored, whatever its source.
public enum InventoryValidator {
    /// A rule broken by a field, addressed by its manifest path (`apps[1].jobs[3].schedule`).
    public struct Problem: Sendable, Equatable {
        public var field: String
        public var message: String

        /// The enclosing object's path, used to locate a missing field.
        var parentField: String {
            guard let dot = field.lastIndex(of: ".") else { return "" }
            return String(field[..<dot])
        }
    }

    public static func issues(in inventory: Inventory) -> [Problem] {
        var problems: [Problem] = []
        func add(_ field: String, _ message: String) { problems.append(Problem(field: field, message: message)) }

        var appIndex: [String: Int] = [:]
        for (i, app) in inventory.apps.enumerated() {
            let path = "apps[\(i)]"
            if !Slug.isValid(app.name) {
                add("\(path).name", "'\(app.name)' is not a slug; use lowercase letters, digits and single hyphens (e.g. la-hoja)")
            }
            if appIndex[app.name] != nil {
                add("\(path).name", "app '\(app.name)' is declared twice")
            } else {
                appIndex[app.name] = i
            }
            if app.displayName.trimmingCharacters(in: .whitespaces).isEmpty {
                add("\(path).display_name", "must not be empty")
            }
            if let problem = controlProblem(app.displayName) { add("\(path).display_name", problem) }
            if let problem = controlProblem(app.notes, allowing: ["\n", "\t"]) { add("\(path).notes", problem) }
            if let reason = URLRules.problem(withBaseURL: app.baseURL) { add("\(path).base_url", reason) }
            if let problem = controlProblem(app.health.path) {
                add("\(path).health.path", problem)
            } else if !app.health.path.hasPrefix("/") {
                add("\(path).health.path", "'\(app.health.path)' must start with '/'")
            } else if app.health.path.contains(where: \.isWhitespace) {
                add("\(path).health.path", "'\(app.health.path)' must not contain spaces")
            }
            if let ref = app.supabase?.projectRef, !isProjectRef(ref) {
                add("\(path).supabase.project_ref", "'\(ControlCharacters.escape(ref))' is not a Supabase project ref; it is "
                    + "the letters and digits before .supabase.co in the project's URL (up to 64 letters, digits, - or _)")
            }
            if !(100...599).contains(app.health.expectedStatus) {
                add("\(path).health.expect", "\(app.health.expectedStatus) is not an HTTP status (100–599)")
            }
            if let url = app.supabase?.url, let reason = URLRules.problem(withBaseURL: url) {
                add("\(path).supabase.url", reason)
            }
            // Both name one segment of a Vercel API path or query: nothing else may travel in them.
            if let project = app.vercelProject, !VercelIdentifier.isValid(project) {
                add("\(path).vercel_project", "'\(project)' is not a Vercel project id or name; use its id (prj_…) or its name (letters, digits, '.', '_' and '-')")
            }
            if let team = app.vercelTeam {
                if !VercelIdentifier.isValid(team) {
                    add("\(path).vercel_team", "'\(team)' is not a Vercel team id; use the team's id (team_…)")
                } else if app.vercelProject == nil {
                    add("\(path).vercel_team", "a team without `vercel_project` reads nothing; add the project's id or name")
                }
            }
        }

        // Jobs are laid out under their app in the manifest; compute the same paths.
        var jobCountPerApp: [String: Int] = [:]
        var jobPath: [JobRef: String] = [:]
        var paths: [String] = []
        for job in inventory.jobs {
            let a = appIndex[job.app] ?? -1
            let j = jobCountPerApp[job.app, default: 0]
            jobCountPerApp[job.app] = j + 1
            let path = "apps[\(a)].jobs[\(j)]"
            paths.append(path)
            if jobPath[job.ref] != nil {
                add("\(path).name", "job '\(job.ref)' is declared twice")
            } else {
                jobPath[job.ref] = path
            }
        }

        for (job, path) in zip(inventory.jobs, paths) {
            if appIndex[job.app] == nil { add(path, "job '\(job.ref)' belongs to an app that is not declared") }
            if !Slug.isValid(job.name) {
                add("\(path).name", "'\(job.name)' is not a slug; use lowercase letters, digits and single hyphens")
            }
            switch (job.path, job.sql) {
            case (nil, nil):
                add("\(path).path", "missing; a job needs the HTTP `path` it calls (or, on pg_cron, the `sql` it runs)")
            case (.some, .some):
                add("\(path).sql", "a job has either `path` or `sql`, not both")
            case (.some(let p), nil):
                if let problem = controlProblem(p) {
                    add("\(path).path", problem)
                } else {
                    if !p.hasPrefix("/") { add("\(path).path", "'\(p)' must start with '/'") }
                    if p.contains(where: \.isWhitespace) { add("\(path).path", "'\(p)' must not contain spaces") }
                }
            case (nil, .some(let sql)):
                if let problem = controlProblem(sql, allowing: ["\n", "\t", "\r"]) { add("\(path).sql", problem) }
                if job.layer != .pgCron { add("\(path).sql", "only pg_cron jobs run SQL; layer is \(job.layer.rawValue)") }
                if job.auth != .none { add("\(path).auth", "a SQL job runs inside the database and takes auth none") }
            }
            if let problem = controlProblem(job.description, allowing: ["\n", "\t"]) { add("\(path).description", problem) }
            if TimeZone(identifier: job.timezone) == nil {
                add("\(path).timezone", "'\(ControlCharacters.escape(job.timezone))' is not an IANA time zone (e.g. America/Mexico_City, UTC)")
            }
            if job.layer.isScheduled {
                if let text = job.schedule {
                    do {
                        let version = appIndex[job.app].map { inventory.apps[$0].pgCronVersion } ?? .supabase
                        let schedule = try CronSchedule.parse(text, dialect: job.layer.dialect, pgCronVersion: version)
                        if let tz = schedule.timeZone, tz.identifier != job.timezone, job.timezone != "UTC" {
                            add("\(path).timezone", "'\(job.timezone)' disagrees with the schedule's CRON_TZ=\(tz.identifier)")
                        }
                    } catch {
                        add("\(path).schedule", error.localizedDescription)
                    }
                } else {
                    add("\(path).schedule", "missing; a \(job.layer.rawValue) job needs a schedule")
                }
            } else if let text = job.schedule {
                add("\(path).schedule", "'\(text)': a \(job.layer.rawValue) job has no schedule of its own; remove it or change the layer")
            }
            if job.timeoutMs <= 0 || job.timeoutMs > Job.maximumTimeoutMs {
                add("\(path).timeout", "\(DurationText.format(milliseconds: job.timeoutMs)) is out of range (more than 0, at most 24h)")
            }
            if !(0...10).contains(job.retries) { add("\(path).retries", "\(job.retries) is out of range (0–10)") }
            if let jitter = job.jitter {
                let range = LayerLimits.standard.vercelSchedules.jitterMinutes
                if job.layer != .vercel {
                    add("\(path).jitter", "jitter is a Vercel Schedules setting; a \(job.layer.rawValue) job has none")
                } else if !range.contains(jitter) {
                    add("\(path).jitter", "\(jitter) is out of range: Vercel Schedules takes a jitter of \(range.lowerBound)–\(range.upperBound) minutes")
                }
            }
            if let parent = job.triggeredBy {
                if job.layer != .fanout {
                    add("\(path).triggered_by", "only fanout jobs are triggered by another job; set layer: fanout")
                }
                if parent == job.ref {
                    add("\(path).triggered_by", "a job cannot trigger itself")
                } else if jobPath[parent] == nil {
                    add("\(path).triggered_by", "'\(parent)' is not a job of this manifest")
                }
            } else if job.layer == .fanout {
                add("\(path).triggered_by", "missing; a fanout job names the job that fans out to it (APP/JOB)")
            }
            if let order = job.order, order < 1 { add("\(path).order", "\(order) must be 1 or more") }
            if let group = job.group, TaskGroupName(group) == nil {
                add("\(path).group", "'\(group)' is not a task group; write hourly, daily@HH:MM or weekly@ddd-HH:MM (e.g. daily@09:00, weekly@sun-10:00)")
            }
            for (k, dep) in job.dependsOn.enumerated() {
                if dep == job.ref {
                    add("\(path).depends_on[\(k)]", "a job cannot depend on itself")
                } else if jobPath[dep] == nil {
                    add("\(path).depends_on[\(k)]", "'\(dep)' is not a job of this manifest")
                }
            }
            if let alert = job.alert {
                if let failures = alert.failures, !(0...1000).contains(failures) {
                    add("\(path).alert.failures", "\(failures) is out of range (0 turns failure alerts off; at most 1000)")
                }
                if let rate = alert.successRate, !(rate > 0 && rate <= 1) {
                    add("\(path).alert.success_rate", "must be more than 0% and at most 100% (e.g. 90%)")
                }
            }
        }

        var windowNames: Set<String> = []
        for (i, window) in inventory.maintenance.enumerated() {
            let path = "maintenance[\(i)]"
            if !Slug.isValid(window.name) {
                add("\(path).name", "'\(window.name)' is not a slug; use lowercase letters, digits and single hyphens")
            } else if !windowNames.insert(window.name).inserted {
                add("\(path).name", "maintenance window '\(window.name)' is declared twice")
            }
            do {
                _ = try CronSchedule.parse(window.cron, dialect: .vixie)
            } catch {
                add("\(path).cron", error.localizedDescription)
            }
            if TimeZone(identifier: window.timezone) == nil {
                add("\(path).timezone", "'\(window.timezone)' is not an IANA time zone (e.g. America/Mexico_City, UTC)")
            }
            if window.durationMs <= 0 || window.durationMs > 31 * 86_400_000 {
                add("\(path).duration", "\(DurationText.format(milliseconds: window.durationMs)) is out of range (more than 0, at most 31d)")
            }
            for (k, app) in window.apps.enumerated() where appIndex[app] == nil {
                add("\(path).apps[\(k)]", "'\(app)' is not an app of this manifest")
            }
            for (k, ref) in window.jobs.enumerated() where jobPath[ref] == nil {
                add("\(path).jobs[\(k)]", "'\(ref)' is not a job of this manifest")
            }
            // Printed by `alert` and in notifications, like an app's notes.
            if let problem = controlProblem(window.reason, allowing: ["\n", "\t"]) { add("\(path).reason", problem) }
        }

        // A fan-out chain that loops would fire forever; a dependency cycle would never start.
        let byRef = Dictionary(inventory.jobs.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        for job in inventory.jobs {
            var seen: Set<JobRef> = [job.ref]
            var current = job.triggeredBy
            while let ref = current, let next = byRef[ref] {
                if seen.contains(ref) {
                    add("\(jobPath[job.ref] ?? "").triggered_by", "fan-out chain of '\(job.ref)' loops back through '\(ref)'")
                    break
                }
                seen.insert(ref)
                current = next.triggeredBy
            }
        }
        if let cycle = dependencyCycle(inventory.jobs) {
            add("\(jobPath[cycle[0]] ?? "").depends_on",
                "dependency cycle: \(cycle.map(\.description).joined(separator: " → "))")
        }
        return problems
    }

    /// Why `text` cannot be used: it holds a control character (a NUL would cut a request, CR/LF would add header
    /// lines, an escape sequence would reach terminals), quoted with it made visible.
    static func controlProblem(_ text: String, allowing allowed: Set<Unicode.Scalar> = []) -> String? {
        guard let found = ControlCharacters.first(in: text, allowing: allowed) else { return nil }
        return "'\(ControlCharacters.escape(text))' contains the control character \(ControlCharacters.visible(found)); remove it"
    }

    /// A Supabase project ref: what comes before `.supabase.co`; it goes into API paths and SQL comments.
    static func isProjectRef(_ ref: String) -> Bool {
        !ref.isEmpty && ref.count <= 64 && ref.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }

    private static func dependencyCycle(_ jobs: [Job]) -> [JobRef]? {
        let deps = Dictionary(jobs.map { ($0.ref, $0.dependsOn) }, uniquingKeysWith: { a, _ in a })
        var state: [JobRef: Int] = [:]  // 1 visiting, 2 done
        var stack: [JobRef] = []
        func visit(_ ref: JobRef) -> [JobRef]? {
            if state[ref] == 2 { return nil }
            if state[ref] == 1 {
                let start = stack.firstIndex(of: ref) ?? 0
                return Array(stack[start...]) + [ref]
            }
            state[ref] = 1
            stack.append(ref)
            for dep in deps[ref] ?? [] where deps[dep] != nil {
                if let cycle = visit(dep) { return cycle }
            }
            stack.removeLast()
            state[ref] = 2
            return nil
        }
        for job in jobs.sorted(by: { $0.ref < $1.ref }) {
            if let cycle = visit(job.ref) { return cycle }
        }
        return nil
    }
}

/// What a Vercel project or team identifier may be: an id (`prj_…`, `team_…`) or a name, 1–100 ASCII letters, digits,
/// `.`, `_` and `-`. It becomes one segment of a Vercel API path, so nothing else is let through.
public enum VercelIdentifier {
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 100, text != ".", text != ".." else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0)
            || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }
}

/// A base URL as the manifest reads it: exactly the parts libcurl will use, since the grammar accepted here is one
/// libcurl reads the same way (`URLCredentialTests` checks the two agree).
public struct BaseURLParts: Sendable, Equatable {
    /// `http` or `https`, lowercased.
    public var scheme: String
    /// Lowercased; an IPv6 address keeps its brackets, as libcurl gives it.
    public var host: String
    /// The explicit port, else the scheme's default.
    public var port: Int
    /// Everything after the host and port (may be empty).
    public var path: String
}

/// Why a URL was refused, in a sentence that quotes it (with any user name and password left out).
public struct URLRuleError: Error, Sendable, Equatable {
    public var message: String
}

/// URL rules shared by the manifest and the HTTP layer: `http` and `https` only, with a host, and nothing that
/// libcurl could read differently from rbscron: no user name or password, no backslash, space, control or
/// non-ASCII character, no percent sign in the host, IPv4 and IPv6 addresses only in their canonical forms.
public enum URLRules {
    /// Why a base URL is unacceptable, or nil when it is fine.
    public static func problem(withBaseURL text: String) -> String? {
        switch parse(text) {
        case .success: return nil
        case .failure(let error): return error.message
        }
    }

    /// The URL's parts, or why it is refused.
    public static func parse(_ text: String) -> Result<BaseURLParts, URLRuleError> {
        let shown = masked(text)
        func refuse(_ why: String) -> Result<BaseURLParts, URLRuleError> { .failure(URLRuleError(message: "'\(shown)' \(why)")) }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F }) else {
            if text.unicodeScalars.contains(where: { !$0.isASCII }) {
                return refuse("has a character outside ASCII; write the host in its xn-- form and percent-encode the path")
            }
            return refuse("contains a space or a control character; remove it")
        }
        guard let separator = text.range(of: "://") else { return refuse("is not a URL; write it like https://app.example.com") }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else {
            return refuse("is not a URL; write it like https://app.example.com")
        }
        guard scheme == "http" || scheme == "https" else { return refuse("uses \(scheme); only http and https are allowed") }
        let rest = text[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        let path = String(rest.dropFirst(authority.count))
        if authority.contains("@") {
            return refuse("carries a user name or password before '@'; remove it: a URL never holds credentials "
                          + "(a job's come from its secrets), and the request would go to the host after '@'")
        }
        if text.contains("\\") { return refuse("contains a backslash, which URL readers disagree on; remove it") }
        if text.contains("?") || text.contains("#") { return refuse("must not carry a query or fragment") }
        var host = Substring(authority)
        var port = scheme == "https" ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return refuse("has an IPv6 address without its closing ']'") }
            let after = host[host.index(after: close)...]
            host = host[...close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = portNumber(after.dropFirst()) else { return refuse("has a malformed port") }
                port = number
            }
            let address = String(host.dropFirst().dropLast())
            guard let canonical = canonicalIPv6(address) else { return refuse("has a malformed IPv6 address") }
            guard canonical == address.lowercased() else { return refuse("writes its IPv6 address unusually; write it as [\(canonical)]") }
        } else {
            if let colon = host.firstIndex(of: ":") {
                guard let number = portNumber(host[host.index(after: colon)...]) else { return refuse("has a malformed port") }
                port = number
                host = host[..<colon]
            }
            guard !host.isEmpty else { return refuse("has no host") }
            guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }) else {
                return refuse("has a host with characters a host name cannot have; write it like app.example.com")
            }
            // A host that ends in a number is an IPv4 address to libcurl, which also reads 0x7f.1 or 2130706433:
            // only the dotted decimal form means the same to both.
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            let last = labels.last(where: { !$0.isEmpty }) ?? ""
            if last.first?.isNumber == true {
                guard isCanonicalIPv4(host) else {
                    return refuse("has a host libcurl would read as a numeric address; write IPv4 addresses as four decimal numbers (127.0.0.1)")
                }
            }
        }
        return .success(BaseURLParts(scheme: scheme, host: host.lowercased(), port: port, path: path))
    }

    /// The URL with any user name and password left out (`https://…@host/…`), for messages and listings.
    public static func masked(_ text: String) -> String {
        guard let separator = text.range(of: "://") else { return text }
        let rest = text[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return text }
        return String(text[..<separator.upperBound]) + "…" + String(text[at...])
    }

    private static func portNumber(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(text),
              (1...65_535).contains(number) else { return nil }
        return number
    }

    private static func isCanonicalIPv4(_ host: Substring) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            guard let n = Int(part), (0...255).contains(n), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            return String(n) == part
        }
    }

    /// The address as inet_ntop writes it (lowercase, zeros compressed), or nil when it is not IPv6.
    private static func canonicalIPv6(_ text: String) -> String? {
        guard text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Joins a base URL and a path without doubling or dropping the slash.
    public static func join(_ base: String, _ path: String) -> String {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return trimmed + (path.hasPrefix("/") ? path : "/" + path)
    }
}

/// Did-you-mean suggestions.
public enum Suggest {
    /// The candidate closest to `text` by edit distance, if it is close enough to be a typo.
    public static func closest(to text: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(text.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else { return nil }
        let limit = max(2, text.count / 3)
        if best.1 <= limit { return best.0 }
        // A prefix is a good hint too (`cam` → `camino`).
        return candidates.sorted().first { $0.hasPrefix(text.lowercased()) && text.count >= 2 }
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
