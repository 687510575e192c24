#!/usr/bin/env bash
# Start Marquee as a cluster of hosts on this machine: every host is a Linux network namespace
# on one private bridge (no default route, nothing on the machine's real network).
#
#   lb       nginx (HTTP load balancer over api1/api2) + HAProxy (PostgreSQL primary :5000,
#            replicas :5001, chosen by Patroni's REST health checks)
#   api1/2   marquee serve (uvicorn, 2 worker processes each)
#   worker1  marquee worker run (Celery worker + beat)
#   pg1-3    PostgreSQL 15 under Patroni, an etcd member on each; synchronous replication
#   redis    Redis (rate limits, cache, Celery broker)
#
# Every file lives under var/cluster/; deploy/local/cluster-down.sh removes all of it.
# Run as root (namespaces, veths). Usage: deploy/local/cluster-up.sh
set -euo pipefail
source "$(dirname "$0")/cluster.env"
source "$(dirname "$0")/cluster-lib.sh"

[ "$(id -u)" = 0 ] || die "run as root (network namespaces)"
for bin in nginx haproxy patroni etcd etcdctl redis-server pgbackrest "$PG_BIN/postgres"; do
  command -v "$bin" >/dev/null || die "$bin is missing: deploy/local/install-packages.sh"
done
if ip netns list | grep -q "^${NS_PREFIX}"; then
  # Running again is harmless: a healthy cluster is left as it is.
  if [ -f "$CLUSTER_DIR/app.env" ] && http_ok "$LB_URL/ready"; then
    log "the cluster is running already (make cluster-down stops it)"
    "$(dirname "$0")/cluster-status.sh"
    exit 0
  fi
  die "a cluster is partly running (a failed start?): make cluster-down, then make cluster"
fi
# Links left by a start that died before its namespaces existed.
ip link del "$BRIDGE" 2>/dev/null || true
for host in "${HOSTS[@]}"; do ip link del "v-$host" 2>/dev/null || true; done
rm -rf "$CLUSTER_DIR"
trap 'rc=$?; [ $rc = 0 ] || echo "cluster: the start failed; logs under var/cluster/log/; make cluster-down removes what it started" >&2' EXIT

T0=$(date +%s.%N)
mkdir -p "$CLUSTER_DIR/run" "$CLUSTER_DIR/log"
chmod 755 "$CLUSTER_DIR"

# --- secrets (generated once per cluster, never committed) --------------------------------
SECRETS=$CLUSTER_DIR/secrets.env
if [ ! -f "$SECRETS" ]; then
  umask 077
  {
    echo "PG_SUPERUSER_PASSWORD=$(openssl rand -hex 16)"
    echo "PG_REPLICATION_PASSWORD=$(openssl rand -hex 16)"
    echo "PG_APP_PASSWORD=$(openssl rand -hex 16)"
    echo "JWT_SECRET=$(openssl rand -hex 32)"
    echo "ENCRYPTION_KEY=$(openssl rand -hex 32)"
    echo "BACKUP_CIPHER_PASS=$(openssl rand -hex 32)"
  } >"$SECRETS"
  umask 022
fi
source "$SECRETS"

# --- network: one bridge, one veth per host -------------------------------------------------
log "network: bridge $BRIDGE $SUBNET_PREFIX.0/24"
# The first `ip netns add` on a machine mounts /run/netns; cluster-down unmounts it again when
# it was this cluster's doing.
mountpoint -q /run/netns 2>/dev/null || touch "$CLUSTER_DIR/run/netns-mount"
ip link add "$BRIDGE" type bridge
ip addr add "$BRIDGE_IP/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
for host in "${HOSTS[@]}"; do
  ns=$(ns_of "$host")
  ip netns add "$ns"
  ip link add "v-$host" type veth peer name eth0 netns "$ns"
  ip link set "v-$host" master "$BRIDGE" up
  ip -n "$ns" addr add "$(ip_of "$host")/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done

# --- redis ---------------------------------------------------------------------------------
mkdir -p "$CLUSTER_DIR/redis"
start redis redis redis-server --bind "$(ip_of redis)" --port 6379 --protected-mode no \
  --save "" --appendonly no --dir "$CLUSTER_DIR/redis"

# --- etcd (one member on each pg host) -----------------------------------------------------
initial=""
for h in "${PG_HOSTS[@]}"; do initial+="${initial:+,}$h=http://$(ip_of "$h"):2380"; done
for h in "${PG_HOSTS[@]}"; do
  ip=$(ip_of "$h")
  mkdir -p "$CLUSTER_DIR/$h/etcd"
  start "$h" etcd etcd --name "$h" --data-dir "$CLUSTER_DIR/$h/etcd" \
    --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
    --listen-client-urls "http://$ip:2379,http://127.0.0.1:2379" \
    --advertise-client-urls "http://$ip:2379" \
    --initial-cluster "$initial" --initial-cluster-token marquee-etcd \
    --initial-cluster-state new --heartbeat-interval 100 --election-timeout 1000
done
wait_for "etcd quorum" 30 etcd_healthy

# --- pgBackRest configuration (repository shared by the pg hosts: S3 in production) ------
write_pgbackrest_conf
# --- Patroni + PostgreSQL ------------------------------------------------------------------
for h in "${PG_HOSTS[@]}"; do
  write_patroni_conf "$h"
  start_as postgres "$h" patroni patroni "$CLUSTER_DIR/$h/patroni.yml"
  # Let the first host bootstrap before the others ask etcd who leads.
  [ "$h" = pg1 ] && wait_for "pg1 bootstrapped as primary" 60 pg_role_is pg1 primary
done

# --- lb: HAProxy for PostgreSQL, nginx for HTTP --------------------------------------------
write_haproxy_conf
start lb haproxy haproxy -W -db -f "$CLUSTER_DIR/lb/haproxy.cfg"
wait_for "primary endpoint lb:$PRIMARY_PORT" 30 primary_endpoint_up

# Application role and database, through the primary endpoint as the app will connect.
PGPASSWORD=$PG_SUPERUSER_PASSWORD psql -qAt -h "$(ip_of lb)" -p "$PRIMARY_PORT" -U postgres \
  -d postgres -v ON_ERROR_STOP=1 <<SQL >/dev/null
CREATE ROLE marquee LOGIN PASSWORD '$PG_APP_PASSWORD';
CREATE DATABASE marquee OWNER marquee;
SQL

# Every replica streaming, one of them synchronous, before the app starts.
wait_for "two replicas streaming (one synchronous)" 90 replicas_streaming

# The backup stanza and a first full backup: WAL archiving is on from the first commit.
log "pgbackrest: stanza-create + first full backup on the primary"
backup_on_primary stanza-create
backup_on_primary check
backup_on_primary backup --type=full

# --- application ---------------------------------------------------------------------------
snapshot_code
log "code: $(cat "$APP_DIR/.cluster-code") (copied to var/cluster/app)"
write_app_env
log "migrations: marquee db migrate (on api1)"
in_ns api1 env $(app_env) "$ROOT/.venv/bin/marquee" db migrate >"$CLUSTER_DIR/log/migrate.log" 2>&1 \
  || die "migrations failed: $CLUSTER_DIR/log/migrate.log"
for h in "${API_HOSTS[@]}"; do
  mkdir -p "$CLUSTER_DIR/$h"
  start_env "$h" api "$ROOT/.venv/bin/marquee" serve --host "$(ip_of "$h")" --port 8000 \
    --workers "${API_WORKERS:-2}"
done
mkdir -p "$CLUSTER_DIR/worker1"
start_env worker1 worker "$ROOT/.venv/bin/marquee" worker run --concurrency "${WORKER_CONCURRENCY:-4}"
write_nginx_conf
start lb nginx nginx -p "$CLUSTER_DIR/lb/nginx" -c "$CLUSTER_DIR/lb/nginx/nginx.conf" \
  -g "daemon off;"
for h in "${API_HOSTS[@]}"; do
  wait_for "$h ready" 60 http_ok "http://$(ip_of "$h"):8000/ready"
done
wait_for "load balancer ready" 30 http_ok "$LB_URL/ready"

T1=$(date +%s.%N)
echo
"$(dirname "$0")/cluster-status.sh"
echo
printf 'cluster up in %.0f s\n' "$(echo "$T1 - $T0" | bc)"
echo "load balancer:    $LB_URL   (e.g. curl $LB_URL/ready)"
echo "primary (psql):   postgresql://marquee@$(ip_of lb):$PRIMARY_PORT/marquee  (password: var/cluster/secrets.env)"
echo "replicas (psql):  postgresql://marquee@$(ip_of lb):$REPLICA_PORT/marquee"
echo "logs:             var/cluster/log/"
echo "stop:             make cluster-down"
