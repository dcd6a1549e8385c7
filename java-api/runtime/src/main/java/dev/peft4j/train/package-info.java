/**
 * Training: the classifier trainer (batching, AdamW, gradient clipping, schedules, early stopping), its
 * configuration and listener, checkpoints written atomically and resumed bit for bit.
 */
package dev.peft4j.train;
