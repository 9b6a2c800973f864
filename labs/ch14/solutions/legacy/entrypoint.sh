#!/bin/sh
# entrypoint.sh of secrets-demo:1.0 (ch14.legacy): hand the swarm's secrets to a
# program that expects them in an environment variable and in its config file, then
# become that program.
set -e    # stop at the first failing command: no start with an empty password

# a secret as an environment variable (assign, then export: `export VAR=$(...)` would
# hide a failing cat from set -e, because its status is that of export)
DEMO_SECRET=$(cat /run/secrets/demo-secret)
export DEMO_SECRET

# a secret into the config file, in place of its placeholder; escape the characters
# that mean something in a sed replacement (\ / &), so any password works
db_password=$(cat /run/secrets/db-password)
escaped=$(printf '%s\n' "$db_password" | sed -e 's/[\/&]/\\&/g')
sed -i "s/<<db_password_value>>/$escaped/g" /app/whoami.conf

# exec: the program replaces this shell as PID 1, so it gets docker stop's signal
exec /app/whoami "$@"
