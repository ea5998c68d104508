#if canImport(Glibc)
import Glibc
#endif

/// Writes all of `text` to `fd`, however the kernel splits it; false on an error (see errno).
func writeAll(_ fd: Int32, _ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}

/// Writes `text` to standard error as is.
func writeError(_ text: String) {
    _ = writeAll(STDERR_FILENO, text)
}

/// Writes a line to standard error.
func printError(_ text: String) {
    writeError(text + "\n")
}
