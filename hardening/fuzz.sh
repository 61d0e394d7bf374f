#!/usr/bin/env bash
# Fuzzes each @FuzzTest for real (Jazzer, libFuzzer underneath), one after the other, each for the maxDuration of its
# annotation (30 s; Jazzer 0.24 has no supported command-line override, so raise maxDuration for longer runs).
# Findings land in src/test/resources/<package>/<Class>Inputs/<method>/ and then run in the normal suite;
# the growing corpus stays in <module>/.cifuzz-corpus/ (not committed).
#   hardening/fuzz.sh                         # every target
#   hardening/fuzz.sh 'RouteTableFuzzTest#*'  # one class (a surefire -Dtest pattern)
set -uo pipefail
cd "$(dirname "$0")/.."
core="KeyFormatFuzzTest#check KeyFormatFuzzTest#typo PermissionQueryFuzzTest#arbitraryText PermissionQueryFuzzTest#tokens
RouteTableFuzzTest#arbitraryPath RouteTableFuzzTest#pieces PolicyLoaderFuzzTest#arbitraryJson PolicyLoaderFuzzTest#fragments
VerifierFuzzTest#verify VerifierFuzzTest#wellFormed JwtVerifierFuzzTest#arbitraryText JwtVerifierFuzzTest#mutated JwtVerifierFuzzTest#signedClaims"
servlet="AdminJsonFuzzTest#readers AdminJsonFuzzTest#createBody AdminJsonFuzzTest#patchBody"
targets=${1:-}
fail=0
run() { # module test
  echo "== fuzzing $2"
  JAZZER_FUZZ=1 mvn -B -o -q -pl "$1" -am test -Dtest="$2" -Dsurefire.failIfNoSpecifiedTests=false > "target-fuzz-${2//[#*]/_}.log" 2>&1 \
    && echo "   ok" || { echo "   FINDING or failure: see target-fuzz-${2//[#*]/_}.log"; fail=1; }
}
for t in $core; do [[ -z $targets || $t == $targets ]] && run keys-core "$t"; done
for t in $servlet; do [[ -z $targets || $t == $targets ]] && run keys-servlet-filter "$t"; done
exit $fail
