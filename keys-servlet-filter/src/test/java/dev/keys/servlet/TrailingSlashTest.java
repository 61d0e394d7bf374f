package dev.keys.servlet;

import dev.keys.core.authz.Policy;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import dev.keys.servlet.harness.JettyHarness.Exchange;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A trailing slash is part of the path (docs/contract.md §4), because a container routes {@code /api/hello/} to
 * another servlet than {@code /api/hello}. With servlets at {@code /api/hello} and {@code /api/*} and routes
 * {@code GET /api/hello -> hello:read}, {@code * /api/** -> admin:*}, a {@code hello:read} key must never reach the
 * catch-all servlet, on Jetty 12 nor on Tomcat 11, whichever spelling of the path it sends. Requests go out through
 * a raw socket so that no client tidies the path on the way.
 *
 * <p>The containers disagree on a last dot segment: Jetty resolves {@code /api/hello/.} to {@code /api/hello/} (the
 * catch-all), Tomcat 11 to {@code /api/hello} (the hello servlet). Since the two readings fall under different
 * routes here, the filter answers 400 for such a path on both containers, whatever the key.
 */
class TrailingSlashTest {
    static final Policy POLICY = PolicyLoader.loadJson("""
            {"routes": ["GET /api/hello -> hello:read", "* /api/** -> admin:*"]}""");

    static JettyHarness h;
    static Tomcat tomcat;
    static int tomcatPort;
    static IssuedKey hello, both;

    @BeforeAll
    static void start(@TempDir Path tomcatBase) throws Exception {
        h = new JettyHarness();
        h.filter("/*", ApiKeyFilter.builder(h.keys.verifier()).policy(POLICY).build())
                .servlet("/api/hello", new Named("hello"))
                .servlet("/api/*", new Named("catch-all"))
                .start();
        tomcat = new Tomcat();
        tomcat.setBaseDir(tomcatBase.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context ctx = tomcat.addContext("", tomcatBase.toString());
        FilterDef def = new FilterDef();
        def.setFilterName("keys");
        def.setFilter(ApiKeyFilter.builder(h.keys.verifier()).policy(POLICY).build());
        ctx.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("keys");
        map.addURLPattern("/*");
        ctx.addFilterMap(map);
        Tomcat.addServlet(ctx, "hello", new Named("hello"));
        ctx.addServletMappingDecoded("/api/hello", "hello");
        Tomcat.addServlet(ctx, "catch-all", new Named("catch-all"));
        ctx.addServletMappingDecoded("/api/*", "catch-all");
        tomcat.start();
        tomcatPort = connector.getLocalPort();
        hello = h.issue(NewKey.builder("sk_test").permissions("hello:read"));
        both = h.issue(NewKey.builder("sk_test").permissions("hello:read", "admin:*"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            h.assertNoLeaks();
        } finally {
            try {
                tomcat.stop();
                tomcat.destroy();
            } finally {
                h.close();
            }
        }
    }

    /**
     * {@code servlet} is who answers a key that the rules let through (hello:read and admin:*), or the status when
     * the container or the filter refuses the path itself; {@code helloKey} is what a hello:read key gets.
     */
    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            jetty  | /api/hello       | hello     | hello
            jetty  | /api/hello/      | catch-all | 403
            jetty  | /api/hello/.     | 400       | 400
            jetty  | /api/hello/x/..  | 400       | 400
            jetty  | /api/hello/%2e   | 400       | 400
            jetty  | /api//hello/     | 400       | 400
            jetty  | /api//hello      | 400       | 400
            jetty  | /api/hello;x=1   | hello     | hello
            jetty  | /api/hello;x=1/  | catch-all | 403
            jetty  | /api/x/../hello  | hello     | hello
            tomcat | /api/hello       | hello     | hello
            tomcat | /api/hello/      | catch-all | 403
            tomcat | /api/hello/.     | 400       | 400
            tomcat | /api/hello/x/..  | 400       | 400
            tomcat | /api/hello/%2e   | 400       | 400
            tomcat | /api//hello/     | catch-all | 403
            tomcat | /api//hello      | hello     | hello
            tomcat | /api/hello;x=1   | hello     | hello
            tomcat | /api/hello;x=1/  | catch-all | 403
            tomcat | /api/x/../hello  | hello     | hello
            """)
    void aHelloKeyNeverReachesTheCatchAll(String container, String path, String servlet, String helloKey) throws IOException {
        int port = container.equals("jetty") ? h.port : tomcatPort;
        Answer rules = send(port, path, both.plaintext());
        assertEquals(servlet, rules.servlet() != null ? rules.servlet() : String.valueOf(rules.status()),
                container + " " + path + " -> " + rules);
        Answer a = send(port, path, hello.plaintext());
        assertNotEquals("catch-all", a.servlet(), container + " " + path + ": a hello:read key reached the catch-all servlet");
        assertEquals(helloKey, a.servlet() != null ? a.servlet() : String.valueOf(a.status()), container + " " + path + " -> " + a);
        if (a.status() == 403) assertTrue(a.body().contains("\"INSUFFICIENT_PERMISSIONS\""), a.body());
        // Tomcat lets the dot segments through to the filter, which refuses them itself
        if (a.status() == 400 && container.equals("tomcat")) assertTrue(a.body().contains("\"INVALID_REQUEST\""), a.body());
    }

    /** Answers with its name in a header, so that the test sees which mapping the container chose. */
    static final class Named extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            res.setHeader("X-Servlet", name);
            res.setContentType("text/plain");
            res.getWriter().write(name + " servletPath=" + req.getServletPath() + " pathInfo=" + req.getPathInfo());
        }
    }

    record Answer(int status, String servlet, String body) {
    }

    /** One HTTP/1.1 GET with the request line exactly as given; recorded in the harness for its leak check. */
    static Answer send(int port, String path, String key) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-API-Key: " + key
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            String[] head = (split < 0 ? text : text.substring(0, split)).split("\r\n");
            String body = split < 0 ? "" : text.substring(split + 4);
            int status = Integer.parseInt(head[0].split(" ")[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            String servlet = null;
            for (int i = 1; i < head.length; i++) {
                int c = head[i].indexOf(':');
                String name = head[i].substring(0, c).strip(), value = head[i].substring(c + 1).strip();
                headers.computeIfAbsent(name, n -> new java.util.ArrayList<>()).add(value);
                if (name.equalsIgnoreCase("X-Servlet")) servlet = value;
            }
            h.exchanges.add(new Exchange("GET", "http://127.0.0.1:" + port + path, status, headers, body));
            return new Answer(status, servlet, body);
        }
    }
}
