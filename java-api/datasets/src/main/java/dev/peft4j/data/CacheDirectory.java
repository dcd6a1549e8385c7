package dev.peft4j.data;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where downloaded data lives. First match wins: system property {@code peft4j.cache}, environment
 * variable {@code PEFT4J_CACHE}, {@code $XDG_CACHE_HOME/peft4j}, {@code ~/.cache/peft4j}.
 */
public final class CacheDirectory {
    private CacheDirectory() {}

    /** The cache root for this process. */
    public static Path resolve() {
        return resolve(System.getProperty("peft4j.cache"), System.getenv(), System.getProperty("user.home"));
    }

    /** The rule above with its inputs given explicitly. */
    static Path resolve(String property, Map<String, String> env, String userHome) {
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String own = env.get("PEFT4J_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "peft4j");
        }
        return Path.of(userHome, ".cache", "peft4j");
    }
}
