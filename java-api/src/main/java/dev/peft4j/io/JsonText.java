package dev.peft4j.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Short, non-recursive descriptions of JSON values for error messages (printing a deep value would overflow the stack). */
public final class JsonText {
    private JsonText() {}

    public static String describe(JsonElement e) {
        if (e instanceof JsonObject o) {
            return "an object of " + o.size() + " fields";
        }
        if (e instanceof JsonArray a) {
            return "an array of " + a.size() + " entries";
        }
        String s = String.valueOf(e);
        return s.length() > 60 ? s.substring(0, 60) + "... (" + s.length() + " characters)" : s;
    }
}
