import Foundation
// TEMPORARY: replaced by the full cron engine at integration.
public enum CronDialect: String, CaseIterable, Sendable, Codable { case vixie, vercel, qstash, pgCron = "pg_cron" }
public struct CronError: Error, LocalizedError, Equatable, Sendable {
    public var expression: String
    public var reason: String
    public var errorDescription: String? { "invalid cron expression '\(expression)': \(reason)" }
}
public struct CronSchedule: Sendable, Hashable {
    public var expression: String
    public var timeZone: TimeZone? { nil }
    public static func parse(_ text: String, dialect: CronDialect = .vixie) throws(CronError) -> CronSchedule {
        let fields = text.split(separator: " ")
        if fields.count != 5 && !(dialect == .pgCron && text.hasSuffix("seconds")) {
            throw CronError(expression: text, reason: "expected 5 fields, found \(fields.count)")
        }
        return CronSchedule(expression: text)
    }
}
