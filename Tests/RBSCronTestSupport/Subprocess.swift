import Foundation

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

/// Runs `executable` to its end, reading both pipes (so a chatty child never blocks on a full one), and waits
/// off the cooperative pool. Standard input is `stdin`, or empty.
public func runTool(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                    environment: [String: String]? = nil, directory: URL? = nil) async throws -> ToolOutcome {
    try await offCooperativePool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ToolOutcome(status: process.terminationStatus, stdout: outData, stderr: errData)
    }
}
