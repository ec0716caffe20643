package io.gatehouse.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.gatehouse.storage.S3Config;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Behind a TLS-terminating proxy. The test profile trusts 127.0.0.2 only (as production trusts the addresses in
 * GATEHOUSE_TRUSTED_PROXIES): the same request with X-Forwarded-* headers is sent from 127.0.0.2 (the proxy) and from
 * 127.0.0.1 (anybody else, who must not be able to pose as a proxy).
 */
@QuarkusTest
class TrustedProxyTest {

    private static final String PUBLIC_HOST = "gatehouse.example.com";
    private static final String CLIENT = "203.0.113.7";

    @TestHTTPResource("/")
    URL app;

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Inject
    DataSource db;

    @Test
    void signInFromTheTrustedProxyRedirectsBackOverHttpsWithSecureCookiesAndHsts() throws IOException {
        Reply reply = send("127.0.0.2", "GET /catalog HTTP/1.1", forwarded());

        assertThat(reply.status).isEqualTo(302);
        assertThat(redirectUri(reply)).isEqualTo("https://" + PUBLIC_HOST + "/catalog");
        assertThat(reply.headers("set-cookie")).isNotEmpty()
                .allSatisfy(cookie -> assertThat(cookie).startsWith("__Host-").containsIgnoringCase("; Secure"));
        assertThat(reply.header("strict-transport-security")).isEqualTo("max-age=31536000");
    }

    @Test
    void aSignInBehindTheProxyKeepsItsSessionInHostPrefixedCookiesAndIgnoresPlantedOnes() throws IOException {
        Reply toIdp = send("127.0.0.2", "GET /catalog HTTP/1.1", forwarded());
        String state = cookies(toIdp);
        URI callback = URI.create(BrowserSession.signInAtIdp(toIdp.header("location"), "alice"));
        assertThat(callback.getScheme() + "://" + callback.getAuthority()).isEqualTo("https://" + PUBLIC_HOST);

        Reply signedIn = send("127.0.0.2", "GET " + callback.getRawPath() + "?" + callback.getRawQuery() + " HTTP/1.1",
                forwarded(), "Cookie: " + state);
        assertThat(signedIn.status).isEqualTo(302);
        assertThat(signedIn.headers("set-cookie")).anySatisfy(cookie -> assertThat(cookie).startsWith("__Host-q_session"))
                .allSatisfy(cookie -> assertThat(cookie).startsWith("__Host-").containsIgnoringCase("; Secure")
                        .contains("Path=/").doesNotContainIgnoringCase("Domain="));
        String session = cookies(signedIn);

        // Every cookie that carries a value is HttpOnly (removals, Max-Age=0, carry none).
        assertThat(signedIn.headers("set-cookie")).filteredOn(cookie -> !cookie.contains("Max-Age=0"))
                .isNotEmpty().allSatisfy(cookie -> assertThat(cookie).containsIgnoringCase("; HttpOnly"));
        Reply page = send("127.0.0.2", "GET /catalog HTTP/1.1", forwarded(), "Cookie: " + session);
        assertThat(page.status).isEqualTo(200);
        // An unchanged session is not sent back (a copy would lose HttpOnly: the browser never says it was set).
        assertThat(page.headers("set-cookie")).noneMatch(cookie -> cookie.startsWith("__Host-q_"));
        // The same session under the bare name, as a sibling subdomain or an http page could plant it: not believed.
        String planted = session.replace("__Host-", "");
        assertThat(send("127.0.0.2", "GET /catalog HTTP/1.1", forwarded(), "Cookie: " + planted).status).isEqualTo(302);
    }

    /** The cookies a reply sets, as a browser would send them back (expired ones left out). */
    private static String cookies(Reply reply) {
        return String.join("; ", reply.headers("set-cookie").stream().filter(cookie -> !cookie.contains("Max-Age=0"))
                .map(cookie -> cookie.substring(0, cookie.indexOf(';'))).toList());
    }

    @Test
    void forwardedHeadersFromAnyOtherAddressAreIgnored() throws IOException {
        Reply reply = send("127.0.0.1", "GET /catalog HTTP/1.1", forwarded());

        assertThat(reply.status).isEqualTo(302);
        assertThat(redirectUri(reply)).isEqualTo("http://" + app.getHost() + ":" + app.getPort() + "/catalog");
        assertThat(reply.headers("set-cookie")).isNotEmpty()
                .noneSatisfy(cookie -> assertThat(cookie).containsIgnoringCase("; Secure"));
        assertThat(reply.header("strict-transport-security")).isNull();
    }

    @Test
    void formCookiesCarryTheHostPrefixOnlyOverHttps() throws IOException {
        String token = "Authorization: Bearer " + Tokens.of(Fixtures.ADMIN);
        Reply behindProxy = send("127.0.0.2", "GET /admin/grants HTTP/1.1", forwarded(), token);
        Reply direct = send("127.0.0.1", "GET /admin/grants HTTP/1.1", token);

        assertThat(behindProxy.status).isEqualTo(200);
        assertThat(behindProxy.headers("set-cookie")).anySatisfy(cookie -> assertThat(cookie)
                .startsWith("__Host-" + Csrf.COOKIE + "=").contains("Path=/").containsIgnoringCase("; Secure")
                .doesNotContainIgnoringCase("Domain="));
        assertThat(direct.status).isEqualTo(200);
        assertThat(direct.headers("set-cookie")).anySatisfy(cookie -> assertThat(cookie).startsWith(Csrf.COOKIE + "="))
                .noneSatisfy(cookie -> assertThat(cookie).startsWith("__Host-"));
    }

    @Test
    void theAuditTrailRecordsTheClientBehindTheProxyNotTheProxy() throws IOException {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "proxied.txt", "bytes " + UUID.randomUUID(), "text/plain",
                "STANDARD");
        Fixtures.readGrant("USER", "alice", "PREFIX", prefix);
        String token = "Authorization: Bearer " + Tokens.of("alice");
        String request = "POST /api/items/" + item + "/download-url HTTP/1.1";

        assertThat(send("127.0.0.2", request, forwarded(), token, "Content-Length: 0", "Accept: application/json").status).isEqualTo(200);
        assertThat(lastClientIp(item)).isEqualTo(CLIENT);
        assertThat(send("127.0.0.1", request, forwarded(), token, "Content-Length: 0", "Accept: application/json").status).isEqualTo(200);
        assertThat(lastClientIp(item)).isEqualTo("127.0.0.1");
        // A client that writes its own X-Forwarded-For: the proxy appends what it saw, and that entry is the one kept.
        String spoofed = "X-Forwarded-Proto: https\r\nX-Forwarded-For: 198.51.100.66, " + CLIENT;
        assertThat(send("127.0.0.2", request, spoofed, token, "Content-Length: 0", "Accept: application/json").status).isEqualTo(200);
        assertThat(lastClientIp(item)).isEqualTo(CLIENT);
    }

    private static String forwarded() {
        return "X-Forwarded-Proto: https\r\nX-Forwarded-Host: " + PUBLIC_HOST + "\r\nX-Forwarded-For: " + CLIENT;
    }

    private String lastClientIp(long item) {
        try (var connection = db.getConnection(); var query = connection.prepareStatement(
                "SELECT client_ip FROM audit_event WHERE action = 'DOWNLOAD_URL_ISSUED' AND details->>'itemId' = ? "
                        + "ORDER BY id DESC LIMIT 1")) {
            query.setString(1, Long.toString(item));
            var rows = query.executeQuery();
            return rows.next() ? rows.getString(1) : null;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String redirectUri(Reply reply) {
        String location = reply.header("location");
        assertThat(location).as("a redirect to the IdP").contains("redirect_uri=");
        String encoded = location.replaceFirst(".*[?&]redirect_uri=([^&]*).*", "$1");
        return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    }

    /** One HTTP/1.1 request over a socket bound to a chosen loopback address: the address the app sees. */
    private Reply send(String from, String requestLine, String... headers) throws IOException {
        try (Socket socket = new Socket(InetAddress.getByName(app.getHost()), app.getPort(), InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder(requestLine).append("\r\n")
                    .append("Host: ").append(app.getHost()).append(':').append(app.getPort()).append("\r\n")
                    .append("Connection: close\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            if (!String.join("\n", headers).contains("Accept:")) {
                request.append("Accept: text/html\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return Reply.parse(socket.getInputStream());
        }
    }

    private record Reply(int status, List<String[]> headerLines) {

        static Reply parse(InputStream in) throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            String head = text.substring(0, Math.max(0, text.indexOf("\r\n\r\n")));
            String[] lines = head.split("\r\n");
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.add(new String[] { lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim() });
            }
            return new Reply(Integer.parseInt(lines[0].split(" ")[1]), headers);
        }

        List<String> headers(String name) {
            return headerLines.stream().filter(h -> h[0].equals(name)).map(h -> h[1]).toList();
        }

        String header(String name) {
            List<String> values = headers(name);
            return values.isEmpty() ? null : values.get(0);
        }
    }
}
