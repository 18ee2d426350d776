package dev.kclip.common.deadletter;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.DeadLetter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A dead letter is fitted under a record limit by leaving out its value, then its key. */
class DeadLettersTest {

    private static final int LIMIT = 1 << 20;

    @Test
    void aLetterThatFitsIsUnchanged() {
        DeadLetter letter = letter(100, 1000);
        assertSame(letter, DeadLetters.fitting(letter, LIMIT));
    }

    @Test
    void aLargeValueIsLeftOutFirst() {
        DeadLetter fitted = DeadLetters.fitting(letter(100, LIMIT), LIMIT);
        assertNull(fitted.getOriginalValue());
        assertTrue(fitted.getOriginalKey() != null);
        assertTrue(fitted.getMessage().contains("original value of " + LIMIT + " bytes left out"), fitted.getMessage());
    }

    @Test
    void aKeyTooLargeToTravelTwiceIsLeftOutToo() {
        DeadLetter fitted = DeadLetters.fitting(letter(LIMIT * 3 / 4, 10), LIMIT);
        assertNull(fitted.getOriginalValue());
        assertNull(fitted.getOriginalKey());
        assertTrue(fitted.getMessage().contains("original key of " + LIMIT * 3 / 4 + " bytes left out"), fitted.getMessage());
        assertTrue(DeadLetters.encode(fitted).length <= LIMIT);
    }

    private static DeadLetter letter(int keyBytes, int valueBytes) {
        byte[] key = new byte[keyBytes];
        Arrays.fill(key, (byte) 'k');
        return DeadLetters.of(key, new byte[valueBytes], "topic", 0, 7L, "test", "BAD_RECORD", "bad", null);
    }
}
