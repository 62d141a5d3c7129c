import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Raw loopback servers that misbehave on purpose, for the fault matrix. Like LoopbackServers.swift
// this file does not import RBSCronKit (its HTTP type names clash with FlyingFox's).

extension RawTCPServer {
    /// Reads one whole request: the head, then as many body bytes as its Content-Length says.
    /// Reading the body matters: closing a socket with unread bytes sends a reset, which would
    /// turn a well-formed answer into a transport error on the client's side.
    static func readRequest(_ fd: Int32) -> String? {
        var buffer = Data()
        guard let head = readHead(fd, buffer: &buffer) else { return nil }
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buffer.count < length {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return head }
            buffer.append(contentsOf: chunk[0..<count])
        }
        return head
    }

    /// Writes a complete `Connection: close` response.
    @discardableResult
    static func respond(_ fd: Int32, status: Int, headers: [String] = [], body: String = "") -> Bool {
        let lines = ["HTTP/1.1 \(status) Test", "Content-Length: \(body.utf8.count)", "Connection: close"] + headers
        return write(fd, lines.joined(separator: "\r\n") + "\r\n\r\n" + body)
    }

    /// Waits until the client closes its side (or the server stops), so our close sends a FIN, not a reset.
    static func drainUntilClosed(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 1024)
        while recv(fd, &chunk, chunk.count, 0) > 0 {}
    }

    /// Makes the coming `close` abort the connection with a TCP reset (SO_LINGER with a zero timeout).
    static func resetOnClose(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }

    /// Writes raw bytes; the number actually sent (less than `count` once the peer is gone).
    static func writeBytes(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { break }
            offset += sent
        }
        return offset
    }

    /// The value of header `name` in a request head (case-insensitive), if present.
    static func header(_ name: String, in head: String) -> String? {
        for line in head.split(separator: "\r\n").dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
