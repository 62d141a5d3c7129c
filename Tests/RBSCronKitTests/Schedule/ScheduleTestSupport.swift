import Foundation
@testable import RBSCronKit

/// Small inventories built in code, so each rule is seen alone.
enum Fixture {
    /// An app whose Vercel project is recorded (so `vercel.unobserved` stays out of the other rules' way).
    static func app(_ name: String, platform: Platform = .vercel, plan: VercelPlan? = nil,
                    supabase: Bool = false) -> App {
        App(name: name, displayName: name.capitalized, baseURL: "https://\(name).example.com", platform: platform,
            vercelPlan: plan, supabase: supabase ? SupabaseProject() : nil, vercelProject: "\(name)-site")
    }

    static func job(_ app: String, _ name: String, layer: Layer, schedule: String? = nil, method: HTTPMethod = .GET,
                    timezone: String = "UTC", timeout: Int = 10_000, path: String? = nil, sql: String? = nil,
                    parent: String? = nil, order: Int? = nil, enabled: Bool = true) -> Job {
        Job(app: app, name: name, path: sql == nil ? (path ?? "/api/cron/\(name)") : nil, sql: sql, method: method,
            layer: layer, schedule: schedule, timezone: timezone, timeoutMs: timeout, enabled: enabled,
            triggeredBy: parent.flatMap(JobRef.init), order: order)
    }

    static func date(_ text: String) -> Date {
        guard let d = Timestamp.parse(text) else { preconditionFailure("bad test time \(text)") }
        return d
    }

    /// A fixed "now" so time-based rules are reproducible.
    static let now = date("2026-04-10T00:00:00Z")
}

extension ScheduleCheckReport {
    func findings(rule: String) -> [ScheduleFinding] { findings.filter { $0.rule == rule } }
}
