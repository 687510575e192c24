#!/usr/bin/env bash
# Faults and repairs on the local cluster (the cluster tests and the runbook drills use these).
#   cluster-ctl.sh kill HOST              SIGKILL every process of HOST (a crashed machine)
#   cluster-ctl.sh start HOST             start HOST's services again (api*, worker1, pg*, redis)
#   cluster-ctl.sh partition HOST | heal HOST   take HOST's link off the bridge / put it back
#   cluster-ctl.sh sweep                  expire due holds now (what beat does every 30 s)
#   cluster-ctl.sh primary                the host Patroni reports as primary
#   cluster-ctl.sh backup full|incr       a pgBackRest backup on the current primary
#   cluster-ctl.sh psql [ARGS]            psql on the primary endpoint as the application
set -euo pipefail
source "$(dirname "$0")/cluster.env"
source "$(dirname "$0")/cluster-lib.sh"
source "$CLUSTER_DIR/secrets.env"

cmd=${1:?command}
host=${2:-}
case "$cmd" in
  kill)
    for pid in $(ip netns pids "$(ns_of "$host")"); do kill -KILL "$pid" 2>/dev/null || true; done
    ;;
  start)
    case "$host" in
      api*) start_env "$host" api "$ROOT/.venv/bin/marquee" serve --host "$(ip_of "$host")" \
          --port 8000 --workers "${API_WORKERS:-2}"
        wait_for "$host ready" 60 http_ok "http://$(ip_of "$host"):8000/ready" ;;
      worker1) start_env worker1 worker "$ROOT/.venv/bin/marquee" worker run \
          --concurrency "${WORKER_CONCURRENCY:-4}" ;;
      redis) start redis redis redis-server --bind "$(ip_of redis)" --port 6379 \
          --protected-mode no --save "" --appendonly no --dir "$CLUSTER_DIR/redis"
        wait_for "redis" 10 in_ns redis redis-cli -h "$(ip_of redis)" ping ;;
      pg*) ip=$(ip_of "$host")
        start "$host" etcd etcd --name "$host" --data-dir "$CLUSTER_DIR/$host/etcd" \
          --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
          --listen-client-urls "http://$ip:2379,http://127.0.0.1:2379" \
          --advertise-client-urls "http://$ip:2379" --initial-cluster-state existing \
          --heartbeat-interval 100 --election-timeout 1000
        start_as postgres "$host" patroni patroni "$CLUSTER_DIR/$host/patroni.yml" ;;
      *) die "cannot start $host" ;;
    esac
    ;;
  partition) ip link set "v-$host" down ;;
  heal) ip link set "v-$host" up ;;
  primary) primary_host ;;
  sweep) in_ns worker1 env $(app_env worker1) "$ROOT/.venv/bin/marquee" worker sweep ;;
  backup)
    case "$host" in
      full) backup_on_primary backup --type=full ;;
      incr) backup_on_primary backup --type=incr ;;
      *) die "backup full|incr" ;;
    esac
    ;;
  info) backup_on_primary info ;;
  psql) shift
    PGPASSWORD=$PG_APP_PASSWORD psql -h "$(ip_of lb)" -p "$PRIMARY_PORT" -U marquee marquee "$@" ;;
  *) die "unknown command $cmd" ;;
esac
