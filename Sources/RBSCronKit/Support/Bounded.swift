/// Structured concurrency with a bound: `trigger APP/JOB…` and `trigger --due` fire up to N jobs at once.
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
        let limit = max(1, limit)
        if limit == 1 || items.count <= 1 {
            var results: [Output] = []
            results.reserveCapacity(items.count)
            for item in items { results.append(try await transform(item)) }
            return results
        }
        let outcomes = await withTaskGroup(of: (Int, Result<Output, any Error>).self) { group in
            var outcomes = [Result<Output, any Error>?](repeating: nil, count: items.count)
            var next = 0, failed = false
            func start() {
                let index = next, item = items[index]
                group.addTask { (index, await Result(catching: { try await transform(item) })) }
                next += 1
            }
            while next < min(limit, items.count) { start() }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                if case .failure = outcome { failed = true }
                if !failed && next < items.count { start() }
            }
            return outcomes
        }
        var results: [Output] = []
        for outcome in outcomes {
            guard let outcome else { continue }  // never started: an earlier item failed
            results.append(try outcome.get())
        }
        return results
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
