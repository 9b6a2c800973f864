#!/bin/bash
# container-labs postgres entrypoint, written for clabs/postgres:15.
#
# Behaves like the official postgres image's entrypoint:
#  - first start (no PG_VERSION in $PGDATA): initdb with POSTGRES_USER (default
#    postgres) and POSTGRES_PASSWORD, allow password logins from any address
#    (scram-sha-256), start a temporary server listening on no TCP address, create
#    POSTGRES_DB (default: the user's name), run /docker-entrypoint-initdb.d/*.sql,
#    *.sql.gz and *.sh in name order, stop it;
#  - then run postgres in the foreground, listening on every address, as user postgres.
# Variables: POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), POSTGRES_USER, POSTGRES_DB,
# POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default scram-sha-256; trust allows
# starting without a password), PGDATA (default /var/lib/postgresql/data).
set -eo pipefail

export PGDATA=${PGDATA:-/var/lib/postgresql/data}
READY_MARK=/var/run/postgresql/clabs-init-done

log() { printf '%s [entrypoint] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
die() { log "error: $*" >&2; exit 1; }

# VAR or the content of the file VAR_FILE names (docker secrets)
file_env() {
	local name=$1 file="${1}_FILE"
	if [ -n "${!name:-}" ] && [ -n "${!file:-}" ]; then
		die "both $name and $file are set; use one"
	fi
	if [ -n "${!file:-}" ]; then
		[ -r "${!file}" ] || die "$file points to ${!file}, which cannot be read"
		export "$name=$(cat -- "${!file}")"
	fi
}

# `docker run clabs/postgres:15 -c max_connections=50` -> postgres with those options
if [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi

if [ "$1" != postgres ]; then
	exec "$@"
fi

rm -f "$READY_MARK" 2>/dev/null || true

# start as root: hand the data directory to postgres and come back as that user
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' + 2>/dev/null || true
	chmod 700 "$PGDATA" 2>/dev/null || true
	chmod 3777 /var/run/postgresql 2>/dev/null || true
	export HOME=/var/lib/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

initialise() {
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER
	file_env POSTGRES_DB
	file_env POSTGRES_INITDB_ARGS
	export POSTGRES_USER=${POSTGRES_USER:-postgres}
	export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
	local auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
		die "the database is not initialised and no superuser password is set: run with" \
			"-e POSTGRES_PASSWORD=... (or POSTGRES_PASSWORD_FILE, or POSTGRES_HOST_AUTH_METHOD=trust" \
			"to allow every connection without a password)"
	fi

	log "initialising the database cluster in $PGDATA"
	# shellcheck disable=SC2086
	local initdb=(initdb --username="$POSTGRES_USER" --auth-local=trust --auth-host="$auth" $POSTGRES_INITDB_ARGS)
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		"${initdb[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") >/dev/null || die "initdb failed"
	else
		"${initdb[@]}" >/dev/null || die "initdb failed"
	fi
	# remote clients: any address, with a password (or the method asked for)
	printf '\n# container-labs: connections from other containers\nhost all all all %s\n' "$auth" \
		>>"$PGDATA/pg_hba.conf"

	log "starting a temporary server (no TCP)"
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w -t 60 start >/dev/null \
		|| die "the temporary server did not start"

	local psql=(psql -X -q -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password)
	if [ "$POSTGRES_DB" != postgres ]; then
		local exists
		exists=$("${psql[@]}" --dbname postgres -tA --set db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")
		if [ -z "$exists" ]; then
			log "creating database $POSTGRES_DB"
			"${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
		fi
	fi

	local f
	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case "$f" in
		*.sh)
			if [ -x "$f" ]; then
				log "running $f"
				"$f"
			else
				log "sourcing $f"
				# shellcheck disable=SC1090
				. "$f"
			fi
			;;
		*.sql) log "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" || die "$f failed" ;;
		*.sql.gz) log "running $f"; gzip -dc "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" || die "$f failed" ;;
		*) log "ignoring $f" ;;
		esac
	done

	log "stopping the temporary server"
	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null || die "the temporary server did not stop"
	log "initialisation done"
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	initialise
fi

touch "$READY_MARK"
log "starting $* (listening on every address, port 5432)"
exec "$@"
