import Glibc

/// Fills `buffer` from byte `offset` of the open file `descriptor` with `pread`, again after a
/// signal, until the buffer is full or the file ends: the one loop behind every positional read
/// (CSV blocks, cache columns), safe from several threads at once.
/// - Returns: the bytes read, fewer than `buffer.count` only at the end of the file.
/// - Throws: `.data` with `describe`'s message for the system's reason (`strerror`).
func preadFully(
    _ descriptor: Int32, at offset: Int, into buffer: UnsafeMutableRawBufferPointer,
    describe: (_ reason: String) -> String
) throws -> Int {
    var done = 0
    while done < buffer.count {
        let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
        if count < 0 {
            if errno == EINTR { continue }
            throw BackpropError(.data, describe(String(cString: strerror(errno))))
        }
        if count == 0 { break }
        done += count
    }
    return done
}
