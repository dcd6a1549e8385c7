/**
 * Reading the weights of an ONNX model file (protobuf parsed by hand, no ONNX runtime): initialisers named by the
 * nodes that consume them, for the BERT encoders shipped as ONNX.
 */
package dev.peft4j.io.onnx;
