package dev.kclip.ingest.push;

/**
 * A dataset entry a push left out.
 *
 * @param location where it was listed, e.g. {@code pairs.jsonl line 12}
 * @param reason the kind of problem
 * @param detail what exactly was wrong
 */
public record Skipped(String location, SkipReason reason, String detail) {

    @Override
    public String toString() {
        return location + ": " + detail;
    }
}
