import Foundation

/// The three signals of the healthchecks.io ping protocol (Cronitor's ping URLs take the same shape).
public enum PingSignal: String, Sendable, CaseIterable {
    /// `URL/start`: the run began (the service times it and notices one that never ends).
    case start
    /// `URL`: the run ended well.
    case success
    /// `URL/fail`: the run ended badly.
    case fail
}

/// A report that a pinged command ends with: whether the run went well, and a short account of it.
public protocol PingOutcome: Sendable {
    /// True when the command exits 0.
    var pingSucceeded: Bool { get }
    /// A few lines for the ping's body (redacted again before sending).
    var pingSummary: String { get }
}

/// A dead-man's switch for rbscron itself: `--ping URL` tells an outside service (healthchecks.io, Cronitor) that a
/// run started and how it ended, so a CI schedule that stops running is noticed by someone other than itself.
/// Every signal of one run carries the same `rid`, so the service pairs start and end.
public struct HealthchecksPing: Sendable {
    /// Bytes of body sent with success and fail.
    public static let bodyLimit = 1_000
    /// Attempts per signal (transport errors and 5xx are tried again).
    public static let attempts = 3

    public let url: String
    public let runID: String
    let transport: any HTTPTransport
    let redactor: Redactor
    let sleep: @Sendable (Int) async -> Void

    /// - Parameter redactor: hides secrets in bodies and errors; the ping URL is added to it.
    public init(url: String, transport: any HTTPTransport, redactor: Redactor, runID: String = UUID().uuidString.lowercased(),
                sleep: @escaping @Sendable (Int) async -> Void = { ms in try? await Task.sleep(for: .milliseconds(ms)) }) {
        self.url = url
        self.runID = runID
        self.transport = transport
        self.redactor = redactor.adding([url])
        self.sleep = sleep
    }

    /// Why `url` cannot be pinged, without repeating it (a ping URL is a credential of sorts); nil when fine.
    public static func problem(_ url: String) -> String? { AlertRoute.urlProblem(url) }

    /// The URL of one signal: `/start` and `/fail` appended to the path, the query kept, `rid` added.
    public func url(for signal: PingSignal) -> String {
        guard var components = URLComponents(string: url) else { return url }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        switch signal {
        case .start: path += "/start"
        case .fail: path += "/fail"
        case .success: break
        }
        components.percentEncodedPath = path
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "rid", value: runID)]
        return components.string ?? url
    }

    /// The URL as messages show it: `https://hc-ping.com/…(58 chars)`.
    public var shownURL: String { SecretMask.url(url) }

    /// Sends one signal; returns why it could not be delivered, or nil. Never throws: a ping that fails must not
    /// change what the command itself did.
    public func send(_ signal: PingSignal, body: String? = nil) async -> String? {
        let payload = body.map { Data(redactor.remote($0, limit: Self.bodyLimit).utf8) }
        let request = HTTPRequest(
            method: "POST", url: url(for: signal),
            headers: [HTTPHeader("Content-Type", "text/plain; charset=utf-8"), HTTPHeader("User-Agent", RBSCronVersion.userAgent)],
            body: payload ?? Data(), connectTimeout: 10, timeout: 15, maxBodyBytes: 1024, maxRedirects: 0)
        var problem: String?
        for attempt in 1...Self.attempts {
            let result = await transport.send(request)
            switch result {
            case .success(let response) where (200...299).contains(response.status):
                return nil
            case .success(let response):
                problem = "HTTP \(response.status): \(redactor.excerpt(response.body, limit: 120))"
                if response.status < 500 { return problem }
            case .failure(let error):
                problem = redactor.remote(error.localizedDescription)
            }
            if attempt < Self.attempts { await sleep(500 * attempt) }
        }
        return problem
    }

    /// Runs `body` between a start signal and its end signal (success when it went well, fail with the summary
    /// otherwise, fail with the error when it threw, which is then rethrown). Ping problems go to `problems`.
    public func around<Report: PingOutcome>(problems: @Sendable (String) -> Void,
                                            _ body: () async throws -> Report) async throws -> Report {
        if let problem = await send(.start) { problems(describe(.start, problem)) }
        let report: Report
        do {
            report = try await body()
        } catch {
            if let problem = await send(.fail, body: "rbscron failed: \(error.localizedDescription)") {
                problems(describe(.fail, problem))
            }
            throw error
        }
        let signal: PingSignal = report.pingSucceeded ? .success : .fail
        if let problem = await send(signal, body: report.pingSummary) { problems(describe(signal, problem)) }
        return report
    }

    func describe(_ signal: PingSignal, _ problem: String) -> String {
        "the \(signal.rawValue) ping to \(shownURL) was not delivered: \(problem)"
    }
}

extension TriggerReport: PingOutcome {
    public var pingSucceeded: Bool { !failed }

    /// `trigger: 4 runs, 1 not ok` and one line per run that was not ok.
    public var pingSummary: String {
        if let group {
            return "trigger \(group.schedule): \(group.summary.succeeded) of \(group.summary.total) tasks succeeded"
        }
        let bad = runs.filter { !$0.succeeded }
        var lines = ["trigger: \(runs.count) run\(runs.count == 1 ? "" : "s"), \(bad.count) not ok"
                     + (alreadyClaimed.isEmpty ? "" : ", \(alreadyClaimed.count) fires already claimed")]
        for run in bad.prefix(10) {
            lines.append("\(run.job) \(run.outcome.rawValue)\(run.httpStatus.map { " \($0)" } ?? "")"
                         + (run.error.map { ": \($0.prefix(120))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
