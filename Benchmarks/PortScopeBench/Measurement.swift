#if canImport(Glibc)
import Glibc
#endif

/// One run of a program: wall time and the peak resident memory of that process alone.
struct Measurement {
    var seconds: Double
    /// `ru_maxrss` from `wait4`: the child's own peak, in KiB.
    var peakKiB: Int
}

struct RunFailure: Error, CustomStringConvertible {
    var command: [String]
    var status: Int32
    var description: String { "\(command.joined(separator: " ")) failed with status \(status)" }
}

/// Runs `command` (looked up in PATH) with its output discarded, and measures it.
func measure(_ command: [String]) throws(RunFailure) -> Measurement {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var arguments = command.map { strdup($0) } + [nil]
    defer { for argument in arguments { free(argument) } }
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    var pid: pid_t = 0
    guard posix_spawnp(&pid, command[0], &actions, nil, &arguments, environ) == 0 else {
        throw RunFailure(command: command, status: -1)
    }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    clock_gettime(CLOCK_MONOTONIC, &end)
    // WIFEXITED and WEXITSTATUS, which Swift does not import as macros.
    guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else { throw RunFailure(command: command, status: status) }
    let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    return Measurement(seconds: seconds, peakKiB: usage.ru_maxrss)
}

/// Whether `program` is found in PATH.
func installed(_ program: String) -> Bool {
    let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
}

extension Array where Element == Measurement {
    /// The median time, and the largest peak memory of the runs.
    var summary: Measurement {
        let times = map(\.seconds).sorted()
        return Measurement(seconds: times[times.count / 2], peakKiB: map(\.peakKiB).max() ?? 0)
    }
}
