import Foundation
import Testing
@testable import RBSCronKit

@Suite("SecretMask, ConstantTime, SecretGenerator")
struct SecretPrimitivesTests {
    @Test("previews show at most 4 characters and the length; short values only the length")
    func maskPreview() {
        let long = "sk_live_" + String(repeating: "Z", count: 32)
        #expect(SecretMask.preview(long) == "sk_l…(40 chars)")
        #expect(SecretMask.preview("abcdefghijklmnop") == "abcd…(16 chars)")
        #expect(SecretMask.preview("abcdefghijklmno") == "…(15 chars)")
        #expect(SecretMask.preview("x") == "…(1 char)")
        #expect(SecretMask.preview("") == "(empty)")
        #expect(SecretMask.preview("ñandú-🔑-ñandú-🔑-x") == "ñand…(17 chars)")
        for length in 1..<16 {
            let value = String(repeating: "q", count: length)
            #expect(!SecretMask.preview(value).contains("q"))
        }
    }

    @Test("constant-time equality", arguments: [
        ("same-token", "same-token", true),
        ("same-token", "Same-token", false),
        ("same-token", "same-tokeN", false),
        ("abc", "abcd", false),
        ("abcd", "abc", false),
        ("", "", true),
        ("", "a", false),
        ("ñ", "n\u{303}", false),  // bytes, not canonical equivalence
    ])
    func constantTime(a: String, b: String, equal: Bool) {
        #expect(ConstantTime.equals(a, b) == equal)
        #expect(ConstantTime.equals(Array(a.utf8), Data(b.utf8)) == equal)
    }

    @Test("generated secrets are 32 random bytes as unpadded base64url")
    func generator() throws {
        let values = (0..<200).map { _ in SecretGenerator.generate() }
        #expect(Set(values).count == values.count)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for value in values {
            #expect(value.count == 43)
            #expect(value.allSatisfy { alphabet.contains($0) })
            #expect(base64URLDecode(value)?.count == 32)
        }
    }
}
