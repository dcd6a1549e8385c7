package dev.peft4j.cuda;

/** Turns peft4j statuses into exceptions that carry the native message. */
final class CudaStatus {
    private CudaStatus() {}

    /** The native message for {@code status}. */
    static String message(int status) {
        return Peft4jNative.peft4j_status_string(status).getString();
    }

    /** Throws {@link CudaException} naming {@code what} when {@code status} is not OK. */
    static void check(int status, String what) {
        if (status != Peft4jNative.PEFT4J_OK) {
            throw new CudaException(what + " failed: " + message(status) + " (peft4j status " + status + ")", status);
        }
    }
}
