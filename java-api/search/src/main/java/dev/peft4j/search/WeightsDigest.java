package dev.peft4j.search;

import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.train.EncodedExample;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 digests (hex, 16 characters) that identify a base model's weights and a list of encoded examples. */
final class WeightsDigest {
    private WeightsDigest() {}

    /** The model's config and every parameter's name, shape and values, in the model's parameter order. */
    static String of(BertModel model) {
        MessageDigest md = sha256();
        md.update(model.config().toString().getBytes(StandardCharsets.UTF_8));
        for (Parameter p : model.parameters()) {
            md.update(p.name().getBytes(StandardCharsets.UTF_8));
            md.update(Arrays.toString(p.value().shape()).getBytes(StandardCharsets.UTF_8));
            float[] v = p.value().toArray();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            md.update(b.array());
        }
        return hex(md);
    }

    /** Every example's token ids, token types and label, each list in order, the lists told apart. */
    @SafeVarargs
    static String of(List<EncodedExample>... lists) {
        MessageDigest md = sha256();
        for (List<EncodedExample> list : lists) {
            md.update(("list " + list.size() + ";").getBytes(StandardCharsets.UTF_8));
            for (EncodedExample e : list) {
                md.update((Arrays.toString(e.ids()) + Arrays.toString(e.types()) + e.label() + ";")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return hex(md);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(MessageDigest md) {
        return HexFormat.of().formatHex(md.digest(), 0, 8);
    }
}
