package dev.peft4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The peft4j command line. Exit codes: 0 success, 1 failure, 2 usage error. */
@Command(name = "peft4j", mixinStandardHelpOptions = true, version = "peft4j 0.1.0-SNAPSHOT",
        description = "Parameter-efficient fine-tuning on the JVM.",
        subcommands = {FinetuneCommand.class, SearchCommand.class, BenchCommand.class, MethodsCommand.class, BackendsCommand.class, CommandLine.HelpCommand.class})
public final class Peft4j implements Runnable {
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Peft4j());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("peft4j: " + ex.getMessage());
            cmd.getErr().println("hint: run with --help for usage; -Dpeft4j.backend=reference|cpu|cuda picks a backend");
            return 1;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
