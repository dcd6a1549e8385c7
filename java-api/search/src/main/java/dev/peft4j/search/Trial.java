package dev.peft4j.search;

import dev.peft4j.peft.PeftPlan;
import dev.peft4j.peft.PlanCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

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

    /**
     * SHA-256 (hex, 16 chars) of the plan's JSON, the proxy settings and the runner's {@link TrialSetup}: what the
     * trial computes under that setup. A change to any of them changes the fingerprint.
     */
    public String fingerprint(TrialSetup setup) {
        MessageDigest md = WeightsDigest.sha256();
        md.update(PlanCodec.toJson(plan).toString().getBytes(StandardCharsets.UTF_8));
        md.update(proxy.toString().getBytes(StandardCharsets.UTF_8));
        md.update(setup.canonical().getBytes(StandardCharsets.UTF_8));
        return WeightsDigest.hex(md);
    }
}
