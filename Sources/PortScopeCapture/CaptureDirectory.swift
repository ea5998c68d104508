#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of a directory given where captures are expected (`analyze DIR`).
public enum CaptureDirectory {
    /// Whether `path` names a directory (following symbolic links).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The regular files in `directory` (and, with `recursive`, in its subdirectories), ordered by
    /// path byte by byte, as rotated captures are named (`cap-0001.pcap`, `cap-0002.pcap`);
    /// hidden files (names starting with a dot) are left out.
    /// - Throws: `CaptureError.io` when a directory cannot be read.
    public static func files(in directory: String, recursive: Bool) throws(CaptureError) -> [String] {
        guard let handle = opendir(directory) else {
            throw .io(path: directory, reason: String(cString: strerror(errno)))
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(handle)
        var found: [String] = []
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for name in names {
            let path = prefix + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG: found.append(path)
            case S_IFDIR where recursive: found += try files(in: path, recursive: true)
            default: break
            }
        }
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
