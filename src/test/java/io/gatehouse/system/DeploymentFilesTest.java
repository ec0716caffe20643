package io.gatehouse.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.gatehouse.support.Management;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The deployment files, checked without a container engine or a cluster: every kustomize overlay rendered by kubectl
 * and the compose file parsed, then held to what a platform team asks of them — and to what the app really reads
 * and serves (its GATEHOUSE_* names, its management paths, answered by the running app under test).
 */
@QuarkusTest
class DeploymentFilesTest {

    private static final List<String> OVERLAYS = List.of("k8s/overlays/local", "k8s/overlays/aws");
    private static final Pattern PINNED = Pattern.compile(":v?\\d+(\\.\\d+)+(-[a-z0-9.]+)?$");
    private static final Pattern REQUIRED = Pattern.compile("^%prod\\.[a-z.-]+=\\$\\{(GATEHOUSE_[A-Z0-9_]+)}$", Pattern.MULTILINE);
    /** PostgreSQL's default max_connections (100) less room for migrations, operators and monitoring. */
    private static final int DATABASE_CONNECTIONS = 90;

    private static Set<String> appReads;
    private static Set<String> required;
    private static final Map<String, List<Map<String, Object>>> RENDERED = new LinkedHashMap<>();

    @BeforeAll
    static void render() throws Exception {
        appReads = ConfigurationNames.environmentVariables();
        required = new TreeSet<>();
        Matcher needed = REQUIRED.matcher(Files.readString(Path.of("src/main/resources/application.properties")));
        while (needed.find()) {
            required.add(needed.group(1));
        }
        assertThat(required).as("settings production cannot start without").contains("GATEHOUSE_DB_URL", "GATEHOUSE_SESSION_SECRET");
        for (String overlay : OVERLAYS) {
            RENDERED.put(overlay, documents(kustomize(overlay)));
        }
    }

    @Test
    void everyOverlayRendersADeploymentAPlatformTeamAccepts() {
        RENDERED.forEach((overlay, documents) -> {
            Map<String, Object> deployment = one(documents, "Deployment", "gatehouse");
            Map<String, Object> spec = map(deployment, "spec");
            Map<String, Object> pod = map(spec, "template", "spec");
            Map<String, Object> container = container(pod);

            Map<String, Object> hpa = one(documents, "HorizontalPodAutoscaler", "gatehouse");
            assertThat(map(hpa, "spec", "scaleTargetRef").get("name")).isEqualTo("gatehouse");
            assertThat(spec).as("%s: the Deployment leaves the replica count to the HPA", overlay).doesNotContainKey("replicas");

            assertThat(pod.get("automountServiceAccountToken")).as("%s: no API token", overlay).isEqualTo(false);
            assertThat(map(pod, "securityContext").get("runAsNonRoot")).as(overlay).isEqualTo(true);
            Map<String, Object> security = map(container, "securityContext");
            assertThat(security.get("readOnlyRootFilesystem")).as(overlay).isEqualTo(true);
            assertThat(security.get("allowPrivilegeEscalation")).as(overlay).isEqualTo(false);
            assertThat(list(map(security, "capabilities"), "drop")).as(overlay).contains("ALL");
            assertThat(list(pod, "topologySpreadConstraints")).as("%s: replicas spread over zones and nodes", overlay).hasSize(2);

            // Graceful shutdown: the grace period covers the preStop pause and Quarkus's own shutdown timeout.
            List<Object> preStop = list(map(container, "lifecycle", "preStop", "exec"), "command");
            long pause = Long.parseLong(preStop.get(preStop.size() - 1).toString());
            long shutdown = Duration.parse("PT" + setting(documents, "GATEHOUSE_SHUTDOWN_TIMEOUT")).toSeconds();
            assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue()).as(overlay).isGreaterThan(pause + shutdown);

            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                assertThat(map(container, probe, "httpGet").get("port")).as("%s %s", overlay, probe).isEqualTo("management");
            }
            assertThat(list(container, "ports")).as(overlay)
                    .contains(Map.of("name", "management", "containerPort", 9000), Map.of("name", "http", "containerPort", 8080));

            for (Map<String, Object> service : all(documents, "Service")) {
                if (name(service).equals("gatehouse")) {
                    assertThat(list(map(service, "spec"), "ports")).as("%s: the Service exposes the portal only", overlay)
                            .allSatisfy(port -> assertThat(((Map<?, ?>) port).get("targetPort")).isEqualTo("http"));
                }
            }
            Map<String, Object> ingress = one(documents, "Ingress", "gatehouse");
            boolean acmCertificate = map(ingress, "metadata", "annotations").containsKey("alb.ingress.kubernetes.io/certificate-arn");
            assertThat(acmCertificate || !list(map(ingress, "spec"), "tls").isEmpty()).as("%s: TLS at the Ingress", overlay).isTrue();

            Map<String, Object> policy = one(documents, "NetworkPolicy", "gatehouse");
            assertThat(list(map(policy, "spec"), "policyTypes")).as(overlay).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(list(map(policy, "spec"), "egress").toString()).as("%s: DNS allowed out", overlay).contains("port=53");

            int pool = Integer.parseInt(setting(documents, "QUARKUS_DATASOURCE_JDBC_MAX_SIZE"));
            int maxReplicas = ((Number) map(hpa, "spec").get("maxReplicas")).intValue();
            assertThat(maxReplicas * pool).as("%s: database connections at the HPA's maximum", overlay)
                    .isLessThanOrEqualTo(DATABASE_CONNECTIONS);
        });
    }

    @Test
    void everyImageIsPinnedToAVersion() throws IOException {
        RENDERED.forEach((overlay, documents) -> all(documents, "Deployment").forEach(deployment -> list(
                map(deployment, "spec", "template", "spec"), "containers").forEach(container -> assertThat(
                        ((Map<?, ?>) container).get("image").toString()).as("%s %s", overlay, name(deployment)).matches(s -> PINNED.matcher(s).find())
                        .doesNotContain(":latest"))));
        for (Map<String, Object> service : compose().values()) {
            if (service.containsKey("image")) {
                assertThat(service.get("image").toString()).matches(s -> PINNED.matcher(s).find()).doesNotContain(":latest");
            }
        }
        String dockerfile = Files.readString(Path.of("src/main/docker/Dockerfile.jvm"));
        Matcher from = Pattern.compile("^FROM (\\S+)", Pattern.MULTILINE).matcher(dockerfile);
        assertThat(from.find()).isTrue();
        assertThat(from.group(1)).matches(s -> PINNED.matcher(s).find());
        assertThat(dockerfile).contains("USER 185").contains("EXPOSE 8080 9000");
    }

    @Test
    void theProbesAskPathsTheAppServes() {
        Set<String> paths = new TreeSet<>();
        RENDERED.values().forEach(documents -> {
            Map<String, Object> container = container(map(one(documents, "Deployment", "gatehouse"), "spec", "template", "spec"));
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                paths.add(map(container, probe, "httpGet").get("path").toString());
            }
        });
        assertThat(paths).hasSize(3);
        paths.forEach(path -> given().when().get(Management.url(path)).then().statusCode(200));
    }

    @Test
    void everySettingTheFilesGiveIsOneTheAppReadsAndNoneItNeedsIsMissing() throws IOException {
        Map<String, Set<String>> givenBy = settingsGiven();
        givenBy.forEach((where, names) -> {
            for (String name : names) {
                if (name.startsWith("QUARKUS_")) {
                    assertThat(ConfigProvider.getConfig().getPropertyNames())
                            .as("%s sets %s: a Quarkus property the app has", where, name)
                            .anyMatch(property -> ConfigurationNames.environmentName(property).equals(name));
                } else {
                    assertThat(appReads).as("%s sets %s, which the app never reads", where, name).contains(name);
                }
            }
            assertThat(names).as("%s gives every setting production needs", where).containsAll(required);
        });
        System.out.println(table(givenBy));
        Files.writeString(Path.of("target/configuration-variables.md"), table(givenBy), StandardCharsets.UTF_8);
    }

    @Test
    void theComposeStackStartsInOrderAndBrowserAndAppReachTheSameStore() {
        Map<String, Map<String, Object>> services = compose();
        assertThat(services).containsKeys("postgres", "keycloak", "s3", "app");
        services.forEach((name, service) -> assertThat(service).as("%s has a healthcheck", name).containsKey("healthcheck"));
        Map<String, Object> app = services.get("app");
        assertThat(app).doesNotContainKey("network_mode");
        assertThat(map(app, "depends_on")).containsOnlyKeys("postgres", "keycloak", "s3")
                .allSatisfy((service, condition) -> assertThat(condition).isEqualTo(Map.of("condition", "service_healthy")));
        Map<String, Object> environment = map(app, "environment");
        URI internal = URI.create(environment.get("GATEHOUSE_S3_ENDPOINT").toString());
        URI published = URI.create(environment.get("GATEHOUSE_S3_PUBLIC_ENDPOINT").toString());
        assertThat(services).as("the app reaches the store by its service name").containsKey(internal.getHost());
        assertThat(list(services.get(internal.getHost()), "ports").toString())
                .as("browsers reach the store at the port the URLs are signed for").contains(":" + published.getPort() + ":");
        assertThat(URI.create(environment.get("GATEHOUSE_OIDC_ISSUER").toString()).getHost()).isEqualTo("keycloak");
        for (Map<String, Object> service : services.values()) {
            for (Object volume : service.containsKey("volumes") ? list(service, "volumes") : List.of()) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(Path.of(source)).as("mounted into the stack").exists();
                }
            }
        }
    }

    // ---- reading the files -----------------------------------------------------------------------------------

    private static String kustomize(String overlay) throws Exception {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", overlay).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to render the overlays (Debian: apt-get install kubernetes-client)", e);
        }
        String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).as("kubectl kustomize %s", overlay).isZero();
        return yaml;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(String yaml) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml().loadAll(yaml)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> compose() {
        try {
            Map<String, Object> file = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
            return (Map<String, Map<String, Object>>) file.get("services");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where each setting is given: the app in the compose file, each overlay's ConfigMap and Secret. */
    private static Map<String, Set<String>> settingsGiven() throws IOException {
        Map<String, Set<String>> given = new LinkedHashMap<>();
        given.put("docker-compose.yml", new TreeSet<>(map(compose().get("app"), "environment").keySet()));
        Set<String> secretTemplate = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("k8s/secret.example.env"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                secretTemplate.add(line.substring(0, line.indexOf('=')));
            }
        }
        RENDERED.forEach((overlay, documents) -> {
            Set<String> names = new TreeSet<>(settings(documents).keySet());
            boolean secretGenerated = all(documents, "Secret").stream().anyMatch(secret -> name(secret).startsWith("gatehouse"));
            if (secretGenerated) {
                all(documents, "Secret").stream().filter(secret -> name(secret).startsWith("gatehouse"))
                        .forEach(secret -> names.addAll(map(secret, "data").keySet()));
            } else {
                names.addAll(secretTemplate);
            }
            given.put(overlay, names);
        });
        return given;
    }

    private static String table(Map<String, Set<String>> givenBy) {
        // The embedded default's own settings (dev and test only) and the internal gatehouse.deployment.* names that
        // GATEHOUSE_DB_URL and its kin feed are read too, but nobody deploying sets them.
        Set<String> names = new TreeSet<>(appReads);
        names.removeIf(name -> name.startsWith("GATEHOUSE_EMBEDDED_") || name.startsWith("GATEHOUSE_DEPLOYMENT_")
                || name.equals("GATEHOUSE_DEMO_SEED"));
        givenBy.values().forEach(names::addAll);
        StringBuilder table = new StringBuilder("| variable | " + String.join(" | ", givenBy.keySet()) + " |\n|---|");
        givenBy.keySet().forEach(where -> table.append("---|"));
        table.append('\n');
        for (String name : names) {
            table.append("| ").append(name).append(required.contains(name) ? " (required)" : "").append(" |");
            givenBy.values().forEach(set -> table.append(set.contains(name) ? " set |" : " |"));
            table.append('\n');
        }
        return table.toString();
    }

    private static Map<String, String> settings(List<Map<String, Object>> documents) {
        Map<String, String> settings = new TreeMap<>();
        all(documents, "ConfigMap").stream().filter(map -> name(map).startsWith("gatehouse-settings"))
                .forEach(map -> map(map, "data").forEach((key, value) -> settings.put(key, value.toString())));
        return settings;
    }

    private static String setting(List<Map<String, Object>> documents, String name) {
        String value = settings(documents).get(name);
        assertThat(value).as("ConfigMap setting %s", name).isNotNull();
        return value;
    }

    private static List<Map<String, Object>> all(List<Map<String, Object>> documents, String kind) {
        return documents.stream().filter(document -> kind.equals(document.get("kind"))).toList();
    }

    private static Map<String, Object> one(List<Map<String, Object>> documents, String kind, String name) {
        List<Map<String, Object>> found = all(documents, kind).stream().filter(document -> name(document).equals(name)).toList();
        assertThat(found).as("%s %s", kind, name).hasSize(1);
        return found.get(0);
    }

    private static String name(Map<String, Object> document) {
        return map(document, "metadata").get("name").toString();
    }

    private static Map<String, Object> container(Map<String, Object> pod) {
        List<Object> containers = list(pod, "containers");
        assertThat(containers).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> container = (Map<String, Object>) containers.get(0);
        return container;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> from, String... path) {
        Object at = from;
        for (String key : path) {
            assertThat(at).as("%s in %s", key, String.join(".", path)).isInstanceOf(Map.class);
            at = ((Map<String, Object>) at).get(key);
        }
        return at == null ? Map.of() : (Map<String, Object>) at;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> from, String key) {
        Object value = from.get(key);
        return value == null ? List.of() : (List<Object>) value;
    }
}
