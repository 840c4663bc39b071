package ipclab.server;

/**
 * What the echo server is doing, read from its status board at one moment.
 *
 * @param connectedClients clients being served, each by a handler process of its own
 * @param storedLines lines the storing process has written to the store file
 * @param storedBytes client bytes in those lines (the newline added to a partial last line not counted)
 * @param unstoredBytes client bytes that could not be stored because a storing process died
 * @param splitLines lines longer than the line limit, stored cut into pieces
 * @param handlersStarted handler processes started since the server started
 * @param storePid the storing process's pid
 * @param storeRestarts how often the storing process died and was restarted
 * @param spareHandlers handler processes started and waiting in accept() for a client
 */
public record ServerStatus(int connectedClients, long storedLines, long storedBytes, long unstoredBytes,
        long splitLines, long handlersStarted, long storePid, int storeRestarts, int spareHandlers) {
    @Override
    public String toString() {
        return connectedClients + " connected, " + storedLines + " lines stored (" + storedBytes + " bytes)"
                + (unstoredBytes > 0 ? ", " + unstoredBytes + " bytes could not be stored" : "")
                + (storeRestarts > 0 ? ", storing process restarted " + storeRestarts + "x" : "")
                + ", " + spareHandlers + " spare handlers";
    }
}
