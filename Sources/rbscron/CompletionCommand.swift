import ArgumentParser
import Foundation

extension RBSCron {
    struct Completion: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "completion",
            abstract: "Print the shell completion script for bash, zsh or fish.",
            discussion: """
                The script completes commands, options, and app and job names from your inventory (read from \\
                --db or RBSCRON_DB, never created by completing). Install it once per shell:

                  bash:  rbscron completion bash > ~/.local/share/bash-completion/completions/rbscron
                  zsh:   rbscron completion zsh > ~/.zfunc/_rbscron  (with ~/.zfunc on $fpath)
                  fish:  rbscron completion fish > ~/.config/fish/completions/rbscron.fish

                Examples:
                  rbscron completion bash
                  source <(rbscron completion bash)
                """
        )

        @Argument(help: ArgumentHelp("The shell: bash, zsh or fish.", valueName: "shell"))
        var shell: CompletionShell

        func run() throws {
            print(RBSCron.completionScript(for: shell))
        }
    }
}

extension CompletionShell: @retroactive ExpressibleByArgument {}
