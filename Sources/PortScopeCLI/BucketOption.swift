import ArgumentParser

/// `--bucket`: the width of the time buckets `analyze` and `live` store (`timeline` reads them).
struct BucketOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Time bucket width: 1m, 5m, 1h, 1d or any span from 1s (default: analyze chooses from the capture's span, "
            + "at most 300 buckets from 1s to 7d; live 1m).", valueName: "span"))
    var bucket: TimeSpan?

    func validate() throws {
        if let bucket, bucket.nanoseconds < 1_000_000_000 || bucket.nanoseconds % 1_000_000_000 != 0 {
            throw ValidationError("--bucket must be a whole number of seconds, at least 1s")
        }
    }

    /// The width in nanoseconds, or `otherwise` when not given.
    func width(otherwise: Int64?) -> Int64? { bucket?.nanoseconds ?? otherwise }
}
