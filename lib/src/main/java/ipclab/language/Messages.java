package ipclab.language;

import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The library's messages in the current {@link Language}: hints, checks' verdicts and the
 * errors a learner can meet in a cell. They live in {@code ipclab/language/messages.properties}
 * (English) and {@code messages_zh_CN.properties} (Chinese), read as UTF-8 (JDK 9+), keyed by
 * stable names; a message's arguments fill its {@code %s}/{@code %d} slots as in
 * {@link String#format} (so a literal per cent sign is written %%). A key missing in Chinese falls back to the English text.
 */
public final class Messages {
    private static final String BUNDLE = "ipclab.language.messages";
    // No fallback to the OS locale: English is the base bundle, whatever the machine says.
    private static final ResourceBundle.Control NO_FALLBACK =
            ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);

    private Messages() {}

    /** The message {@code key} in the current language, with {@code args} filled in. */
    public static String text(String key, Object... args) {
        Locale locale = Language.locale();
        String pattern;
        try {
            pattern = ResourceBundle.getBundle(BUNDLE, locale, Messages.class.getClassLoader(), NO_FALLBACK).getString(key);
        } catch (MissingResourceException e) {
            return key;  // a missing key shows itself rather than hiding the message
        }
        return String.format(Locale.ROOT, pattern, args);
    }
}
