/**
 * Reading weights: safetensors files (the header checked against the file before any tensor is read) and the
 * helpers the loaders share.
 */
package dev.peft4j.io;
