package dev.keys.core.authz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fuzzes {@link PermissionQuery#parse} against a naive reference parser and evaluator written from docs/contract.md §4 and
 * the grammar in the class comment: parsing throws nothing but {@link QuerySyntaxException}, accepts exactly what
 * the reference accepts, and a parsed query's {@code test} agrees with the reference for every granted set tried;
 * its canonical text parses back to an equal query.
 */
class PermissionQueryFuzzTest {
    /** Grants chosen from here: wildcards in every position, two and three segments. */
    static final List<String> GRANTS = List.of("documents:read", "documents:write", "documents:*", "*:read", "documents:read:42",
            "billing:read", "admin:*", "*:*", "*:*:*", "a:b:c", "a:*:c", "*:b:*", "keys:admin", "reports:read:7");
    /** Query tokens: valid and invalid permissions, operators in both cases, parentheses and whitespace. */
    static final List<String> TOKENS = List.of("documents:read", "documents:*", "*:read", "documents:read:42", "documents:read:*",
            "billing:read", "admin:*", "*:*", "a:b:c", "a:*:c", "*:b", "keys:admin", "AND", "OR", "and", "or", "NONE", "(", ")",
            " ", "  ", "\t", "\n", "\u00a0", "\u2003", "x", "a:", ":b", "a::b", "a:b:c:d", "a*:b", "é:b", "a:b)", "(a:b", "a:b(c:d)");

    /** Arbitrary text as the query. */
    @FuzzTest(maxDuration = "30s")
    void arbitraryText(byte[] input) {
        checkAgainstReference(new String(input, StandardCharsets.UTF_8));
    }

    /** A query assembled from tokens, so that most inputs are near-valid and reach the evaluator. */
    @FuzzTest(maxDuration = "30s")
    void tokens(FuzzedDataProvider data) {
        StringBuilder sb = new StringBuilder();
        int n = data.consumeInt(0, 60);
        for (int i = 0; i < n; i++) {
            sb.append(data.pickValue(TOKENS));
            if (data.consumeBoolean()) sb.append(' ');
        }
        checkAgainstReference(sb.toString());
    }

    static void checkAgainstReference(String text) {
        PermissionQuery q;
        try {
            q = PermissionQuery.parse(text);
        } catch (QuerySyntaxException e) {
            assertTrue(e.position() >= 0 && e.position() <= text.length(), "position " + e.position());
            assertNull(Reference.parse(text), () -> "the reference accepts what parse refused: " + text + " (" + e.getMessage() + ")");
            return;
        }
        Reference.Node ref = Reference.parse(text);
        assertNotNull(ref, () -> "parse accepted what the reference refuses: " + text);
        PermissionQuery again = PermissionQuery.parse(q.toString());
        assertEquals(q, again, "canonical text round trip");
        // every subset of a few grants, plus each grant alone
        for (int mask = 0; mask < 1 << 4; mask++) {
            for (int offset = 0; offset < GRANTS.size(); offset += 4) {
                Set<String> granted = new TreeSet<>();
                for (int b = 0; b < 4 && offset + b < GRANTS.size(); b++) if ((mask & 1 << b) != 0) granted.add(GRANTS.get(offset + b));
                Permissions p = Permissions.compile(granted);
                boolean expected = Reference.eval(ref, granted);
                assertEquals(expected, q.test(p), () -> text + " with " + granted);
                assertEquals(expected, again.test(p), () -> q + " with " + granted);
                assertEquals(expected, q.explain(p).isEmpty());
            }
        }
    }

    /** The slow, obvious reading of the grammar; null when the text does not parse. */
    static final class Reference {
        sealed interface Node permits Leaf, And, Or {}
        record Leaf(String permission) implements Node {}
        record And(Node l, Node r) implements Node {}
        record Or(Node l, Node r) implements Node {}
        /** The query that always holds. */
        static final Node TRUE = new Leaf(null);

        private final List<String> toks;
        private int i, depth;

        private Reference(List<String> toks) {
            this.toks = toks;
        }

        static Node parse(String text) {
            if (text.strip().equals("NONE")) return TRUE;
            if (text.length() > 4096) return null;
            List<String> toks = new ArrayList<>();
            StringBuilder w = new StringBuilder();
            for (char c : text.toCharArray()) {
                if (Character.isWhitespace(c) || c == '(' || c == ')') {
                    if (w.length() > 0) toks.add(w.toString());
                    w.setLength(0);
                    if (c == '(' || c == ')') toks.add(String.valueOf(c));
                } else {
                    w.append(c);
                }
            }
            if (w.length() > 0) toks.add(w.toString());
            Reference r = new Reference(toks);
            try {
                Node n = r.or();
                return r.i == toks.size() ? n : null;
            } catch (IllegalStateException e) {
                return null;
            }
        }

        private String peek() {
            return i < toks.size() ? toks.get(i) : null;
        }

        private Node or() {
            Node n = and();
            while ("OR".equals(peek())) {
                i++;
                n = new Or(n, and());
            }
            return n;
        }

        private Node and() {
            Node n = atom();
            while ("AND".equals(peek())) {
                i++;
                n = new And(n, atom());
            }
            return n;
        }

        private Node atom() {
            String t = peek();
            if (t == null) throw new IllegalStateException();
            i++;
            if (t.equals("(")) {
                if (++depth > 32) throw new IllegalStateException();
                Node n = or();
                if (!")".equals(peek())) throw new IllegalStateException();
                i++;
                depth--;
                return n;
            }
            if (t.equals(")") || t.equals("AND") || t.equals("OR") || !valid(t)) throw new IllegalStateException();
            return new Leaf(t);
        }

        static boolean valid(String p) {
            String[] seg = p.split(":", -1);
            if (seg.length < 2 || seg.length > 3) return false;
            for (String s : seg) if (!s.equals("*") && !s.matches("[A-Za-z0-9._~@+-]+")) return false;
            return true;
        }

        static String[] canonical(String p) {
            String[] seg = p.split(":", -1);
            return seg.length == 3 ? seg : new String[] {seg[0], seg[1], "*"};
        }

        static boolean eval(Node n, Set<String> granted) {
            if (n == TRUE) return true;
            if (n instanceof And a) return eval(a.l(), granted) && eval(a.r(), granted);
            if (n instanceof Or o) return eval(o.l(), granted) || eval(o.r(), granted);
            String[] req = canonical(((Leaf) n).permission());
            for (String g : granted) {
                String[] gs = canonical(g);
                boolean all = true;
                for (int k = 0; k < 3; k++) all &= gs[k].equals("*") || gs[k].equals(req[k]);
                if (all) return true;
            }
            return false;
        }
    }
}
