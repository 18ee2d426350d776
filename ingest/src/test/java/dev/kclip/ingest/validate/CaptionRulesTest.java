package dev.kclip.ingest.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CaptionRulesTest {

    private final CaptionRules rules = new CaptionRules(10);

    @Test
    void validCaptionsAreTrimmed() throws Exception {
        assertEquals("red apple", rules.check(utf8("  red apple \n")));
        assertEquals("café 🍎", rules.check(utf8("café 🍎")));
    }

    @Test
    void emptyAndBlankCaptionsAreRejected() {
        assertEquals(RejectReason.EMPTY_CAPTION, reason(utf8("")));
        assertEquals(RejectReason.EMPTY_CAPTION, reason(utf8(" \t\n\u2003")));
    }

    @Test
    void lengthCountsCharactersNotBytesOrUtf16Units() throws Exception {
        assertEquals("🍎".repeat(10), rules.check(utf8("🍎".repeat(10)))); // 40 bytes, 20 chars of UTF-16, 10 code points
        assertEquals(RejectReason.CAPTION_TOO_LONG, reason(utf8("🍎".repeat(11))));
        assertEquals("0123456789", rules.check(utf8("   0123456789   ")), "the limit applies after trimming");
        PairRejectedException e = assertThrows(PairRejectedException.class, () -> new CaptionRules(1000).check(utf8("a".repeat(100_000))));
        assertEquals("caption has 100,000 characters, more than the 1,000 allowed", e.getMessage());
    }

    @Test
    void invalidUtf8IsRejectedWhereverItIs() {
        assertEquals(RejectReason.BAD_UTF8, reason(new byte[] {'o', 'k', (byte) 0xFF}));
        assertEquals(RejectReason.BAD_UTF8, reason(new byte[] {(byte) 0xC3, 0x28})); // bad continuation byte
        assertEquals(RejectReason.BAD_UTF8, reason(new byte[] {(byte) 0xC0, (byte) 0x80})); // overlong NUL
        assertEquals(RejectReason.BAD_UTF8, reason(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})); // encoded surrogate
        assertEquals(RejectReason.BAD_UTF8, reason(new byte[] {'a', (byte) 0xE2, (byte) 0x82})); // cut multi-byte
        PairRejectedException e = assertThrows(PairRejectedException.class, () -> rules.check(new byte[] {'a', 'b', (byte) 0xFF}));
        assertEquals("caption is not valid UTF-8 (3 bytes, first bad byte at offset 2)", e.getMessage());
    }

    private RejectReason reason(byte[] caption) {
        return assertThrows(PairRejectedException.class, () -> rules.check(caption)).reason();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
