#!/usr/bin/env bash
# Debian packages the local cluster, the backup drill and the alert-rule check use. Installs
# what is missing (as root, apt-get); otherwise says what to install. Running it again is a no-op.
set -euo pipefail
need=()
for pkg in nginx-light haproxy patroni etcd-server etcd-client pgbackrest prometheus redis-server \
  postgresql-15 jq bc iproute2 curl openssl tar git; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "the local cluster needs Debian packages; as root: apt-get install ${need[*]}" >&2
  exit 1
fi
echo "installing: ${need[*]}"
# The cluster runs its own copies of these servers inside its namespaces: the services the
# packages would start on this machine (nginx :80, etcd :2379, Redis :6379, PostgreSQL :5432,
# Prometheus :9090) must not start. policy-rc.d refuses them while apt runs (kept if the
# machine has its own).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -o DPkg::Lock::Timeout=300 -y -qq --no-install-recommends "$@"; }
# A stale or missing package list: update once and try again.
apt_get install "${need[@]}" || { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt_get install "${need[@]}"; }
for bin in nginx haproxy patroni etcd etcdctl pgbackrest promtool redis-server; do
  command -v "$bin" >/dev/null || { echo "$bin is still missing after apt-get install" >&2; exit 1; }
done
