package io.collector.jumpcloud.devo;

/**
 * One event's Devo line, as the route's {@code devoLine} step makes it: the syslog header (priority,
 * time, host, the table as tag) and the event's JSON, either its bytes in the page JumpCloud sent (a
 * {@link io.collector.jumpcloud.source.DiEvent}) or bytes of their own. {@code fallbackService} names
 * the service of an event sent to the fallback table (for the metrics), or is null.
 */
public record DevoLine(byte[] prefix, Object payload, int payloadLength, String fallbackService) {
    /** The line's length on the wire: header, event and LF. */
    public long length() {
        return prefix.length + (long) payloadLength + 1;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(new String(prefix, java.nio.charset.StandardCharsets.UTF_8));
        b.append(payload instanceof byte[] bytes ? new String(bytes, 0, payloadLength, java.nio.charset.StandardCharsets.UTF_8) : payload);
        return b.toString();
    }
}
