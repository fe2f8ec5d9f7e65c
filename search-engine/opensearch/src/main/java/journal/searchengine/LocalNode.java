package journal.searchengine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this JVM, with the modules a distribution would load from its modules/
 * directory given as classpath plugins instead.
 *
 * Usage: LocalNode HOME_DIR HTTP_PORT
 * HOME_DIR gets data/ and logs/ (the caller makes it a temporary directory); the node binds to
 * 127.0.0.1 only, runs as a one-node cluster and stops cleanly on SIGTERM.
 */
public final class LocalNode {

    private static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        PainlessPlugin.class,
        MapperExtrasPlugin.class,
        ReindexPlugin.class
    );

    /** Node's plugin-taking constructor is protected: this subclass only opens it. */
    private static final class ModulesNode extends Node {
        ModulesNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: LocalNode HOME_DIR HTTP_PORT");
            System.exit(2);
        }
        Path home = Paths.get(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Path config = Files.createDirectories(home.resolve("config"));
        String nodeName = "clear-mind-" + port;

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "clear-mind-journal")
            .put("node.name", nodeName)
            .put("network.host", "127.0.0.1")
            .put("http.port", port)
            // transport is not used by a one-node cluster, but it must bind somewhere
            .put("transport.port", (port + 100) + "-" + (port + 199))
            .put("discovery.type", "single-node")
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.auto_create_index", true)
            .build();

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), config, () -> nodeName);
        Node node = new ModulesNode(environment, MODULES);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "local-node-shutdown"));

        node.start();
        // Node threads are daemons (as in the distribution's bootstrap): keep the JVM alive.
        stopped.await();
    }
}
