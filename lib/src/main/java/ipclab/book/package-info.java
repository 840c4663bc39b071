/**
 * The chapter's own C programs, compiled with gcc and run from a notebook cell beside their
 * Java stand-ins: {@code pipe1}, {@code pipe2}, {@code pipe3}, {@code echo_storeserv} and
 * chapter 10's {@code echo_mpclient}. Their sources are the course's {@code notebooks/c/*.c}.
 *
 * <p>The C programs call {@code fork()}; the notebook's JVM cannot. So the JVM starts a small
 * launcher with {@code posix_spawn(3)}, and the launcher forks the program into a process group
 * of its own, reaps every process of that group, and kills the group when its time is up, when
 * the cell is interrupted, or when the notebook's JVM ends.
 *
 * <ul>
 *   <li>{@link ipclab.book.CProgram}: compile one ({@code CProgram.compile("pipe2", "NO_SLEEP")}),
 *       show its source, run it and see its output in the cell, or start it in the background;</li>
 *   <li>{@link ipclab.book.CRun}: how a run ended (exit status, signal, time limit, output);</li>
 *   <li>{@link ipclab.book.CProcess}: a program running in the background, such as the echo
 *       server: wait for a line it prints, list its processes and zombies, signal it, stop it.</li>
 * </ul>
 */
package ipclab.book;
