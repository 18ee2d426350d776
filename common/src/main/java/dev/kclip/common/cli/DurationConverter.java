package dev.kclip.common.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/**
 * Durations as people type them: {@code 500ms}, {@code 10s}, {@code 15m}, {@code 2h}, {@code 7d}, or ISO-8601
 * ({@code PT10S}, {@code P7D}); case and surrounding spaces do not matter. Use as
 * {@code @Option(converter = DurationConverter.class)}.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses one duration; throws {@link IllegalArgumentException} with the accepted forms otherwise. */
    public static Duration parse(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(value.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\" (use e.g. 500ms, 10s, 15m, 2h, 7d or PT10S)");
        }
    }
}
