#!/bin/sh
# container-labs redis entrypoint: options alone are passed to redis-server with our
# configuration; the data directory is handed to user redis, and redis-server runs as
# that user, in the foreground, as PID 1 (so `docker stop` reaches it).
set -e

# `docker run clabs/redis:7.0 --appendonly yes` -> redis-server with our config and that option
if [ "${1#-}" != "$1" ]; then
	set -- redis-server /etc/redis/clabs.conf "$@"
fi
# `redis-server` with options but no configuration file -> add ours first
if [ "$1" = redis-server ] && [ "${2%.conf}" = "${2:-}" ]; then
	shift
	set -- redis-server /etc/redis/clabs.conf "$@"
fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
	# a bind-mounted /data may belong to someone else: give it to redis
	find /data \! -user redis -exec chown redis:redis '{}' + 2>/dev/null || true
	exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
