import java.time.Duration;

import ipclab.benchmark.IpcBenchmark;
import ipclab.benchmark.Mechanism;
import ipclab.benchmark.Measurement;
import ipclab.benchmark.Workload;

/**
 * The JVM side of bench_ipc.py: {@code IpcBench MECH SIZES ROUNDS WARMUP BYTES} measures one
 * mechanism between two child JVMs (ipclab.benchmark.IpcBenchmark) and prints, like the C peer,
 * {@code rtt SIZE P50_NS} per size and {@code MiBps RATE}, then {@code jvm OPTIONS...}: the
 * options the child JVMs ran with.
 */
public final class IpcBench {
    public static void main(String[] args) throws Exception {
        int[] sizes = java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        Workload workload = Workload.small().withSizes(sizes).withRounds(Integer.parseInt(args[2]))
                .withWarmup(Integer.parseInt(args[3])).withBytes(Long.parseLong(args[4])).withLimit(Duration.ofSeconds(120));
        Measurement r = IpcBenchmark.java(Mechanism.of(args[0]), workload);
        r.rttNanos().forEach((size, ns) -> System.out.println("rtt " + size + " " + ns));
        if (r.mibps() > 0) System.out.println("MiBps " + r.mibps());
        System.out.println("jvm " + String.join(" ", IpcBenchmark.childJvmOptions()));
    }
}
