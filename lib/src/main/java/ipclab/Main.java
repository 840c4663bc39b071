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
            default -> {
                System.err.println("ipclab: unknown command '" + command + "' (try: java -jar ipclab.jar help)");
                System.exit(2);
            }
        }
    }

    private static void usage(int code) {
        System.out.println("usage: java -jar ipclab.jar COMMAND [OPTIONS]");
        System.exit(code);
    }
}
