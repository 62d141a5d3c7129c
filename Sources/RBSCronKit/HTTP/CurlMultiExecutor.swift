import CCurlShim
import Foundation

/// Runs easy transfers on one multi handle driven by one dedicated thread
/// (`curl_multi_perform` + `curl_multi_poll`). Other threads only queue work and call
/// `curl_multi_wakeup`, the one multi call libcurl allows from another thread.
final class CurlMultiExecutor: @unchecked Sendable {
    private struct Inbox {
        var pending: [CurlEasyTransfer] = []
        var shuttingDown = false
    }

    private let multi: UnsafeMutableRawPointer?
    private let inbox = Locked(Inbox())
    /// Only touched by the curl thread.
    private var active: [UnsafeMutableRawPointer: CurlEasyTransfer] = [:]

    init() {
        let global = CurlGlobal.ensureInitialized()
        multi = global == CURLE_OK ? rbs_curl_multi_init() : nil
        guard multi != nil else { return }
        let thread = Thread { [self] in self.run() }
        thread.name = "rbscron.curl-multi"
        thread.start()
    }

    /// Stops the thread once the in-flight transfers are done; the thread then frees the multi handle.
    func shutdown() {
        inbox.withLock { $0.shuttingDown = true }
        wakeup()
    }

    /// Interrupts `curl_multi_poll`; callable from any thread.
    private func wakeup() {
        if let multi { _ = rbs_curl_multi_wakeup(multi) }
    }

    /// Performs one hop and returns its outcome. Cancelling the task aborts the transfer.
    func perform(_ hop: CurlHop) async -> CurlHopOutcome {
        guard multi != nil else {
            let global = CurlGlobal.ensureInitialized()
            let code = global == CURLE_OK ? CURLE_OUT_OF_MEMORY : global
            return .failure(code, "libcurl could not start a multi handle: \(CurlGlobal.message(code))", url: hop.url.string)
        }
        let cancelBox = Locked<CurlEasyTransfer?>(nil)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CurlHopOutcome, Never>) in
                switch CurlEasyTransfer.make(hop, completion: { continuation.resume(returning: $0) }) {
                case .failed(let outcome):
                    continuation.resume(returning: outcome)
                case .ready(let transfer):
                    let cancelledAlready = cancelBox.withLock { box -> Bool in
                        box = transfer
                        return Task.isCancelled
                    }
                    if cancelledAlready { transfer.cancel() }
                    let accepted = inbox.withLock { inbox -> Bool in
                        guard !inbox.shuttingDown else { return false }
                        inbox.pending.append(transfer)
                        return true
                    }
                    if accepted {
                        wakeup()
                    } else {
                        transfer.finish(CURLE_FAILED_INIT)
                    }
                }
            }
        } onCancel: {
            cancelBox.withLock { $0?.cancel() }
            self.wakeup()
        }
    }

    // MARK: the curl thread

    private func run() {
        guard let multi else { return }
        var running: Int32 = 0
        while true {
            let (arrivals, stopping) = inbox.withLock { inbox -> ([CurlEasyTransfer], Bool) in
                defer { inbox.pending.removeAll() }
                return (inbox.pending, inbox.shuttingDown)
            }
            for transfer in arrivals {
                guard let handle = transfer.handle else { continue }
                if rbs_curl_multi_add_handle(multi, handle) == CURLM_OK {
                    active[handle] = transfer
                } else {
                    transfer.finish(CURLE_FAILED_INIT)
                }
            }
            if stopping && active.isEmpty { break }

            _ = rbs_curl_multi_perform(multi, &running)
            var easy: UnsafeMutableRawPointer?
            var code = CURLE_OK
            while rbs_multi_next_done(multi, &easy, &code) == 1 {
                guard let handle = easy, let transfer = active.removeValue(forKey: handle) else { continue }
                _ = rbs_curl_multi_remove_handle(multi, handle)
                transfer.finish(code)
            }
            // Sleeps until socket activity, curl's next timeout, a wakeup, or at most one second.
            _ = rbs_curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        rbs_curl_multi_cleanup(multi)
    }
}
