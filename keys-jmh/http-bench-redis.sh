#!/usr/bin/env bash
# HTTP cost of fleet-wide rate limits (docs/contract.md §6, §7): wrk against three example services side by side, one
# with its buckets in process, one with KEYS_REDIS_MODE=EXACT and one with LOCAL_FIRST (both on the Redis of
# BENCH_REDIS), each serving /api/hello behind ApiKeyFilter for a key with two bandwidths, plus /hello (no filter) of
# the in-process one as the bare reference. Rounds are interleaved (each path once per round, the same order), so
# that every path sees the same machine, JIT and neighbours; medians and spreads (min..max) of the rounds, and each
# Redis path over the in-process /api/hello of the same round. It also counts Redis round trips per request
# (EVALSHA calls over the requests wrk made, from INFO commandstats) and fails if a request fell back to
# in-process buckets (then the figures would not be Redis's). keys-jmh/http-bench.sh measures the filter itself.
#
#   keys-jmh/http-bench-redis.sh                          # 3 rounds of 10 s, 2 threads, 32 connections, Redis on 6379
#   WRK_DURATION=20s ROUNDS=5 keys-jmh/http-bench-redis.sh
#   BENCH_REDIS=own keys-jmh/http-bench-redis.sh          # a redis-server of its own on a free port: exact counts
#
# Settings (environment): BENCH_REDIS (redis://127.0.0.1:6379, or `own`), WRK_THREADS (2), WRK_CONNECTIONS (32),
# WRK_DURATION (10s), WRK_WARMUP (5s, per path), ROUNDS (3), JAVA_OPTS (-Xms256m -Xmx256m), REBUILD (0).
# On a shared Redis the round-trip count also counts other clients' EVALSHA calls (an upper bound); BENCH_REDIS=own
# makes it exact. Every Redis key it writes is under a prefix of its own, deleted on exit with the services and their
# temporary data directories. wrk, curl and redis-tools are installed from Debian's packages when missing.
set -euo pipefail

THREADS=${WRK_THREADS:-2}
CONNECTIONS=${WRK_CONNECTIONS:-32}
DURATION=${WRK_DURATION:-10s}
WARMUP=${WRK_WARMUP:-5s}
ROUNDS=${ROUNDS:-3}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx256m}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=$ROOT/examples/target/keys-example.jar
PREFIX=keysbench-http-$$-$RANDOM

NAME=http-bench-redis
. "$ROOT/keys-jmh/bench-lib.sh"

need_package wrk wrk
need_package curl curl
need_package redis-cli redis-tools
need_example_jar "$JAR"

TMP=$(mktemp -d -t keys-http-bench-redis.XXXXXX)
declare -A PID PORT KEY
REDIS_PID=
stop() { # pid: SIGTERM (the example stops gracefully), then SIGKILL
    kill "$1" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
    kill -9 "$1" 2>/dev/null || true
}
rcli() { redis-cli -u "$REDIS_URL" "$@"; }
cleanup() {
    for m in "${!PID[@]}"; do stop "${PID[$m]}"; done
    if [ -n "${REDIS_URL:-}" ] && [ -z "$REDIS_PID" ]; then # the shared server: only this run's keys
        rcli --scan --pattern "{$PREFIX:*" 2>/dev/null | while read -r k; do rcli del "$k" >/dev/null; done || true
    fi
    [ -n "$REDIS_PID" ] && stop "$REDIS_PID"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$REDIS" = own ]; then
    need_package redis-server redis-server
    RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 6390)
    redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$TMP/redis.out" 2>&1 &
    REDIS_PID=$!
    REDIS_URL=redis://127.0.0.1:$RPORT
    for _ in $(seq 50); do [ "$(rcli ping 2>/dev/null)" = PONG ] && break; sleep 0.2; done
else
    REDIS_URL=$REDIS
fi
[ "$(rcli ping 2>/dev/null)" = PONG ] || die "Redis at $REDIS_URL does not answer"

ADMIN_KEY=$(new_admin_key "$JAR" "$TMP") || die "cannot generate an admin key"

# One example per mode, each over a data directory of its own; the Redis ones with a timeout a busy machine does not
# reach (a benchmark measures Redis, never the fallback).
start() { # mode
    local m=$1
    local vars=(KEYS_DATA_DIR="$TMP/data-$m" PORT=0 KEYS_ADMIN_KEY="$ADMIN_KEY" KEYS_JDBC_URL=)
    [ "$m" = IN_PROCESS ] || vars+=(KEYS_REDIS_URL="$REDIS_URL" KEYS_REDIS_PREFIX="$PREFIX" KEYS_REDIS_MODE="$m" KEYS_REDIS_TIMEOUT=PT1S)
    env "${vars[@]}" java $JAVA_OPTS -jar "$JAR" >"$TMP/$m.out" 2>"$TMP/$m.err" &
    PID[$m]=$!
}
MODES=(IN_PROCESS EXACT LOCAL_FIRST)
for m in "${MODES[@]}"; do start "$m"; done
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
for m in "${MODES[@]}"; do
    for _ in $(seq 300); do
        PORT[$m]=$(sed -n 's#^keys example listening on http://localhost:\([0-9]*\)$#\1#p' "$TMP/$m.out")
        [ -n "${PORT[$m]}" ] && break
        kill -0 "${PID[$m]}" 2>/dev/null || { cat "$TMP/$m.err" >&2; die "the $m example did not start"; }
        sleep 0.2
    done
    [ -n "${PORT[$m]}" ] || die "the $m example did not start within 60 s"
    # two bandwidths far above what wrk can send: the benchmark measures limiting, never 429s; no tier, so no quota
    created=$(curl -sS --max-time 10 -X POST "http://127.0.0.1:${PORT[$m]}/admin/v1/keys" -H "Authorization: Bearer $ADMIN_KEY" \
        -H 'Content-Type: application/json' \
        -d '{"name":"http-bench","ownerId":"bench","prefix":"bench_live","permissions":["hello:read"],
             "ratelimits":[{"name":"burst","limit":1000000000,"duration":"PT1S"},{"name":"sustained","limit":60000000000,"duration":"PT1M"}]}')
    KEY[$m]=$(printf '%s' "$created" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
    [ -n "${KEY[$m]}" ] || die "could not create the $m benchmark key: $(printf '%s' "$created" | sed 's/"key":"[^"]*"/"key":"..."/')"
    [ "$(status -H "X-API-Key: ${KEY[$m]}" "http://127.0.0.1:${PORT[$m]}/api/hello")" = 200 ] || die "$m /api/hello with the key does not answer 200"
done
grep -q 'shared in Redis' "$TMP/EXACT.out" || die "the EXACT example does not say its limits are in Redis"
grep -q 'LOCAL_FIRST' "$TMP/LOCAL_FIRST.out" || die "the LOCAL_FIRST example does not say its mode"

# name -> "mode path"
NAMES=(hello api-in-process api-exact api-local-first)
declare -A TARGET=([hello]="IN_PROCESS /hello" [api-in-process]="IN_PROCESS /api/hello" [api-exact]="EXACT /api/hello" [api-local-first]="LOCAL_FIRST /api/hello")
evalsha() { local c; c=$(rcli info commandstats | tr -d '\r' | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p'); echo "${c:-0}"; }
# One wrk run: prints "<requests/s> <requests> <non-2xx> <socket errors> <EVALSHA calls meanwhile>".
run_wrk() { # name duration
    local mode path out before after
    read -r mode path <<<"${TARGET[$1]}"
    before=$(evalsha)
    out=$(timeout $(( $(seconds "$2") + 30 )) wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" -H "X-API-Key: ${KEY[$mode]}" \
        "http://127.0.0.1:${PORT[$mode]}$path") || die "wrk failed or timed out on $1"
    after=$(evalsha)
    local rps total non2xx errors
    rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ {print $2}')
    total=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
    non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx or 3xx responses:/ {print $NF}')
    errors=$(printf '%s\n' "$out" | awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}')
    echo "${rps:-0} ${total:-0} ${non2xx:-0} ${errors:-0} $((after - before))"
}

echo "keys http-bench-redis: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, $(nproc) cores, $(java -version 2>&1 | head -1), Redis $(rcli info server | sed -n 's/^redis_version:\(.*\)\r*$/\1/p' | tr -d '\r') at $REDIS_URL"
echo "warm-up: $WARMUP per path"
for n in "${NAMES[@]}"; do run_wrk "$n" "$WARMUP" >/dev/null; done

declare -A RPS TRIPS
FAILED=0
printf '%-5s %-16s %14s %9s %14s %16s\n' run path requests/s non-2xx socket-errors redis-trips/req
run=0
for round in $(seq "$ROUNDS"); do
    for n in "${NAMES[@]}"; do
        run=$((run + 1))
        read -r rps total non2xx errors calls < <(run_wrk "$n" "$DURATION")
        trips=$(awk -v c="$calls" -v t="$total" 'BEGIN {printf "%.4f", (t > 0 ? c / t : 0)}')
        printf '%-5s %-16s %14s %9s %14s %16s\n' "$run" "$n" "$rps" "$non2xx" "$errors" "$trips"
        RPS[$n]="${RPS[$n]:-} $rps"; TRIPS[$n]="${TRIPS[$n]:-} $trips"
        [ "$non2xx" = 0 ] || FAILED=1
    done
done

median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
spread() { tr ' ' '\n' | awk 'NF' | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {print lo ".." hi}'; }
# Each path over the in-process /api/hello of the same round: the machine's drift between rounds cancels out.
per_round() { # name
    read -r -a A <<<"${RPS[api-in-process]}"; read -r -a B <<<"${RPS[$1]}"
    local out=; for i in "${!A[@]}"; do out+=" $(awk -v b="${B[$i]}" -v a="${A[$i]}" 'BEGIN {printf "%.3f", b / a}')"; done
    echo "$out"
}
echo
printf '%-16s %12s %22s %22s %16s\n' path median/s spread/s "per round / in-process" trips/req
for n in "${NAMES[@]}"; do
    r=$(per_round "$n")
    printf '%-16s %12s %22s %22s %16s\n' "$n" "$(echo "${RPS[$n]}" | median)" "$(echo "${RPS[$n]}" | spread)" \
        "$(echo "$r" | median) ($(echo "$r" | spread))" "$(echo "${TRIPS[$n]}" | median)"
done
[ "$REDIS" = own ] || echo "(trips/req on a shared Redis count every client's EVALSHA calls: an upper bound; BENCH_REDIS=own counts only this run's)"
for m in EXACT LOCAL_FIRST; do
    if grep -q 'keys-redis: Redis at .* failed' "$TMP/$m.err"; then
        grep 'keys-redis:' "$TMP/$m.err" | head -3 >&2
        die "the $m service fell back to in-process buckets: its figures are not Redis's"
    fi
done
[ "$FAILED" = 0 ] || die "some responses were not 2xx: the numbers above do not measure what they claim"
