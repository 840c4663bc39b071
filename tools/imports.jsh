import ipclab.pipe.*;
import ipclab.child.*;
import ipclab.tree.*;
import ipclab.book.*;
import ipclab.fifo.*;
import java.nio.file.*;
