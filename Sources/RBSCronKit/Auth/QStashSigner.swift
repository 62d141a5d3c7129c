import Crypto
import Foundation

/// Signs a request the way QStash itself does, so an app's `Receiver` accepts a manual
/// trigger from rbscron as if QStash had delivered it.
///
/// The token is a JWT, header `{"alg":"HS256","typ":"JWT"}`, signed with HMAC-SHA256 keyed
/// by the UTF-8 bytes of the signing key string exactly as shown in the Upstash console
/// (`sig_…`; the SDKs do not base64-decode it). Claims:
/// `iss` "Upstash", `sub` the full destination URL (compared verbatim by the SDKs), `iat`,
/// `nbf` (= iat), `exp` (= iat + 300, QStash's own 5-minute lifetime), `jti` (random) and
/// `body`, the base64url SHA-256 of the body bytes with `=` padding, as QStash sends it (the
/// SDKs strip trailing `=` from both sides before comparing, so padding is accepted either way).
///
/// The SDKs verify with zero clock tolerance by default, so `nbf` is not back-dated: a receiver
/// whose clock runs behind rbscron's by even a second rejects the token until it catches up,
/// exactly as it would QStash's own.
public struct QStashSigner: Sendable {
    /// The HTTP header that carries the token.
    public static let headerName = "Upstash-Signature"
    /// Seconds between `iat` and `exp`.
    public static let lifetime: Int64 = 300

    private let signingKey: SymmetricKey
    private let clock: @Sendable () -> Date
    private let makeJTI: @Sendable () -> String

    /// - Parameters:
    ///   - signingKey: the app's current QStash signing key, as text.
    ///   - clock: the time source (injected in tests).
    ///   - makeJTI: the token id source; defaults to `jwt_` and 24 random base64url characters.
    public init(
        signingKey: String,
        clock: @escaping @Sendable () -> Date = { Date() },
        makeJTI: @escaping @Sendable () -> String = QStashSigner.randomJTI
    ) throws {
        guard !signingKey.isEmpty else { throw SecretError.emptySigningKey }
        self.signingKey = SymmetricKey(data: Data(signingKey.utf8))
        self.clock = clock
        self.makeJTI = makeJTI
    }

    /// How a token departs from what QStash itself would send. `audit --signed-probes` sends such tokens, signed
    /// with the real key, to check that an endpoint refuses them; ``signature(url:body:)`` never deviates.
    public struct Deviation: Sendable, Equatable {
        /// Seconds added to the issue time; `-(lifetime + 300)` makes a token that expired five minutes ago.
        public var issuedAtOffset: Int64
        /// The `sub` claim to carry instead of the destination URL.
        public var subject: String?
        /// The body whose hash the `body` claim carries instead of the request's own.
        public var claimedBody: Data?

        public init(issuedAtOffset: Int64 = 0, subject: String? = nil, claimedBody: Data? = nil) {
            self.issuedAtOffset = issuedAtOffset
            self.subject = subject
            self.claimedBody = claimedBody
        }

        /// No deviation: the token QStash would send.
        public static let none = Deviation()
    }

    /// The `Upstash-Signature` value for a request with `body` to `url`.
    ///
    /// - Parameter url: the full destination URL, exactly as the receiving app reconstructs it.
    public func signature(url: String, body: Data) throws -> String {
        try signature(url: url, body: body, deviation: .none)
    }

    /// A token for `body` to `url` that departs from QStash's own as `deviation` says (an expired one, one for
    /// another URL or another body): what an endpoint must refuse.
    public func signature(url: String, body: Data, deviation: Deviation) throws -> String {
        guard let parsed = URL(string: url),
              let scheme = parsed.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = parsed.host, !host.isEmpty
        else {
            throw SecretError.invalidDestinationURL(url)
        }
        let issuedAt = Int64(clock().timeIntervalSince1970.rounded(.down)) + deviation.issuedAtOffset
        let claims = Claims(
            iss: "Upstash",
            sub: deviation.subject ?? url,
            exp: issuedAt + Self.lifetime,
            nbf: issuedAt,
            iat: issuedAt,
            jti: makeJTI(),
            body: Self.bodyHash(deviation.claimedBody ?? body)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let header = Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8)
        let payload: Data
        do {
            payload = try encoder.encode(claims)
        } catch {
            throw SecretError.invalidDestinationURL(url)
        }
        let signingInput = SecretGenerator.base64URL(header, padded: false) + "."
            + SecretGenerator.base64URL(payload, padded: false)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: signingKey)
        return signingInput + "." + SecretGenerator.base64URL(Data(mac), padded: false)
    }

    /// The `body` claim: base64url of SHA-256 of the exact body bytes, padded.
    public static func bodyHash(_ body: Data) -> String {
        SecretGenerator.base64URL(Data(SHA256.hash(data: body)), padded: true)
    }

    /// `jwt_` followed by 24 random base64url characters (18 bytes), like QStash's own ids.
    @Sendable public static func randomJTI() -> String {
        "jwt_" + SecretGenerator.base64URL(Data(SecureRandom.bytes(count: 18)), padded: false)
    }

    struct Claims: Encodable {
        let iss: String
        let sub: String
        let exp: Int64
        let nbf: Int64
        let iat: Int64
        let jti: String
        let body: String
    }
}
