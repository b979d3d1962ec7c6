import ArgumentParser

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a synthetic dataset.",
        subcommands: [GenerateSaaS.self, GenerateCreators.self]
    )
}
