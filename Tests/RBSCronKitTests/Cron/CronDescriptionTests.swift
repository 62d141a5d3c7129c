import Foundation
import Testing
@testable import RBSCronKit

struct CronDescriptionTests {
    @Test(arguments: [
        ("*/15 9-18 * * 1-6", "Every 15 minutes, between 09:00 and 18:59, Monday through Saturday"),
        ("0 14 * * *", "At 14:00"),
        ("0 9 1 * *", "At 09:00, on day 1 of the month"),
        ("* * * * *", "Every minute"),
        ("0 * * * *", "Every hour"),
        ("30 * * * *", "At minute 30 past every hour"),
        ("0 */2 * * *", "At minute 0, every 2 hours"),
        ("0 9,17 * * MON-FRI", "At 09:00 and 17:00, Monday through Friday"),
        ("0 8 1,15 * *", "At 08:00, on days 1 and 15 of the month"),
        ("0 0 1 1 *", "At 00:00, on day 1 of the month, in January"),
        ("0 0 * * 0", "At 00:00, on Sunday"),
        ("0 0 * * 7", "At 00:00, on Sunday"),
        ("0 6 * * 1,3,5", "At 06:00, on Monday, Wednesday and Friday"),
        ("0 0 15 * 1", "At 00:00, on day 15 of the month, or on Monday"),
        ("0 0 */2 * 1", "At 00:00, every 2 days of the month, but only on Monday"),
        ("*/5 * * jun-aug *", "Every 5 minutes, June through August"),
        ("0,30 * * * *", "At minutes 0 and 30 past every hour"),
        ("5-10 3 * * *", "Every minute from minute 5 through 10, between 03:00 and 03:59"),
    ])
    func describes(expression: String, expected: String) throws {
        #expect(try CronSchedule.parse(expression).englishDescription == expected)
    }

    @Test func dialectSpecificDescriptions() throws {
        #expect(try CronSchedule.parse("0 12 $ * *", dialect: .pgCron).englishDescription == "At 12:00, on the last day of the month")
        #expect(try CronSchedule.parse("10 seconds", dialect: .pgCron).englishDescription == "Every 10 seconds")
        #expect(try CronSchedule.parse("CRON_TZ=Europe/Berlin 0 9 * * *", dialect: .qstash).englishDescription == "At 09:00 (Europe/Berlin time)")
        #expect(try CronSchedule.parse("@reboot").englishDescription.contains("never on a schedule"))
    }
}
