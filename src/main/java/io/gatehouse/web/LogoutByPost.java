package io.gatehouse.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/**
 * Signing out takes a POST (the layout's "Sign out" button). The OIDC extension would sign a session out on any
 * method, so a link or an image on another page could end it; here every other method gets 405 before it sees the
 * request, and a person who typed the address gets the button.
 */
@ApplicationScoped
public class LogoutByPost {

    private static final String PAGE = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign out · Gatehouse</title>
            <link rel="stylesheet" href="/assets/app.css"></head>
            <body><main><h1>Sign out</h1>
            <p>Signing out takes the button: a link cannot sign you out, so no other page can do it for you.</p>
            <form method="post" action="%s"><button type="submit">Sign out</button></form></main></body></html>
            """;

    private final String logoutPath;

    LogoutByPost(@ConfigProperty(name = "quarkus.oidc.logout.path") String logoutPath) {
        this.logoutPath = logoutPath;
    }

    void install(@Observes Router router) {
        router.route(logoutPath).order(Integer.MIN_VALUE + 1).handler(context -> {
            if (context.request().method() == HttpMethod.POST) {
                context.next();
                return;
            }
            String accept = String.valueOf(context.request().getHeader("Accept"));
            boolean page = accept.contains("text/html");
            context.response().setStatusCode(405).putHeader("Allow", "POST")
                    .putHeader("Content-Type", page ? "text/html; charset=utf-8" : "application/json")
                    .end(page ? PAGE.formatted(logoutPath)
                            : "{\"code\":\"method_not_allowed\",\"message\":\"Sign out with a POST to " + logoutPath + ".\"}");
        });
    }
}
