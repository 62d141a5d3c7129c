import Foundation

/// Durations as operators write them: `500ms`, `30s`, `5m`, `2h`, `7d`, and sums such as `1h30m`.
public enum DurationText {
    /// Parses a duration into milliseconds; nil when the text is not a duration.
    public static func milliseconds(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !s.isEmpty else { return nil }
        var total = 0
        var index = s.startIndex
        while index < s.endIndex {
            let digitsStart = index
            while index < s.endIndex, s[index].isASCII, s[index].isNumber { index = s.index(after: index) }
            guard digitsStart < index, let value = Int(s[digitsStart..<index]) else { return nil }
            let unitStart = index
            while index < s.endIndex, s[index].isLetter { index = s.index(after: index) }
            let factor: Int
            switch s[unitStart..<index] {
            case "ms": factor = 1
            case "s": factor = 1_000
            case "m": factor = 60_000
            case "h": factor = 3_600_000
            case "d": factor = 86_400_000
            default: return nil
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow2 else { return nil }
            total = sum
        }
        return total
    }

    /// Formats milliseconds in the largest unit that divides them exactly (`60000` → `1m`).
    public static func format(milliseconds ms: Int) -> String {
        if ms == 0 { return "0s" }
        for (unit, factor) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] where ms % factor == 0 {
            return "\(ms / factor)\(unit)"
        }
        return "\(ms)ms"
    }
}
