#!/usr/bin/env bash
# Instructions per call of the hot-path figures (dev.keys.jmh.Instructions), counted by valgrind's callgrind:
# stable to a fraction of a percent on a machine shared with other builds, where JMH times swing by 2x. Each figure
# runs twice in the same JVM settings, with ITER and 2*ITER measured calls after the same WARMUP; the difference of
# the two totals over ITER is what one call executes, with the JVM's start, the set-up and the JIT cancelled out.
# Only the main thread is counted; -Xbatch compiles in the foreground, so both runs compile the same code.
#
#   keys-jmh/callgrind.sh                       # sha256 cachedValid malformed, from keys-jmh/target/benchmarks.jar
#   JAR=/tmp/old.jar keys-jmh/callgrind.sh      # the same figures of another build (the harness must be in it)
#   WARMUP=200000 ITER=200000 keys-jmh/callgrind.sh malformed
#
# Needs valgrind (installed from Debian's packages when missing). About a minute per figure.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=${JAR:-$ROOT/keys-jmh/target/benchmarks.jar}
WARMUP=${WARMUP:-300000}
ITER=${ITER:-200000}
FIGURES=("$@"); [ ${#FIGURES[@]} -gt 0 ] || FIGURES=(sha256 cachedValid malformed)
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
command -v valgrind >/dev/null || $SUDO apt-get install -y -q valgrind >/dev/null
[ -f "$JAR" ] || { echo "callgrind: $JAR is missing: mvn -B -q -pl keys-jmh -am package -DskipTests" >&2; exit 1; }
TMP=$(mktemp -d -t keys-callgrind.XXXXXX); trap 'rm -rf "$TMP"' EXIT

total() { # figure iterations -> instructions of the whole run
    valgrind --tool=callgrind --smc-check=all-non-file --separate-threads=yes --callgrind-out-file="$TMP/out" \
        java -Xbatch -Xms256m -Xmx256m -XX:+UseSerialGC -Xss4m -cp "$JAR" dev.keys.jmh.Instructions "$1" "$WARMUP" "$2" \
        >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; exit 1; }
    # Thread 2 is Java's main thread: the compiler, GC and periodic threads (whose work grows with the run's wall
    # time under valgrind, not with the calls) stay out of the count.
    awk '/^(summary|totals):/ {print $2; exit}' "$TMP/out-02"
    rm -f "$TMP"/out-*
}

echo "callgrind: $JAR, warm-up $WARMUP, $ITER and $((2 * ITER)) measured calls"
for f in "${FIGURES[@]}"; do
    a=$(total "$f" "$ITER"); b=$(total "$f" $((2 * ITER)))
    printf '%-12s %8.1f instructions/call\n' "$f" "$(awk -v a="$a" -v b="$b" -v n="$ITER" 'BEGIN {print (b - a) / n}')"
done
