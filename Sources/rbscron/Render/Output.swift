import Foundation
import RBSCronKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Colour and terminal facts. Colour: `--color always` or `never` decide; `auto` colours on a terminal unless NO_COLOR
/// is set (to anything) or TERM is dumb, and also off a terminal when CLICOLOR_FORCE is set to anything but 0.
struct TerminalStyle {
    var color: Bool
    let stdoutIsTerminal: Bool
    let stderrIsTerminal: Bool
    /// The width tables must fit: the terminal's, when stdout is one; nil when piped (tables keep their full width).
    var width: Int?
    /// `-o wide`: every column and whole cells, whatever the width.
    var wide = false
    /// `--no-headers`.
    var noHeaders = false
    /// Relative times ("3 min ago") beside RFC 3339 ones: on a terminal only.
    var relativeTimes: Bool { stdoutIsTerminal }

    init(choice: ColorChoice, environment: [String: String] = ProcessInfo.processInfo.environment) {
        stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
        stderrIsTerminal = isatty(STDERR_FILENO) == 1
        color = Self.colors(choice, environment: environment, terminal: stdoutIsTerminal)
        width = stdoutIsTerminal ? Self.terminalWidth(environment: environment) : nil
    }

    static func colors(_ choice: ColorChoice, environment: [String: String], terminal: Bool) -> Bool {
        switch choice {
        case .always: return true
        case .never: return false
        case .auto:
            if environment["NO_COLOR"] != nil { return false }
            if let force = environment["CLICOLOR_FORCE"], force != "0" { return true }
            return terminal && environment["TERM"] != "dumb"
        }
    }

    /// The terminal's columns (TIOCGWINSZ), else COLUMNS, else 80.
    static func terminalWidth(environment: [String: String]) -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        return 80
    }

    /// The style with a command's table options applied.
    func with(_ options: OutputOptions) -> TerminalStyle {
        var style = self
        style.wide = options.format == .wide
        style.noHeaders = options.noHeaders
        return style
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

/// A column of ``Output/table(columns:_:style:)``.
struct TableColumn {
    var title: String
    /// When the table is too wide for the terminal, columns with a rank are left out, lowest first; nil: always shown.
    var drop: Int?
    /// A cut cell keeps at least this many characters.
    var minWidth: Int

    init(_ title: String, drop: Int? = nil, minWidth: Int = 12) {
        self.title = title
        self.drop = drop
        self.minWidth = max(minWidth, min(title.count, 12))
    }
}

enum Output {
    /// The one way a command prints its report: JSON with `--json` (through the one encoder), the human form
    /// otherwise; warnings on stderr either way.
    static func emit<Report: Encodable & HumanReadable>(_ report: Report, _ output: OutputOptions, _ style: TerminalStyle) throws {
        let style = style.with(output)
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

    /// An aligned table; colour codes in cells do not disturb the alignment. See ``table(columns:_:style:)``.
    static func table(_ header: [String], _ rows: [[String]], style: TerminalStyle) -> String {
        table(columns: header.map { TableColumn($0) }, rows, style: style)
    }

    /// An aligned table that fits `style.width` (a terminal's) unless `-o wide`: columns with a `drop` rank are left
    /// out first (lowest rank first) and named on stderr; then the widest cells are cut with "…" down to each column's
    /// `minWidth`, except the last column, whose text wraps under itself. Piped (no width), it keeps its full width.
    static func table(columns: [TableColumn], _ rows: [[String]], style: TerminalStyle) -> String {
        var keep = Array(columns.indices)
        func natural(_ i: Int) -> Int {
            ([style.noHeaders ? "" : columns[i].title] + rows.map { i < $0.count ? $0[i] : "" }).map(visibleWidth).max() ?? 0
        }
        var widths = columns.indices.map(natural)
        func total() -> Int { keep.map { widths[$0] }.reduce(0, +) + 2 * max(0, keep.count - 1) }
        var dropped: [String] = []
        if let limit = style.width, !style.wide {
            let droppable = columns.indices.filter { columns[$0].drop != nil }.sorted { columns[$0].drop! < columns[$1].drop! }
            // A column is left out only when the others, cut to their least, still do not fit beside it.
            func least() -> Int { keep.map { min(widths[$0], columns[$0].minWidth) }.reduce(0, +) + 2 * max(0, keep.count - 1) }
            for i in droppable where least() > limit {
                keep.removeAll { $0 == i }
                dropped.append(columns[i].title)
            }
            // Narrow the widest column that can give until the table fits: the others first (their cells are cut),
            // the last one after them (its text wraps).
            while total() > limit {
                let others = keep.dropLast().filter { widths[$0] > columns[$0].minWidth }
                let candidates = others.isEmpty ? keep.suffix(1).filter { widths[$0] > columns[$0].minWidth } : Array(others)
                guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
                widths[widest] = max(columns[widest].minWidth, widths[widest] - (total() - limit))
            }
        }
        if !dropped.isEmpty {
            note(style.dim(fit("(to fit \(style.width ?? 0) columns, left out: \(dropped.joined(separator: ", ")); -o wide shows all)",
                               style: style)))
        }
        func lines(_ cells: [String]) -> [String] {
            var out: [String] = [""]
            for (position, i) in keep.enumerated() {
                let cell = i < cells.count ? cells[i] : ""
                let isLast = position == keep.count - 1
                let width = widths[i]
                if isLast {
                    let wrapped = visibleWidth(cell) > width && style.width != nil && !style.wide ? wrap(cell, width) : [cell]
                    let indent = visibleWidth(out[0])
                    out[0] += wrapped[0]
                    for more in wrapped.dropFirst() { out.append(String(repeating: " ", count: indent) + more) }
                } else {
                    let fitted = visibleWidth(cell) > width ? cut(cell, width) : cell
                    out[0] += fitted + String(repeating: " ", count: max(0, width - visibleWidth(fitted))) + "  "
                }
            }
            return out.map { $0.hasSuffix(" ") ? String($0.reversed().drop { $0 == " " }.reversed()) : $0 }
        }
        var result: [String] = []
        if !style.noHeaders { result.append(style.bold(lines(columns.map(\.title)).joined(separator: "\n"))) }
        for row in rows { result += lines(row) }
        return result.joined(separator: "\n")
    }

    /// A line of prose wrapped at the terminal's width (whole when piped or with -o wide).
    static func fit(_ line: String, style: TerminalStyle) -> String {
        guard let width = style.width, !style.wide, visibleWidth(line) > width else { return line }
        return wrap(line, width).joined(separator: "\n")
    }

    /// An RFC 3339 time with, on a terminal, how long ago or ahead it is: `2026-04-10T14:00:00Z (3 min ago)`.
    static func time(_ date: Date, style: TerminalStyle, now: Date = Date()) -> String {
        let stamp = Timestamp.rfc3339(date)
        return style.relativeTimes ? "\(stamp) (\(relative(date, now: now)))" : stamp
    }

    /// `3 min ago`, `in 2 h`, `just now`: the largest whole unit, like `ls -l`'s readers expect.
    static func relative(_ date: Date, now: Date = Date()) -> String {
        RelativeTime.text(date, now: now)
    }

    /// `text` cut to `width` visible characters, the last one "…"; colour codes are dropped from a cut cell.
    static func cut(_ text: String, _ width: Int) -> String {
        let plain = stripEscapes(text)
        guard plain.count > width else { return text }
        guard width > 1 else { return String(plain.prefix(width)) }
        return String(plain.prefix(width - 1)) + "…"
    }

    /// `text` wrapped at spaces into lines of at most `width` visible characters (a longer word is cut).
    static func wrap(_ text: String, _ width: Int) -> [String] {
        let plain = stripEscapes(text)
        var lines: [String] = []
        var line = ""
        for word in plain.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            if line.isEmpty {
                line = word
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = word
            }
            // A word longer than the line breaks after its last '/', '-' or '#' that fits, else at the width.
            while line.count > width {
                let head = line.prefix(width)
                let cut = head.lastIndex { "/-#".contains($0) }.map { head.distance(from: head.startIndex, to: $0) + 1 } ?? width
                let at = cut > width / 3 ? cut : width
                lines.append(String(line.prefix(at)))
                line = String(line.dropFirst(at))
            }
        }
        lines.append(line)
        return lines
    }

    static func stripEscapes(_ text: String) -> String {
        guard text.contains("\u{1B}") else { return text }
        var out = ""
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if scalar == "m" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Terminal columns of `text` (one per Unicode scalar), leaving out colour escapes.
    static func visibleWidth(_ text: String) -> Int { stripEscapes(text).unicodeScalars.count }
}
