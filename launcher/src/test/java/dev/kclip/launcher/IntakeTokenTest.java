package dev.kclip.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntakeTokenTest {

    @TempDir
    Path dir;

    @Test
    void aNewTokenIsRandomInAnOwnerOnlyFileAndNeverInWhatIsPrinted() throws Exception {
        Path home = dir.resolve("home");

        IntakeToken token = IntakeToken.in(home);

        assertTrue(token.created());
        assertEquals(home.resolve("http-token"), token.file());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token.file())));
        assertEquals(token.token() + "\n", Files.readString(token.file()));
        assertTrue(token.token().matches("[0-9a-f]{32}"), token.token());
        assertTrue(token.describe().contains(token.file().toString()), token.describe());
        assertFalse(token.describe().contains(token.token()), "the token itself is never printed");
        assertFalse(token.toString().contains(token.token()));
        assertFalse(token.token().equals(IntakeToken.in(dir.resolve("other")).token()), "each home gets its own");
    }

    @Test
    void aSecondRunKeepsTheTokenAndNarrowsWidenedPermissions() throws Exception {
        IntakeToken first = IntakeToken.in(dir);
        Files.setPosixFilePermissions(first.file(), PosixFilePermissions.fromString("rw-r--r--"));

        IntakeToken second = IntakeToken.in(dir);

        assertFalse(second.created());
        assertEquals(first.token(), second.token());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(second.file())));
    }
}
