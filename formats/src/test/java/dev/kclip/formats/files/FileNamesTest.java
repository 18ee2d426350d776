package dev.kclip.formats.files;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Plain file names only: nothing a listing could use to leave its directory. */
class FileNamesTest {

    @Test
    void plainNamesPass() {
        for (String name : new String[] {"weights.params", "model-00001-of-00002.safetensors", "tokenizer.json", "a..b"}) {
            assertTrue(FileNames.isPlain(name), name);
        }
    }

    @Test
    void pathsParentsDevicesAndControlCharactersAreRefused() {
        for (String name : new String[] {"", ".", "..", "../x", "/etc/passwd", "sub/x", "..\\x", "C:\\x", "a\0b",
                "line\nbreak", "NUL", "con.json", "lpt1.safetensors"}) {
            assertFalse(FileNames.isPlain(name), name);
        }
        assertFalse(FileNames.isPlain(null));
    }
}
