# Sourced by run-tests.sh and bench-directory.sh: starts a throwaway PostgreSQL server in a temp
# directory on a free port, stopped and removed when the calling script exits. Sets PGBIN, PGPORT,
# PGTMP and RUN_AS. PostgreSQL refuses to run as root: the server then runs as `postgres`.
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL introuvable (paquet Debian postgresql)." >&2
  exit 1
fi
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(runuser -u postgres --); fi

PGTMP="$(mktemp -d /tmp/appui-pg.XXXXXX)"
chmod 755 "$PGTMP"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGTMP"; fi
PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop_server() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap stop_server EXIT

"${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -o \
  "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
