import ipclab.pipe.*;
import ipclab.child.*;
import ipclab.tree.*;
import java.nio.file.*;
