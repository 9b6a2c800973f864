#!/bin/sh
# container-labs mariadb health check, for HEALTHCHECK or a compose healthcheck:
#   healthcheck: {test: ["CMD", "healthcheck.sh"], interval: 5s, retries: 20}
# Healthy only once the entrypoint has finished initialising (it writes the marker
# just before it starts the real server) and that server answers on TCP 3306. The
# temporary server used during initialisation has no networking, so it never counts.
# Arguments (such as the official image's --connect --innodb_initialized) are accepted
# and ignored.
[ -e /run/mysqld/clabs-init-done ] || { echo "initialisation not finished"; exit 1; }
# `ping` succeeds as soon as the server answers, even when it refuses this user
if out=$(mariadb-admin --no-defaults --protocol=tcp --host=127.0.0.1 --port=3306 \
	--user=healthcheck --connect-timeout=2 ping 2>&1); then
	echo "mariadbd answers on 3306"
	exit 0
fi
echo "$out"
exit 1
