package dev.kclip.ingest.validate;

import dev.kclip.schemas.ImageCaptionPair;

/**
 * A record read as an {@link ImageCaptionPair}, not yet checked.
 *
 * @param pair the record, its id filled in when the producer left it blank
 * @param captionBytes the caption as it was on the wire (may be invalid UTF-8)
 */
public record DecodedPair(ImageCaptionPair pair, byte[] captionBytes) {

    public String id() {
        return pair.getId();
    }
}
