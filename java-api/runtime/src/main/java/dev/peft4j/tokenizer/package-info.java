/**
 * Tokenizers read from a Hugging Face {@code tokenizer.json}: WordPiece (BERT) with its normaliser and template
 * post-processor, and byte-level BPE (GPT-2).
 */
package dev.peft4j.tokenizer;
