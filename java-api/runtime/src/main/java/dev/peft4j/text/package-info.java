/**
 * Text in, vectors and labels out: {@link dev.peft4j.text.BaseModel} names a pretrained encoder,
 * {@link dev.peft4j.text.TextEncoder} embeds texts with it (optionally through a PEFT adapter), thread-safe and
 * batched across callers, and {@link dev.peft4j.text.TextClassifier} classifies texts with a fine-tuned adapter
 * folder alone. {@link dev.peft4j.text.FineTune} trains either: a classifier on labelled texts, or the embeddings
 * on text pairs by the contrastive objective with in-batch negatives. {@link dev.peft4j.text.TextPairs} makes
 * contrastive training pairs (given, or drawn from labelled texts) and {@link dev.peft4j.text.RetrievalEvaluation}
 * measures same-label nearest-neighbour retrieval.
 */
package dev.peft4j.text;
