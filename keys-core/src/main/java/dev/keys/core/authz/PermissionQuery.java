package dev.keys.core.authz;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A compiled permission query: permissions combined with {@code AND}, {@code OR} and parentheses, {@code AND}
 * binding tighter than {@code OR}. Immutable and thread-safe; parse once at configuration time, test many times.
 *
 * <pre>
 * query := or
 * or    := and ( "OR" and )*
 * and   := atom ( "AND" atom )*
 * atom  := permission | "(" or ")"
 * </pre>
 * Operators are upper case; permissions follow {@link Permissions}. {@code NONE} is the query that always holds.
 *
 * <p>Design: the tree is compiled to jump code, one instruction per permission term: test the term, then go to
 * {@code onTrue[pc]} or {@code onFalse[pc]}, a later term or a final answer. Evaluation is a loop over three
 * arrays with short-circuiting, no recursion, no virtual calls and no allocation.
 */
public final class PermissionQuery {

    /** The query that holds for every key. */
    public static final PermissionQuery NONE = new PermissionQuery(null);

    private static final int ACCEPT = -1, REJECT = -2;
    private static final int MAX_DEPTH = 32, MAX_LENGTH = 4096;

    private final Node root;
    private final Permissions.Term[] terms;
    private final int[] onTrue, onFalse;
    private final String text;

    private PermissionQuery(Node root) {
        this.root = root;
        if (root == null) {
            terms = new Permissions.Term[0];
            onTrue = onFalse = new int[0];
            text = "NONE";
            return;
        }
        int n = size(root);
        terms = new Permissions.Term[n];
        onTrue = new int[n];
        onFalse = new int[n];
        emit(root, 0, ACCEPT, REJECT);
        text = render(root, false);
    }

    /**
     * Parses and compiles a query. {@code "NONE"} gives {@link #NONE}.
     *
     * @throws QuerySyntaxException naming the position and the expected token
     */
    public static PermissionQuery parse(String text) {
        Objects.requireNonNull(text, "query");
        if (text.strip().equals("NONE")) return NONE;
        if (text.length() > MAX_LENGTH) throw new QuerySyntaxException("query longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
        return new PermissionQuery(new Parser(text).parse());
    }

    /** Whether {@code granted} meets this query. Allocates nothing. */
    public boolean test(Permissions granted) {
        Permissions.Term[] t = terms;
        if (t.length == 0) return true;
        int pc = 0;
        while (pc >= 0) pc = granted.holds(t[pc]) ? onTrue[pc] : onFalse[pc];
        return pc == ACCEPT;
    }

    /**
     * Why {@code granted} does not meet this query, e.g. {@code missing permission documents:write} or
     * {@code missing one of: billing:read, admin:*}; the empty string when it does.
     */
    public String explain(Permissions granted) {
        if (test(granted)) return "";
        return failure(root, granted);
    }

    /** Every permission the query mentions, in order of appearance. */
    public Set<String> permissions() {
        Set<String> out = new LinkedHashSet<>();
        for (Permissions.Term t : terms) out.add(t.text);
        return out;
    }

    /** The query in canonical form, with only the parentheses it needs; parses back to an equal query. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PermissionQuery other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    // ---- compiled form

    private static int size(Node n) {
        if (n instanceof Leaf) return 1;
        int s = 0;
        for (Node c : ((Op) n).children) s += size(c);
        return s;
    }

    /** Emits the terms of {@code n} from index {@code base}, jumping to {@code t} when it holds, {@code f} when not. */
    private void emit(Node n, int base, int t, int f) {
        if (n instanceof Leaf leaf) {
            terms[base] = leaf.term;
            onTrue[base] = t;
            onFalse[base] = f;
            return;
        }
        Op op = (Op) n;
        int idx = base;
        for (int k = 0; k < op.children.size(); k++) {
            Node c = op.children.get(k);
            int next = idx + size(c);
            boolean last = k == op.children.size() - 1;
            if (op.and) emit(c, idx, last ? t : next, f);
            else emit(c, idx, t, last ? f : next);
            idx = next;
        }
    }

    private static boolean holds(Node n, Permissions p) {
        if (n instanceof Leaf leaf) return p.holds(leaf.term);
        Op op = (Op) n;
        for (Node c : op.children) if (holds(c, p) != op.and) return !op.and;
        return op.and;
    }

    private static String failure(Node n, Permissions p) {
        if (n instanceof Leaf leaf) return "missing permission " + leaf.term.text;
        Op op = (Op) n;
        if (op.and) {
            for (Node c : op.children) if (!holds(c, p)) return failure(c, p);
        }
        List<String> options = new ArrayList<>();
        for (Node c : op.children) options.add(render(c, false));
        return "missing one of: " + String.join(", ", options);
    }

    private static String render(Node n, boolean inAnd) {
        if (n instanceof Leaf leaf) return leaf.term.text;
        Op op = (Op) n;
        List<String> parts = new ArrayList<>();
        for (Node c : op.children) parts.add(render(c, op.and));
        String s = String.join(op.and ? " AND " : " OR ", parts);
        return !op.and && inAnd ? "(" + s + ")" : s;
    }

    // ---- syntax tree and parser

    private interface Node {
    }

    private record Leaf(Permissions.Term term) implements Node {
    }

    private record Op(boolean and, List<Node> children) implements Node {
    }

    private static final class Parser {
        private final String s;
        private int pos;           // start of the current token
        private int end;           // end of the current token
        private Kind kind;
        private int depth;

        enum Kind { WORD, AND, OR, OPEN, CLOSE, END }

        Parser(String s) {
            this.s = s;
            advance(0);
        }

        Node parse() {
            Node n = or();
            if (kind != Kind.END) throw expected("AND, OR or end of query");
            return n;
        }

        private Node or() {
            List<Node> parts = new ArrayList<>();
            parts.add(and());
            while (kind == Kind.OR) {
                advance(end);
                parts.add(and());
            }
            return combine(false, parts);
        }

        private Node and() {
            List<Node> parts = new ArrayList<>();
            parts.add(atom());
            while (kind == Kind.AND) {
                advance(end);
                parts.add(atom());
            }
            if (kind == Kind.WORD) throw expected("AND, OR, ')' or end of query");
            return combine(true, parts);
        }

        private Node atom() {
            if (kind == Kind.OPEN) {
                int open = pos;
                if (++depth > MAX_DEPTH) throw new QuerySyntaxException("parentheses nested deeper than " + MAX_DEPTH + " at position " + pos, pos);
                advance(end);
                Node n = or();
                if (kind != Kind.CLOSE) throw expected("AND, OR or ')' (to close '(' at position " + open + ")");
                depth--;
                advance(end);
                return n;
            }
            if (kind != Kind.WORD) throw expected("permission or '('");
            String word = s.substring(pos, end);
            Permissions.Term term;
            try {
                term = Permissions.Term.of(word);
            } catch (IllegalArgumentException e) {
                String hint = word.equalsIgnoreCase("and") || word.equalsIgnoreCase("or") ? " (operators are upper case: AND, OR)" : "";
                throw new QuerySyntaxException(e.getMessage() + " at position " + pos + hint, pos);
            }
            advance(end);
            return new Leaf(term);
        }

        /** Flattens nested operators of the same kind, so that {@code a AND (b AND c)} compiles like {@code a AND b AND c}. */
        private static Node combine(boolean and, List<Node> parts) {
            if (parts.size() == 1) return parts.get(0);
            List<Node> flat = new ArrayList<>();
            for (Node p : parts) {
                if (p instanceof Op op && op.and == and) flat.addAll(op.children);
                else flat.add(p);
            }
            return new Op(and, List.copyOf(flat));
        }

        private QuerySyntaxException expected(String what) {
            String found = switch (kind) {
                case END -> "end of query";
                case OPEN -> "'('";
                case CLOSE -> "')'";
                default -> "'" + s.substring(pos, end) + "'";
            };
            String hint = kind == Kind.WORD && (found.equalsIgnoreCase("'and'") || found.equalsIgnoreCase("'or'"))
                    ? " (operators are upper case: AND, OR)" : "";
            return new QuerySyntaxException("expected " + what + " at position " + pos + ", found " + found + hint, pos);
        }

        private void advance(int from) {
            int i = from;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            pos = i;
            if (i == s.length()) {
                kind = Kind.END;
                end = i;
                return;
            }
            char c = s.charAt(i);
            if (c == '(' || c == ')') {
                kind = c == '(' ? Kind.OPEN : Kind.CLOSE;
                end = i + 1;
                return;
            }
            int j = i;
            while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && s.charAt(j) != '(' && s.charAt(j) != ')') j++;
            end = j;
            String w = s.substring(i, j);
            kind = w.equals("AND") ? Kind.AND : w.equals("OR") ? Kind.OR : Kind.WORD;
        }
    }
}
