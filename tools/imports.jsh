import ipclab.pipe.*;
import ipclab.socketpair.*;
import ipclab.child.*;
import ipclab.tree.*;
import ipclab.book.*;
import java.nio.file.*;
