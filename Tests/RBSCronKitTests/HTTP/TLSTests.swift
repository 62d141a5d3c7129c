import Foundation
import RBSCronTestSupport
import Testing

@testable import RBSCronKit

/// A python3 `ssl` HTTPS server on 127.0.0.1 with a self-signed certificate made by openssl
/// into a fresh temporary directory. The server exits when its stdin closes (or after 50 s).
final class SelfSignedHTTPSServer {
    static let script = """
        import http.server, os, ssl, sys, threading
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"secure"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        threading.Timer(50, lambda: os._exit(0)).start()
        sys.stdin.read()
        os._exit(0)
        """

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var toolsAvailable: Bool { executable("python3") != nil && executable("openssl") != nil }

    let port: Int
    private let process: ChildProcess
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = try runToolBlocking(try #require(Self.executable("openssl")), [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ], timeout: 60)
        try #require(openssl.status == 0, "openssl: \(openssl.errorText)")

        let scriptPath = directory.appendingPathComponent("server.py")
        try Data(Self.script.utf8).write(to: scriptPath)
        // stdin is a pipe held here: the server exits when it is closed.
        process = try ChildProcess(try #require(Self.executable("python3")), [scriptPath.path, cert, key],
                                   stdin: .pipe, stdout: .pipe)
        let stdout = try #require(process.output)

        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.availableData
            if chunk.isEmpty { break }  // EOF: the server did not start
            line.append(chunk)
        }
        port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    var baseURL: String { "https://127.0.0.1:\(port)" }

    func stop() {
        try? process.input?.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("CurlTransport TLS", .timeLimit(.minutes(1)), .enabled(if: SelfSignedHTTPSServer.toolsAvailable))
struct TLSTests {
    @Test("a self-signed certificate is refused by default and accepted with insecure")
    func selfSigned() async throws {
        let server = try SelfSignedHTTPSServer()
        defer { server.stop() }
        let transport = CurlTransport(userAgent: testUserAgent)

        let verified = await transport.send(HTTPRequest(url: server.baseURL + "/", timeout: 10))
        guard case .tls(let detail) = verified.error() else {
            Issue.record("a self-signed certificate was not refused")
            return
        }
        #expect(detail.contains("127.0.0.1:\(server.port)"))
        #expect(HTTPError.tls(detail).localizedDescription.contains("--insecure"))

        let insecure = await transport.send(HTTPRequest(url: server.baseURL + "/", timeout: 10, insecure: true))
        let response = try #require(insecure.response())
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "secure")
        #expect(response.timings.tlsMs > response.timings.connectMs)  // a real handshake happened
        #expect(response.timings.firstByteMs >= response.timings.tlsMs)
    }
}
