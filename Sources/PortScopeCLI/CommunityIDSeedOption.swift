import ArgumentParser

/// `--community-id-seed`: the seed of every stored flow's Community ID (`analyze` and `live`).
struct CommunityIDSeedOption: ParsableArguments {
    @Option(name: .customLong("community-id-seed"),
            help: ArgumentHelp("The Community ID seed, 0-65535 (0 is the spec's): use the one your Zeek, Suricata "
                               + "or Elastic uses, so IDs join.", valueName: "n"))
    var seed: UInt16 = 0
}
