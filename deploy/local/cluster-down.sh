#!/usr/bin/env bash
# Stop the local cluster: every process it started (by the pids it recorded and the pids left
# in its namespaces), its namespaces, veths and bridge, and every file under var/cluster/.
set -uo pipefail
source "$(dirname "$0")/cluster.env"
[ "$(id -u)" = 0 ] || { echo "cluster: run as root" >&2; exit 1; }

pids() {
  local f
  for f in "$CLUSTER_DIR"/run/*.pid; do [ -f "$f" ] && cat "$f"; done
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^${NS_PREFIX}"); do ip netns pids "$ns"; done
}
# TERM first (Patroni stops PostgreSQL cleanly), then KILL what is left.
for sig in TERM KILL; do
  for pid in $(pids | sort -u); do
    kill -s "$sig" -- "-$pid" 2>/dev/null || kill -s "$sig" "$pid" 2>/dev/null
  done
  for _ in $(seq 20); do [ -z "$(pids | xargs -r ps -o pid= -p 2>/dev/null)" ] && break; sleep 0.5; done
done
for ns in $(ip netns list | awk '{print $1}' | grep "^${NS_PREFIX}"); do ip netns del "$ns"; done
for host in "${HOSTS[@]}"; do ip link del "v-$host" 2>/dev/null; done
ip link del "$BRIDGE" 2>/dev/null
# /run/netns stays mounted after the last namespace is gone: unmount it when this cluster
# mounted it and no other namespace lives there.
if [ -f "$CLUSTER_DIR/run/netns-mount" ] && [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
  umount /run/netns 2>/dev/null && rmdir /run/netns 2>/dev/null
fi
rm -rf "$CLUSTER_DIR"
echo "cluster down: namespaces, processes and var/cluster removed"
