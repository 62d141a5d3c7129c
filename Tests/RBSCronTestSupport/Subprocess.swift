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
    try await offCooperativePool {
        try runToolBlocking(executable, arguments, stdin: stdin, environment: environment, directory: directory,
                            discardOutput: discardOutput, timeout: timeout)
    }
}

/// ``runTool`` on the calling thread, for the few places that cannot await (a static probe such as "can python3
/// import qstash", evaluated once when a suite is considered). It blocks the caller until the child ends.
public func runToolBlocking(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                            environment: [String: String]? = nil, directory: URL? = nil, discardOutput: Bool = false,
                            timeout: TimeInterval = 300) throws -> ToolOutcome {
    _ = ignoreSIGPIPE
    do {
        // Not Foundation's Process: its run() has crashed inside its spawn on Linux (a bad memmove while it lists
        // /proc/self/fd) when the test process had many descriptors open, taking the whole test run down.
        let input = try ChildPipe(), out = try ChildPipe(), err = try ChildPipe()
        let null = discardOutput ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1
        let pid: pid_t
        do {
            pid = try posixSpawn(executable, arguments, environment: environment, directory: directory,
                                 stdin: input.read, stdout: discardOutput ? null : out.write,
                                 stderr: discardOutput ? null : err.write)
        } catch {
            [input.write, input.read, out.read, out.write, err.read, err.write].forEach { _ = close($0) }
            if null >= 0 { _ = close(null) }
            throw error
        }
        // The child has its ends now; the parent keeps only its own.
        [input.read, out.write, err.write].forEach { _ = close($0) }
        if null >= 0 { _ = close(null) }
        let outReader = FileHandle(fileDescriptor: out.read, closeOnDealloc: true)
        let errReader = FileHandle(fileDescriptor: err.read, closeOnDealloc: true)
        let writer = FileHandle(fileDescriptor: input.write, closeOnDealloc: true)
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        // Blocking reads get threads of their own. Not DispatchQueue.global(): on Linux its default width is the
        // processor count, so a few blocked readers would queue the others (and, with them, the children).
        group.enter()
        Thread.detachNewThread { outData = outReader.readDataToEndOfFile(); group.leave() }
        group.enter()
        Thread.detachNewThread { errData = errReader.readDataToEndOfFile(); group.leave() }
        if let stdin {
            group.enter()
            Thread.detachNewThread {
                try? writer.write(contentsOf: stdin)
                try? writer.close()
                group.leave()
            }
        } else {
            try? writer.close()
        }
        // Wait here, on this thread of its own; a timer terminates the child if it outlives `timeout`.
        let timedOut = TestBox(false)
        let killer = DispatchWorkItem {
            timedOut.mutate { $0 = true }
            _ = kill(pid, SIGTERM)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        killer.cancel()
        if timedOut.value {
            throw ToolTimeout(command: ([executable] + arguments).joined(separator: " "), seconds: timeout)
        }
        group.wait()
        return ToolOutcome(status: exitCode(ofWaitStatus: raw), stdout: outData, stderr: errData)
    }
}

/// Like Foundation's terminationStatus: the exit status, or the number of the signal that ended the child.
func exitCode(ofWaitStatus raw: Int32) -> Int32 { (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : raw & 0x7f }

/// A pipe for a child's stdin, stdout or stderr: the child gets only the end it is given (as 0, 1 or 2).
struct ChildPipe {
    let read: Int32
    let write: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        // Close on exec for Foundation's own spawns; ours close every descriptor from 3 on anyway.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        read = fds[0]
        write = fds[1]
    }
}

/// glibc's spawn file actions that Swift's Glibc module does not show: close every descriptor from 3 on (the
/// children of one test must not hold another test's sockets or pipes) and change directory.
private enum SpawnActions {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    static let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: CloseFrom.self) }
    static let changeDirectory = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map {
        unsafeBitCast($0, to: ChangeDirectory.self)
    }
}

/// Starts `executable` (an absolute path) with `posix_spawn`, its stdin, stdout and stderr on the given descriptors,
/// SIGPIPE back to its default, every other descriptor closed.
func posixSpawn(_ executable: String, _ arguments: [String], environment: [String: String]?, directory: URL?,
                stdin: Int32, stdout: Int32, stderr: Int32) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, stdin, 0)
    posix_spawn_file_actions_adddup2(&actions, stdout, 1)
    posix_spawn_file_actions_adddup2(&actions, stderr, 2)
    if let closeFrom = SpawnActions.closeFrom { _ = closeFrom(&actions, 3) }
    if let directory {
        guard let changeDirectory = SpawnActions.changeDirectory else { throw POSIXError(.ENOSYS) }
        let rc = directory.path.withCString { changeDirectory(&actions, $0) }
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
    }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { (text: String) in strdup(text) } + [nil]
    defer { argv.forEach { free($0) } }
    let pairs = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
    let envp: [UnsafeMutablePointer<CChar>?] = pairs.map { (text: String) in strdup(text) } + [nil]
    defer { envp.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
    return pid
}

/// A value behind a lock, shared between threads (a timer, a server thread and a task).
public final class TestBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    public init(_ value: Value) { stored = value }
    public var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    public func mutate(_ body: (inout Value) -> Void) { lock.lock(); defer { lock.unlock() }; body(&stored) }
}

/// A child process that runs beside a test (a server, a process to kill), started with `posix_spawn` like
/// ``runTool``'s: Foundation's `Process.run()` has crashed inside its spawn on Linux, taking the test run down.
/// Its stdin, stdout and stderr are /dev/null, a file, or a pipe the test holds the other end of.
public final class ChildProcess: @unchecked Sendable {
    public enum Stream {
        /// /dev/null.
        case null
        /// Appended to this file (created if missing).
        case file(URL)
        /// A pipe: the test gets the other end as ``input`` (for stdin) or ``output`` (for stdout).
        case pipe
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let pid: pid_t
    public let command: [String]
    /// The writing end of the child's stdin when it was started with `stdin: .pipe`; closing it is the child's EOF.
    public let input: FileHandle?
    /// The reading end of the child's stdout when it was started with `stdout: .pipe`.
    public let output: FileHandle?
    private let reaped = TestBox<Int32?>(nil)

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
                stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null) throws {
        _ = ignoreSIGPIPE
        var parentEnds: [Int32] = []  // the test's ends of pipes: kept
        var childEnds: [Int32] = []   // what only the child needs: closed once it is started
        var inputEnd: Int32?, outputEnd: Int32?
        func open(_ stream: Stream, reading: Bool) throws -> Int32 {
            switch stream {
            case .null:
                let fd = Glibc.open("/dev/null", (reading ? O_RDONLY : O_WRONLY) | O_CLOEXEC)
                guard fd >= 0 else { throw Failure(description: "cannot open /dev/null: errno \(errno)") }
                childEnds.append(fd)
                return fd
            case .file(let url):
                let fd = Glibc.open(url.path, (reading ? O_RDONLY : O_WRONLY | O_CREAT | O_APPEND) | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw Failure(description: "cannot open \(url.path): errno \(errno)") }
                childEnds.append(fd)
                return fd
            case .pipe:
                let pipe = try ChildPipe()
                parentEnds.append(reading ? pipe.write : pipe.read)
                childEnds.append(reading ? pipe.read : pipe.write)
                if reading { inputEnd = pipe.write } else { outputEnd = pipe.read }
                return reading ? pipe.read : pipe.write
            }
        }
        do {
            let inFD = try open(stdin, reading: true), outFD = try open(stdout, reading: false)
            let errFD = try open(stderr, reading: false)
            pid = try posixSpawn(executable, arguments, environment: environment, directory: directory,
                                 stdin: inFD, stdout: outFD, stderr: errFD)
        } catch {
            (parentEnds + childEnds).forEach { _ = close($0) }
            throw error
        }
        childEnds.forEach { _ = close($0) }
        command = [executable] + arguments
        input = inputEnd.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        output = outputEnd.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    /// Reaps the child if it has ended (without blocking); the wait status once it has.
    private func poll(blocking: Bool) -> Int32? {
        if let raw = reaped.value { return raw }
        var raw: Int32 = 0
        var rc: pid_t
        repeat { rc = waitpid(pid, &raw, blocking ? 0 : WNOHANG) } while rc == -1 && errno == EINTR
        guard rc == pid else { return nil }
        reaped.mutate { $0 = raw }
        return raw
    }

    public var isRunning: Bool { poll(blocking: false) == nil }

    /// Blocks until the child ends; use ``exit(within:)`` from a test (it does not hold a cooperative thread).
    @discardableResult
    public func waitUntilExit() -> Int32 { exitCode(ofWaitStatus: poll(blocking: true) ?? 0) }

    /// Waits (polling with `Task.sleep`) up to `seconds`; kills the child with SIGKILL past that and returns nil.
    public func exit(within seconds: TimeInterval) async -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if isRunning {
            signal(SIGKILL)
            waitUntilExit()
            return nil
        }
        return terminationStatus
    }

    /// The exit status, or the number of the signal that ended it; nil while it runs.
    public var terminationStatus: Int32? { poll(blocking: false).map { exitCode(ofWaitStatus: $0) } }

    /// Whether a signal (not an exit) ended it; nil while it runs.
    public var endedBySignal: Bool? { poll(blocking: false).map { ($0 & 0x7f) != 0 } }

    public func signal(_ number: Int32) { if isRunning { _ = kill(pid, number) } }

    /// SIGTERM, as Foundation's `terminate()`.
    public func terminate() { signal(SIGTERM) }
}
