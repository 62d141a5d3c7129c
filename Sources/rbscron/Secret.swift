import ArgumentParser
import Foundation
import RBSCronKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RBSCron {
    struct Secret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "secret",
            abstract: "Manage the inventory's secrets, encrypted at rest.",
            discussion: """
                Values are sealed with AES-GCM under a master key from RBSCRON_MASTER_KEY (base64 of 32 \
                bytes) or the key file $XDG_CONFIG_HOME/rbscron/master.key (created 0600 on first need). \
                Values are read from standard input, --from-env or --from-file, never from the command line, \
                and never shown except by `secret get --reveal`.

                A SCOPE is an app's slug or `global` (used by every app that has no value of its own).

                Examples:
                  rbscron secret set camino CRON_SECRET              # prompts, no echo
                  printf '%s' "$CRON_SECRET" | rbscron secret set global CRON_SECRET
                  rbscron secret set colectiva QSTASH_CURRENT_SIGNING_KEY --from-env QSTASH_CURRENT_SIGNING_KEY
                  rbscron secret list
                  rbscron secret rotate camino CRON_SECRET --generate --grace 24h
                """,
            subcommands: [Set.self, List.self, Get.self, Rotate.self, Remove.self]
        )
    }
}

/// Where a secret value comes from: standard input by default.
struct SecretInputOptions: ParsableArguments {
    @Option(name: .customLong("from-env"), help: ArgumentHelp("Read the value from this environment variable.", valueName: "var"))
    var fromEnv: String?

    @Option(name: .customLong("from-file"), help: ArgumentHelp("Read the value from this file (one trailing newline is dropped).", valueName: "path"))
    var fromFile: String?

    func validate() throws {
        if fromEnv != nil && fromFile != nil { throw ValidationError("use one of --from-env and --from-file") }
    }

    /// Reads the value; on a terminal, prompts on stderr with echo off.
    func read(prompt: String) throws -> String {
        if let fromEnv {
            guard let value = ProcessInfo.processInfo.environment[fromEnv] else {
                throw CLIError("the environment variable \(fromEnv) is not set; nothing was stored.")
            }
            return value
        }
        if let fromFile { return try Self.value(from: fromFile) }
        if isatty(STDIN_FILENO) == 1 {
            return try Self.readWithoutEcho(prompt: prompt)
        }
        return try Self.value(from: "-")
    }

    /// The value in a file or on standard input: read up to the size a secret may have, valid UTF-8, one trailing
    /// line break dropped, checked against the rules (the value itself is never quoted).
    static func value(from path: String) throws -> String {
        do {
            return try SecretValueRules.decode(InputFile.read(path, limit: SecretValueRules.maximumBytes + 2))
        } catch let error as InputFileError {
            if case .tooLarge = error {
                throw CLIError("the secret value is larger than \(SecretValueRules.maximumBytes) bytes, the most rbscron keeps; nothing was stored.")
            }
            throw CLIError("\(error.localizedDescription) Nothing was stored.")
        }
    }

    static func readWithoutEcho(prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { throw CLIError("cannot read the terminal's settings") }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}

extension RBSCron.Secret {
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Store a secret, read from standard input (no echo on a terminal), --from-env or --from-file.",
            discussion: """
                Examples:
                  rbscron secret set camino CRON_SECRET
                  rbscron secret set global CRON_SECRET --from-env CRON_SECRET
                  rbscron secret set baul SUPABASE_SERVICE_ROLE_KEY --from-file ./service-role.txt
                """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "An app's slug, or global.", completion: InventoryCompletion.scopes) var scope: String
        @Argument(help: "The key, e.g. CRON_SECRET.") var key: String
        @OptionGroup var input: SecretInputOptions

        mutating func run() async throws {
            let workspace = try global.workspace()
            let value = try input.read(prompt: "Value for \(scope)/\(key): ")
            let report = try workspace.setSecret(scope: scope, key: key, value: value)
            if report.unknownScope {
                Output.warn("no app named '\(scope)' in the inventory; the secret is stored but no job uses it")
            }
            print(Output.safe("\(report.created ? "stored" : "replaced") \(scope)/\(key) (\(report.preview))"))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List secrets (masked), the jobs that use them, and the jobs that lack one.",
            discussion: """
                A job whose secret is missing is refused by `trigger` before any request is made.

                Examples:
                  rbscron secret list
                  rbscron secret list --app camino --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: ArgumentHelp("Only this app's secrets and jobs (global secrets are shown too).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        mutating func run() async throws {
            try Output.emit(try global.workspace(readOnly: true).secretList(InventoryFilter(app: app)), output, global.style)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Print a secret's raw value for piping (requires --reveal).",
            discussion: """
                Examples:
                  rbscron secret get camino CRON_SECRET --reveal | vercel env add CRON_SECRET production
                """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "An app's slug, or global.", completion: InventoryCompletion.scopes) var scope: String
        @Argument(help: "The key, e.g. CRON_SECRET.") var key: String
        @Flag(help: "Really print the value.") var reveal = false

        func validate() throws {
            guard reveal else { throw ValidationError("add --reveal to print the value of \(scope)/\(key)") }
        }

        mutating func run() async throws {
            let value = try global.workspace(readOnly: true).revealSecret(scope: scope, key: key)
            if isatty(STDOUT_FILENO) == 1 {
                Output.warn("printing the value of \(scope)/\(key) on a terminal")
            }
            print(value)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Replace a secret's value, keep the previous one for a grace period, and print each layer's steps.",
            discussion: """
                The new value is read like `secret set`, or generated with --generate (32 random bytes, \
                base64url). The previous value stays valid for --grace so a layer can be updated without a gap. \
                The steps print the commands for every layer that holds a copy: `vercel env`, the Supabase \
                Vault update that pg_cron reads (no token in a migration), the QStash signing-key roll.

                Examples:
                  rbscron secret rotate camino CRON_SECRET --generate
                  rbscron secret rotate global CRON_SECRET --grace 48h --from-env NEW_CRON_SECRET
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "An app's slug, or global.", completion: InventoryCompletion.scopes) var scope: String
        @Argument(help: "The key, e.g. CRON_SECRET.") var key: String
        @Flag(help: "Generate the new value instead of reading it.") var generate = false
        @Option(help: ArgumentHelp("How long the previous value stays valid (e.g. 24h, 0s for none).", valueName: "duration"))
        var grace: DurationArgument = "24h"
        @OptionGroup var input: SecretInputOptions

        func validate() throws {
            if generate && (input.fromEnv != nil || input.fromFile != nil) {
                throw ValidationError("--generate makes the value; drop --from-env/--from-file")
            }
        }

        mutating func run() async throws {
            let workspace = try global.workspace()
            let value = generate ? SecretGenerator.generate() : try input.read(prompt: "New value for \(scope)/\(key): ")
            let report = try workspace.rotateSecret(scope: scope, key: key, newValue: value, generated: generate,
                                                    grace: grace.seconds)
            try Output.emit(report, output, global.style)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a secret.",
            discussion: """
                Jobs that needed it are then refused (deny by default).

                Examples:
                  rbscron secret rm camino CRON_SECRET
                """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "An app's slug, or global.", completion: InventoryCompletion.scopes) var scope: String
        @Argument(help: "The key, e.g. CRON_SECRET.") var key: String

        mutating func run() async throws {
            try global.workspace().removeSecret(scope: scope, key: key)
            print(Output.safe("removed \(scope)/\(key)"))
        }
    }
}
