import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Catches SIGINT (Ctrl-C) and SIGTERM while a command has requests in flight, so it can record what it was doing
/// before it ends, then ends the process the way a shell expects (128 + the signal: 130, 143).
final class InterruptHandler: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    /// Installs the handler; `record` runs once, on the first signal, and returns a line for stderr.
    init(record: @escaping @Sendable () -> String?) {
        let signals: [Int32] = [SIGINT, SIGTERM]
        let once = NSLock()
        nonisolated(unsafe) var handled = false
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                once.lock()
                let first = !handled
                handled = true
                once.unlock()
                guard first else { return }
                // Leave any live progress line, then say what was recorded.
                let line = record()
                FileHandle.standardError.write(Data(("\n" + (line.map { $0 + "\n" } ?? "")).utf8))
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Restores the default handlers (the work is done).
    func remove() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
