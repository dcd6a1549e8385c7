package dev.peft4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The peft4j command line. Exit codes: 0 success, 1 failure, 2 usage error. */
@Command(name = "peft4j", mixinStandardHelpOptions = true, version = "peft4j 0.1.0-SNAPSHOT",
        description = "Parameter-efficient fine-tuning on the JVM.",
        subcommands = {FinetuneCommand.class, EvalCommand.class, PredictCommand.class, PredictMixedCommand.class,
            MergeCommand.class, ExportCommand.class, SearchCommand.class, CompareCommand.class, BenchCommand.class, MethodsCommand.class, BackendsCommand.class, CommandLine.HelpCommand.class})
public final class Peft4j implements Runnable {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: a failure prints one line and a hint and exits 1; usage errors exit 2. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Peft4j());
        cli.setOut(new java.io.PrintWriter(System.out, true));
        cli.setErr(new java.io.PrintWriter(System.err, true));
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("peft4j: " + message(ex));
            cmd.getErr().println("hint: peft4j " + cmd.getCommandName() + " --help shows the options");
            return 1;
        });
        return cli;
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
