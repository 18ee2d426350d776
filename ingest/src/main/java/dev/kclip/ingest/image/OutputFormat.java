package dev.kclip.ingest.image;

/** How normalised images are re-encoded. */
public enum OutputFormat {
    /** Baseline JPEG at the configured quality: small, the default. */
    JPEG("image/jpeg", "jpeg"),
    /** Lossless PNG: larger, for pipelines that must not add compression artefacts. */
    PNG("image/png", "png");

    private final String mediaType;
    private final String imageIoName;

    OutputFormat(String mediaType, String imageIoName) {
        this.mediaType = mediaType;
        this.imageIoName = imageIoName;
    }

    public String mediaType() {
        return mediaType;
    }

    String imageIoName() {
        return imageIoName;
    }
}
