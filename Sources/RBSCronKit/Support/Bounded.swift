/// Structured concurrency with a bound: `trigger APP/JOB…` and `trigger --due` fire up to N jobs at once.
enum Bounded {
    /// `transform` applied to every element with at most `limit` calls in flight; results in the order of
    /// `items`. The first error cancels the calls still running and is rethrown.
    static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], limit: Int, _ transform: @escaping @Sendable (Item) async throws -> Result
    ) async throws -> [Result] {
        let limit = max(1, limit)
        if limit == 1 || items.count <= 1 {
            var results: [Result] = []
            results.reserveCapacity(items.count)
            for item in items { results.append(try await transform(item)) }
            return results
        }
        return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: items.count)
            var next = 0
            while next < min(limit, items.count) {
                let index = next, item = items[index]
                group.addTask { (index, try await transform(item)) }
                next += 1
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < items.count {
                    let index = next, item = items[index]
                    group.addTask { (index, try await transform(item)) }
                    next += 1
                }
            }
            return results.compactMap { $0 }
        }
    }
}
