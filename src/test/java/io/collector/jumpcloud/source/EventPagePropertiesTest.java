package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The page reader over random pages: well-framed pages of good events and broken elements in any
 * order (any whitespace, any text in the events, 0 to 9 fraction digits), and the same pages cut
 * short. Every good event comes out once, in order, byte for byte; every broken element is set
 * aside at its position; a page that is not a complete array fails as a page; nothing else escapes.
 */
class EventPagePropertiesTest {
    /** One element: its bytes, and for a good event its id and instant (null for a broken one). */
    record Element(byte[] bytes, String id, Instant timestamp) {
    }

    @Provide
    Arbitrary<List<Element>> pages() {
        Arbitrary<Element> good = Combinators.combine(
                Arbitraries.strings().withCharRange('0', 'f').ofMinLength(1).ofMaxLength(30),
                Arbitraries.longs().between(0, 4_102_444_800L),
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 999_999_999),
                Arbitraries.strings().ofMaxLength(60),
                Arbitraries.of("", " ", "\n", "\t", "  \r\n ")).as((id, sec, digits, nanos, text, ws) -> {
            Instant t = Instant.ofEpochSecond(sec, digits == 0 ? 0 : nanos / (int) Math.pow(10, 9 - digits) * (int) Math.pow(10, 9 - digits));
            String ts = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(java.time.ZoneOffset.UTC).format(t)
                    + (digits == 0 ? "" : "." + String.format("%09d", t.getNano()).substring(0, digits)) + "Z";
            String json = "{" + ws + "\"text\":" + quote(text) + "," + ws + "\"id\":" + quote(id) + ",\"timestamp\":\"" + ts + "\"" + ws + "}";
            return new Element(json.getBytes(StandardCharsets.UTF_8), id, t);
        });
        Arbitrary<Element> broken = Arbitraries.of(
                "{\"timestamp\":\"2024-01-01T00:00:00Z\"}", "{\"id\":\"x\"}", "{\"id\":\"x\",\"timestamp\":\"soon\"}", "42", "\"text\"",
                "[1,{\"id\":\"x\"}]", "null", "{\"id\":7,\"timestamp\":\"2024-01-01T00:00:00Z\"}", "{\"id\":\"x\",,\"timestamp\":1}",
                "{\"id\":\"x\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"v\":\"\u00ff\u00fe\"}", "{\"a\":[1,2,]}", "{\"id\":\"\",\"timestamp\":\"2024-01-01T00:00:00Z\"}")
                .map(s -> new Element(s.getBytes(StandardCharsets.ISO_8859_1), null, null)); // ISO-8859-1: \u00ff is the byte 0xff
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, good), net.jqwik.api.Tuple.of(1, broken)).list().ofMaxSize(40);
    }

    static String quote(String s) {
        return com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s).length >= 0
                ? "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s)) + "\"" : null;
    }

    static byte[] page(List<Element> elements, String between) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("[" + between).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                out.writeBytes(("," + between).getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes(elements.get(i).bytes());
        }
        out.writeBytes((between + "]").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Property(tries = 400)
    void everyGoodEventOnceInOrderAndEveryBrokenElementSetAside(@ForAll("pages") List<Element> elements,
                                                                @ForAll("space") String between) {
        EventPage page = EventPage.parse(page(elements, between), "sso");
        List<Element> good = elements.stream().filter(e -> e.id() != null).toList();
        assertEquals(good.size(), page.size());
        for (int i = 0; i < good.size(); i++) {
            DiEvent e = page.events().get(i);
            assertEquals(good.get(i).id(), e.getId());
            assertEquals(good.get(i).timestamp(), e.getTimestamp());
            assertArrayEquals(good.get(i).bytes(), e.getJson().getBytes(StandardCharsets.UTF_8));
        }
        List<Integer> broken = new ArrayList<>();
        for (int i = 0; i < elements.size(); i++) {
            if (elements.get(i).id() == null) {
                broken.add(i);
            }
        }
        assertEquals(broken, page.quarantined().stream().map(EventPage.BadElement::index).toList());
        for (EventPage.BadElement b : page.quarantined()) {
            assertArrayEquals(elements.get(b.index()).bytes(), b.raw());
        }
        assertEquals(elements.size(), page.elements());
    }

    @Property(tries = 400)
    void aPageCutShortFailsAsAPage(@ForAll("pages") List<Element> elements, @ForAll("space") String between,
                                   @ForAll java.util.Random random) {
        byte[] whole = page(elements, between);
        int cut = random.nextInt(whole.length); // before the closing bracket
        byte[] truncated = java.util.Arrays.copyOf(whole, cut);
        if (new String(truncated, StandardCharsets.ISO_8859_1).strip().endsWith("]") && cut > 0
                && whole.length - cut <= between.length() + 1) {
            return; // only whitespace was cut
        }
        assertThrows(BadPageException.class, () -> EventPage.parse(truncated, "sso"));
    }

    @Provide
    Arbitrary<String> space() {
        return Arbitraries.of("", " ", "\n", " \r\n\t ");
    }
}
