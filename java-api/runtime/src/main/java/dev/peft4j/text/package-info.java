/**
 * Text in, vectors and labels out: {@link dev.peft4j.text.BaseModel} names a pretrained encoder,
 * {@link dev.peft4j.text.TextEncoder} embeds texts with it (optionally through a PEFT adapter), thread-safe and
 * batched across callers.
 */
package dev.peft4j.text;
