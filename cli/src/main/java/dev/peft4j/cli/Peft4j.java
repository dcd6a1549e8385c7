package dev.peft4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The peft4j command line. Exit codes: 0 success, 1 failure, 2 usage error (an unknown option, a value out of
 * range). A failure of any kind prints one line and a hint, never a stack trace unless {@code --debug} is given.
 */
@Command(name = "peft4j", mixinStandardHelpOptions = true, version = "peft4j 0.1.0-SNAPSHOT",
        description = "Parameter-efficient fine-tuning on the JVM.",
        subcommands = {FinetuneCommand.class, EvalCommand.class, PredictCommand.class, PredictMixedCommand.class,
            MergeCommand.class, ExportCommand.class, SearchCommand.class, CompareCommand.class, BenchCommand.class, MethodsCommand.class, BackendsCommand.class, CommandLine.HelpCommand.class})
public final class Peft4j implements Runnable {
    @Option(names = GlobalFlags.DEBUG, description = "on failure, also print the stack trace (any command, anywhere on the line)")
    boolean debug;
    @Option(names = GlobalFlags.VERBOSE, description = "print the library's log lines (any command, anywhere on the line)")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line on {@code args} and returns the exit code; nothing escapes as a stack trace. */
    static int run(String[] args) {
        GlobalFlags flags = GlobalFlags.parse(args);
        flags.applyLogLevel();
        PrintWriter err = new PrintWriter(System.err, true);
        AtomicBoolean reported = new AtomicBoolean();
        Thread.setDefaultUncaughtExceptionHandler((thread, t) -> {
            if (reported.compareAndSet(false, true)) { // a worker's out-of-memory also fails the command: say it once
                report(err, t, "peft4j", flags.debug());
            }
        });
        try {
            return commandLine(flags.debug()).execute(flags.args());
        } catch (Throwable t) { // an Error (out of memory, stack overflow) passes through picocli's handlers
            if (reported.compareAndSet(false, true)) {
                report(err, t, "peft4j", flags.debug());
            }
            return 1;
        }
    }

    /** The command line with its error handling, without stack traces. */
    static CommandLine commandLine() {
        return commandLine(false);
    }

    /** The command line with its error handling: a failure prints one line and a hint and exits 1; usage errors exit 2. */
    static CommandLine commandLine(boolean debug) {
        CommandLine cli = new CommandLine(new Peft4j());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(System.out, true));
        cli.setErr(new PrintWriter(System.err, true));
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            report(cmd.getErr(), ex, cmd.getCommandSpec().qualifiedName(), debug);
            return ErrorReport.unwrap(ex) instanceof UsageException ? cmd.getCommandSpec().exitCodeOnInvalidInput()
                    : cmd.getCommandSpec().exitCodeOnExecutionException();
        });
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("peft4j: " + ErrorReport.withoutClassNames(ex.getMessage()));
            err.println("hint: see " + cmd.getCommandSpec().qualifiedName() + " --help");
            if (debug) {
                ex.printStackTrace(err);
            }
            err.flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
    }

    private static void report(PrintWriter err, Throwable t, String command, boolean debug) {
        err.println("peft4j: " + ErrorReport.message(t));
        err.println(ErrorReport.hint(t, command));
        if (debug) {
            t.printStackTrace(err);
        }
        err.flush();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
