#!/bin/bash
# container-labs mariadb entrypoint, written for clabs/mariadb:10.11.
#
# Behaves like the official mysql/mariadb images' entrypoint:
#  - first start (no database in /var/lib/mysql): initialise the data directory, start
#    a temporary server without networking, set the root password (root may connect
#    from any host), create MYSQL_DATABASE and MYSQL_USER if asked, run
#    /docker-entrypoint-initdb.d/*.sql, *.sql.gz and *.sh in name order, stop it;
#  - then run mariadbd in the foreground on 0.0.0.0:3306 as user mysql.
# Variables: MYSQL_ROOT_PASSWORD or MARIADB_ROOT_PASSWORD (or *_FILE), or
# MYSQL_ALLOW_EMPTY_PASSWORD=yes, or MYSQL_RANDOM_ROOT_PASSWORD=yes;
# MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD (MARIADB_* spellings too).
set -eo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
READY_MARK=/run/mysqld/clabs-init-done

log() { printf '%s [entrypoint] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
die() { log "error: $*" >&2; exit 1; }

# value of the first variable set among the names given; NAME_FILE reads a file (secrets)
env_value() {
	local name
	for name in "$@"; do
		if [ -n "${!name:-}" ]; then printf '%s' "${!name}"; return; fi
		local file="${name}_FILE"
		if [ -n "${!file:-}" ]; then
			[ -r "${!file}" ] || die "$file points to ${!file}, which cannot be read"
			cat -- "${!file}"
			return
		fi
	done
}

is_yes() { case "${1,,}" in yes | true | 1 | on) return 0 ;; *) return 1 ;; esac; }

# a string as a quoted SQL literal
sql_string() {
	local s=${1//\\/\\\\}
	s=${s//\'/\\\'}
	printf "'%s'" "$s"
}

# an identifier (database name) as a quoted SQL identifier
sql_ident() { printf '`%s`' "${1//\`/\`\`}"; }

# `docker run clabs/mariadb:10.11 --max-connections=50` -> mariadbd with those options
if [ "${1#-}" != "$1" ]; then
	set -- mariadbd "$@"
fi

if [ "$1" != mariadbd ] && [ "$1" != mysqld ]; then
	exec "$@"
fi

rm -f "$READY_MARK" 2>/dev/null || true

# start as root: hand the data directory to mysql and come back as that user
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$DATADIR" /run/mysqld
	find "$DATADIR" /run/mysqld \! -user mysql -exec chown mysql:mysql '{}' + 2>/dev/null || true
	export HOME=/run/mysqld
	exec setpriv --reuid=mysql --regid=mysql --init-groups "$BASH_SOURCE" "$@"
fi

client_init() { mariadb --no-defaults --protocol=socket --socket="$SOCKET" --user=root "$@"; }

initialise() {
	local root_password database user password
	root_password=$(env_value MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD)
	database=$(env_value MARIADB_DATABASE MYSQL_DATABASE)
	user=$(env_value MARIADB_USER MYSQL_USER)
	password=$(env_value MARIADB_PASSWORD MYSQL_PASSWORD)

	if [ -z "$root_password" ]; then
		if is_yes "${MARIADB_RANDOM_ROOT_PASSWORD:-${MYSQL_RANDOM_ROOT_PASSWORD:-}}"; then
			root_password=$(set +o pipefail; tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24)
			log "GENERATED ROOT PASSWORD: $root_password"
		elif ! is_yes "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-${MYSQL_ALLOW_EMPTY_PASSWORD:-}}"; then
			die "the database is not initialised and no root password is set: run with" \
				"-e MYSQL_ROOT_PASSWORD=... (or MARIADB_ROOT_PASSWORD, or MYSQL_ALLOW_EMPTY_PASSWORD=yes," \
				"or MYSQL_RANDOM_ROOT_PASSWORD=yes)"
		fi
	fi
	if [ "$user" = root ]; then
		die "MYSQL_USER=root is not allowed: root is set up by MYSQL_ROOT_PASSWORD"
	fi

	log "initialising the database in $DATADIR"
	mariadb-install-db --no-defaults --datadir="$DATADIR" --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve --rpm >/dev/null \
		|| die "mariadb-install-db failed"

	log "starting a temporary server (no networking)"
	"$@" --skip-networking --socket="$SOCKET" --skip-log-bin --innodb-buffer-pool-size=32M &
	local pid=$!
	local i
	for i in $(seq 60); do
		if client_init -e 'SELECT 1' >/dev/null 2>&1; then break; fi
		kill -0 "$pid" 2>/dev/null || die "the temporary server stopped during start-up (see above)"
		sleep 0.5
	done
	client_init -e 'SELECT 1' >/dev/null 2>&1 || die "the temporary server did not answer in 30 s"

	local sql="SET @@SESSION.SQL_LOG_BIN=0;
DROP USER IF EXISTS ''@'localhost', ''@'$(hostname)', 'root'@'$(hostname)', 'root'@'127.0.0.1', 'root'@'::1';
DROP DATABASE IF EXISTS test;
ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "$root_password");
CREATE USER 'root'@'%' IDENTIFIED BY $(sql_string "$root_password");
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
	if [ -n "$database" ]; then
		log "creating database $database"
		sql+="
CREATE DATABASE IF NOT EXISTS $(sql_ident "$database");"
	fi
	if [ -n "$user" ] && [ -n "$password" ]; then
		log "creating user $user"
		sql+="
CREATE USER $(sql_string "$user")@'%' IDENTIFIED BY $(sql_string "$password");"
		if [ -n "$database" ]; then
			sql+="
GRANT ALL ON $(sql_ident "$database").* TO $(sql_string "$user")@'%';"
		fi
	fi
	client_init <<<"$sql" || die "setting up root and the database failed"

	# from here on root has its password
	client() {
		MYSQL_PWD=$root_password mariadb --no-defaults --protocol=socket --socket="$SOCKET" \
			--user=root ${database:+--database="$database"} "$@"
	}

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
		*.sql) log "running $f"; client <"$f" || die "$f failed" ;;
		*.sql.gz) log "running $f"; gzip -dc "$f" | client || die "$f failed" ;;
		*) log "ignoring $f" ;;
		esac
	done

	log "stopping the temporary server"
	kill -TERM "$pid"
	wait "$pid" || die "the temporary server did not stop cleanly"
	log "initialisation done"
}

if [ ! -d "$DATADIR/mysql" ]; then
	initialise "$@"
fi

touch "$READY_MARK"
log "starting $* on 0.0.0.0:3306"
exec "$@"
