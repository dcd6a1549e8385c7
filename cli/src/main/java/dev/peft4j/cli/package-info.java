/**
 * The {@code peft4j} command line (picocli): finetune, eval, predict, predict-mixed, merge, export, search,
 * methods, backends, bench.
 */
package dev.peft4j.cli;
