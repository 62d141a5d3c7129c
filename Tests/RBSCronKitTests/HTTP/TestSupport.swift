import Foundation
import Testing

@testable import RBSCronKit

let testUserAgent = "rbscron-test/0.1.0"

extension Result where Success == HTTPResponse, Failure == HTTPError {
    /// The response, or a recorded test failure.
    func response(sourceLocation: SourceLocation = #_sourceLocation) -> HTTPResponse? {
        switch self {
        case .success(let response): return response
        case .failure(let error):
            Issue.record("expected a response, got \(error): \(error.localizedDescription)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The error, or a recorded test failure.
    func error(sourceLocation: SourceLocation = #_sourceLocation) -> HTTPError? {
        switch self {
        case .success(let response):
            Issue.record("expected an error, got status \(response.status)", sourceLocation: sourceLocation)
            return nil
        case .failure(let error): return error
        }
    }
}
