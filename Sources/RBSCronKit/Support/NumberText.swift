import Foundation

/// Whole numbers as reports write them.
public enum NumberText {
    /// 1000 → "1,000" (the same in every locale, so reports and tests agree).
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
