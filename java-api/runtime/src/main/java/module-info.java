/**
 * The transformer runtime: safetensors and ONNX reading, tokenizers, PEFT plans, the BERT and GPT-2 models with their
 * PEFT modules, adapter files in Hugging Face peft's format, and the trainer. Depends on {@code dev.peft4j.core} and
 * gson only.
 */
module dev.peft4j.runtime {
    requires transitive dev.peft4j.core;
    requires com.google.gson;

    exports dev.peft4j.io;
    exports dev.peft4j.io.onnx;
    exports dev.peft4j.tokenizer;
    exports dev.peft4j.peft;
    exports dev.peft4j.model;
    exports dev.peft4j.adapter;
    exports dev.peft4j.train;
    exports dev.peft4j.text;
}
