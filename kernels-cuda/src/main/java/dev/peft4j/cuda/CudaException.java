package dev.peft4j.cuda;

/** A native peft4j call failed; {@link #status()} is its peft4j status, the message says why. */
public class CudaException extends RuntimeException {
    private final int status;

    public CudaException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
