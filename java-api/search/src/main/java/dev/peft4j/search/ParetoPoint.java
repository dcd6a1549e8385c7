package dev.peft4j.search;

import dev.peft4j.peft.PeftPlan;

/** An evaluated AutoPEFT point: its configuration, plan, validation metric and parameter fraction. */
public record ParetoPoint(String label, AutoPeftConfig config, PeftPlan plan, double metric, double fraction) {}
