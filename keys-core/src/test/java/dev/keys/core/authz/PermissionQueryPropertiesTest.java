package dev.keys.core.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Assertions;

/** The compiled query and the compiled permission set against a naive reference, on small alphabets so that they meet. */
class PermissionQueryPropertiesTest {

    @Property(tries = 2000)
    void compiledEvaluationEqualsReference(@ForAll("grants") Set<String> granted, @ForAll("queries") String query) {
        Permissions p = Permissions.compile(granted);
        PermissionQuery q = PermissionQuery.parse(query);
        Assertions.assertEquals(Reference.eval(query, granted), q.test(p), () -> query + " with " + granted);
        Assertions.assertEquals(q.test(p), q.explain(p).isEmpty());
        Assertions.assertEquals(q.test(p), PermissionQuery.parse(q.toString()).test(p));
    }

    @Property(tries = 2000)
    void impliesEqualsReference(@ForAll("grants") Set<String> granted, @ForAll("permissions") String required) {
        boolean expected = granted.stream().anyMatch(g -> Reference.implies(g, required));
        Assertions.assertEquals(expected, Permissions.compile(granted).implies(required), () -> required + " by " + granted);
    }

    @Provide
    Arbitrary<String> permissions() {
        Arbitrary<String> seg = Arbitraries.of("a", "b", "*");
        Arbitrary<String> two = Combinators.combine(seg, seg).as((x, y) -> x + ":" + y);
        Arbitrary<String> three = Combinators.combine(seg, seg, Arbitraries.of("1", "2", "*")).as((x, y, z) -> x + ":" + y + ":" + z);
        return Arbitraries.oneOf(two, three);
    }

    @Provide
    Arbitrary<Set<String>> grants() {
        return permissions().set().ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> queries() {
        return Arbitraries.lazyOf(
                () -> permissions(),
                () -> permissions(),
                () -> Combinators.combine(queries(), queries(), Arbitraries.of(" AND ", " OR ")).as((l, r, op) -> l + op + r),
                () -> queries().map(q -> "(" + q + ")"));
    }

    /** A slow, obviously-right evaluator: recursive descent over the text, segment-by-segment implication. */
    static final class Reference {
        private final List<String> tokens = new ArrayList<>();
        private final Set<String> granted;
        private int i;

        private Reference(String query, Set<String> granted) {
            this.granted = granted;
            for (String t : query.replace("(", " ( ").replace(")", " ) ").trim().split("\\s+")) tokens.add(t);
        }

        static boolean eval(String query, Set<String> granted) {
            return new Reference(query, granted).or();
        }

        private boolean or() {
            boolean v = and();
            while (i < tokens.size() && tokens.get(i).equals("OR")) {
                i++;
                boolean r = and();
                v = v || r;
            }
            return v;
        }

        private boolean and() {
            boolean v = atom();
            while (i < tokens.size() && tokens.get(i).equals("AND")) {
                i++;
                boolean r = atom();
                v = v && r;
            }
            return v;
        }

        private boolean atom() {
            String t = tokens.get(i++);
            if (t.equals("(")) {
                boolean v = or();
                i++; // ")"
                return v;
            }
            return granted.stream().anyMatch(g -> implies(g, t));
        }

        static boolean implies(String granted, String required) {
            String[] g = pad(granted.split(":")), r = pad(required.split(":"));
            for (int k = 0; k < 3; k++) if (!g[k].equals("*") && !g[k].equals(r[k])) return false;
            return true;
        }

        private static String[] pad(String[] s) {
            return s.length == 3 ? s : new String[] {s[0], s[1], "*"};
        }
    }
}
