package dev.peft4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README snippets that say where they are compiled ({@code <!-- compiled from PATH -->} or {@code PATH#NAME} on
 * the line before the fence) are, character for character, the code between {@code // README begin} (or
 * {@code // README begin: NAME}) and {@code // README end} in that file, less the region's common indentation. The
 * files are built and run elsewhere: examples/text-consumer by examples/run-consumers.sh, the langchain4j example by
 * its module's tests.
 */
class ReadmeSnippetsTest {
    static final Pattern MARKER = Pattern.compile("<!-- compiled from (\\S+?)(?:#(\\S+))? -->");

    record Snippet(String source, String region, int line, String code) {}

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("examples")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no repository root (README.md and examples/) above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** The marked snippets of a Markdown file. */
    static List<Snippet> snippets(Path markdown) throws IOException {
        List<String> lines = Files.readAllLines(markdown);
        List<Snippet> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = MARKER.matcher(lines.get(i).strip());
            if (!m.matches()) {
                continue;
            }
            assertTrue(i + 1 < lines.size() && lines.get(i + 1).startsWith("```java"),
                    markdown + ": line " + (i + 1) + ": a marker must stand right above a ```java fence");
            StringBuilder code = new StringBuilder();
            int j = i + 2;
            for (; j < lines.size() && !lines.get(j).startsWith("```"); j++) {
                code.append(lines.get(j)).append('\n');
            }
            assertTrue(j < lines.size(), markdown + ": line " + (i + 2) + ": the fence is not closed");
            out.add(new Snippet(m.group(1), m.group(2), i + 1, code.toString()));
        }
        return out;
    }

    /** The region of a source file, its common indentation removed. */
    static String region(Path file, String name) throws IOException {
        List<String> lines = Files.readAllLines(file);
        String begin = name == null ? "// README begin" : "// README begin: " + name;
        int from = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(begin)) {
                if (from >= 0) {
                    fail(file + ": two regions '" + begin + "'");
                }
                from = i + 1;
            }
        }
        if (from < 0) {
            fail(file + ": no line '" + begin + "'");
        }
        int to = from;
        while (to < lines.size() && !lines.get(to).strip().equals("// README end")) {
            to++;
        }
        if (to == lines.size()) {
            fail(file + ": the region '" + begin + "' has no '// README end'");
        }
        List<String> region = lines.subList(from, to);
        int indent = region.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder out = new StringBuilder();
        for (String l : region) {
            out.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return out.toString();
    }

    static void check(Path markdown, int expected) throws IOException {
        List<Snippet> snippets = snippets(markdown);
        assertEquals(expected, snippets.size(), markdown + ": marked snippets " + snippets);
        for (Snippet s : snippets) {
            Path source = root().resolve(s.source());
            assertTrue(Files.isRegularFile(source), markdown + ": line " + s.line() + ": no file " + source);
            assertEquals(region(source, s.region()), s.code(), markdown + ": line " + s.line() + ": the snippet differs from "
                    + s.source() + (s.region() == null ? "" : "#" + s.region()));
        }
    }

    @Test
    void theTextApiSnippetsOfReadmeAreTheExamplesCode() throws IOException {
        check(root().resolve("README.md"), 4);
    }

    @Test
    void theLangchain4jWorkedExampleIsItsTestsCode() throws IOException {
        check(root().resolve("java-api/langchain4j/README.md"), 2);
    }
}
