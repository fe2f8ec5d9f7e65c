package journal.searchengine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginsLoader;

/**
 * One Elasticsearch 8 node in this JVM. The server jars are on the module path (as in the
 * distribution); the only module bundle is transport-netty4, laid out in HOME/modules/ from the
 * jars Maven copied, with the plugin descriptor that its jar carries.
 *
 * Usage: LocalNode HOME_DIR HTTP_PORT NETTY4_JARS_DIR
 * No security manager or entitlements are installed (they are set up by the distribution's
 * bootstrap, which is not used): the node binds to 127.0.0.1 only.
 */
public final class LocalNode {

    private static final String NETTY4 = "transport-netty4";

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: LocalNode HOME_DIR HTTP_PORT NETTY4_JARS_DIR");
            System.exit(2);
        }
        // The server's logging facade must have its log4j provider before anything logs.
        LogConfigurator.configureESLogging();
        Path home = Paths.get(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Path nettyJars = Paths.get(args[2]).toAbsolutePath();
        Path config = Files.createDirectories(home.resolve("config"));
        Path modules = home.resolve("modules");
        layOutModule(nettyJars, modules.resolve(NETTY4));
        String nodeName = "clear-mind-" + port;

        // Plain console logging; the start script sends the console to its log file.
        Files.writeString(config.resolve("log4j2.properties"), String.join("\n",
            "status = error",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %marker%m%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.console.ref = console",
            ""));

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "clear-mind-journal")
            .put("node.name", nodeName)
            .put("network.host", "127.0.0.1")
            .put("http.port", port)
            .put("transport.port", (port + 100) + "-" + (port + 199))
            .put("discovery.type", "single-node")
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), config, () -> nodeName);
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment, true);

        // `true`: plugin module layers get the server's qualified exports, as in the bootstrap.
        PluginsLoader plugins = PluginsLoader.createPluginsLoader(
            PluginsLoader.loadModulesBundles(environment.modulesDir()), Set.of(), new HashMap<>(), true);
        Node node = new Node(environment, plugins);

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
        stopped.await();
    }

    /** A module directory: links to the jars, plus the descriptor from META-INF/es-plugins/. */
    private static void layOutModule(Path jars, Path target) throws IOException {
        Files.createDirectories(target);
        Path pluginJar = null;
        try (Stream<Path> files = Files.list(jars)) {
            for (Path jar : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".jar"))::iterator) {
                // A restart on kept data (SEARCH_ENGINE_KEEP_DATA=1) finds the links of the last run.
                Path link = target.resolve(jar.getFileName());
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, jar);
                if (jar.getFileName().toString().startsWith(NETTY4 + "-")) {
                    pluginJar = jar;
                }
            }
        }
        if (pluginJar == null) {
            throw new IllegalStateException("no " + NETTY4 + " jar in " + jars);
        }
        try (ZipFile zip = new ZipFile(pluginJar.toFile())) {
            for (String name : new String[] {"plugin-descriptor.properties", "entitlement-policy.yaml"}) {
                var entry = zip.getEntry("META-INF/es-plugins/" + NETTY4 + "/" + name);
                if (entry == null) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        if (!Files.exists(target.resolve("plugin-descriptor.properties"))) {
            throw new IllegalStateException(pluginJar + " carries no plugin descriptor");
        }
    }
}
