import Crypto
import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

/// Runs Tests/oracle/qstash_verify.py, which calls Upstash's official Python SDK.
enum QStashOracle {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Secrets
        .deletingLastPathComponent()  // RBSCronKitTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("oracle/qstash_verify.py")

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// True when python3 can import qstash.
    static let isAvailable: Bool = {
        (try? runToolBlocking("/usr/bin/env", ["python3", "-c", "import qstash"], timeout: 120))?.status == 0
    }()

    /// Runs in CI regardless, so a missing oracle fails there instead of skipping.
    static var shouldRun: Bool { isAvailable || isCI }

    struct Outcome { let status: Int32; let output: String }

    static func run(_ arguments: [String]) async throws -> Outcome {
        let result = try await runTool("/usr/bin/env", ["python3"] + arguments)
        return Outcome(status: result.status, output: result.text + result.errorText)
    }

    /// Exit status of the SDK's Receiver.verify on this case: 0 accepted, 1 rejected.
    static func verify(signature: String, body: String, url: String, current: String, next: String) async throws -> Outcome {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-qstash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("case.json")
        let data = try JSONSerialization.data(withJSONObject: [
            "signature": signature, "body": body, "url": url,
            "current_signing_key": current, "next_signing_key": next,
        ])
        try data.write(to: file)
        return try await run([script.path, file.path])
    }
}

@Suite("QStashSigner")
struct QStashSignerTests {
    static let current = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"
    static let next = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
    static let url = "https://baul.vercel.app/api/cron/refresh-tokens?source=rbscron"
    static let body = #"{"job":"refresh-tokens","at":"2026-01-01T00:00:00Z","note":"ñ"}"#

    struct Decoded {
        let header: [String: Any]
        let claims: [String: Any]
        let signingInput: String
        let signature: Data
    }

    func decode(_ token: String) throws -> Decoded {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 3)
        let header = try #require(base64URLDecode(parts[0]))
        let claims = try #require(base64URLDecode(parts[1]))
        return Decoded(
            header: try #require(try JSONSerialization.jsonObject(with: header) as? [String: Any]),
            claims: try #require(try JSONSerialization.jsonObject(with: claims) as? [String: Any]),
            signingInput: parts[0] + "." + parts[1],
            signature: try #require(base64URLDecode(parts[2]))
        )
    }

    @Test("the token carries exactly Upstash's header and claims, signed with the key's UTF-8 bytes")
    func claims() throws {
        let signer = try QStashSigner(
            signingKey: Self.current,
            clock: { Date(timeIntervalSince1970: 1_767_225_600.75) },
            makeJTI: { "jwt_fixed" }
        )
        let token = try signer.signature(url: Self.url, body: Data(Self.body.utf8))
        #expect(!token.contains("="))
        let decoded = try decode(token)
        #expect(decoded.header as? [String: String] == ["alg": "HS256", "typ": "JWT"])
        #expect(decoded.claims["iss"] as? String == "Upstash")
        #expect(decoded.claims["sub"] as? String == Self.url)
        #expect(decoded.claims["iat"] as? Int == 1_767_225_600)
        #expect(decoded.claims["nbf"] as? Int == 1_767_225_600)
        #expect(decoded.claims["exp"] as? Int == 1_767_225_900)
        #expect(decoded.claims["jti"] as? String == "jwt_fixed")
        #expect(Set(decoded.claims.keys) == ["iss", "sub", "iat", "nbf", "exp", "jti", "body"])

        let digest = Data(SHA256.hash(data: Data(Self.body.utf8)))
        let expectedBody = digest.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(decoded.claims["body"] as? String == expectedBody)
        #expect(expectedBody.hasSuffix("="))  // 32 bytes always pad to one "="

        let key = SymmetricKey(data: Data(Self.current.utf8))
        #expect(HMAC<SHA256>.isValidAuthenticationCode(
            decoded.signature, authenticating: Data(decoded.signingInput.utf8), using: key
        ))
    }

    @Test("each token gets a fresh jti")
    func randomJTI() throws {
        let signer = try QStashSigner(signingKey: Self.current)
        let ids = try (0..<20).map { _ in
            try decode(signer.signature(url: Self.url, body: Data())).claims["jti"] as? String
        }
        #expect(Set(ids).count == 20)
        #expect(ids.allSatisfy { $0?.hasPrefix("jwt_") == true })
    }

    @Test("empty keys and non-http destinations are refused", arguments: ["", "/api/cron", "ftp://host/x", "https://"])
    func refusals(url: String) throws {
        #expect(throws: SecretError.emptySigningKey) { try QStashSigner(signingKey: "") }
        if !url.isEmpty {
            #expect(throws: SecretError.invalidDestinationURL(url)) {
                try QStashSigner(signingKey: Self.current).signature(url: url, body: Data())
            }
        }
    }

    @Test(
        "Upstash's official SDK Receiver accepts the token, and rejects it when anything is off",
        .enabled(if: QStashOracle.shouldRun, "python3 with the qstash package is not installed (pip install qstash)")
    )
    func officialSDK() async throws {
        try #require(
            QStashOracle.isAvailable,
            "CI=true but python3 cannot import qstash: install it (pip install qstash) so the signer is checked"
        )
        let body = Data(Self.body.utf8)
        let signer = try QStashSigner(signingKey: Self.current)
        let token = try signer.signature(url: Self.url, body: body)

        let accepted = try await QStashOracle.verify(
            signature: token, body: Self.body, url: Self.url, current: Self.current, next: Self.next)
        #expect(accepted.status == 0, "SDK rejected a good token: \(accepted.output)")

        // Empty body, as a GET trigger sends.
        let emptyToken = try signer.signature(url: Self.url, body: Data())
        let empty = try await QStashOracle.verify(
            signature: emptyToken, body: "", url: Self.url, current: Self.current, next: Self.next)
        #expect(empty.status == 0, "SDK rejected an empty-body token: \(empty.output)")

        // Signed with the next key: accepted, as during an Upstash key roll.
        let nextToken = try QStashSigner(signingKey: Self.next).signature(url: Self.url, body: body)
        let rolled = try await QStashOracle.verify(
            signature: nextToken, body: Self.body, url: Self.url, current: Self.current, next: Self.next)
        #expect(rolled.status == 0, "SDK rejected a next-key token: \(rolled.output)")

        let negatives: [(String, String, String, String)] = [
            ("tampered body", token, Self.body.replacingOccurrences(of: "refresh", with: "r3fresh"), Self.url),
            ("wrong URL", token, Self.body, "https://baul.vercel.app/api/cron/refresh-tokens"),
            ("other host", token, Self.body, Self.url.replacingOccurrences(of: "baul", with: "camino")),
            ("unknown key", try QStashSigner(signingKey: "sig_someoneelse").signature(url: Self.url, body: body),
             Self.body, Self.url),
            ("expired", try QStashSigner(signingKey: Self.current, clock: { Date().addingTimeInterval(-301) })
                .signature(url: Self.url, body: body), Self.body, Self.url),
            ("not yet valid", try QStashSigner(signingKey: Self.current, clock: { Date().addingTimeInterval(120) })
                .signature(url: Self.url, body: body), Self.body, Self.url),
            ("altered signature", String(token.dropLast()) + (token.hasSuffix("A") ? "B" : "A"), Self.body, Self.url),
        ]
        for (name, signature, sentBody, sentURL) in negatives {
            let outcome = try await QStashOracle.verify(
                signature: signature, body: sentBody, url: sentURL, current: Self.current, next: Self.next)
            #expect(outcome.status == 1, "SDK did not reject \(name): status \(outcome.status) \(outcome.output)")
        }
    }
}
