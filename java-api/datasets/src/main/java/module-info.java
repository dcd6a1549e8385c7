/**
 * Datasets: IMDB, SpamAssassin and Moby-Dick fetched once into a checked cache, and local CSV/JSONL files. Parsing of
 * hostile inputs is left to maintained libraries: Apache James mime4j (mail), Apache Commons Compress (tar),
 * Apache Commons CSV and jsoup (HTML).
 */
module dev.peft4j.datasets {
    requires transitive dev.peft4j.runtime;
    requires com.google.gson;
    requires org.apache.commons.compress;
    requires org.apache.commons.csv;
    requires org.jsoup;
    // mime4j 0.8 jars carry no module name: these are the names derived from the jar file names.
    requires apache.mime4j.core;
    requires apache.mime4j.dom;

    exports dev.peft4j.data;
}
