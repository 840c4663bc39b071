package ipclab.book;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** names() lists exactly the course's C programs, so a misspelt name gets the whole, true list. */
class CProgramNamesTest {
    @Test
    void namesAreTheSourcesInNotebooksC() throws IOException {
        for (String name : CProgram.names()) assertNotNull(Gcc.resource("c/" + name + ".c"), name);
        Path dir = Path.of("..", "notebooks", "c");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> sources = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".c"))
                    .map(n -> n.substring(0, n.length() - 2)).toList();
            assertEquals(new TreeSet<>(sources), new TreeSet<>(CProgram.names()));
        }
    }
}
