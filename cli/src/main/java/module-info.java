/** The {@code peft4j} command line: finetune, eval, predict, merge, search, bench, and its charts. */
module dev.peft4j.cli {
    requires dev.peft4j.runtime;
    requires dev.peft4j.datasets;
    requires dev.peft4j.search;
    // dev.peft4j.datasets is an automatic module, which declares no dependencies: the named modules it reads (CSV,
    // tar, HTML) must be put in the module graph by whoever uses it; mime4j and hipparchus, automatic themselves,
    // come with it
    requires org.apache.commons.csv;
    requires org.apache.commons.compress;
    requires org.jsoup;
    requires com.google.gson;
    requires info.picocli;
    requires java.desktop;
    requires java.logging;
    requires org.jfree.jfreechart;

    exports dev.peft4j.cli;
    exports dev.peft4j.report;
    // picocli sets the annotated option fields by reflection; gson reads and writes run.json records.
    opens dev.peft4j.cli to info.picocli, com.google.gson;
}
