#!/usr/bin/env bash
# Faults: the example service on a PostgreSQL cluster of this script's own (initdb in a temp dir as the postgres
# user, on a free port; never the shared server on 5432), under a bounded mixed load:
#  1. PostgreSQL stopped for FAULT_DOWN_SECONDS (default 10) under load, then started again: while it is down every
#     answer is the expected denial or 503 STORE_UNAVAILABLE with Retry-After (the example runs fail-closed, stale
#     bound zero), no revoked key is admitted, and after recovery the usage in the store equals exactly what was
#     admitted and denied (nothing lost, nothing counted twice).
#  2. kill -9 of the service under load, then a restart on the same database: every key and its status survive,
#     pg_amcheck finds the tables and indexes consistent, and a fresh load passes with exact usage again.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/keys-faults.XXXXXX)
chown postgres "$work"
pgport=$(( 40000 + RANDOM % 10000 ))
jar=examples/target/keys-example.jar
[[ -f $jar && -z ${REBUILD:-} ]] || mvn -q -B -o -pl examples -am package -DskipTests
down=${FAULT_DOWN_SECONDS:-10}
pg() { su postgres -s /bin/bash -c "$*"; }
svc=""
cleanup() {
  [[ -n $svc ]] && kill -9 $svc 2>/dev/null || true
  pg "$bin/pg_ctl -D $work/pg -m immediate stop" > /dev/null 2>&1 || true
}
trap cleanup EXIT

echo "faults: PostgreSQL $($bin/postgres --version | awk '{print $3}') on 127.0.0.1:$pgport in $work/pg"
pg "$bin/initdb -D $work/pg -U postgres --auth=trust -E UTF8" > "$work/initdb.log"
pg "$bin/pg_ctl -D $work/pg -l $work/pg.log -o '-p $pgport -k $work -c listen_addresses=127.0.0.1' -w start" > /dev/null
url="jdbc:postgresql://127.0.0.1:$pgport/postgres?user=postgres"
psql() { pg "$bin/psql -h 127.0.0.1 -p $pgport -U postgres -d postgres -At -c \"$1\""; }

start_service() {
  port=$(( 20000 + RANDOM % 20000 ))
  PORT=$port KEYS_DATA_DIR=$work/data KEYS_JDBC_URL=$url java -Xmx256m -jar $jar >> "$work/service.log" 2>&1 &
  svc=$!
  for i in $(seq 1 60); do grep -q "listening on http://localhost:$port" "$work/service.log" 2>/dev/null && return 0; sleep 0.5; done
  echo "service did not start"; tail -20 "$work/service.log"; exit 1
}
start_service
admin=$(grep -A1 "shown this once" "$work/service.log" | tail -1 | tr -d ' ')
base="http://127.0.0.1:$port"
fail=0

echo "== 1. PostgreSQL down for ${down}s under load"
ALLOW_503=1 java hardening/LoadDriver.java "$base" "$admin" $(( down + 25 )) 300 > "$work/fault1.log" 2>&1 &
driver=$!
sleep 10
pg "$bin/pg_ctl -D $work/pg -m fast -w stop" > /dev/null; echo "   $(date +%T) PostgreSQL stopped"
sleep "$down"
pg "$bin/pg_ctl -D $work/pg -l $work/pg.log -o '-p $pgport -k $work -c listen_addresses=127.0.0.1' -w start" > /dev/null; echo "   $(date +%T) PostgreSQL started"
if wait $driver; then echo "   passed"; else echo "   FAILED"; fail=1; fi
sed 's/^/   /' "$work/fault1.log"

echo "== 2. kill -9 of the service under load, restart"
ALLOW_DOWN=1 java hardening/LoadDriver.java "$base" "$admin" 20 300 > "$work/fault2.log" 2>&1 &
driver=$!
sleep 12
before=$(psql "SELECT count(*) || ' keys, ' || count(*) FILTER (WHERE status = 'REVOKED') || ' revoked' FROM keys_api_key" 2>&1 || true)
kill -9 $svc; wait $svc 2>/dev/null || true; echo "   $(date +%T) service killed ($before just before)"
wait $driver || true
after=$(psql "SELECT count(*) || ' keys, ' || count(*) FILTER (WHERE status = 'REVOKED') || ' revoked' FROM keys_api_key" 2>&1 || true)
echo "   store after the kill: $after"
if pg "$bin/pg_amcheck -h 127.0.0.1 -p $pgport -U postgres -d postgres --heapallindexed --install-missing" > "$work/amcheck.log" 2>&1; then
  echo "   pg_amcheck: tables and indexes consistent"
else
  echo "   pg_amcheck FAILED:"; head -20 "$work/amcheck.log"; fail=1
fi
start_service
base="http://127.0.0.1:$port"
restarted=$(psql "SELECT count(*) || ' keys, ' || count(*) FILTER (WHERE status = 'REVOKED') || ' revoked' FROM keys_api_key")
echo "   restarted: $restarted"
[[ $restarted == "$after" ]] || { echo "   key rows changed across the restart"; fail=1; }
if java hardening/LoadDriver.java "$base" "$admin" 15 300 > "$work/fault2b.log" 2>&1; then echo "   load after restart passed"; else echo "   load after restart FAILED"; fail=1; fi
sed 's/^/   /' "$work/fault2b.log"
kill -TERM $svc; wait $svc || true; svc=""
if grep -E "SEVERE" "$work/service.log" > /dev/null; then echo "   (service log SEVERE lines, expected while PostgreSQL was down:)"; grep -c SEVERE "$work/service.log"; fi
[[ $fail == 0 ]] && { echo "FAULTS PASSED"; rm -rf "$work"; exit 0; }
echo "FAULTS FAILED; kept $work"; exit 1
