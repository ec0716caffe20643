package io.gatehouse.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A loopback stand-in for AWS S3 Control's access point API (no local server implements it), with state: it checks
 * what the SDK sends (path, {@code x-amz-account-id}, the XML body) and answers 400 to anything else, and it answers
 * with AWS's documented shapes and errors. Tests can make the policy call or the delete fail.
 */
public class S3ControlStub implements QuarkusTestResourceLifecycleManager {

    public static final String ACCOUNT = "123456789012";
    public static final String REGION = "us-east-1";

    /** An access point as the stub holds it. */
    public static final class Point {
        public volatile String bucket;
        public volatile String vpcId;
        public volatile String policy;
    }

    public static final Map<String, Point> POINTS = new ConcurrentHashMap<>();
    public static volatile boolean failPolicy;
    public static volatile boolean failDelete;
    /** The account's existing Object Lambda access points, by name (the stub never creates any, nor does AWS now). */
    public static final java.util.List<String> OBJECT_LAMBDA = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final Pattern PATH = Pattern.compile("/v20180820/accesspoint/([^/]+)(/policy)?");
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.start();
        return Map.of("gatehouse.access-points.control-endpoint", "http://127.0.0.1:" + server.getAddress().getPort(),
                "gatehouse.access-points.account-id", ACCOUNT,
                "gatehouse.access-points.gatehouse-role-arn", "arn:aws:iam::" + ACCOUNT + ":role/gatehouse");
    }

    @Override
    public void stop() {
        server.stop(0);
        POINTS.clear();
    }

    public static void reset() {
        POINTS.clear();
        OBJECT_LAMBDA.clear();
        failPolicy = false;
        failDelete = false;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (exchange.getRequestURI().getPath().equals("/v20180820/accesspointforobjectlambda")
                && "GET".equals(exchange.getRequestMethod())
                && ACCOUNT.equals(exchange.getRequestHeaders().getFirst("x-amz-account-id"))) {
            StringBuilder list = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<ListAccessPointsForObjectLambdaResult><ObjectLambdaAccessPointList>");
            for (String name : OBJECT_LAMBDA) {
                list.append("<ObjectLambdaAccessPoint><Name>").append(name).append("</Name><ObjectLambdaAccessPointArn>")
                        .append(objectLambdaArn(name)).append("</ObjectLambdaAccessPointArn><Alias><Value>").append(name)
                        .append("-stub--ol-s3</Value><Status>READY</Status></Alias></ObjectLambdaAccessPoint>");
            }
            reply(exchange, 200, list.append("</ObjectLambdaAccessPointList></ListAccessPointsForObjectLambdaResult>").toString());
            return;
        }
        Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
        if (!path.matches() || !ACCOUNT.equals(exchange.getRequestHeaders().getFirst("x-amz-account-id"))
                || !String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")).startsWith("AWS4-HMAC-SHA256 ")) {
            reply(exchange, 400, error("InvalidRequest", "not what the SDK sends for the access point API"));
            return;
        }
        String name = path.group(1);
        boolean policy = path.group(2) != null;
        Point point = POINTS.get(name);
        switch (exchange.getRequestMethod() + (policy ? " policy" : "")) {
            case "PUT" -> {
                if (point != null) {
                    reply(exchange, 409, error("AccessPointAlreadyOwnedByYou", "Your previous request to create the named "
                            + "accesspoint succeeded and you already own it."));
                    return;
                }
                String bucket = element(body, "Bucket");
                if (!body.contains("<CreateAccessPointRequest") || bucket == null
                        || !body.contains("<BlockPublicAcls>true</BlockPublicAcls>")) {
                    reply(exchange, 400, error("InvalidRequest", "missing Bucket or PublicAccessBlockConfiguration"));
                    return;
                }
                Point created = new Point();
                created.bucket = bucket;
                created.vpcId = element(body, "VpcId");
                POINTS.put(name, created);
                reply(exchange, 200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CreateAccessPointResult><AccessPointArn>"
                        + arn(name) + "</AccessPointArn><Alias>" + name + "-stubalias0123456789abcdef-s3alias</Alias>"
                        + "</CreateAccessPointResult>");
            }
            case "PUT policy" -> {
                if (point == null) {
                    reply(exchange, 404, error("NoSuchAccessPoint", "The specified accesspoint does not exist"));
                } else if (failPolicy || !body.contains("<PutAccessPointPolicyRequest")) {
                    reply(exchange, 400, error("MalformedPolicy", "Policy has invalid resource"));
                } else {
                    point.policy = xmlText(body, "Policy");
                    reply(exchange, 200, "");
                }
            }
            case "GET" -> {
                if (point == null) {
                    reply(exchange, 404, error("NoSuchAccessPoint", "The specified accesspoint does not exist"));
                    return;
                }
                reply(exchange, 200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><GetAccessPointResult><Name>" + name
                        + "</Name><Bucket>" + point.bucket + "</Bucket><NetworkOrigin>" + (point.vpcId == null ? "Internet"
                                : "VPC") + "</NetworkOrigin>" + (point.vpcId == null ? "" : "<VpcConfiguration><VpcId>"
                                        + point.vpcId + "</VpcId></VpcConfiguration>")
                        + "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true"
                        + "</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true"
                        + "</RestrictPublicBuckets></PublicAccessBlockConfiguration><CreationDate>2026-12-01T10:00:00Z"
                        + "</CreationDate><Alias>" + name + "-stubalias0123456789abcdef-s3alias</Alias><AccessPointArn>"
                        + arn(name) + "</AccessPointArn></GetAccessPointResult>");
            }
            case "GET policy" -> {
                if (point == null || point.policy == null) {
                    reply(exchange, 404, error(point == null ? "NoSuchAccessPoint" : "NoSuchAccessPointPolicy", "none"));
                    return;
                }
                reply(exchange, 200, "<GetAccessPointPolicyResult><Policy>" + escape(point.policy)
                        + "</Policy></GetAccessPointPolicyResult>");
            }
            case "DELETE" -> {
                if (failDelete) {
                    reply(exchange, 500, error("InternalError", "We encountered an internal error. Please try again."));
                } else if (POINTS.remove(name) == null) {
                    reply(exchange, 404, error("NoSuchAccessPoint", "The specified accesspoint does not exist"));
                } else {
                    reply(exchange, 204, "");
                }
            }
            default -> reply(exchange, 405, error("MethodNotAllowed", "not an access point call"));
        }
    }

    public static String objectLambdaArn(String name) {
        return "arn:aws:s3-object-lambda:" + REGION + ":" + ACCOUNT + ":accesspoint/" + name;
    }

    public static String arn(String name) {
        return "arn:aws:s3:" + REGION + ":" + ACCOUNT + ":accesspoint/" + name;
    }

    private static String element(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">(.*?)</" + name + ">", Pattern.DOTALL).matcher(xml);
        return m.find() ? m.group(1) : null;
    }

    /** An element's text as an XML parser reads it (every entity and character reference resolved). */
    private static String xmlText(String xml, String name) {
        try {
            var document = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            var nodes = document.getElementsByTagName(name);
            return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
        } catch (Exception e) {
            return null;
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String error(String code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ErrorResponse><Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error><RequestId>STUB</RequestId><HostId>stub</HostId></ErrorResponse>";
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.getResponseHeaders().add("x-amz-request-id", "STUB");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
