import ipclab.pipe.*;
import ipclab.socketpair.*;
import ipclab.child.*;
import ipclab.tree.*;
import ipclab.book.*;
import ipclab.sharedmemory.*;
import ipclab.fifo.*;
import java.nio.file.*;
