package io.collector.jumpcloud.tls;

/**
 * Where TLS records end in the bytes a relay sends, read from a record's start: a 5-byte header (type,
 * version, length) and its body. Used after the handshake, where a whole record that brought no alert
 * is a TLS 1.3 relay's session ticket: a relay sends one only once it took the client certificate.
 */
final class TlsRecordEnds {
    private static final int HEADER = 5;
    private int headerLeft = HEADER;
    private int length;
    private int bodyLeft;

    /** @return true when this byte ends a record */
    boolean next(byte b) {
        if (headerLeft > 0) {
            headerLeft--;
            if (headerLeft == 1) {
                length = (b & 0xff) << 8;
            } else if (headerLeft == 0) {
                bodyLeft = length | (b & 0xff);
            }
        } else {
            bodyLeft--;
        }
        if (headerLeft == 0 && bodyLeft == 0) {
            headerLeft = HEADER;
            return true;
        }
        return false;
    }
}
