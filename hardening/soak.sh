#!/usr/bin/env bash
# Soak: the example service under a bounded mixed load on loopback for SOAK_SECONDS (default 120; SOAK_SECONDS=600
# for the 10-minute run): valid, limited, revoked, unknown and malformed keys, churn revocations and admin changes.
# Pass: no error but the expected denials, usage in the store equal to what was admitted and denied, and the heap
# after a full GC at the end within 25% (or 8 MiB) of the heap after a full GC at the start.
#   hardening/soak.sh            SOAK_SECONDS=600 SOAK_RATE=400 hardening/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SOAK_SECONDS:-120}
rate=${SOAK_RATE:-400}
work=$(mktemp -d /tmp/keys-soak.XXXXXX)
jar=examples/target/keys-example.jar
[[ -f $jar && -z ${REBUILD:-} ]] || mvn -q -B -o -pl examples -am package -DskipTests
port=$(( 20000 + RANDOM % 20000 ))
echo "soak: ${secs}s at up to ${rate} requests/s on 127.0.0.1:$port, data in $work"
PORT=$port KEYS_DATA_DIR=$work java -Xmx256m -XX:+UseG1GC -jar $jar > "$work/service.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for i in $(seq 1 60); do grep -q "listening on" "$work/service.log" 2>/dev/null && break; sleep 0.5; done
admin=$(grep -A1 "shown this once" "$work/service.log" | tail -1 | tr -d ' ')
[[ -n $admin ]] || { echo "no admin key"; cat "$work/service.log"; exit 1; }

heap() { # used heap in KiB after a full GC
  jcmd $pid GC.run > /dev/null
  jcmd $pid GC.heap_info | sed -n 's/.*used \([0-9]*\)K.*/\1/p' | head -1
}
sample() { while kill -0 $pid 2>/dev/null; do
  echo "$(date +%T) $(jcmd $pid GC.heap_info 2>/dev/null | sed -n 's/.*total \([0-9]*K\), used \([0-9]*K\).*/total \1 used \2/p' | head -1)"; sleep 15; done; }

# warm up for 10 s, then the baseline
java hardening/LoadDriver.java "http://127.0.0.1:$port" "$admin" 10 "$rate" > "$work/warmup.log" 2>&1 || { echo "warm-up failed:"; cat "$work/warmup.log"; }
h0=$(heap)
echo "heap after full GC, start: ${h0} KiB"
sample > "$work/heap.log" &
sampler=$!
set +e
java hardening/LoadDriver.java "http://127.0.0.1:$port" "$admin" "$secs" "$rate" | tee "$work/driver.log"
driver=$?
set -e
kill $sampler 2>/dev/null || true
h1=$(heap)
echo "heap after full GC, end:   ${h1} KiB"
echo "heap samples (no GC forced):"; sed 's/^/  /' "$work/heap.log"
limit=$(( h0 + (h0 / 4 > 8192 ? h0 / 4 : 8192) ))
heap_ok=$(( h1 <= limit ))
kill -TERM $pid; wait $pid || true
trap - EXIT
if grep -E "SEVERE|Exception" "$work/service.log" | grep -v "^\s*$" > "$work/service-errors.log"; then
  echo "service log has errors:"; head -20 "$work/service-errors.log"; svc_ok=0; else svc_ok=1; fi
echo "service log: $(wc -l < "$work/service.log") lines, none with an exception: $([[ $svc_ok == 1 ]] && echo yes || echo no)"
if [[ $driver == 0 && $heap_ok == 1 && $svc_ok == 1 ]]; then echo "SOAK PASSED"; rm -rf "$work"; exit 0; fi
echo "SOAK FAILED (driver $driver, heap ok $heap_ok, service log ok $svc_ok); kept $work"; exit 1
