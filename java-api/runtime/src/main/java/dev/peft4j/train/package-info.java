/**
 * Training: the classifier trainer (batching, AdamW, gradient clipping, schedules, early stopping), its
 * configuration and listener, checkpoints written atomically and resumed bit for bit; and the embedding trainer
 * ({@link dev.peft4j.train.EmbeddingTrainer}) over (anchor, positive) pairs.
 */
package dev.peft4j.train;
