import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Every test target runs in one process on Swift's cooperative pool, which has one thread per core (two on
// the CI machine). A test that blocks a thread of that pool on a child process (rbscron, psql, python3,
// chromium) for seconds starves the loopback servers of the tests running beside it, and they time out.
// Tests therefore wait for child processes here, on threads of their own.

/// Runs `body`, which blocks (waiting for a process, reading a pipe), on a thread of its own and resumes the
/// caller when it returns: the caller's cooperative thread stays free for the other tests' tasks meanwhile.
public func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// What a child process printed and returned.
public struct ToolOutcome: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var text: String { String(decoding: stdout, as: UTF8.self) }
    public var errorText: String { String(decoding: stderr, as: UTF8.self) }
}

/// A child process outlived its time limit and was terminated.
public struct ToolTimeout: Error, CustomStringConvertible {
    public var command: String
    public var seconds: TimeInterval
    public var description: String { "\(command) did not finish within \(Int(seconds)) s; terminated" }
}

/// A child that exits before reading its stdin must not kill the test process with SIGPIPE.
public let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

/// Runs `executable` to its end and waits off the cooperative pool. Both pipes are read from the start (so a
/// chatty child never blocks on a full one) and `stdin` is written on its own thread; with `discardOutput` the
/// output goes to /dev/null instead (for a child whose helpers may keep a pipe open, like chromium). Past
/// `timeout` the child is terminated and `ToolTimeout` thrown.
public func runTool(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                    environment: [String: String]? = nil, directory: URL? = nil, discardOutput: Bool = false,
                    timeout: TimeInterval = 300) async throws -> ToolOutcome {
    _ = ignoreSIGPIPE
    return try await offCooperativePool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        if discardOutput {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        } else {
            process.standardOutput = out
            process.standardError = err
        }
        process.standardInput = input
        try spawn(process)
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        if !discardOutput {
            // Blocking reads get threads of their own. Not DispatchQueue.global(): on Linux its default width is the
            // processor count, so a few blocked readers would queue the others (and, with them, the children).
            group.enter()
            Thread.detachNewThread { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
            group.enter()
            Thread.detachNewThread { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        }
        if let stdin {
            group.enter()
            Thread.detachNewThread {
                try? input.fileHandleForWriting.write(contentsOf: stdin)
                try? input.fileHandleForWriting.close()
                group.leave()
            }
        } else {
            try? input.fileHandleForWriting.close()
        }
        // Wait here, on this thread of its own; a timer terminates the child if it outlives `timeout`.
        let timedOut = TestBox(false)
        let killer = DispatchWorkItem {
            timedOut.mutate { $0 = true }
            process.terminate()
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        process.waitUntilExit()
        killer.cancel()
        if timedOut.value {
            throw ToolTimeout(command: ([executable] + arguments).joined(separator: " "), seconds: timeout)
        }
        group.wait()
        return ToolOutcome(status: process.terminationStatus, stdout: outData, stderr: errData)
    }
}

/// A value behind a lock, shared between threads (a timer, a server thread and a task).
public final class TestBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    public init(_ value: Value) { stored = value }
    public var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    public func mutate(_ body: (inout Value) -> Void) { lock.lock(); defer { lock.unlock() }; body(&stored) }
}

/// Starts `process`, one at a time across the test run. Foundation's `Process.run()` on Linux has crashed inside its
/// spawn (a bad memmove) when many tests started children at once; serializing the spawn alone costs microseconds and
/// leaves the children themselves running in parallel.
public func spawn(_ process: Process) throws {
    spawnLock.lock()
    defer { spawnLock.unlock() }
    try process.run()
}

private let spawnLock = NSLock()
