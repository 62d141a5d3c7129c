import Foundation
import Testing

@testable import RBSCronKit

@Suite("QStashSigner deviations for audit's signed probes")
struct SignerDeviationTests {
    static let key = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"
    static let next = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
    static let url = "https://colectiva.example/api/cron/ecosystem-heartbeat"

    func claims(_ token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".").map(String.init)
        let payload = try #require(base64URLDecode(parts[1]))
        return try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
    }

    @Test("no deviation is exactly the normal token")
    func unchanged() throws {
        let signer = try QStashSigner(signingKey: Self.key, clock: { Date(timeIntervalSince1970: 1_767_225_600) },
                                      makeJTI: { "jwt_fixed" })
        let body = Data(#"{"a":1}"#.utf8)
        #expect(try signer.signature(url: Self.url, body: body) == signer.signature(url: Self.url, body: body, deviation: .none))
    }

    @Test("expired, another body, another sub: only the claim asked for changes")
    func deviations() throws {
        let signer = try QStashSigner(signingKey: Self.key, clock: { Date(timeIntervalSince1970: 1_767_225_600) })
        let expired = try claims(signer.signature(url: Self.url, body: Data(),
                                                  deviation: QStashSigner.Deviation(issuedAtOffset: -600)))
        #expect(expired["exp"] as? Int == 1_767_225_600 - 300 && expired["sub"] as? String == Self.url)
        let body = try claims(signer.signature(url: Self.url, body: Data(),
                                               deviation: QStashSigner.Deviation(claimedBody: Data("x".utf8))))
        #expect(body["body"] as? String == QStashSigner.bodyHash(Data("x".utf8)))
        #expect(body["body"] as? String != QStashSigner.bodyHash(Data()))
        let sub = try claims(signer.signature(url: Self.url, body: Data(),
                                              deviation: QStashSigner.Deviation(subject: "https://elsewhere.invalid/")))
        #expect(sub["sub"] as? String == "https://elsewhere.invalid/" && sub["exp"] as? Int == 1_767_225_900)
    }

    @Test("Upstash's Receiver refuses each deviation when given the URL",
          .enabled(if: QStashOracle.shouldRun, "python3 cannot import qstash (pip install qstash)"))
    func receiverRefuses() async throws {
        let signer = try QStashSigner(signingKey: Self.key)
        let good = try signer.signature(url: Self.url, body: Data())
        #expect(try await QStashOracle.verify(signature: good, body: "", url: Self.url, current: Self.key, next: Self.next).status == 0)
        for deviation in [QStashSigner.Deviation(issuedAtOffset: -(QStashSigner.lifetime + 300)),
                          QStashSigner.Deviation(claimedBody: Data("other".utf8)),
                          QStashSigner.Deviation(subject: "https://elsewhere.invalid/")] {
            let token = try signer.signature(url: Self.url, body: Data(), deviation: deviation)
            let outcome = try await QStashOracle.verify(signature: token, body: "", url: Self.url, current: Self.key, next: Self.next)
            #expect(outcome.status == 1, "\(deviation) accepted: \(outcome.output)")
        }
    }
}
