/** A langchain4j {@code EmbeddingModel} backed by a peft4j {@code TextEncoder}. */
module dev.peft4j.langchain4j {
    requires transitive dev.peft4j.runtime;
    requires transitive langchain4j.core;

    exports dev.peft4j.langchain4j;
}
