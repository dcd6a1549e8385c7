package dev.peft4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.BackendUnavailableException;
import dev.peft4j.backend.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CudaBackendProviderTest {
    private final CudaBackendProvider provider = new CudaBackendProvider();

    @Test
    void isFoundByServiceLoaderAsCudaWithPriority300() {
        List<BackendProvider> cuda = Backends.providers().stream().filter(p -> p.name().equals("cuda")).toList();
        assertEquals(1, cuda.size(), "providers: " + Backends.providers());
        assertTrue(cuda.get(0) instanceof CudaBackendProvider);
        assertEquals(300, cuda.get(0).priority());
    }

    @Test
    void availabilitySaysNoWithAReasonAndDoesNotThrow() {
        Availability a = provider.availability();
        assumeFalse(Boolean.getBoolean(CudaBackendProvider.UNVERIFIED_PROPERTY), "the unverified CUDA backend was asked for");
        assertFalse(a.available(), "the CUDA backend is not verified on a GPU yet, so it is not offered by default");
        assertFalse(a.reason() == null || a.reason().isBlank(), "a refusal needs a reason");
        assertEquals(a, provider.availability(), "the probe is stable");
    }

    @Test
    void withoutTheNativeLibraryTheReasonSaysItWasNotBuilt() {
        assumeFalse(NativeLibrary.isBundled(), "the native library is part of this build");
        assertTrue(provider.availability().reason().contains("built without nvcc"), provider.availability().reason());
    }

    @Test
    void withoutADriverTheReasonNamesLibcuda() {
        assumeTrue(NativeLibrary.isBundled(), "kernels-cuda was built without its native library");
        assumeFalse(driverInstalled(), "a CUDA driver (libcuda.so.1) is installed here");
        assertTrue(NativeLibrary.load().available(), "the library loads without a driver: " + NativeLibrary.load());
        assertEquals("no CUDA driver: libcuda.so.1 not found", provider.availability().reason());
    }

    @Test
    void createFailsWithTheReasonInsteadOfReturningABackend() {
        assumeFalse(provider.availability().available(),
                "a CUDA device is present and -D" + CudaBackendProvider.UNVERIFIED_PROPERTY + "=true was given");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, provider::create);
        assertTrue(e.getMessage().contains(provider.availability().reason()), e.getMessage());
        BackendUnavailableException byName = assertThrows(BackendUnavailableException.class, () -> Backends.create("cuda"));
        assertTrue(byName.getMessage().contains(provider.availability().reason()), byName.getMessage());
    }

    @Test
    void createReturnsTheCudaBackendWhenItIsAvailable() throws Exception {
        assumeTrue(provider.availability().available(), "no CUDA backend here: " + provider.availability().reason());
        try (Backend b = provider.create(); Backend byName = Backends.create("cuda")) {
            assertEquals("cuda", b.name());
            assertEquals("cuda", byName.name());
        }
    }

    /** libcuda.so.1 in the loader's usual places or on LD_LIBRARY_PATH. */
    private static boolean driverInstalled() {
        String ldPath = System.getenv().getOrDefault("LD_LIBRARY_PATH", "");
        return Stream.concat(
                        Stream.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu",
                                "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib"),
                        Stream.of(ldPath.split(":")).filter(s -> !s.isBlank()))
                .anyMatch(dir -> Files.exists(Path.of(dir, "libcuda.so.1")));
    }
}
