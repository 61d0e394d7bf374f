# Shared by keys-jmh/http-bench.sh and keys-jmh/http-bench-redis.sh (sourced, not run): messages, durations, Debian
# packages, the example jar and an admin key. The sourcing script sets NAME (for messages) and ROOT (the repository).

die() { echo "$NAME: $*" >&2; exit 1; }

seconds() { # wrk duration (10s, 2m, 1h or a bare number of seconds) -> seconds
    local d=$1
    case $d in *s) echo "${d%s}" ;; *m) echo $(( ${d%m} * 60 )) ;; *h) echo $(( ${d%h} * 3600 )) ;; *) echo "$d" ;; esac
}

SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
need_package() { # command, Debian package
    command -v "$1" >/dev/null && return
    echo "$NAME: installing $2 from Debian's packages" >&2
    $SUDO apt-get install -y -q "$2" >/dev/null || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "$2" >/dev/null; } \
        || die "cannot install $2"
}

need_example_jar() { # path of the example's jar: built when missing (or with REBUILD=1)
    command -v java >/dev/null || die "java (17+) is needed"
    if [ ! -f "$1" ] || [ "${REBUILD:-0}" = 1 ]; then
        echo "$NAME: building $1" >&2
        (cd "$ROOT" && timeout 900 mvn -B -q -DskipTests -pl examples -am package) || die "build failed"
    fi
}

new_admin_key() { # jar, scratch directory -> a well-formed admin key on stdout, made by the library itself
    cat > "$2/NewKey.java" <<'JAVA'
public class NewKey {
    public static void main(String[] args) {
        System.out.println(new dev.keys.core.format.KeyFormat().generate("bench_admin"));
    }
}
JAVA
    java -cp "$1" "$2/NewKey.java"
}
