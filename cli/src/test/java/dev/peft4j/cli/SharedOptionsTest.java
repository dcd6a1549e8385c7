package dev.peft4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The options declared once in a mixin (ModelOption, DatasetOptions, ColumnOptions, MaxLengthOption, BackendOption,
 * RunOption): every command that uses one lists it in its --help with the same text and its own default, and a value
 * given on the command line reaches the command.
 */
class SharedOptionsTest {
    private static final String MODEL_MINILM = "--model=<model> minilm, bge-small, or a Hugging Face BERT folder (config.json, model.safetensors, tokenizer.json) (default minilm)";
    private static final String MODEL_BGE = "--model=<model> minilm, bge-small, or a Hugging Face BERT folder (config.json, model.safetensors, tokenizer.json) (default bge-small)";
    private static final String DATASET = "--dataset=<dataset> imdb, spam, csv:PATH or jsonl:PATH (default imdb)";
    private static final String TEXT = "--text-column=<textColumn> text column/field of a local dataset (default text)";
    private static final String LABEL = "--label-column=<labelColumn> label column/field of a local dataset (default label)";
    private static final String MAX_LENGTH = "--max-length=<maxLength> tokens per example, special tokens included (default 128)";
    private static final String BACKEND = "--backend=<backend> reference, cpu or cuda (default: the best available)";
    private static final String RUN = "--run=<run> the --output folder of a finetune run";

    /** The help lines each command must show (whitespace of the wrapped help collapsed to single spaces). */
    private static final Map<String, List<String>> EXPECTED = Map.of(
            "finetune", List.of(MODEL_MINILM, DATASET, TEXT, LABEL, MAX_LENGTH, BACKEND),
            "search", List.of(MODEL_BGE, DATASET, TEXT, LABEL, MAX_LENGTH,
                    "--backend=<backend> backend for the trials (default cpu)"),
            "methods", List.of(MODEL_MINILM),
            "eval", List.of(RUN, TEXT, LABEL, BACKEND,
                    "--dataset=<dataset> imdb, spam, csv:PATH or jsonl:PATH (default: the run's test split)"),
            "predict", List.of(RUN, BACKEND),
            "predict-mixed", List.of(BACKEND),
            "export", List.of(RUN),
            "bench", List.of(BACKEND));

    private static String help(String command) {
        CommandLine cli = Peft4j.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute(command, "--help"), command + " --help");
        return out.toString().replaceAll("\\s+", " ");
    }

    @Test
    void everyCommandListsItsSharedOptionsWithTheirHelpAndDefault() {
        for (Map.Entry<String, List<String>> e : EXPECTED.entrySet()) {
            String help = help(e.getKey());
            for (String line : e.getValue()) {
                assertTrue(help.contains(line), e.getKey() + " --help lacks \"" + line + "\":\n" + help);
            }
        }
    }

    @Test
    void everyCommandWithAMixinIsChecked() {
        for (Map.Entry<String, CommandLine> sub : Peft4j.commandLine().getSubcommands().entrySet()) {
            boolean usesMixin = !sub.getValue().getMixins().isEmpty()
                    && sub.getValue().getMixins().keySet().stream().anyMatch(k -> !k.equals("mixinStandardHelpOptions"));
            assertTrue(!usesMixin || EXPECTED.containsKey(sub.getKey()), sub.getKey() + " uses a shared option; add it to EXPECTED");
        }
    }

    private static Object parsed(String... args) {
        ParseResult r = Peft4j.commandLine().parseArgs(args);
        return r.subcommand().commandSpec().userObject();
    }

    @Test
    void valuesReachTheCommands() throws Exception {
        FinetuneCommand ft = (FinetuneCommand) parsed("finetune", "--model", "bge-small", "--dataset", "spam",
                "--text-column", "body", "--label-column", "kind", "--max-length", "64", "--backend", "reference");
        assertEquals("bge-small-en-v1.5", ft.model.base().name());
        assertEquals("spam", ft.dataset.name());
        assertEquals("body", ft.dataset.columns.textColumn);
        assertEquals("kind", ft.dataset.columns.labelColumn);
        assertEquals(64, ft.maxLength.tokens());
        assertEquals("reference", ft.backend.backend);

        SearchCommand search = (SearchCommand) parsed("search", "--max-length", "32");
        assertEquals("bge-small-en-v1.5", search.model.base().name());
        assertEquals("imdb", search.dataset.name());
        assertEquals(32, search.maxLength.tokens());
        assertEquals("cpu", search.backend);
        assertTrue(search.baselines, "baselines by default");
        assertFalse(((SearchCommand) parsed("search", "--no-baselines")).baselines, "--no-baselines turns them off");
        assertTrue(((SearchCommand) parsed("search", "--baselines")).baselines);
        assertNull(search.lr, "no --lr: each plan's methods' rate");
        assertNull(search.metric, "no --metric: chosen from the class balance");

        MethodsCommand methods = (MethodsCommand) parsed("methods");
        assertEquals("all-MiniLM-L6-v2", methods.model.base().name());

        EvalCommand eval = (EvalCommand) parsed("eval", "--run", "r1", "--text-column", "t");
        assertEquals(Path.of("r1"), eval.run.run);
        assertEquals("t", eval.columns.textColumn);
        assertEquals("label", eval.columns.labelColumn);
        assertNull(eval.backend.backend);
        assertNull(eval.dataset);

        PredictCommand predict = (PredictCommand) parsed("predict", "--run", "r2", "--backend", "cpu", "some text");
        assertEquals(Path.of("r2"), predict.run.run);
        assertEquals("cpu", predict.backend.backend);
    }

    @Test
    void theRunOptionStaysRequired() {
        StringWriter err = new StringWriter();
        CommandLine cli = Peft4j.commandLine();
        cli.setErr(new PrintWriter(err, true));
        for (String command : List.of("eval", "predict", "export")) {
            List<String> args = command.equals("predict") ? List.of(command, "text")
                    : command.equals("export") ? List.of(command, "--output", "x") : List.of(command);
            assertEquals(2, cli.execute(args.toArray(String[]::new)), command + " without --run");
        }
        assertTrue(err.toString().contains("Missing required option: '--run=<run>'"), err.toString());
    }
}
