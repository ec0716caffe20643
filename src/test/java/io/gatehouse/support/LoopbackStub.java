package io.gatehouse.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A loopback HTTP server standing in for an AWS control plane no local server implements (KMS, S3 Control, parts of
 * S3): it records every request exactly as the SDK sent it, for the test to check the wire format, and answers with
 * what the test sets — AWS's documented shapes, errors included.
 */
public final class LoopbackStub implements AutoCloseable {

    /** One request as it arrived. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0))
                    .findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final String contentType;
    private final List<Request> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile Function<Request, String> body = request -> "";

    private LoopbackStub(String contentType) throws IOException {
        this.contentType = contentType;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A stub answering 200 with an empty body of this content type until told otherwise. */
    public static LoopbackStub start(String contentType) throws IOException {
        return new LoopbackStub(contentType);
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every later request is answered so. */
    public void answer(int status, String body) {
        this.status = status;
        this.body = request -> body;
    }

    /** Every later request is answered 200 with what {@code body} makes of it. */
    public void answerWith(Function<Request, String> body) {
        this.status = 200;
        this.body = body;
    }

    public List<Request> seen() {
        return seen;
    }

    public Request request(int index) {
        return seen.get(index);
    }

    public Request last() {
        return seen.get(seen.size() - 1);
    }

    private void handle(HttpExchange exchange) throws IOException {
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        seen.add(request);
        byte[] reply = body.apply(request).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.getResponseHeaders().add("x-amz-request-id", "LOOPBACK");
        exchange.getResponseHeaders().add("x-amzn-RequestId", "LOOPBACK");
        exchange.sendResponseHeaders(status, reply.length == 0 ? -1 : reply.length);
        if (reply.length > 0) {
            exchange.getResponseBody().write(reply);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
