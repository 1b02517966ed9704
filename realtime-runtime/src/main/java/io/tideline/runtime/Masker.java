package io.tideline.runtime;

import io.tideline.api.Row;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Salted SHA-256 of a value, as lowercase hex. Deterministic, so a masked key column still sends every change of
 * one key to the same partition, and equal values can still be joined downstream.
 */
final class Masker {

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot mask columns: this JVM has no SHA-256. Use a standard JDK.", e);
        }
    });

    private final byte[] salt;

    Masker(String salt) {
        this.salt = (salt == null ? "" : salt).getBytes(StandardCharsets.UTF_8);
    }

    /** null stays null (nothing to hide); everything else becomes the hex digest of salt + its canonical bytes. */
    String mask(Object value) {
        if (value == null) return null;
        MessageDigest md = SHA256.get();
        md.reset();
        md.update(salt);
        md.update(bytes(value));
        return HexFormat.of().formatHex(md.digest());
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[] b) return b;
        if (value instanceof java.math.BigDecimal d) return d.toPlainString().getBytes(StandardCharsets.UTF_8);
        if (value instanceof Row r) return r.asMap().toString().getBytes(StandardCharsets.UTF_8);
        if (value instanceof List<?> l) return l.toString().getBytes(StandardCharsets.UTF_8);
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }
}
