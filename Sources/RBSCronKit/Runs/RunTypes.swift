import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `trigger --json` reports per run. Keys are a contract (README "Triggering jobs").
public struct RunReport: Encodable, Sendable, Equatable {
    public var runID: Int64?
    public var job: JobRef
    public var source: RunSource
    public var outcome: RunOutcome
    public var httpStatus: Int?
    public var attempts: Int
    public var durationMs: Double
    public var timings: HTTPTimings?
    public var error: String?
    public var startedAt: Date
    public var finishedAt: Date
    public var scheduledFor: Date?
    /// The response body's first bytes (at most 4 KiB), every secret value replaced.
    public var responseExcerpt: String?
    /// The dead letter this run created (retries exhausted) or replayed.
    public var deadLetterID: Int64?
    /// True when this run was the half-open probe after a breaker's cool-down.
    public var breakerProbe: Bool
    /// Why the run's outcome could not be written to the inventory (a full disk): the request was sent, and this
    /// report is the only record of what happened. Not in the JSON (its shape is a contract): stderr says it, exit 1.
    public var notRecorded: String? = nil

    public var succeeded: Bool { outcome == .ok }

    /// The sentence for an outcome that was not recorded; nil when it was.
    public var notRecordedMessage: String? {
        guard let notRecorded else { return nil }
        return "the request of \(job)\(runID.map { " (run #\($0))" } ?? "") WAS SENT (outcome \(outcome.rawValue)"
            + "\(httpStatus.map { ", HTTP \($0)" } ?? "")), but its outcome could not be written to the inventory: "
            + "\(notRecorded). Do not fire it again to be sure: it fired. Free space where the inventory lives (or fix "
            + "the error); the run stays 'started' until the next trigger marks it abandoned."
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", job, address, source, outcome, httpStatus = "http_status", attempts, durationMs = "duration_ms",
             timings, error, startedAt = "started_at", finishedAt = "finished_at", scheduledFor = "scheduled_for",
             responseExcerpt = "response_excerpt", deadLetterID = "dead_letter_id", breakerProbe = "breaker_probe"
    }

    enum TimingKeys: String, CodingKey {
        case dnsMs = "dns_ms", connectMs = "connect_ms", tlsMs = "tls_ms", firstByteMs = "first_byte_ms", totalMs = "total_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runID, forKey: .runID)
        try c.encode(job.description, forKey: .job)
        try c.encode(job.description, forKey: .address)
        try c.encode(source, forKey: .source)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(durationMs.rounded(), forKey: .durationMs)
        if let timings {
            var t = c.nestedContainer(keyedBy: TimingKeys.self, forKey: .timings)
            try t.encode(timings.dnsMs, forKey: .dnsMs)
            try t.encode(timings.connectMs, forKey: .connectMs)
            try t.encode(timings.tlsMs, forKey: .tlsMs)
            try t.encode(timings.firstByteMs, forKey: .firstByteMs)
            try t.encode(timings.totalMs, forKey: .totalMs)
        } else {
            try c.encodeNil(forKey: .timings)
        }
        try c.encode(error, forKey: .error)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(scheduledFor, forKey: .scheduledFor)
        try c.encode(responseExcerpt, forKey: .responseExcerpt)
        try c.encode(deadLetterID, forKey: .deadLetterID)
        try c.encode(breakerProbe, forKey: .breakerProbe)
    }
}

/// The clock, sleeper, random source and process facts a trigger uses; tests inject their own
/// so retries and cool-downs run without waiting.
public struct RunEnvironment: Sendable {
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (_ milliseconds: Int) async -> Void
    /// A uniform value in `0..<1`, for backoff jitter.
    public var random: @Sendable () -> Double
    public var pid: Int32
    /// Whether a process id is alive (false only when the kernel says it does not exist).
    public var isAlive: @Sendable (Int32) -> Bool

    public init(
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Int) async -> Void = { ms in try? await Task.sleep(for: .milliseconds(ms)) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        pid: Int32 = getpid(),
        isAlive: @escaping @Sendable (Int32) -> Bool = RunEnvironment.processExists
    ) {
        self.now = now
        self.sleep = sleep
        self.random = random
        self.pid = pid
        self.isAlive = isAlive
    }

    /// `kill(pid, 0)`: a process is gone only when that fails with ESRCH (EPERM means it exists).
    @Sendable public static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 { return true }
        return errno != ESRCH
    }
}

/// How a trigger behaves; `nil` fields fall back to the job's own settings.
public struct TriggerOptions: Sendable {
    /// Bounds each attempt; default: the job's timeout.
    public var timeoutMs: Int?
    /// Attempts after the first; default: the job's retries.
    public var retries: Int?
    /// The request body (JSON text); default: none.
    public var body: Data?
    public var insecure: Bool
    /// Fire even when the job's circuit breaker is open.
    public var force: Bool
    /// A run older than this (since its first attempt) is not retried further.
    public var maxAgeMs: Int?
    public var backoffBaseMs: Int
    public var backoffCapMs: Int
    /// Consecutive failed runs that open a job's breaker.
    public var breakerThreshold: Int
    public var breakerCooldownMs: Int
    public var source: RunSource

    public init(
        timeoutMs: Int? = nil, retries: Int? = nil, body: Data? = nil, insecure: Bool = false, force: Bool = false,
        maxAgeMs: Int? = nil, backoffBaseMs: Int = 500, backoffCapMs: Int = 30_000, breakerThreshold: Int = BreakerDefaults.threshold,
        breakerCooldownMs: Int = Int(BreakerDefaults.cooldown * 1000), source: RunSource = .manual
    ) {
        self.timeoutMs = timeoutMs
        self.retries = retries
        self.body = body
        self.insecure = insecure
        self.force = force
        self.maxAgeMs = maxAgeMs
        self.backoffBaseMs = backoffBaseMs
        self.backoffCapMs = backoffCapMs
        self.breakerThreshold = breakerThreshold
        self.breakerCooldownMs = breakerCooldownMs
        self.source = source
    }
}

/// Why a dead letter was not replayed (its body was kept only redacted).
public struct TriggerReplayRefusal: Error, Sendable, Equatable {
    public var reason: String
}

/// Why a trigger could not be attempted at all (no run is recorded for these).
public enum TriggerError: Error, LocalizedError, Sendable, Equatable {
    case sqlJob(JobRef)
    case unknownApp(JobRef)
    case notAGroup(JobRef)
    case noTasks(String)
    case ambiguousSchedule(app: String, groups: [String])
    case invalidBody(String)
    case bodyNotAllowed(JobRef, method: String)
    /// Too little free space to record a run's outcome: nothing was sent.
    case noRoomToRecord(path: String, available: Int64)

    public var errorDescription: String? {
        switch self {
        case .sqlJob(let ref):
            return "'\(ref)' runs SQL inside its database (pg_cron), so it cannot be fired over HTTP. Run it there with: rbscron trigger \(ref) --via pg_cron"
        case .unknownApp(let ref):
            return "the app of '\(ref)' is not in the inventory; see `rbscron list apps`."
        case .notAGroup(let ref):
            return "'\(ref)' fans out to no jobs (no job names it in triggered_by), so there is no group to run. Trigger it directly: rbscron trigger \(ref)"
        case .noTasks(let what):
            return "no enabled jobs in \(what). See `rbscron list jobs --json` for each job's group."
        case .ambiguousSchedule(let app, let groups):
            return "\(app) has several such groups (\(groups.joined(separator: ", "))); choose one with --at HH:MM."
        case .invalidBody(let reason):
            return "the --body is not valid JSON: \(reason)"
        case .noRoomToRecord(let path, let available):
            return "only \(available / 1024) KiB are free where the inventory '\(path)' lives, too little to record what a "
                + "request does, so nothing was sent (a job fired without a record could be fired twice). Free some "
                + "space, or choose another inventory with --db."
        case .bodyNotAllowed(let ref, let method):
            return "'\(ref)' is called with \(method), which carries no body; drop --body or change the job's method."
        }
    }
}
