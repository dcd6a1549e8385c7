package dev.peft4j.backend;

/** Whether a backend can run on this machine, and the reason when it cannot. */
public record Availability(boolean available, String reason) {
    public static Availability yes() {
        return new Availability(true, "available");
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
