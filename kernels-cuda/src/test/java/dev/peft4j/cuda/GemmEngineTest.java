package dev.peft4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.peft4j.backend.Availability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The choice of GEMM engine and what the provider says about cuBLAS; runs without a GPU. */
class GemmEngineTest {

    @Test
    void namesParseInAnyCaseAndUnknownNamesAreRejectedWithTheChoices() {
        assertEquals(GemmEngine.CUBLAS, GemmEngine.parse("cuBLAS"));
        assertEquals(GemmEngine.TILED, GemmEngine.parse(" tiled "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmEngine.parse("magma"));
        assertEquals("-Dpeft4j.cuda.gemm=magma is not a GEMM engine of the CUDA backend: use cublas or tiled",
                e.getMessage());
    }

    @Test
    void cublasIsTheDefault() {
        withProperty(null, () -> assertEquals(GemmEngine.CUBLAS, new CudaBackend().gemmEngine()));
    }

    @Test
    void aNullEngineIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CudaBackend(null));
        assertEquals("gemmEngine is null", e.getMessage());
    }

    @Test
    void anUnknownEngineMakesTheGemmUnavailableWithoutThrowing() {
        withProperty("magma", () -> {
            Availability a = CudaBackendProvider.gemmAvailability();
            assertFalse(a.available());
            assertTrue(a.reason().contains("magma"), a.reason());
            assertFalse(new CudaBackendProvider().availability().available());
        });
    }

    @Test
    void theTiledEngineNeedsNoCublas() {
        withProperty("tiled", () -> assertTrue(CudaBackendProvider.gemmAvailability().available()));
    }

    @Test
    void withoutLibcublasTheReasonNamesItAndTheTiledAlternative() {
        assumeFalse(cublasInstalled(), "libcublas.so.13 is installed here");
        withProperty("cublas", () -> {
            Availability a = CudaBackendProvider.gemmAvailability();
            assertFalse(a.available(), "cuBLAS cannot load without libcublas.so.13");
            assertTrue(a.reason().startsWith("cuBLAS failed to load") && a.reason().contains("UnsatisfiedLinkError")
                    && a.reason().endsWith("-Dpeft4j.cuda.gemm=tiled)"), a.reason());
            assertEquals(a.reason(), CudaBackendProvider.gemmAvailability().reason(), "the probe is stable");
        });
    }

    @Test
    void aLoadFailureNamesEveryCause() {
        Throwable t = new UnsatisfiedLinkError("no jnicublas");
        t.initCause(new UnsatisfiedLinkError("libcublas.so.13: cannot open shared object file"));
        assertEquals("java.lang.UnsatisfiedLinkError: no jnicublas; caused by java.lang.UnsatisfiedLinkError: "
                + "libcublas.so.13: cannot open shared object file", CublasLibrary.withCauses(t));
    }

    @Test
    void aCublasFailureBecomesACudaExceptionNamingTheCall() {
        CudaException e = assertThrows(CudaException.class, () -> CublasProducts.check(7, "cublasSgemm"));
        assertTrue(e.getMessage().startsWith("cublasSgemm failed: ") && e.getMessage().endsWith("(cublasStatus_t 7)"),
                e.getMessage());
        assertEquals(CublasProducts.CUBLAS_STATUS_BASE + 7, e.status());
        CublasProducts.check(0, "cublasSgemm"); // CUBLAS_STATUS_SUCCESS passes
    }

    private static void withProperty(String value, Runnable body) {
        String old = System.getProperty(GemmEngine.PROPERTY);
        try {
            if (value == null) {
                System.clearProperty(GemmEngine.PROPERTY);
            } else {
                System.setProperty(GemmEngine.PROPERTY, value);
            }
            body.run();
        } finally {
            if (old == null) {
                System.clearProperty(GemmEngine.PROPERTY);
            } else {
                System.setProperty(GemmEngine.PROPERTY, old);
            }
        }
    }

    /** libcublas.so.13 in the loader's usual places, the CUDA toolkit or LD_LIBRARY_PATH. */
    static boolean cublasInstalled() {
        String ldPath = System.getenv().getOrDefault("LD_LIBRARY_PATH", "");
        return Stream.concat(Stream.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/cuda/lib64",
                                "/usr/local/cuda/targets/x86_64-linux/lib"),
                        Stream.of(ldPath.split(":")).filter(s -> !s.isBlank()))
                .anyMatch(dir -> Files.exists(Path.of(dir, "libcublas.so.13")));
    }
}
