/**
 * Charts for the command line's run folders (loss and validation curves, the Pareto plot of a search), written as
 * PNG files.
 */
package dev.peft4j.report;
