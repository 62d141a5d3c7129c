import Foundation
import RBSCronKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Colour and terminal facts: colour only on a terminal, never with --no-color or NO_COLOR.
struct TerminalStyle {
    let color: Bool
    let stdoutIsTerminal: Bool
    let stderrIsTerminal: Bool

    init(noColorFlag: Bool) {
        stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
        stderrIsTerminal = isatty(STDERR_FILENO) == 1
        let env = ProcessInfo.processInfo.environment
        color = !noColorFlag && env["NO_COLOR"] == nil && stdoutIsTerminal && env["TERM"] != "dumb"
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// The colour sequences `paint` writes: the only escape sequences that reach a terminal.
    static let colourCodes: Set<String> = ["0", "1", "2", "31", "32", "33"]
    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }
    func green(_ text: String) -> String { paint(text, "32") }
    func yellow(_ text: String) -> String { paint(text, "33") }
    func red(_ text: String) -> String { paint(text, "31") }
    func blue(_ text: String) -> String { paint(text, "34") }
}

/// A report the command layer prints: its JSON is its `Encodable` shape, its human form comes from here.
protocol HumanReadable {
    /// The human form for stdout; nil prints nothing.
    func human(_ style: TerminalStyle) -> String?
    /// Warnings for stderr (`warning: …`), in both modes: what the operator should know about the result.
    var warnings: [String] { get }
    /// Lines for stderr as they are, in both modes (a part that failed while the rest was reported).
    var notices: [String] { get }
    /// Lines for stderr in the human mode only (notes that JSON readers do not need).
    var notes: [String] { get }
}

extension HumanReadable {
    var warnings: [String] { [] }
    var notices: [String] { [] }
    var notes: [String] { [] }
}

enum Output {
    /// The one way a command prints its report: JSON with `--json` (through the one encoder), the human form
    /// otherwise; warnings on stderr either way.
    static func emit<Report: Encodable & HumanReadable>(_ report: Report, _ output: OutputOptions, _ style: TerminalStyle) throws {
        for warning in report.warnings { warn(warning) }
        for line in report.notices { note(line) }
        if output.json {
            print(try ReportJSON.encode(report))
            return
        }
        for line in report.notes { note(line) }
        if let text = report.human(style) { print(safe(text, colour: style.color)) }
    }

    /// `text` as it may reach a terminal: every control character written visibly (`\x1b]0;…` stays text), but
    /// newlines, tabs and, with `colour`, rbscron's own colour sequences. A response body, a manifest value or a
    /// server's error message then cannot set a title, clear the screen or hide text.
    static func safe(_ text: String, colour: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: ControlCharacters.isControl) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            if scalar == "\u{1B}", colour, let end = ownColourSequence(scalars, at: i) {
                out.append(contentsOf: scalars[i...end])
                i = end + 1
                continue
            }
            if ControlCharacters.isControl(scalar), scalar != "\n", scalar != "\t" {
                out.append(contentsOf: ControlCharacters.visible(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
            i += 1
        }
        return String(out)
    }

    /// The index of the `m` ending one of ``TerminalStyle/colourCodes`` at `start`, if one starts there.
    private static func ownColourSequence(_ scalars: [Unicode.Scalar], at start: Int) -> Int? {
        guard start + 1 < scalars.count, scalars[start + 1] == "[" else { return nil }
        var code = ""
        var i = start + 2
        while i < scalars.count, i - start < 6 {
            if scalars[i] == "m" { return TerminalStyle.colourCodes.contains(code) ? i : nil }
            code.unicodeScalars.append(scalars[i])
            i += 1
        }
        return nil
    }

    static func json<T: Encodable>(_ value: T) throws {
        print(try ReportJSON.encode(value))
    }

    /// Warnings and progress go to stderr so stdout stays machine-readable.
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(safe(message))\n".utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(safe(message))\n".utf8))
    }

    /// An aligned table; colour codes in cells do not disturb the alignment.
    static func table(_ header: [String], _ rows: [[String]], style: TerminalStyle) -> String {
        let widths = header.indices.map { i in
            ([header[i]] + rows.map { i < $0.count ? $0[i] : "" }).map(visibleWidth).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[i] - visibleWidth(cell)))
            }.joined(separator: "  ")
        }
        return ([style.bold(line(header))] + rows.map(line)).joined(separator: "\n")
    }

    static func visibleWidth(_ text: String) -> Int {
        var count = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if scalar == "m" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                count += 1
            }
        }
        return count
    }
}
