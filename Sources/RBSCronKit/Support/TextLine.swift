import Foundation

/// Text shown on one line of a report.
public enum TextLine {
    /// `text` on one line (line breaks become spaces), at most `limit` characters (an ellipsis marks a cut).
    public static func single(_ text: String, limit: Int) -> String {
        let oneLine = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        return oneLine.count <= limit ? oneLine : String(oneLine.prefix(max(0, limit - 1))) + "…"
    }
}
