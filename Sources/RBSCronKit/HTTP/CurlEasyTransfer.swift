import CCurlShim
import Foundation

/// What one hop (one request/response, no redirect following) should do.
struct CurlHop: Sendable {
    var url: CurlURL
    var method: String
    var headers: [HTTPHeader]
    var body: Data?
    var connectTimeoutMs: Int
    var timeoutMs: Int
    var maxBodyBytes: Int
    var insecure: Bool
    var userAgent: String
}

/// What came back from one hop.
struct CurlHopOutcome: Sendable {
    var code: CURLcode
    /// libcurl's detailed error text (CURLOPT_ERRORBUFFER), else curl_easy_strerror.
    var message: String
    var status: Int
    var headers: [HTTPHeader]
    var body: Data
    var bodyBytes: Int
    var effectiveURL: String
    /// Cumulative microsecond marks from CURLINFO_*_TIME_T.
    var nameLookupUs: Int64
    var connectUs: Int64
    var appConnectUs: Int64
    var startTransferUs: Int64
    var totalUs: Int64

    static func failure(_ code: CURLcode, _ message: String, url: String) -> CurlHopOutcome {
        CurlHopOutcome(
            code: code, message: message, status: 0, headers: [], body: Data(), bodyBytes: 0,
            effectiveURL: url, nameLookupUs: 0, connectUs: 0, appConnectUs: 0, startTransferUs: 0, totalUs: 0)
    }
}

/// One easy handle with everything it points at (header list, error buffer, buffers).
/// Created on the caller's task, then owned by the multi thread until `finish`, which reads the
/// results and frees the handle and list at once rather than whenever ARC gets to it.
final class CurlEasyTransfer: @unchecked Sendable {
    private(set) var handle: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let maxBodyBytes: Int
    private let url: String
    private var body = Data()
    private var bodyBytes = 0
    private var headers: [HTTPHeader] = []
    private let cancelled = Locked(false)
    private let completion: @Sendable (CurlHopOutcome) -> Void

    /// Builds and configures the handle. On failure returns the outcome to report instead.
    enum Made {
        case ready(CurlEasyTransfer)
        case failed(CurlHopOutcome)
    }

    static func make(_ hop: CurlHop, completion: @escaping @Sendable (CurlHopOutcome) -> Void) -> Made {
        let global = CurlGlobal.ensureInitialized()
        guard global == CURLE_OK else {
            return .failed(.failure(global, "libcurl could not be initialised: \(CurlGlobal.message(global))", url: hop.url.string))
        }
        guard let handle = rbs_curl_easy_init() else {
            return .failed(.failure(CURLE_OUT_OF_MEMORY, "libcurl could not create a handle", url: hop.url.string))
        }
        let transfer = CurlEasyTransfer(handle: handle, hop: hop, completion: completion)
        let code = transfer.configure(hop)
        guard code == CURLE_OK else {
            let outcome = CurlHopOutcome.failure(code, transfer.errorText(code), url: hop.url.string)
            transfer.release()
            return .failed(outcome)
        }
        return .ready(transfer)
    }

    private init(handle: UnsafeMutableRawPointer, hop: CurlHop, completion: @escaping @Sendable (CurlHopOutcome) -> Void) {
        self.handle = handle
        self.maxBodyBytes = max(0, hop.maxBodyBytes)
        self.url = hop.url.string
        self.completion = completion
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        release()
        errorBuffer.deallocate()
    }

    /// Asks libcurl to abort at its next progress callback.
    func cancel() { cancelled.withLock { $0 = true } }

    private var isCancelled: Bool { cancelled.withLock { $0 } }

    // MARK: configuration

    private func configure(_ hop: CurlHop) -> CURLcode {
        guard let handle else { return CURLE_FAILED_INIT }
        let me = Unmanaged.passUnretained(self).toOpaque()
        var steps: [() -> CURLcode] = [
            { rbs_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, self.errorBuffer) },
            { rbs_easy_setopt_string(handle, CURLOPT_URL, hop.url.string) },
            // Defence in depth: the transport checks schemes itself, curl refuses the rest too.
            { rbs_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https") },
            { rbs_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") },
            // Redirects are followed by CurlTransport so it decides which headers cross.
            { rbs_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0) },
            { rbs_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) },
            { rbs_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, hop.connectTimeoutMs)) },
            { rbs_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, hop.timeoutMs)) },
            { rbs_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, hop.insecure ? 0 : 1) },
            { rbs_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, hop.insecure ? 0 : 2) },
            { rbs_easy_setopt_string(handle, CURLOPT_USERAGENT, hop.userAgent) },
            { rbs_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me) },
            {
                rbs_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
                    guard let userdata else { return 0 }
                    let transfer = Unmanaged<CurlEasyTransfer>.fromOpaque(userdata).takeUnretainedValue()
                    let length = size * count
                    if let data, length > 0 { transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) }
                    return length
                }
            },
            { rbs_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me) },
            {
                rbs_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
                    guard let userdata else { return 0 }
                    let transfer = Unmanaged<CurlEasyTransfer>.fromOpaque(userdata).takeUnretainedValue()
                    let length = size * count
                    if let data, length > 0 { transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: length)) }
                    return length
                }
            },
            { rbs_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0) },
            { rbs_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, me) },
            {
                rbs_easy_setopt_xferinfo_callback(handle) { userdata, _, _, _, _ in
                    guard let userdata else { return 1 }
                    return Unmanaged<CurlEasyTransfer>.fromOpaque(userdata).takeUnretainedValue().isCancelled ? 1 : 0
                }
            },
        ]
        steps += methodSteps(handle, hop)
        for step in steps {
            let code = step()
            if code != CURLE_OK { return code }
        }
        // Header list: the caller's headers, plus an empty Expect to stop curl's 100-continue wait.
        var list: UnsafeMutablePointer<curl_slist>?
        var lines = hop.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        if !hop.headers.contains(where: { $0.name.lowercased() == "expect" }) { lines.append("Expect:") }
        for line in lines {
            guard let appended = rbs_curl_slist_append(list, line) else {
                rbs_curl_slist_free_all(list)
                return CURLE_OUT_OF_MEMORY
            }
            list = appended
        }
        headerList = list
        return rbs_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
    }

    private func methodSteps(_ handle: UnsafeMutableRawPointer, _ hop: CurlHop) -> [() -> CURLcode] {
        let method = hop.method
        if method == "HEAD" {
            return [{ rbs_easy_setopt_long(handle, CURLOPT_NOBODY, 1) }]
        }
        var steps: [() -> CURLcode] = []
        if method == "POST" || hop.body != nil {
            let body = hop.body ?? Data()
            steps.append { rbs_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) }
            // COPYPOSTFIELDS takes its own copy, so nothing has to outlive this call.
            steps.append {
                body.withUnsafeBytes { raw in
                    if let base = raw.baseAddress, raw.count > 0 {
                        return rbs_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                    }
                    return rbs_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
                }
            }
        } else {
            steps.append { rbs_easy_setopt_long(handle, CURLOPT_HTTPGET, 1) }
        }
        if method != "GET" && method != "POST" {
            steps.append { rbs_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) }
        }
        return steps
    }

    // MARK: callbacks (curl thread)

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) {
        bodyBytes += bytes.count
        let room = maxBodyBytes - body.count
        if room > 0 { body.append(contentsOf: bytes.prefix(room)) }
    }

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
        if line.hasPrefix("HTTP/") {
            // A new status line (after a 1xx) starts a new header block.
            headers.removeAll()
            return
        }
        if line.isEmpty { return }
        if line.first == " " || line.first == "\t" {
            // Obsolete line folding: continue the previous value.
            if var last = headers.popLast() {
                last.value += " " + line.trimmingCharacters(in: .whitespaces)
                headers.append(last)
            }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
        let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        headers.append(HTTPHeader(name, value))
    }

    // MARK: completion (curl thread)

    /// Reads the results, frees the handle and list, then reports.
    func finish(_ code: CURLcode) {
        var outcome = CurlHopOutcome.failure(code, code == CURLE_OK ? "" : errorText(code), url: url)
        if let handle {
            var status = 0
            _ = rbs_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            var effective: UnsafePointer<CChar>?
            if rbs_easy_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK, let effective {
                outcome.effectiveURL = String(cString: effective)
            }
            outcome.status = status
            outcome.headers = headers
            outcome.body = body
            outcome.bodyBytes = bodyBytes
            outcome.nameLookupUs = offInfo(handle, CURLINFO_NAMELOOKUP_TIME_T)
            outcome.connectUs = offInfo(handle, CURLINFO_CONNECT_TIME_T)
            outcome.appConnectUs = offInfo(handle, CURLINFO_APPCONNECT_TIME_T)
            outcome.startTransferUs = offInfo(handle, CURLINFO_STARTTRANSFER_TIME_T)
            outcome.totalUs = offInfo(handle, CURLINFO_TOTAL_TIME_T)
        }
        release()
        completion(outcome)
    }

    private func offInfo(_ handle: UnsafeMutableRawPointer, _ info: CURLINFO) -> Int64 {
        var value: curl_off_t = 0
        return rbs_easy_getinfo_off_t(handle, info, &value) == CURLE_OK ? Int64(value) : 0
    }

    private func errorText(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? CurlGlobal.message(code) : detail
    }

    /// Frees the easy handle and header list; safe to call twice.
    private func release() {
        if let handle { rbs_curl_easy_cleanup(handle) }
        handle = nil
        rbs_curl_slist_free_all(headerList)
        headerList = nil
    }
}
