/** The {@code peft4j} command line: finetune, eval, predict, merge, search, bench, and its charts. */
module dev.peft4j.cli {
    requires dev.peft4j.runtime;
    requires dev.peft4j.datasets;
    requires dev.peft4j.search;
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
