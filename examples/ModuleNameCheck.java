import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * Checks that peft4j's published jars can go on a module path for good: each has a module name that no file rename can
 * change (a module-info, or an Automatic-Module-Name in its manifest, under dev.peft4j), and no module-info of peft4j
 * requires a module whose name is derived from a jar's file name (such a name changes the day its library declares
 * one, and the requiring module stops resolving).
 *
 * <p>Run with the JDK's source launcher: {@code java examples/ModuleNameCheck.java PEFT4J_JAR... -- DEPENDENCY_JAR...}:
 * the jars to check, then their runtime dependencies, which only provide module names (examples/run-consumers.sh
 * passes both). Exit status 1 and one line per problem when a check fails.
 */
public final class ModuleNameCheck {

    enum Naming { DESCRIPTOR, MANIFEST, FILE_NAME, NONE }

    record Jar(Path path, Naming naming, Optional<ModuleDescriptor> descriptor, String problem) {
        String name() { return descriptor.map(ModuleDescriptor::name).orElse("-"); }
    }

    public static void main(String[] args) throws IOException {
        Map<Path, Jar> checked = new LinkedHashMap<>();
        Map<Path, Jar> dependencies = new LinkedHashMap<>();
        Map<Path, Jar> target = checked;
        for (String arg : args) {
            if (arg.equals("--")) {
                target = dependencies;
                continue;
            }
            Path path = Path.of(arg).toAbsolutePath().normalize();
            if (!Files.isRegularFile(path)) throw new IllegalArgumentException("not a jar file: " + arg);
            target.putIfAbsent(path, read(path));
        }
        Map<String, Jar> byName = new LinkedHashMap<>();
        for (Map<Path, Jar> jars : List.of(checked, dependencies)) {
            for (Jar jar : jars.values()) jar.descriptor().ifPresent(d -> byName.putIfAbsent(d.name(), jar));
        }

        List<String> problems = new ArrayList<>();
        for (Jar jar : checked.values()) {
            System.out.printf("%-52s %-30s %s%n", jar.path().getFileName(), jar.name(), describe(jar.naming()));
            switch (jar.naming()) {
                case FILE_NAME, NONE -> problems.add(jar.path().getFileName() + ": no fixed module name ("
                        + (jar.problem().isEmpty() ? "name derived from the file name: " + jar.name() : jar.problem())
                        + "); give it a module-info or an Automatic-Module-Name");
                default -> {
                    if (!jar.name().startsWith("dev.peft4j")) {
                        problems.add(jar.path().getFileName() + ": module name " + jar.name() + " is not under dev.peft4j");
                    }
                }
            }
            if (jar.naming() != Naming.DESCRIPTOR) continue;
            for (ModuleDescriptor.Requires requires : jar.descriptor().orElseThrow().requires()) {
                String required = requires.name();
                if (ModuleFinder.ofSystem().find(required).isPresent()) continue;
                Jar provider = byName.get(required);
                if (provider == null) {
                    problems.add(jar.path().getFileName() + " (" + jar.name() + ") requires " + required
                            + ", which none of the given jars provides");
                } else if (provider.naming() == Naming.FILE_NAME) {
                    problems.add(jar.path().getFileName() + " (" + jar.name() + ") requires " + required
                            + ", a name derived from the file name " + provider.path().getFileName());
                }
            }
        }
        if (checked.isEmpty()) problems.add("no jar to check before --");
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("FAIL: " + p));
            System.exit(1);
        }
        System.out.println(checked.size() + " peft4j jars: fixed module names, and their module-infos require no name"
                + " derived from a file name (" + dependencies.size() + " dependency jars read)");
    }

    static Jar read(Path path) throws IOException {
        String manifestName = null;
        try (JarFile file = new JarFile(path.toFile())) {
            if (file.getManifest() != null) {
                manifestName = file.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
            }
        }
        try {
            Optional<ModuleDescriptor> descriptor = ModuleFinder.of(path).findAll().stream()
                    .map(ModuleReference::descriptor).findFirst();
            if (descriptor.isEmpty()) return new Jar(path, Naming.NONE, descriptor, "no module found in it");
            Naming naming = !descriptor.get().isAutomatic() ? Naming.DESCRIPTOR
                    : manifestName != null ? Naming.MANIFEST : Naming.FILE_NAME;
            return new Jar(path, naming, descriptor, "");
        } catch (FindException e) {
            // e.g. spark-core_2.13.jar: the derived name is no valid module name; harmless unless something requires it
            return new Jar(path, Naming.NONE, Optional.empty(), e.getMessage());
        }
    }

    static String describe(Naming naming) {
        return switch (naming) {
            case DESCRIPTOR -> "module-info";
            case MANIFEST -> "Automatic-Module-Name";
            case FILE_NAME -> "name derived from the file name";
            case NONE -> "no module name";
        };
    }
}
