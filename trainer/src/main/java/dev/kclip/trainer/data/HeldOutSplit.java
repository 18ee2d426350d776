package dev.kclip.trainer.data;

import dev.kclip.schemas.PairIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A deterministic train / held-out split by pair id: an id is held out when the first 8 bytes of its SHA-256,
 * read as a fraction of 2⁶⁴, fall below the share. The same id always lands on the same side, in every run and
 * every process, so held-out pairs are never trained on, even across restarts.
 */
public final class HeldOutSplit {

    private final double share;

    /** @param share fraction of ids held out, in [0, 1) */
    public HeldOutSplit(double share) {
        if (share < 0 || share >= 1) {
            throw new IllegalArgumentException("held-out share must be in [0, 1), not " + share);
        }
        this.share = share;
    }

    public double share() {
        return share;
    }

    public boolean isHeldOut(String id) {
        if (share == 0) {
            return false;
        }
        byte[] digest = PairIds.sha256().digest(id.getBytes(StandardCharsets.UTF_8));
        double position = (ByteBuffer.wrap(digest).getLong() >>> 11) * 0x1.0p-53;
        return position < share;
    }
}
