package dev.keys.servlet;

import dev.keys.core.internal.HeaderText;
import dev.keys.core.internal.JsonText;
import dev.keys.core.limit.LimitResult;

import dev.keys.api.Outcome;
import dev.keys.api.RateLimitReport;
import dev.keys.api.RateLimitStatus;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes RFC 9457 answers ({@code application/problem+json}) and the header fields that go with them. The body is
 * {@code {"type","title","status","detail","code","requestId"}}; {@code type} is
 * {@value #TYPE_BASE}{@code <code in lower kebab case>}. The request id is the client's (see {@link #requestId(HttpServletRequest)}) or a
 * fresh random one, and is also sent as {@value #REQUEST_ID_HEADER}. Details are written by this library and never hold a key.
 */
public final class Problem {
    static final String TYPE_BASE = "https://keys.dev/problems/";
    static final String CONTENT_TYPE = "application/problem+json";
    static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern TRACEPARENT = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(?:-.*)?");

    /** Codes of answers that are not verification outcomes. */
    public static final String INVALID_REQUEST = "INVALID_REQUEST", RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND",
            METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", CONFLICT = "CONFLICT", PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE",
            UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE", INTERNAL_ERROR = "INTERNAL_ERROR";

    private Problem() {
    }

    static String type(String code) {
        return TYPE_BASE + code.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The request id of docs/contract.md §3: the client's {@code X-Request-Id} when well-formed (1 to 64 of
     * {@code [A-Za-z0-9._-]}), else the trace id of a valid W3C {@code traceparent}, else a random one; so that a
     * denial can be found in the caller's own logs.
     */
    static String requestId(HttpServletRequest req) {
        if (req != null) {
            String given = req.getHeader(REQUEST_ID_HEADER);
            if (given != null && REQUEST_ID.matcher(given).matches()) return given;
            String trace = req.getHeader("traceparent");
            if (trace != null) {
                var m = TRACEPARENT.matcher(trace.strip());
                if (m.matches() && !m.group(1).equals("ff") && !m.group(2).equals("0".repeat(32)) && !m.group(3).equals("0".repeat(16))) {
                    return m.group(2);
                }
            }
        }
        return requestId();
    }

    static String requestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(r.nextLong()) + hex.toHexDigits(r.nextLong());
    }

    static String send(HttpServletRequest req, HttpServletResponse res, Outcome outcome, String detail) throws IOException {
        return send(req, res, outcome.httpStatus(), outcome.name(), outcome.title(), detail, List.of());
    }

    /** Sends the problem and returns its request id. Headers set before stay; the body replaces any buffered one. */
    public static String send(HttpServletResponse res, int status, String code, String title, String detail) throws IOException {
        return send(null, res, status, code, title, detail, List.of());
    }

    /** As {@link #send(HttpServletResponse, int, String, String, String)}, the request id taken from {@code req}'s headers. */
    public static String send(HttpServletRequest req, HttpServletResponse res, int status, String code, String title, String detail)
            throws IOException {
        return send(req, res, status, code, title, detail, List.of());
    }

    /**
     * As {@link #send(HttpServletResponse, int, String, String, String)}, with the member
     * {@code errors: [{field, detail}]} when {@code errors} are given (docs/contract.md §3).
     */
    static String send(HttpServletRequest req, HttpServletResponse res, int status, String code, String title, String detail,
                       List<JsonFields.Invalid> errors) throws IOException {
        String id = requestId(req);
        if (!res.isCommitted()) res.resetBuffer();
        if (req != null) closeIfBodyUnread(req, res);
        res.setStatus(status);
        res.setHeader(REQUEST_ID_HEADER, id);
        res.setHeader("Cache-Control", "no-store");
        res.setContentType(CONTENT_TYPE);
        StringBuilder sb = new StringBuilder(160 + detail.length());
        sb.append("{\"type\":");
        JsonText.appendString(sb, type(code));
        sb.append(",\"title\":");
        JsonText.appendString(sb, title);
        sb.append(",\"status\":").append(status).append(",\"detail\":");
        JsonText.appendString(sb, detail);
        sb.append(",\"code\":");
        JsonText.appendString(sb, code);
        sb.append(",\"requestId\":");
        JsonText.appendString(sb, id);
        if (!errors.isEmpty()) {
            sb.append(",\"errors\":[");
            for (int i = 0; i < errors.size(); i++) {
                sb.append(i == 0 ? "{\"field\":" : ",{\"field\":");
                JsonText.appendString(sb, errors.get(i).field());
                sb.append(",\"detail\":");
                JsonText.appendString(sb, errors.get(i).what());
                sb.append('}');
            }
            sb.append(']');
        }
        sb.append('}');
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        res.setContentLength(body.length);
        OutputStream out = res.getOutputStream();
        out.write(body);
        out.flush();
        return id;
    }

    /**
     * For an answer written before the request's body was read: says {@code Connection: close} when the request
     * declared a body nobody read to its end. The container closes such a connection after the answer anyway; said up
     * front, a client that pools connections does not send its next request down it (to fail there with no answer).
     * Every answer of this class does it; public for servlets that write answers of their own.
     */
    public static void closeIfBodyUnread(HttpServletRequest req, HttpServletResponse res) {
        if (unreadBody(req)) res.setHeader("Connection", "close");
    }

    /**
     * Whether {@code req} declared a body that nobody has read to its end. False when it cannot tell: a body read
     * through {@code getReader()} is its reader's to finish, and a request that is no servlet container's (the Spring
     * starter's WebFlux view) has no connection of this container to close.
     */
    static boolean unreadBody(HttpServletRequest req) {
        try {
            long length = req.getContentLengthLong();
            if (length == 0 || (length < 0 && req.getHeader("Transfer-Encoding") == null)) return false;
            return !req.getInputStream().isFinished();
        } catch (IllegalStateException | UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    /** {@code Bearer realm="..."} with an optional RFC 6750 error code. */
    static String challenge(String realm, String error) {
        StringBuilder sb = new StringBuilder("Bearer realm=");
        HeaderText.appendQuoted(sb, realm);
        if (error != null) sb.append(", error=\"").append(error).append('"');
        return sb.toString();
    }

    /**
     * The fields of draft-ietf-httpapi-ratelimit-headers-11 ({@code RateLimit-Policy} and {@code RateLimit}, see
     * {@link LimitResult#policyField()}); nothing for a report without statuses. A limiter's result writes them from
     * its state, without building statuses; any other report from its statuses, to the same bytes.
     */
    static void rateLimitFields(HttpServletResponse res, RateLimitReport report) {
        String policy;
        String state;
        if (report instanceof LimitResult r) {
            policy = r.policyField();
            if (policy.isEmpty()) return;
            state = r.stateField();
        } else {
            List<RateLimitStatus> statuses = report.statuses();
            if (statuses.isEmpty()) return;
            policy = LimitResult.policyField(statuses);
            state = LimitResult.stateField(statuses);
        }
        res.setHeader("RateLimit-Policy", policy);
        res.setHeader("RateLimit", state);
    }
}
