package dev.peft4j.search;

import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One unit of search work: train {@code plan} with the {@code proxy} settings and score it. The id is stable
 * across runs of the same search (it is how a journal recognises a finished trial); the description is for
 * reports.
 */
public record Trial(String id, PeftPlan plan, ProxySettings proxy, String description) {
    public Trial {
        if (id == null || id.isBlank() || plan == null || proxy == null) {
            throw new IllegalArgumentException("a trial needs an id, a plan and proxy settings");
        }
    }

    /** SHA-256 (hex, 16 chars) of the plan's JSON and the proxy settings: what the trial computes. */
    public String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(PlanCodec.toJson(plan).toString().getBytes(StandardCharsets.UTF_8));
            md.update(proxy.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
