package dev.peft4j.backend;

/**
 * Whether a backend can run on this machine, and the reason when it cannot.
 *
 * @param available whether {@link BackendProvider#create(BackendOptions)} can succeed here
 * @param reason    why not, what it would need, or for an available backend how it runs ("available" when there is
 *                  nothing more to say)
 * @param degraded  available but slower than it could be here (for example scalar loops because the Vector API
 *                  module is not loaded); {@link #reason()} then says why and how to get the fast path
 */
public record Availability(boolean available, String reason, boolean degraded) {
    /** Checks that only an available backend is marked degraded; a missing reason becomes "(no reason given)". */
    public Availability {
        if (reason == null || reason.isBlank()) {
            reason = "(no reason given)";
        }
        if (degraded && !available) {
            throw new IllegalArgumentException("only an available backend can be degraded: " + reason);
        }
    }

    /** Available or not with this reason, not degraded. */
    public Availability(boolean available, String reason) {
        this(available, reason, false);
    }

    /** Available, with nothing more to say. */
    public static Availability yes() {
        return new Availability(true, "available");
    }

    /** Unavailable for this reason (say what is missing and how to get it). */
    public static Availability no(String reason) {
        return new Availability(false, reason);
    }

    /** Available but slower than it could be, for this reason (say how to get the fast path). */
    public static Availability degraded(String reason) {
        return new Availability(true, reason, true);
    }

    /** "available", "available, degraded: REASON" or "unavailable: REASON". */
    @Override
    public String toString() {
        if (!available) {
            return "unavailable: " + reason;
        }
        return degraded ? "available, degraded: " + reason : "available";
    }
}
