package dev.peft4j.data;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A pinned package: {@code name@version}, the {@code sha512-…} integrity of its tarball (the value npm
 * reports as {@code dist.integrity}), and which tarball entries the loader needs.
 *
 * @param entryFilter true for the archive paths (e.g. {@code package/reviews.json}) to extract
 */
public record NpmPackage(String name, String version, String integrity, Predicate<String> entryFilter) {

    public NpmPackage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(integrity, "integrity");
        Objects.requireNonNull(entryFilter, "entryFilter");
    }

    /** {@code name@version}, as given to {@code npm pack}. */
    public String spec() {
        return name + "@" + version;
    }

    /** The file name {@code npm pack} writes: the scope's '@' dropped, '/' turned into '-'. */
    public String tarballFileName() {
        return safeName() + "-" + version + ".tgz";
    }

    /** The cache folder name: {@code name-version} with the scope flattened as in the tarball name. */
    public String cacheFolderName() {
        return safeName() + "-" + version;
    }

    private String safeName() {
        return (name.startsWith("@") ? name.substring(1) : name).replace('/', '-');
    }
}
