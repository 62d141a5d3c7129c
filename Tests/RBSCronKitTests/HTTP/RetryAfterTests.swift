import Foundation
import Testing

@testable import RBSCronKit

@Suite("parseRetryAfter")
struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 784_111_747)  // Sun, 06 Nov 1994 08:49:07 GMT

    @Test("delay-seconds")
    func seconds() {
        #expect(parseRetryAfter("120", now: now) == 120)
        #expect(parseRetryAfter(" 5 ", now: now) == 5)
        #expect(parseRetryAfter("0", now: now) == 0)
    }

    @Test("HTTP-date in all three formats, relative to now")
    func dates() {
        #expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 30)
        #expect(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == 30)
        #expect(parseRetryAfter("Sun Nov  6 08:49:37 1994", now: now) == 30)
        #expect(parseRetryAfter("Sun, 06 Nov 1994 09:49:07 GMT", now: now) == 3600)
    }

    @Test("a date in the past means no wait")
    func pastDate() {
        #expect(parseRetryAfter("Sat, 05 Nov 1994 08:49:37 GMT", now: now) == 0)
    }

    @Test("anything else is nil", arguments: ["", "soon", "-5", "1.5", "+3", "Sun, 99 Nov 1994 08:49:37 GMT", "12abc"])
    func garbage(value: String) {
        #expect(parseRetryAfter(value, now: now) == nil)
    }
}
