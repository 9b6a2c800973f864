#!/bin/sh
# container-labs postgres health check, for HEALTHCHECK or a compose healthcheck:
#   healthcheck: {test: ["CMD", "healthcheck.sh"], interval: 5s, retries: 20}
# Healthy only once the entrypoint has finished initialising (it writes the marker
# just before it starts the real server) and that server accepts connections on TCP
# 5432. The temporary server used during initialisation listens on no TCP address.
[ -e /var/run/postgresql/clabs-init-done ] || { echo "initialisation not finished"; exit 1; }
exec pg_isready --quiet --host=127.0.0.1 --port=5432 --timeout=3
