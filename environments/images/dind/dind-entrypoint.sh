#!/bin/sh
# container-labs dind entrypoint: prepare a privileged container to run dockerd, then
# run it in the foreground (or run the command given, once dockerd is prepared).
#   docker run -d --privileged --name node1 clabs/dind:20.10
#   docker exec node1 docker info
# DOCKERD_TCP=1 also serves the Docker API, without TLS, on tcp://0.0.0.0:2375 (only
# for a lab network you trust). Extra arguments starting with - go to dockerd.
set -e

say() { echo "[dind] $*" >&2; }

# dockerd needs CAP_SYS_ADMIN (bit 21) and friends: --privileged gives them all
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
if [ $(( (0x$capeff >> 21) & 1 )) -ne 1 ]; then
	say "this container is not privileged: run it with docker run --privileged"
	say "(where --privileged is refused, see the comment below for the alternative flags)"
	exit 1
fi

# Some engines cannot grant every capability, and refuse --privileged ("unable to apply
# caps"). Near-privileged flags work there instead:
#   --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined
#   --security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm'
# but /sys and the cgroup v1 hierarchies are then read-only: make them writable.
if [ ! -w /sys ]; then
	mount -o remount,rw /sys 2>/dev/null || say "warning: /sys stays read-only"
fi
if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
	for hierarchy in /sys/fs/cgroup /sys/fs/cgroup/*; do
		if mountpoint -q "$hierarchy" && [ ! -w "$hierarchy" ]; then
			mount -o remount,bind,rw "$hierarchy" 2>/dev/null || say "warning: $hierarchy stays read-only"
		fi
	done
fi

# securityfs for AppArmor/seccomp inspection, if the kernel has it and it is not there yet
if [ -d /sys/kernel/security ] && ! mountpoint -q /sys/kernel/security; then
	mount -t securityfs none /sys/kernel/security 2>/dev/null || true
fi

# cgroup v2: move ourselves out of the root cgroup, then let the children use every
# controller (dockerd puts containers in sub-cgroups)
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	mkdir -p /sys/fs/cgroup/init
	xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
	sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers \
		>/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
fi

# leftovers of a previous run of this container (docker restart)
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid /var/run/docker.sock

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- dockerd --host=unix:///var/run/docker.sock "$@"
	if [ "${DOCKERD_TCP:-0}" = 1 ]; then
		set -- "$@" --host=tcp://0.0.0.0:2375 --tls=false
	fi
fi
say "starting: $*"
exec "$@"
