package io.gatehouse.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Runs wrk against one URL with bench/post-with-tokens.lua (bearer tokens of several users, round robin; a JSON body
 * with a counter where given) and answers its RESULT line: requests, req/s, latency percentiles, errors.
 */
final class Wrk {

    private Wrk() {
    }

    static String run(Path tokens, String method, String url, int seconds, int connections, String body)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("wrk", connections == 1 ? "-t1" : "-t2", "-c" + connections,
                "-d" + seconds + "s", "--latency", "-s", Path.of("bench/post-with-tokens.lua").toAbsolutePath().toString(), url)
                .redirectErrorStream(true);
        builder.environment().put("WRK_TOKENS", tokens.toString());
        builder.environment().put("WRK_PATH", URI.create(url).getRawPath()
                + (URI.create(url).getRawQuery() == null ? "" : "?" + URI.create(url).getRawQuery()));
        builder.environment().put("WRK_METHOD", method);
        if (body != null) {
            builder.environment().put("WRK_BODY", body);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return output.lines().filter(line -> line.startsWith("RESULT")).findFirst()
                .orElseThrow(() -> new AssertionError("wrk printed no result: " + output));
    }
}
