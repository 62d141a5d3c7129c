import Foundation
import RBSCronKit

/// Live progress on stderr: one line per running task, redrawn in place; finished tasks leave a
/// permanent line. Only on a terminal, never with --json.
final class ProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [(ref: JobRef, state: String)] = []
    private var drawnLines = 0
    private let style: TerminalStyle

    init(style: TerminalStyle) { self.style = style }

    /// The callback to hand to the library, or nil when nothing should be shown.
    static func callback(style: TerminalStyle, json: Bool) -> TriggerProgress? {
        guard !json, style.stderrIsTerminal else { return nil }
        let display = ProgressDisplay(style: style)
        return { event in display.handle(event) }
    }

    func handle(_ event: TriggerEvent) {
        lock.lock()
        defer { lock.unlock() }
        var permanent: String?
        switch event {
        case .started(let ref):
            running.append((ref, "starting"))
        case .attempt(let ref, let number):
            set(ref, number == 1 ? "sending" : "attempt \(number)")
        case .waiting(let ref, let ms, let after):
            set(ref, "attempt \(after) failed; retrying in \(DurationText.format(milliseconds: ms))")
        case .finished(let report):
            running.removeAll { $0.ref == report.job }
            let status = report.httpStatus.map { " HTTP \($0)" } ?? ""
            let mark = report.succeeded ? style.green("✓") : style.red("✗")
            let attempts = report.attempts > 1 ? "\(report.attempts) attempts, " : ""
            let run = report.runID.map { ", run #\($0)" } ?? ""
            var detail = report.succeeded ? "" : (report.error ?? report.responseExcerpt.map(RunRender.firstLine) ?? "")
            if let dead = report.deadLetterID { detail += " (dead letter #\(dead))" }
            permanent = "\(mark) \(report.job) \(report.outcome.rawValue)\(status) (\(attempts)\(Int(report.durationMs.rounded())) ms\(run))"
                + (detail.isEmpty ? "" : ": \(detail)")
        case .queued(let ref, let via, let id, let deduplicated):
            permanent = deduplicated ? "= \(ref) already sent through \(via) by another runner (\(id))"
                                     : "→ \(ref) handed to \(via) (\(id)), delivered with its retries"
        }
        var text = String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawnLines) + "\r\u{1B}[2K"
        if let permanent { text += permanent + "\n" }
        for task in running { text += "  → \(task.ref)  \(task.state)\n" }
        drawnLines = running.count
        FileHandle.standardError.write(Data(text.utf8))
    }

    private func set(_ ref: JobRef, _ state: String) {
        if let index = running.firstIndex(where: { $0.ref == ref }) { running[index].state = state }
    }
}

/// One self-overwriting progress line on stderr, only when enabled (stderr is a terminal and no --json).
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ text: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        shown = true
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
    }

    func clear() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}
