import Foundation
import Testing
@testable import RBSCronKit

@Suite("Redactor")
struct RedactorTests {
    @Test("every occurrence of every value is replaced")
    func plain() {
        let redactor = Redactor(secrets: ["tok_abc123", "previous-value"])
        let text = "Authorization: Bearer tok_abc123, again tok_abc123; old previous-value."
        #expect(redactor.redact(text) == "Authorization: Bearer [REDACTED], again [REDACTED]; old [REDACTED].")
    }

    @Test("overlapping values leave no fragment of either")
    func overlapping() {
        let redactor = Redactor(secrets: ["abcdef", "cdefgh"])
        #expect(redactor.redact("xxabcdefghyy") == "xx[REDACTED]yy")
        #expect(redactor.redact("cdefgh abcdef") == "[REDACTED] [REDACTED]")
        // Order of the secrets does not matter.
        #expect(Redactor(secrets: ["cdefgh", "abcdef"]).redact("xxabcdefghyy") == "xx[REDACTED]yy")
    }

    @Test("a value containing another is hidden whole (longest first)")
    func nested() {
        let redactor = Redactor(secrets: ["long", "secret-long-value"])
        #expect(redactor.redact("a secret-long-value and a long one") == "a [REDACTED] and a [REDACTED] one")
    }

    @Test("values shorter than 4 characters are ignored")
    func shortValuesIgnored() {
        let redactor = Redactor(secrets: ["ok", "abc", "1"])
        #expect(redactor.isEmpty)
        #expect(redactor.redact("ok abc 1") == "ok abc 1")
        #expect(Redactor(secrets: ["abcd"]).redact("xabcdx") == "x[REDACTED]x")
    }

    @Test("values inside already-encoded JSON strings are found in their escaped forms")
    func jsonEscaped() throws {
        let secret = "pa\"ss\\wo/rd\né<&>"
        let redactor = Redactor(secrets: [secret])

        // Foundation: escapes / as \/ by default.
        let foundation = String(decoding: try JSONEncoder().encode(["token": secret]), as: UTF8.self)
        #expect(foundation.contains("\\/"))
        #expect(redactor.redact(foundation) == #"{"token":"[REDACTED]"}"#)

        let unescapedSlash: String = {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            return String(decoding: (try? encoder.encode(["token": secret])) ?? Data(), as: UTF8.self)
        }()
        #expect(redactor.redact(unescapedSlash) == #"{"token":"[REDACTED]"}"#)

        // Python's json.dumps (ensure_ascii) and Go's encoding/json (HTML-safe) forms.
        let python = #"{"token": "pa\"ss\\wo/rd\n\u00e9<&>"}"#
        #expect(redactor.redact(python) == #"{"token": "[REDACTED]"}"#)
        let go = #"{"token":"pa\"ss\\wo/rd\né\u003c\u0026\u003e"}"#
        #expect(redactor.redact(go) == #"{"token":"[REDACTED]"}"#)
    }

    @Test("a JSON response body embedding a secret is cleaned as Data, even around invalid UTF-8")
    func data() throws {
        let redactor = Redactor(secrets: ["sk_live_0123456789"])
        var body = Data([0xFF, 0xFE])
        body.append(Data(#"{"echo":"sk_live_0123456789"}"#.utf8))
        body.append(0xC3)
        let cleaned = redactor.redact(body)
        var expected = Data([0xFF, 0xFE])
        expected.append(Data(#"{"echo":"[REDACTED]"}"#.utf8))
        expected.append(0xC3)
        #expect(cleaned == expected)
        #expect(cleaned.range(of: Data("sk_live".utf8)) == nil)
    }

    @Test("non-ASCII text around and inside values stays valid")
    func unicode() {
        let redactor = Redactor(secrets: ["clé-secrète-ñ"])
        #expect(redactor.redact("Baúl → clé-secrète-ñ ✓") == "Baúl → [REDACTED] ✓")
    }

    @Test("text without secrets is returned unchanged")
    func untouched() {
        let redactor = Redactor(secrets: ["abcdefgh"])
        let text = "abcdefg abcdefgX bcdefgh"
        #expect(redactor.redact(text) == text)
        #expect(Redactor(secrets: [String]()).redact(text) == text)
    }
}
