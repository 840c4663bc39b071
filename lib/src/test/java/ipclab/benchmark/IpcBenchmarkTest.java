package ipclab.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import ipclab.child.Children;
import org.junit.jupiter.api.Test;

/**
 * Every mechanism, measured for real between two child JVMs (and in C where gcc is), with a
 * workload small enough to take a second or two each: the figures arrive, nothing is left behind.
 * No figure is checked against a speed.
 */
class IpcBenchmarkTest {
    private static final Workload TINY = Workload.small().withSizes(32, 65536).withRounds(20).withWarmup(20).withBytes(1 << 20);

    @Test
    void everyMechanismReportsEverySizeAndAThroughputAndCleansUp() throws Exception {
        List<Measurement> all = new ArrayList<>();
        for (Mechanism m : Mechanism.values()) {
            Measurement java = IpcBenchmark.java(m, TINY);
            assertEquals(List.of(32, 65536), List.copyOf(java.rttNanos().keySet()), java.toString());
            assertTrue(java.rttNanos().values().stream().allMatch(ns -> ns > 0), java.toString());
            assertTrue(java.mibps() > 0, java.toString());
            all.add(java);
            IpcBenchmark.c(m, TINY).ifPresent(c -> {
                assertEquals(2, c.rttNanos().size(), c.toString());
                assertTrue(c.mibps() > 0, c.toString());
                all.add(c);
            });
        }
        assertEquals(List.of(), IpcBenchmark.leftBehind());
        assertEquals(0, Children.all().size());
        assertTrue(IpcBenchmark.childJvmOptions().contains("-XX:TieredStopAtLevel=1"), IpcBenchmark.childJvmOptions().toString());

        BufferedImage chart = Charts.roundTrips(all, 32);
        assertEquals(Charts.WIDTH, chart.getWidth());
        assertEquals(Charts.HEIGHT, Charts.throughput(all).getHeight());
    }

    @Test
    void badWorkloadsAndNamesAreRefusedWithOneLine() {
        assertThrows(IllegalArgumentException.class, () -> Workload.small().withSizes(0));
        assertThrows(IllegalArgumentException.class, () -> Workload.small().withSizes(Workload.MAX_SIZE + 1));
        assertThrows(IllegalArgumentException.class, () -> Workload.small().withRounds(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mechanism.of("carrier pigeon"));
        assertTrue(e.getMessage().contains("pipe, fifo, socketpair, uds, tcp or shm"), e.getMessage());
        assertEquals(Mechanism.UDS, Mechanism.of("uds"));
    }
}
