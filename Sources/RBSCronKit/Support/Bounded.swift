/// Structured concurrency with a bound: the one fan-out helper. Health checks, keep-alive pings, parallel triggers,
/// due mode and the transport's `sendAll` all go through it, so "at most N in flight" means the same everywhere.
enum Bounded {
    /// `transform` applied to the elements with at most `limit` calls in flight; results in the order of `items`.
    ///
    /// An error never cancels calls already running: a job in flight must finish and record its own outcome (a
    /// cancelled request would be recorded as a failed one, and may already have reached its endpoint). After
    /// an error no new call starts; once the running ones finish, the error of the earliest item is rethrown,
    /// as a loop over the items would have stopped there.
    static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], limit: Int, _ transform: @escaping @Sendable (Item) async throws -> Output
    ) async throws -> [Output] {
        let outcomes = await run(items, limit: limit, stopAfterFailure: true) { item in
            await Result(catching: { try await transform(item) })
        }
        var results: [Output] = []
        results.reserveCapacity(items.count)
        for outcome in outcomes {
            guard let outcome else { continue }  // never started: an earlier item failed
            results.append(try outcome.get())
        }
        return results
    }

    /// `transform` applied to every element with at most `limit` calls in flight; results in the order of `items`.
    /// `onEach` is told each result as it arrives (index, in completion order).
    static func mapEvery<Item: Sendable, Output: Sendable>(
        _ items: [Item], limit: Int, onEach: (@Sendable (Int, Output) -> Void)? = nil,
        _ transform: @escaping @Sendable (Item) async -> Output
    ) async -> [Output] {
        let outcomes = await run(items, limit: limit, stopAfterFailure: false, onEach: { index, result in
            if case .success(let output) = result { onEach?(index, output) }
        }) { item in
            Result<Output, any Error>.success(await transform(item))
        }
        return outcomes.compactMap { outcome in
            guard case .success(let output)? = outcome else { return nil }
            return output
        }
    }

    /// The core: runs `body` over `items` with at most `limit` (at least 1) in flight. With `stopAfterFailure`, no
    /// new call starts after a failure; the slots of the calls never started stay nil.
    private static func run<Item: Sendable, Output: Sendable>(
        _ items: [Item], limit: Int, stopAfterFailure: Bool,
        onEach: (@Sendable (Int, Result<Output, any Error>) -> Void)? = nil,
        _ body: @escaping @Sendable (Item) async -> Result<Output, any Error>
    ) async -> [Result<Output, any Error>?] {
        let limit = max(1, limit)
        var outcomes = [Result<Output, any Error>?](repeating: nil, count: items.count)
        if limit == 1 || items.count <= 1 {
            for (index, item) in items.enumerated() {
                let outcome = await body(item)
                outcomes[index] = outcome
                onEach?(index, outcome)
                if stopAfterFailure, case .failure = outcome { break }
            }
            return outcomes
        }
        return await withTaskGroup(of: (Int, Result<Output, any Error>).self) { group in
            var next = 0, failed = false
            func start() {
                let index = next, item = items[index]
                group.addTask { (index, await body(item)) }
                next += 1
            }
            while next < min(limit, items.count) { start() }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                onEach?(index, outcome)
                if stopAfterFailure, case .failure = outcome { failed = true }
                if !failed && next < items.count { start() }
            }
            return outcomes
        }
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
