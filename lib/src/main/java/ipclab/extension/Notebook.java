package ipclab.extension;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/** Rich output in a notebook cell, with plain text wherever there is no notebook (jshell). */
public final class Notebook {
    private Notebook() {}

    /** Shows an SVG picture in the running cell; prints {@code text} instead outside a notebook. */
    public static void showSvg(String svg, String text) {
        try {
            BaseKernel kernel = BaseKernel.notebookKernel();
            if (kernel != null) {
                DisplayData data = new DisplayData(text);
                data.putData("image/svg+xml", svg);
                kernel.display(data);
                return;
            }
        } catch (LinkageError notInAKernel) {
            // JJava is not on the classpath: plain jshell or a test JVM.
        }
        System.out.print(text);
    }
}
