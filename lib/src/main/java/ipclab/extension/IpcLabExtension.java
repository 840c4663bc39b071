package ipclab.extension;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;

/**
 * Loaded by JJava when {@code ipclab.jar} joins the notebook JVM's classpath: it imports the course's
 * packages into the notebook, registers the {@code %%fork} cell magic, and closes the course
 * resource a variable held when a cell that declares it runs again ({@link ReplacedResources}).
 */
public final class IpcLabExtension implements Extension {
    static final String IMPORTS = "import ipclab.pipe.*; import ipclab.fifo.*; import ipclab.socketpair.*; import ipclab.child.*; import ipclab.tree.*; import ipclab.exercise.*; import ipclab.book.*; import ipclab.sharedmemory.*; import ipclab.unixsocket.*; import ipclab.signal.*; import ipclab.passing.*; import ipclab.benchmark.*; import ipclab.language.*; import java.nio.file.*; import java.nio.charset.StandardCharsets;";

    @Override
    public void install(BaseKernel kernel) {
        // Read by ipclab.signal.Signals, which installs no signal handler in the notebook's JVM.
        System.setProperty(ipclab.signal.Signals.NOTEBOOK_PROPERTY, "true");
        kernel.getMagicsRegistry().registerCellMagic("fork", new ForkMagic());
        kernel.evalRaw(IMPORTS);
        ReplacedResources.install(kernel);
    }
}
