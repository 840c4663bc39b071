package ipclab;

import java.util.Arrays;

/**
 * The library's command line: {@code java -jar ipclab.jar COMMAND [OPTIONS]}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (command) {
            case "help", "--help", "-h" -> usage(0);
            case "echo-server" -> ipclab.server.EchoServerMain.main(rest);
            case "echo-client" -> ipclab.client.EchoClientMain.main(rest);
            default -> {
                System.err.println("ipclab: unknown command '" + command + "' (try: java -jar ipclab.jar help)");
                System.exit(2);
            }
        }
    }

    private static void usage(int code) {
        System.out.println("usage: java -jar ipclab.jar COMMAND [OPTIONS]");
        System.out.println();
        System.out.println("commands:");
        System.out.println("  echo-server [--host 127.0.0.1] [--port 9190] [--store echomsg.txt] [--max-clients N | --memory SIZE] [--max-line 1048576]");
        System.out.println("      --max-clients: handler processes at most; by default as many as the memory limit allows (--memory, else the cgroup's), 64 at most");
        System.out.println("      the echo server that stores every line; stops on SIGTERM or Ctrl-C");
        System.out.println("  echo-client [--host 127.0.0.1] [--port 9190]");
        System.out.println("      sends each line of stdin and prints its echo; q or end of input quits");
        System.out.println("  help");
        System.exit(code);
    }
}
