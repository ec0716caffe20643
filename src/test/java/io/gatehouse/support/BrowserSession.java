package io.gatehouse.support;

import static io.restassured.RestAssured.given;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.response.Response;

/**
 * A browser's cookie jar driven through the real authorization-code flow: the portal redirects to the embedded
 * IdP's login page, the user's button is pressed, the IdP redirects back and the portal sets its session cookie.
 */
public final class BrowserSession {

    private static final Pattern HIDDEN = Pattern.compile("<input type='hidden' name='([^']+)' value='([^']*)'");
    private static final Pattern CSRF = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

    private final Map<String, String> cookies = new HashMap<>();

    public static BrowserSession signIn(String user) {
        BrowserSession session = new BrowserSession();
        session.logInAt(session.get("/"), user);
        return session;
    }

    /**
     * Follows a portal redirect to the IdP, presses the user's button on its login page and follows the callback;
     * returns the portal's answer to the callback (usually a redirect to the page first asked for).
     */
    public Response logInAt(Response toLogin, String user) {
        Response landed = attemptLogInAt(toLogin, user);
        if (!hasSession()) {
            throw new IllegalStateException("no session after login: " + landed.statusCode());
        }
        return landed;
    }

    /** Like {@link #logInAt}, but answers the portal's reply to the callback whether or not it opened a session. */
    public Response attemptLogInAt(Response toLogin, String user) {
        String loginPage = toLogin.getHeader("Location");
        if (loginPage == null || !loginPage.contains("/authorize")) {
            throw new IllegalStateException("not a redirect to the IdP: " + toLogin.statusCode() + " " + loginPage);
        }
        URI callback = URI.create(signInAtIdp(loginPage, user));
        return get(callback.getRawPath() + "?" + callback.getRawQuery());
    }

    /**
     * Opens the IdP's login page at {@code authorizeUrl}, presses the user's button and answers where the IdP sends
     * the browser back (the portal's callback URL, with the code and state).
     */
    public static String signInAtIdp(String authorizeUrl, String user) {
        // The IdP URL arrives encoded already: RestAssured must not encode it again.
        Response page = given().urlEncodingEnabled(false).redirects().follow(false).get(authorizeUrl);
        Map<String, String> form = new HashMap<>();
        Matcher hidden = HIDDEN.matcher(page.asString());
        while (hidden.find()) {
            form.put(hidden.group(1), hidden.group(2));
        }
        form.put("predefined-" + user, user);
        URI idp = URI.create(authorizeUrl);
        Response back = given().redirects().follow(false).formParams(form)
                .post(idp.getScheme() + "://" + idp.getAuthority() + "/login");
        String callback = back.getHeader("Location");
        if (callback == null) {
            throw new IllegalStateException("the IdP did not redirect back: " + back.statusCode() + " " + back.asString()
                    + " (login page " + page.statusCode() + ": " + page.asString() + ")");
        }
        return callback;
    }

    /** Whether the portal's session cookie (possibly split into q_session_chunk_N) is set. */
    public boolean hasSession() {
        return cookies.keySet().stream().anyMatch(name -> name.startsWith("q_session"));
    }

    /** The cookies the browser holds now (to present the same session elsewhere, e.g. to another replica). */
    public Map<String, String> cookies() {
        return Map.copyOf(cookies);
    }

    public Response get(String path) {
        Response response = given().redirects().follow(false).cookies(cookies).accept("text/html").get(path);
        keepCookies(response);
        return response;
    }

    /** A multipart form post (file uploads), with the CSRF token read from the page. */
    public Response postMultipart(String pagePath, String action, Map<String, String> fields, String fileField, String fileName,
            byte[] file) {
        Matcher token = CSRF.matcher(get(pagePath).asString());
        var request = given().redirects().follow(false).cookies(cookies).accept("text/html");
        if (token.find()) {
            request.multiPart("csrf-token", token.group(1));
        }
        fields.forEach(request::multiPart);
        if (file != null) {
            request.multiPart(fileField, fileName, file, "text/csv");
        }
        Response response = request.post(action);
        keepCookies(response);
        return response;
    }

    /** Like a browser: cookies set are kept, cookies expired (Max-Age=0) are dropped. */
    private void keepCookies(Response response) {
        for (io.restassured.http.Cookie cookie : response.getDetailedCookies()) {
            if (cookie.getMaxAge() == 0 || cookie.getValue() == null || cookie.getValue().isEmpty()) {
                cookies.remove(cookie.getName());
            } else {
                cookies.put(cookie.getName(), cookie.getValue());
            }
        }
    }

    /** Posts a form the way the page's own form would, with the CSRF token read from that page. */
    public Response postForm(String pagePath, String action, Map<String, String> fields) {
        Response page = get(pagePath);
        Matcher token = CSRF.matcher(page.asString());
        Map<String, String> form = new HashMap<>(fields);
        if (token.find()) {
            form.put("csrf-token", token.group(1));
        }
        return postRaw(action, form);
    }

    public Response postRaw(String action, Map<String, String> form) {
        Response response = given().redirects().follow(false).cookies(cookies).accept("text/html")
                .contentType("application/x-www-form-urlencoded").formParams(form).post(action);
        keepCookies(response);
        return response;
    }
}
