import Foundation

/// Sends HTTP requests. ``CurlTransport`` is the real one; tests and other layers may stand in.
public protocol HTTPTransport: Sendable {
    /// Sends one request, following redirects as the request allows.
    func send(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPError>

    /// Sends every request with at most `concurrency` in flight at once. `onEach` is called as each
    /// finishes (with its index, in completion order); the returned results are in input order.
    func sendAll(
        _ requests: [HTTPRequest],
        concurrency: Int,
        onEach: (@Sendable (Int, Result<HTTPResponse, HTTPError>) -> Void)?
    ) async -> [Result<HTTPResponse, HTTPError>]
}

extension HTTPTransport {
    /// ``sendAll(_:concurrency:onEach:)`` without a progress callback; dispatches to the
    /// conforming type's own implementation when it has one.
    public func sendAll(_ requests: [HTTPRequest], concurrency: Int) async -> [Result<HTTPResponse, HTTPError>] {
        await sendAll(requests, concurrency: concurrency, onEach: nil)
    }

    /// By default a transport fans out with ``boundedSendAll(_:concurrency:onEach:)``.
    public func sendAll(
        _ requests: [HTTPRequest],
        concurrency: Int,
        onEach: (@Sendable (Int, Result<HTTPResponse, HTTPError>) -> Void)?
    ) async -> [Result<HTTPResponse, HTTPError>] {
        await boundedSendAll(requests, concurrency: concurrency, onEach: onEach)
    }

    /// The bounded fan-out every transport can share: never more than `concurrency` (at least 1) calls to
    /// ``send(_:)`` in flight. Results come back in input order.
    public func boundedSendAll(
        _ requests: [HTTPRequest],
        concurrency: Int,
        onEach: (@Sendable (Int, Result<HTTPResponse, HTTPError>) -> Void)?
    ) async -> [Result<HTTPResponse, HTTPError>] {
        await Bounded.mapEvery(requests, limit: concurrency, onEach: onEach) { request in await self.send(request) }
    }
}
