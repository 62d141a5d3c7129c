import Foundation
import Testing

@testable import RBSCronKit

/// A URL never carries a user name or password: the manifest refuses one, and the transport refuses to send one,
/// reading the URL as libcurl does, so the host rbscron checks is the host it calls.
@Suite("URLs with credentials", .timeLimit(.minutes(1)))
struct URLCredentialTests {
    static let withUserinfo = [
        "http://user:hunter2@shop.example.com",
        "https://user@shop.example.com",
        "https://:hunter2@shop.example.com",
        "http://127.0.0.1:1\\@127.0.0.1:28432",
        "http://127.0.0.1:1%40@127.0.0.1:28432",
        "http://shop.example.com@evil.example.com",
        "http://a@b@evil.example.com",
    ]

    @Test("the manifest refuses userinfo in base_url and supabase.url, without printing the password", arguments: withUserinfo)
    func manifestRefuses(url: String) {
        let reason = URLRules.problem(withBaseURL: url)
        #expect(reason != nil, "accepted \(url)")
        #expect(reason.map { !$0.contains("hunter2") } ?? true)
        #expect(reason?.contains("user name or password") == true, "\(reason ?? "")")
    }

    /// Odd but plain URLs that libcurl and the manifest must read alike.
    static let tricky = [
        "https://shop.example.com", "http://127.0.0.1:28432", "https://SHOP.Example.COM:8443/base/",
        "http://[::1]:8080", "https://shop.example.com./", "http://127.0.0.1:1\\@127.0.0.1:28432",
        "http://shop.example.com\\evil.example.com", "http://shop.example.com#@evil.example.com",
        "http://shop.example.com?@evil.example.com", "http://shop.example.com:80:90", "http://0x7f.1:8080",
        "http://shop%2eexample.com", "http://shop.example.com%00.evil.example.com", "http:///shop.example.com",
        "http:/shop.example.com", "http:\\\\shop.example.com", " http://shop.example.com", "http://shop .example.com",
        "HTTP://shop.example.com", "http://xn--bal-6na.example.com", "http://baúl.example.com",
    ]

    @Test("whatever the manifest accepts, libcurl reads with the same host and port and no userinfo", arguments: tricky)
    func agreesWithCurl(url: String) throws {
        guard URLRules.problem(withBaseURL: url) == nil else { return }
        let ours = try URLRules.parse(url).get()
        let curl = try #require(CurlURL.parse(url), "libcurl cannot parse \(url), which the manifest accepts")
        #expect(curl.host == ours.host, "\(url): manifest host \(ours.host), libcurl host \(curl.host)")
        #expect(curl.port == ours.port, "\(url): manifest port \(ours.port), libcurl port \(curl.port)")
        #expect(!curl.hasCredentials)
    }

    @Test("the transport refuses a URL with credentials before any connection; the bearer reaches no host")
    func transportRefuses() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "ok") }
        let port = server.baseURL.split(separator: ":").last.map(String.init) ?? ""
        let transport = CurlTransport(userAgent: testUserAgent)
        for url in ["http://127.0.0.1:1\\@127.0.0.1:\(port)/api/cron/x", "http://u:p@127.0.0.1:\(port)/api/cron/x"] {
            let result = await transport.send(HTTPRequest(
                method: "POST", url: url, headers: [HTTPHeader("Authorization", "Bearer top-secret-bearer-1234")]))
            guard case .failure(let error) = result else {
                Issue.record("sent \(url)")
                continue
            }
            #expect(error.localizedDescription.contains("user name or password"))
            #expect(!error.localizedDescription.contains(":p@"))
        }
        await server.stop()
        #expect(server.requests.isEmpty)
    }

    @Test("an inventory that already holds such a URL never prints its password, and nothing is sent to it")
    func olderInventoryMasked() async throws {
        let app = App(name: "shop", displayName: "Shop", baseURL: "https://user:hunter2@127.0.0.1:1", platform: .vercel)
        let job = Job(app: "shop", name: "ping", path: "/api/cron/ping", layer: .manual, auth: .none)
        let store = try InventoryStore.inMemory(seed: Inventory(apps: [app], jobs: [job]))
        let workspace = Workspace(store: store, environment: [:], transport: { CurlTransport(userAgent: testUserAgent) })
        let apps = try workspace.apps(InventoryFilter())
        #expect(apps.first?.baseURL == "https://…@127.0.0.1:1")
        let dry = try await workspace.trigger(TriggerRequest(mode: .jobs([job.ref]), dryRun: true))
        #expect(dry.requests.first.map { !$0.url.contains("hunter2") } == true)
        let health = try await workspace.healthCheck(HealthCheckOptions(timeoutMs: 2_000), record: false)
        let result = try #require(health.results.first)
        #expect(!result.url.contains("hunter2") && result.status == .down && result.reason == .invalidURL)
        let fired = try await workspace.trigger(TriggerRequest(mode: .jobs([job.ref])))
        #expect(fired.runs.first?.outcome == .transportError)
        #expect(fired.runs.first?.error.map { $0.contains("user name or password") && !$0.contains("hunter2") } == true)
    }
}
