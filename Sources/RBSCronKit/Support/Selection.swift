/// Order statistics without sorting: `stats` needs p50, p95 and the maximum of up to hundreds of thousands of
/// durations per job, and a full sort was a tenth of its time over a million runs.
enum Selection {
    /// Nearest-rank percentiles of `values` (each `p` in 0…1), in the order asked; nil for every `p` when
    /// `values` is empty. O(n) expected: one quickselect per percentile, each narrowing the range of the next.
    static func percentiles(_ values: [Double], _ ps: [Double]) -> [Double?] {
        // NaN is unordered and would break the partition's invariants; no stored duration is NaN anyway.
        var buffer = values.filter { !$0.isNaN }
        guard !buffer.isEmpty else { return ps.map { _ in nil } }
        let count = buffer.count
        // Nearest rank: the smallest value with at least p·n values at or below it.
        let ranks = ps.map { p in min(max(Int((p * Double(count)).rounded(.up)), 1), count) - 1 }
        var answers = [Double?](repeating: nil, count: ps.count)
        // Largest rank first: after selecting index k, everything before k is ≤ buffer[k], so smaller ranks
        // are found in buffer[0..<k] (or are k itself).
        var upper = count
        for (slot, rank) in ranks.enumerated().sorted(by: { $0.element > $1.element }) {
            if rank >= upper {
                answers[slot] = buffer[rank]
                continue
            }
            buffer.withUnsafeMutableBufferPointer { select(rank, in: $0, below: upper) }
            answers[slot] = buffer[rank]
            upper = rank + 1
        }
        return answers
    }

    /// Rearranges `buffer[0..<upper]` so that `buffer[k]` holds the value a sort would put there, with no larger
    /// value before it and no smaller one after it (within the range).
    private static func select(_ k: Int, in buffer: UnsafeMutableBufferPointer<Double>, below upper: Int) {
        var low = 0, high = upper - 1
        // Introselect's guard: if partitions keep coming out lopsided, sort what is left (O(n log n) worst case).
        var budget = 2 * (Int.bitWidth - upper.leadingZeroBitCount) + 8
        while high > low {
            if budget == 0 {
                var rest = UnsafeMutableBufferPointer(rebasing: buffer[low...high])
                rest.sort()
                return
            }
            budget -= 1
            // Median of three as the pivot; Hoare partitioning splits runs of equal values evenly.
            let mid = low + (high - low) / 2
            if buffer[mid] < buffer[low] { buffer.swapAt(mid, low) }
            if buffer[high] < buffer[low] { buffer.swapAt(high, low) }
            if buffer[high] < buffer[mid] { buffer.swapAt(high, mid) }
            let pivot = buffer[mid]
            var i = low, j = high
            while i <= j {
                while buffer[i] < pivot { i += 1 }
                while pivot < buffer[j] { j -= 1 }
                if i <= j {
                    buffer.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now buffer[low...j] ≤ pivot ≤ buffer[i...high], and anything strictly between j and i equals pivot.
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return
            }
        }
    }
}
