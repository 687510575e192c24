#!/usr/bin/env bash
# Debian packages the local cluster, the backup drill and the alert-rule check use.
set -euo pipefail
need=()
for pkg in nginx-light haproxy patroni etcd-server etcd-client pgbackrest prometheus redis-server \
  postgresql-15 jq bc iproute2 curl openssl; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "install as root: apt-get install ${need[*]}" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
# The Debian services these packages start are not used: the cluster runs its own copies.
