package io.collector.jumpcloud.dedup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An event id as two longs, so the id memories hold numbers in arrays instead of a String and a map
 * entry per id (those, kept for 100,000 events and then dropped, were most of a backfill's
 * old-generation garbage). JumpCloud's ObjectId form (24 lower-case hex digits, most services) is
 * encoded exactly; any other id (RADIUS's UUIDs, a future form) by 127 bits of its MD5, where two
 * ids sharing one value is a chance of about 10^-28 among a million ids. The two forms never meet,
 * and no fingerprint is (0, 0).
 */
public record IdFingerprint(long hi, long lo) {
    private static final long EXACT = 1L << 62;   // 24-hex ids: 32 bits in hi, 64 in lo
    private static final long HASHED = 1L << 63;  // others: the top bit marks a hash
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    });

    public static IdFingerprint of(String id) {
        if (id.length() == 24) {
            long hi = hex(id, 0, 8);
            long lo = hex(id, 8, 24);
            if (hi >= 0 && (lo != -1 || isHex(id, 8, 24))) {
                return new IdFingerprint(EXACT | hi, lo);
            }
        }
        byte[] d = MD5.get().digest(id.getBytes(StandardCharsets.UTF_8));
        return new IdFingerprint(HASHED | (longAt(d, 0) >>> 1), longAt(d, 8));
    }

    /** The form the count check's state file keeps: 32 hex digits. */
    @Override
    public String toString() {
        char[] c = new char[32];
        hexDigits(hi, c, 0);
        hexDigits(lo, c, 16);
        return new String(c);
    }

    private static void hexDigits(long v, char[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = Character.forDigit((int) (v & 0xF), 16);
            v >>>= 4;
        }
    }

    /** Reads {@link #toString()}'s form back. */
    public static IdFingerprint parse(String s) {
        if (s.length() != 32) {
            throw new IllegalArgumentException("not an id fingerprint: " + s);
        }
        return new IdFingerprint(Long.parseUnsignedLong(s, 0, 16, 16), Long.parseUnsignedLong(s, 16, 32, 16));
    }

    /** The digits from..to as a number, or -1 when one is not a lower-case hex digit. */
    private static long hex(String s, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) {
                return -1;
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static long longAt(byte[] b, int at) {
        long v = 0;
        for (int i = at; i < at + 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }
}
