/** Datasets: IMDB, SpamAssassin and Moby-Dick fetched once into a checked cache, and local CSV/JSONL files. */
module dev.peft4j.datasets {
    requires transitive dev.peft4j.runtime;
    requires com.google.gson;

    exports dev.peft4j.data;
}
