/**
 * peft4j in langchain4j: {@link dev.peft4j.langchain4j.Peft4jEmbeddingModel}, a (LoRA-tuned) encoder as an
 * EmbeddingModel.
 *
 * <p>On the module path this artifact is the automatic module {@code dev.peft4j.langchain4j} (langchain4j-core's jars
 * carry no module name); a module that uses it also {@code requires dev.peft4j.runtime}.
 */
package dev.peft4j.langchain4j;
