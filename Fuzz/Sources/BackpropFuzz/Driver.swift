// The entry points. SwiftPM links the executable with `--defsym main=BackpropFuzz_main`, which
// starts libFuzzer through LLVMFuzzerRunDriver; libFuzzer's own main (pulled in from its archive
// on some link lines) calls LLVMFuzzerTestOneInput directly. Both run the target named by
// BACKPROP_FUZZ_TARGET.
import FoundationEssentials
import Glibc

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The target named by BACKPROP_FUZZ_TARGET; exits with a usage line when there is none.
let selected: FuzzTarget = {
    let name = getenv("BACKPROP_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget.all[name] else {
        let usage = Array("set BACKPROP_FUZZ_TARGET to one of: \(FuzzTarget.all.keys.sorted().joined(separator: ", "))\n".utf8)
        _ = usage.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
    return target
}()

/// libFuzzer's per-input callback.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

/// `BACKPROP_FUZZ_TARGET=NAME BackpropFuzz [libFuzzer arguments]`.
@_cdecl("BackpropFuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    _ = selected
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
