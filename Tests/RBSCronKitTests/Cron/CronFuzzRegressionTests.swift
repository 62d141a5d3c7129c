import Foundation
import Testing
@testable import RBSCronKit

/// Inputs found by fuzz/run.sh. Each must parse or fail with a proper error, never crash.
struct CronFuzzRegressionTests {
    /// fuzz/artifacts/crash-a9861c9b…: starts with U+05A0 (a combining mark), has a NUL and
    /// invalid UTF-8. The harness's `hasPrefix` check failed because the mark fuses with the
    /// opening quote of the message into one Character; the library's message was right.
    @Test func combiningMarkAndNulInput() {
        let bytes: [UInt8] = [0xD6, 0xA0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x60, 0x2A, 0x20, 0x2A, 0x21, 0x2A, 0x2F, 0x32]
        let text = String(decoding: bytes, as: UTF8.self)
        for dialect in CronDialect.allCases {
            let error = parseError(text, dialect: dialect)
            #expect(error != nil)
            #expect(error?.errorDescription?.utf8.starts(with: "invalid cron expression '".utf8) == true)
            #expect(error?.reason.contains("expected 5 fields") == true, "\(error?.reason ?? "")")
        }
    }
}
