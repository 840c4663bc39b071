package ipclab.language;

import java.util.List;
import java.util.Locale;

/**
 * The language the library speaks in this JVM: English unless the notebook's setup cell says
 * otherwise ({@code Language.use("zh-CN")} in the Chinese edition). It never follows the OS
 * locale, so a notebook speaks its edition's language on any machine. Every child JVM the
 * library spawns is given the same language ({@link #childOption()}).
 */
public final class Language {
    /** The system property that carries the language into child JVMs: {@code -Dipclab.language=zh-CN}. */
    public static final String PROPERTY = "ipclab.language";

    /** The languages the library has messages for, as BCP 47 tags. */
    public static final List<String> SUPPORTED = List.of("en", "zh-CN");

    private static volatile String tag = initial();

    private Language() {}

    private static String initial() {
        String inherited = System.getProperty(PROPERTY);
        return inherited != null && SUPPORTED.contains(inherited) ? inherited : "en";
    }

    /**
     * Sets the library's language in this JVM and in every child it spawns from now on:
     * {@code "en"} or {@code "zh-CN"}. Any other tag gets one line in reply and changes nothing.
     */
    public static void use(String languageTag) {
        if (!SUPPORTED.contains(languageTag)) {
            System.out.println("Language " + languageTag + " is not one of " + SUPPORTED + "; staying with " + tag + ".");
            return;
        }
        tag = languageTag;
    }

    /** The current language's tag, {@code "en"} or {@code "zh-CN"}. */
    public static String tag() {
        return tag;
    }

    /** The current language as a {@link Locale}, for looking up messages. */
    public static Locale locale() {
        return Locale.forLanguageTag(tag);
    }

    /** The option that passes the current language to a child JVM. */
    public static String childOption() {
        return "-D" + PROPERTY + "=" + tag;
    }
}
