import ArgumentParser
import PortScopeIngest

/// `--max-flows`: how many flows `analyze` and `live` hold in memory at most.
struct MaxFlowsOption: ParsableArguments {
    @Option(name: .customLong("max-flows"),
            help: ArgumentHelp("Flows held in memory at most (each about 0.5 KiB until stored); beyond it the quarter silent "
                               + "the longest are stored at once (end_reason evicted) and counted.", valueName: "n"))
    var maxFlows = PipelineOptions.defaultMaxFlows

    func validate() throws {
        if maxFlows < 1000 { throw ValidationError("--max-flows must be at least 1000") }
    }
}
