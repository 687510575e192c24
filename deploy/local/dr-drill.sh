#!/usr/bin/env bash
# Disaster-recovery drill on the local cluster: lose every database host, restore the latest
# pgBackRest backup plus the archived WAL onto a new primary, let the API find it, verify.
#
#   deploy/local/dr-drill.sh                    # latest: backup + all archived WAL
#   DR_TARGET="2026-12-04 18:30:00+00" deploy/local/dr-drill.sh   # point in time instead
#   DR_BOOKINGS=1000000 deploy/local/dr-drill.sh                  # generate that many first
#
# Steps: (1) make sure the database holds DR_BOOKINGS generated bookings (bench/
# generate_bookings.py) and take an incremental backup; (2) a probe commits a timestamped row
# every 100 ms; (3) write down every confirmed booking and succeeded payment (count + digest);
# (4) destroy: SIGKILL every process of pg1, pg2, pg3 (PostgreSQL, Patroni, etcd) and delete their
# data and etcd directories; (5) new etcd, pgbackrest restore onto pg1, recovery to the end of
# the archive (or DR_TARGET), Patroni takes the recovered primary over; (6) the API answers
# through the load balancer; (7) verify the manifest, 0 oversold; print recovery time and RPO.
# Replicas pg2/pg3 are rebuilt by Patroni afterwards (not part of the recovery time).
set -euo pipefail
source "$(dirname "$0")/cluster.env"
source "$(dirname "$0")/cluster-lib.sh"
[ "$(id -u)" = 0 ] || die "run as root"
[ -f "$CLUSTER_DIR/secrets.env" ] || die "no cluster (make cluster)"
source "$CLUSTER_DIR/secrets.env"
PY=$ROOT/.venv/bin/python
DR_BOOKINGS=${DR_BOOKINGS:-1000000}
DR_TARGET=${DR_TARGET:-}
OUT=$CLUSTER_DIR/dr
mkdir -p "$OUT"

psql_primary() {
  PGPASSWORD=$PG_APP_PASSWORD psql -qAtX -h "$(ip_of lb)" -p "$PRIMARY_PORT" -U marquee \
    -d marquee -v ON_ERROR_STOP=1 "$@"
}

# --- 1. data and a backup ----------------------------------------------------------------------
have=$(psql_primary -c "select count(*) from bookings where id like 'bkg_gen_%'")
if ((have < DR_BOOKINGS)); then
  log "generating $((DR_BOOKINGS - have)) bookings (bench/generate_bookings.py)"
  # the generator writes through the store layer: the cluster's copy of the code, which matches
  # its schema
  (cd "$APP_DIR" && MARQUEE_CLUSTER_DIR=$CLUSTER_DIR "$PY" bench/generate_bookings.py \
    --bookings $((DR_BOOKINGS - have))) \
    | tee "$OUT/generate.log" | tail -3
fi
psql_primary -c "select pg_size_pretty(pg_database_size('marquee'))" | sed 's/^/database size: /'
log "incremental backup"
t=$(date +%s.%N)
backup_on_primary backup --type=incr
log "backup took $(printf '%.1f' "$(echo "$(date +%s.%N) - $t" | bc)") s"

# --- 2. the probe: a committed row every 100 ms -----------------------------------------------
psql_primary -c "create schema if not exists drill;
  create table if not exists drill.probe (n bigserial primary key, at timestamptz not null)"
(
  while true; do
    psql_primary -c "insert into drill.probe (at) values (clock_timestamp()) returning at" \
      >>"$OUT/probe.log" 2>/dev/null || true
    sleep 0.1
  done
) &
PROBE=$!
sleep 4
PITR_MARK=$(psql_primary -c "select clock_timestamp()")
sleep 3

# --- 3. the manifest of what must survive ------------------------------------------------------
manifest() {
  psql_primary -F ' ' -c "
    select (select count(*) from bookings where status = 'confirmed'),
           (select md5(string_agg(id, ',' order by id)) from bookings where status = 'confirmed'),
           (select count(*) from payments where status = 'succeeded'),
           (select md5(string_agg(id, ',' order by id)) from payments where status = 'succeeded')"
}
log "manifest of confirmed bookings and succeeded payments"
BEFORE=$(manifest)
echo "$BEFORE" >"$OUT/manifest-before"
sleep 2

# --- 4. destroy --------------------------------------------------------------------------------
log "DESTROY: killing pg1, pg2, pg3 (postgres, patroni, etcd) and deleting their data"
T_DESTROY=$(date +%s.%N)
for h in "${PG_HOSTS[@]}"; do
  for pid in $(ip netns pids "$(ns_of "$h")"); do kill -KILL "$pid" 2>/dev/null || true; done
done
sleep 0.5
kill "$PROBE" 2>/dev/null || true
wait "$PROBE" 2>/dev/null || true
LAST_COMMITTED=$(grep -E '^[0-9]{4}-' "$OUT/probe.log" | tail -1)
for h in "${PG_HOSTS[@]}"; do rm -rf "$CLUSTER_DIR/$h/data" "$CLUSTER_DIR/$h/etcd"; done

# --- 5. restore --------------------------------------------------------------------------------
log "new etcd cluster"
initial=""
for h in "${PG_HOSTS[@]}"; do initial+="${initial:+,}$h=http://$(ip_of "$h"):2380"; done
for h in "${PG_HOSTS[@]}"; do
  ip=$(ip_of "$h")
  mkdir -p "$CLUSTER_DIR/$h/etcd"
  start "$h" etcd etcd --name "$h" --data-dir "$CLUSTER_DIR/$h/etcd" \
    --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
    --listen-client-urls "http://$ip:2379,http://127.0.0.1:2379" \
    --advertise-client-urls "http://$ip:2379" --initial-cluster "$initial" \
    --initial-cluster-token "marquee-etcd-$(date +%s)" --initial-cluster-state new \
    --heartbeat-interval 100 --election-timeout 1000
done
wait_for "etcd quorum" 30 etcd_healthy

target_args=()
if [ -n "$DR_TARGET" ]; then
  target_args=(--type=time "--target=$DR_TARGET" --target-action=promote)
  log "pgbackrest restore onto pg1: point in time $DR_TARGET"
else
  log "pgbackrest restore onto pg1: latest backup + all archived WAL"
fi
install -d -o postgres -g postgres -m 700 "$CLUSTER_DIR/pg1/data"
T_RESTORE=$(date +%s.%N)
in_ns pg1 env $(pg_host_env pg1) setpriv --reuid=postgres --regid=postgres --init-groups \
  pgbackrest --stanza=marquee --process-max=2 "${target_args[@]}" restore
T_RESTORED=$(date +%s.%N)
# Recovery (WAL replay, promotion) under plain pg_ctl; then Patroni takes the running primary
# over: an empty etcd and a data directory that is not in recovery make it the leader. The
# backup may come from another host: its postgresql.conf names that host's paths, overridden.
log "WAL replay and promotion"
in_ns pg1 env $(pg_host_env pg1) setpriv --reuid=postgres --regid=postgres --init-groups \
  "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg1/data" -w -t 600 \
  -o "-c listen_addresses=127.0.0.1 -c synchronous_standby_names= -c unix_socket_directories=$CLUSTER_DIR/pg1/run -c hba_file=$CLUSTER_DIR/pg1/data/pg_hba.conf -c ident_file=$CLUSTER_DIR/pg1/data/pg_ident.conf" \
  -l "$CLUSTER_DIR/pg1/recovery.log" start >/dev/null
until [ "$(in_ns pg1 psql -qAtX -h "$CLUSTER_DIR/pg1/run" -U postgres -c 'select pg_is_in_recovery()' 2>/dev/null)" = f ]; do
  sleep 0.2
done
T_PROMOTED=$(date +%s.%N)
in_ns pg1 setpriv --reuid=postgres --regid=postgres --init-groups \
  "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg1/data" -w -m fast stop >/dev/null
start_as postgres pg1 patroni patroni "$CLUSTER_DIR/pg1/patroni.yml"
wait_for "pg1 primary under Patroni" 120 pg_role_is pg1 primary

# --- 6. the API on the new primary -----------------------------------------------------------
wait_for "primary endpoint" 60 primary_endpoint_up
wait_for "API ready through the load balancer" 120 http_ok "$LB_URL/ready"
T_UP=$(date +%s.%N)

# --- 7. verify --------------------------------------------------------------------------------
AFTER=$(manifest)
LAST_RESTORED=$(psql_primary -c "select max(at) from drill.probe")
OVERSOLD=$(psql_primary -c "select count(*) from (select 1 from booking_seats where active
  group by show_id, seat_id having count(*) > 1) x")
MISMATCH=$(psql_primary -c "select abs((select count(*) from show_seats where status = 'sold')
  - (select coalesce(sum(json_array_length(tickets::json)), 0) from bookings
     where status = 'confirmed'))")
RPO=$(psql_primary -c "select round(extract(epoch from (timestamptz '$LAST_COMMITTED'
  - timestamptz '$LAST_RESTORED'))::numeric, 2)")
log "replicas: Patroni rebuilds pg2 and pg3 from the new primary (after the recovery time)"
for h in pg2 pg3; do start_as postgres "$h" patroni patroni "$CLUSTER_DIR/$h/patroni.yml"; done

echo
echo "=== disaster-recovery drill"
echo "bookings in the database:     $(psql_primary -c "select count(*) from bookings")"
echo "database size:                $(psql_primary -c "select pg_size_pretty(pg_database_size('marquee'))")"
echo "manifest before (bookings, digest, payments, digest): $BEFORE"
echo "manifest after:                                       $AFTER"
printf 'restore (files) took:         %.1f s\n' "$(echo "$T_RESTORED - $T_RESTORE" | bc)"
printf 'WAL replay + promotion took:  %.1f s\n' "$(echo "$T_PROMOTED - $T_RESTORED" | bc)"
printf 'RECOVERY TIME (destroy -> API ready on the restored primary): %.1f s\n' \
  "$(echo "$T_UP - $T_DESTROY" | bc)"
echo "last probe row committed:     $LAST_COMMITTED"
echo "last probe row restored:      $LAST_RESTORED"
status=0
if [ -n "$DR_TARGET" ]; then
  echo "point in time requested:      $DR_TARGET"
  ok=$(psql_primary -c "select max(at) <= timestamptz '$DR_TARGET' from drill.probe")
  [ "$ok" = t ] || { echo "FAIL: rows after the target were restored"; status=1; }
else
  echo "RPO (committed but not restored): ${RPO} s"
  # Every booking confirmed before the manifest is present, and nothing else changed since.
  [ "$BEFORE" = "$AFTER" ] || { echo "FAIL: bookings or payments differ"; status=1; }
fi
echo "oversold seats: $OVERSOLD   sold vs confirmed seats mismatch: $MISMATCH"
[ "$OVERSOLD" = 0 ] && [ "$MISMATCH" = 0 ] || status=1
echo "PITR mark for a point-in-time drill: DR_TARGET=\"$PITR_MARK\""
{
  echo "recovery_s=$(echo "$T_UP - $T_DESTROY" | bc)"
  echo "rpo_s=$RPO"
  echo "pitr_mark=$PITR_MARK"
} >"$OUT/result"
[ $status = 0 ] && echo "drill: PASSED" || echo "drill: FAILED"
exit $status
