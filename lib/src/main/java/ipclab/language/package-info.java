/**
 * The course in two languages: {@link ipclab.language.Language} is the language the library
 * speaks in this JVM (set by the Chinese edition's setup cell, passed on to child JVMs), and
 * {@link ipclab.language.Messages} looks up its messages in English or Chinese. See
 * {@code i18n/README.md} for how to add a message in both languages.
 */
package ipclab.language;
