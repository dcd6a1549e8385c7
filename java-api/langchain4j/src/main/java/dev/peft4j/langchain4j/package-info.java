/** peft4j in langchain4j: {@link dev.peft4j.langchain4j.Peft4jEmbeddingModel}, a (LoRA-tuned) encoder as an EmbeddingModel. */
package dev.peft4j.langchain4j;
