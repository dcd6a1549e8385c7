/**
 * The reference backend: straightforward loops with float64 accumulation. It is the oracle every fast
 * backend is tested against, written for clarity, not speed.
 */
package dev.peft4j.backend.reference;
