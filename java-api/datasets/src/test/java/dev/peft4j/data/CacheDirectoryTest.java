package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheDirectoryTest {
    @Test
    void propertyThenEnvironmentThenXdgThenHome() {
        Map<String, String> env = Map.of("PEFT4J_CACHE", "/env/cache", "XDG_CACHE_HOME", "/xdg");
        assertEquals(Path.of("/prop"), CacheDirectory.resolve("/prop", env, "/home/u"));
        assertEquals(Path.of("/env/cache"), CacheDirectory.resolve(null, env, "/home/u"));
        assertEquals(Path.of("/xdg/peft4j"), CacheDirectory.resolve(" ", Map.of("XDG_CACHE_HOME", "/xdg"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/peft4j"), CacheDirectory.resolve(null, Map.of(), "/home/u"));
    }
}
