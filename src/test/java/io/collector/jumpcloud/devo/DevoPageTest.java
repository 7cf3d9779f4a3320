package io.collector.jumpcloud.devo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.stream.ChunkedInput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A page's lines leave in chunks of whole lines, each small enough for one TLS record. */
class DevoPageTest {
    @Test
    void chunksHoldWholeLinesOfAtMostOneRecordAndALongerLineIsTheOnlyOneCut() throws Exception {
        Random random = new Random(7);
        DevoPage page = new DevoPage();
        byte[] prefix = "<14>Dec  7 03:47:22 host my.app.table: ".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 2000; i++) {
            // mostly small lines, some near a chunk, a few longer than one (real MDM events reach 76 kB)
            int n = i % 97 == 0 ? 40_000 : i % 13 == 0 ? DevoLineFramer.CHUNK - prefix.length - 1 : 1 + random.nextInt(3000);
            byte[] json = new byte[n];
            java.util.Arrays.fill(json, (byte) ('a' + i % 26));
            page.add(prefix, json, n);
        }
        ChunkedInput<ByteBuf> chunks = page.chunks(DevoLineFramer.CHUNK);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int count = 0;
        while (!chunks.isEndOfInput()) {
            ByteBuf b = chunks.readChunk(ByteBufAllocator.DEFAULT);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            count++;
            assertTrue(bytes.length <= DevoLineFramer.CHUNK, "chunk " + count + " over one record: " + bytes.length);
            if (bytes[bytes.length - 1] != '\n') {
                // only a line longer than a chunk spans chunks, and the chunk that does not end one is all of it
                assertEquals(-1, indexOf(bytes, (byte) '\n'), "chunk " + count + " ends in the middle of a line after others");
            }
            all.write(bytes);
        }
        assertArrayEquals(page.toByteArray(), all.toByteArray(), "the chunks are the page's lines, in order");
        assertEquals(page.byteLength(), chunks.progress());
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
