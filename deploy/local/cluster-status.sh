#!/usr/bin/env bash
# One line per host of the local cluster: what runs there and whether it answers.
set -uo pipefail
source "$(dirname "$0")/cluster.env"
source "$(dirname "$0")/cluster-lib.sh"
[ -f "$CLUSTER_DIR/secrets.env" ] && source "$CLUSTER_DIR/secrets.env"

row() { printf '%-8s %-15s %-44s %s\n' "$1" "$2" "$3" "$4"; }
ok() { if "$@" >/dev/null 2>&1; then echo up; else echo DOWN; fi; }
alive() { [ -f "$CLUSTER_DIR/run/$1.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/run/$1.pid")" 2>/dev/null; }

row host address role health
row lb "$(ip_of lb)" "nginx :80 -> api1,api2" "$(ok http_ok "$LB_URL/lb-health") / api via lb: $(ok http_ok "$LB_URL/ready")"
row "" "" "haproxy :$PRIMARY_PORT primary, :$REPLICA_PORT replicas" "$(ok primary_endpoint_up)"
for h in "${API_HOSTS[@]}"; do
  row "$h" "$(ip_of "$h")" "marquee serve :8000" "$(ok http_ok "http://$(ip_of "$h"):8000/ready")"
done
row worker1 "$(ip_of worker1)" "marquee worker run (celery + beat)" "$(ok alive worker1-worker)"
for h in "${PG_HOSTS[@]}"; do
  info=$(curl -fsS -m 1 "http://$(ip_of "$h"):8008/patroni" 2>/dev/null \
    | jq -r '"\(.role) \(.state) timeline \(.timeline // "-")"' 2>/dev/null)
  sync=$(curl -fsS -m 1 "http://$(ip_of "$h"):8008/cluster" 2>/dev/null \
    | jq -r --arg h "$h" '.members[] | select(.name == $h) | .role' 2>/dev/null)
  etcd=$(ok env ETCDCTL_API=3 etcdctl --endpoints="http://$(ip_of "$h"):2379" --dial-timeout=1s endpoint health)
  row "$h" "$(ip_of "$h")" "patroni + postgresql 15, etcd member" "${info:-DOWN} (${sync:-?}); etcd $etcd"
done
row redis "$(ip_of redis)" "redis :6379" "$(ok in_ns redis redis-cli -h "$(ip_of redis)" ping)"
[ -f "$APP_DIR/.cluster-code" ] && echo "code: $(cat "$APP_DIR/.cluster-code")"
