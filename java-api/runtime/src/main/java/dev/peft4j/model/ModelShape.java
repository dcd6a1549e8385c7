package dev.peft4j.model;

/** The sizes of a transformer that adapter files depend on: layers, hidden width d, heads and FFN width f. */
public record ModelShape(int layers, int hidden, int heads, int intermediate) {}
