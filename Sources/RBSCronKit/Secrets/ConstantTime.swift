import Foundation

/// Comparison whose running time depends only on the lengths of its inputs, never on where
/// they first differ: for checking a presented token against a stored one.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. Every byte of `a` is visited whatever the
    /// contents; only the lengths can be learnt from the timing.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let left = Array(a)
        let right = Array(b)
        var difference: UInt8 = left.count == right.count ? 0 : 1
        // When the lengths differ, compare `left` with itself so the loop still runs in full.
        let other = left.count == right.count ? right : left
        for index in 0..<left.count {
            difference |= left[index] ^ other[index]
        }
        return difference == 0
    }

    /// True when the UTF-8 bytes of `a` and `b` are the same (no Unicode normalisation:
    /// secrets are compared as bytes).
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }
}
