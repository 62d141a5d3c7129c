import Foundation

/// The one key every JSON report uses for the job it is about: `"address": "APP/JOB"` (null when it is about no
/// job of the inventory). It is added beside whatever each report already called the job (`job`, `name`, or `job`
/// with `app` beside it), which stay as they were: the JSON shapes are a contract.
public enum JobAddress {
    enum Key: String, CodingKey { case address }

    /// Writes `address` into the object `encoder` is encoding (a second keyed container adds to the same object).
    public static func encode(_ address: String?, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(address, forKey: .address)
    }
}
