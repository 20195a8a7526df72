@testable import Backprop
import XCTest

/// The agreement point of a pipeline run by one process: success passes, a failure comes back whole.
final class ProcessGroupTests: XCTestCase {
    func testAgreementPassesWhenNothingFailed() throws {
        XCTAssertNoThrow(try SingleProcess.shared.agree(nil))
    }

    func testAgreementRethrowsTheFailureWithItsCategory() {
        let failure = BackpropError(.data, "big.csv: line 7, column 'x3': expected a number, got \"abc\"")
        XCTAssertThrowsError(try SingleProcess.shared.agree(failure)) { error in
            XCTAssertEqual(error as? BackpropError, failure)
        }
    }
}
