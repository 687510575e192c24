# Functions shared by the local cluster scripts (sourced after cluster.env).

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() {
  printf 'cluster: %s\n' "$*" >&2
  exit 1
}

in_ns() {
  local host=$1
  shift
  ip netns exec "$(ns_of "$host")" "$@"
}

# start HOST NAME CMD...: a process in HOST's namespace, its own session, pid in run/HOST-NAME.pid
start() {
  local host=$1 name=$2
  shift 2
  ip netns exec "$(ns_of "$host")" setsid "$@" \
    >>"$CLUSTER_DIR/log/$host-$name.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_DIR/run/$host-$name.pid"
}

# start_as USER HOST NAME CMD...: the same, as USER (PostgreSQL refuses to run as root)
start_as() {
  local user=$1 host=$2 name=$3
  shift 3
  ip netns exec "$(ns_of "$host")" setsid \
    env HOME="$CLUSTER_DIR/$host" $(pg_host_env "$host") \
    setpriv --reuid="$user" --regid="$user" --init-groups "$@" \
    >>"$CLUSTER_DIR/log/$host-$name.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_DIR/run/$host-$name.pid"
}

# start_env HOST NAME CMD...: an application process with the application's environment
start_env() {
  local host=$1 name=$2
  shift 2
  start "$host" "$name" env $(app_env "$host") "$@"
}

wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${seconds}s waiting for: $what"
    sleep 0.5
  done
  log "ok: $what"
}

http_ok() { curl -fsS -m 2 -o /dev/null "$1"; }

etcd_endpoints() {
  local out="" h
  for h in "${PG_HOSTS[@]}"; do out+="${out:+,}http://$(ip_of "$h"):2379"; done
  echo "$out"
}
etcd_healthy() { ETCDCTL_API=3 etcdctl --endpoints="$(etcd_endpoints)" endpoint health; }

# The role Patroni reports for a host ("primary", "replica"...), empty when it does not answer.
pg_role() { curl -fsS -m 1 "http://$(ip_of "$1"):8008/patroni" 2>/dev/null | jq -r '.role // empty' | sed 's/^master$/primary/'; }
pg_role_is() { [ "$(pg_role "$1")" = "$2" ]; }
primary_host() {
  local h
  for h in "${PG_HOSTS[@]}"; do
    if [ "$(pg_role "$h")" = primary ] || [ "$(pg_role "$h")" = master ]; then
      echo "$h"
      return 0
    fi
  done
  return 1
}

primary_endpoint_up() {
  PGPASSWORD=$PG_SUPERUSER_PASSWORD psql -qAt -h "$(ip_of lb)" -p "$PRIMARY_PORT" -U postgres \
    -d postgres -c "select not pg_is_in_recovery()" | grep -qx t
}

replicas_streaming() {
  local out
  out=$(PGPASSWORD=$PG_SUPERUSER_PASSWORD psql -qAt -h "$(ip_of lb)" -p "$PRIMARY_PORT" \
    -U postgres -d postgres -c \
    "select count(*) filter (where state = 'streaming'),
            count(*) filter (where sync_state = 'sync') from pg_stat_replication")
  [ "$out" = "2|1" ]
}

# Per-host environment of Patroni (and so of PostgreSQL's archive_command): which data
# directory pgBackRest archives from.
pg_host_env() {
  echo "PGBACKREST_CONFIG=$CLUSTER_DIR/pgbackrest/pgbackrest.conf" \
    "PGBACKREST_PG1_PATH=$CLUSTER_DIR/$1/data" \
    "PGBACKREST_PG1_SOCKET_PATH=$CLUSTER_DIR/$1/run" \
    "PGBACKREST_LOCK_PATH=$CLUSTER_DIR/$1/pgbackrest-lock" \
    "PGBACKREST_SPOOL_PATH=$CLUSTER_DIR/$1/pgbackrest-spool"
}

# backup_on_primary ARGS...: pgbackrest on the current primary's host, as postgres
backup_on_primary() {
  local host
  host=$(primary_host) || die "no primary"
  in_ns "$host" env $(pg_host_env "$host") \
    setpriv --reuid=postgres --regid=postgres --init-groups \
    pgbackrest --stanza=marquee "$@"
}

write_pgbackrest_conf() {
  mkdir -p "$CLUSTER_DIR/pgbackrest" "$CLUSTER_DIR/backup" "$CLUSTER_DIR/log/pgbackrest"
  # Retention: two full backups (and the incrementals and WAL they need); older ones expire
  # when a new backup finishes. The repository is encrypted: without the cipher pass it is noise.
  cat >"$CLUSTER_DIR/pgbackrest/pgbackrest.conf" <<EOF
[global]
repo1-path=$CLUSTER_DIR/backup
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$BACKUP_CIPHER_PASS
repo1-retention-full=2
repo1-retention-full-type=count
start-fast=y
compress-type=lz4
process-max=2
archive-async=y
archive-get-queue-max=1GiB
log-path=$CLUSTER_DIR/log/pgbackrest
log-level-console=warn
log-level-file=info

[marquee]
pg1-port=5432
pg1-user=postgres
EOF
  chown -R postgres:postgres "$CLUSTER_DIR/pgbackrest" "$CLUSTER_DIR/backup" \
    "$CLUSTER_DIR/log/pgbackrest"
  chmod 700 "$CLUSTER_DIR/backup"
  chmod 600 "$CLUSTER_DIR/pgbackrest/pgbackrest.conf"
}

write_patroni_conf() {
  local host=$1 ip etcd_hosts="" h
  ip=$(ip_of "$host")
  for h in "${PG_HOSTS[@]}"; do etcd_hosts+="${etcd_hosts:+, }$(ip_of "$h"):2379"; done
  mkdir -p "$CLUSTER_DIR/$host/run" "$CLUSTER_DIR/$host/pgbackrest-lock" \
    "$CLUSTER_DIR/$host/pgbackrest-spool"
  cat >"$CLUSTER_DIR/$host/patroni.yml" <<EOF
scope: marquee
namespace: /service/
name: $host
log:
  level: INFO
restapi:
  listen: $ip:8008
  connect_address: $ip:8008
etcd3:
  hosts: [$etcd_hosts]
bootstrap:
  dcs:
    # Short TTL and loop: a dead primary's leader key expires in <= 10 s.
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    # A commit returns only once a synchronous standby has it: a failover never loses a
    # committed booking. Patroni promotes only the synchronous standby.
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_connections: 200
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
        wal_keep_size: 256MB
        archive_mode: "on"
        archive_timeout: 1
        archive_command: pgbackrest --stanza=marquee archive-push %p
        shared_buffers: 256MB
        synchronous_commit: "on"
        hot_standby_feedback: "on"
  initdb:
    - encoding: UTF8
    - data-checksums
    - auth-local: trust
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 scram-sha-256
    - host replication replicator $SUBNET_PREFIX.0/24 scram-sha-256
    - host all all $SUBNET_PREFIX.0/24 scram-sha-256
postgresql:
  listen: $ip,127.0.0.1:5432
  connect_address: $ip:5432
  data_dir: $CLUSTER_DIR/$host/data
  bin_dir: $PG_BIN
  pgpass: $CLUSTER_DIR/$host/pgpass
  authentication:
    superuser:
      username: postgres
      password: $PG_SUPERUSER_PASSWORD
    replication:
      username: replicator
      password: $PG_REPLICATION_PASSWORD
    rewind:
      username: postgres
      password: $PG_SUPERUSER_PASSWORD
  parameters:
    unix_socket_directories: $CLUSTER_DIR/$host/run
  # A replica that fell behind the primary's WAL (a host back from a crash or a partition)
  # fetches the missing segments from the backup repository.
  recovery_conf:
    restore_command: pgbackrest --stanza=marquee archive-get %f "%p"
  basebackup:
    - checkpoint: fast
tags:
  nofailover: false
  noloadbalance: false
EOF
  chown -R postgres:postgres "$CLUSTER_DIR/$host"
  chmod 600 "$CLUSTER_DIR/$host/patroni.yml"
}

write_haproxy_conf() {
  local h servers_p="" servers_r=""
  for h in "${PG_HOSTS[@]}"; do
    servers_p+="  server $h $(ip_of "$h"):5432 maxconn 200 check port 8008"$'\n'
    servers_r+="  server $h $(ip_of "$h"):5432 maxconn 200 check port 8008"$'\n'
  done
  mkdir -p "$CLUSTER_DIR/lb"
  cat >"$CLUSTER_DIR/lb/haproxy.cfg" <<EOF
# The PostgreSQL endpoints: Patroni's REST API says which member is the primary (200 on
# /primary) and which are healthy replicas (200 on /replica). On a failover the old primary's
# sessions are cut at once (shutdown-sessions) so the API reconnects to the new one.
global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 1s
listen primary
  bind $(ip_of lb):$PRIMARY_PORT
  option httpchk OPTIONS /primary
  http-check expect status 200
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
$servers_p
listen replicas
  bind $(ip_of lb):$REPLICA_PORT
  balance roundrobin
  option httpchk OPTIONS /replica?lag=1MB
  http-check expect status 200
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
$servers_r
listen stats
  mode http
  bind $(ip_of lb):7000
  stats enable
  stats uri /
EOF
}

write_nginx_conf() {
  local d=$CLUSTER_DIR/lb/nginx h upstreams=""
  mkdir -p "$d"/{client_body,proxy,fastcgi,uwsgi,scgi}_temp
  chown nobody "$d"/*_temp
  for h in "${API_HOSTS[@]}"; do
    upstreams+="    server $(ip_of "$h"):8000 max_fails=1 fail_timeout=3s;"$'\n'
  done
  cat >"$d/nginx.conf" <<EOF
# HTTP load balancer. Open-source nginx checks upstreams passively: a refused or reset
# connection marks the host down for fail_timeout and the request goes to the next one (a
# request that reached a host and lost its answer is not replayed unless idempotent: the client
# retries, and the API's idempotency makes that safe).
worker_processes 1;
user nobody nogroup;
error_log $CLUSTER_DIR/log/lb-nginx-error.log warn;
pid $d/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/client_body_temp;
  proxy_temp_path $d/proxy_temp;
  fastcgi_temp_path $d/fastcgi_temp;
  uwsgi_temp_path $d/uwsgi_temp;
  scgi_temp_path $d/scgi_temp;
  upstream api {
$upstreams    keepalive 64;
    # shorter than uvicorn's 5 s idle timeout: nginx never reuses a connection the API is closing
    keepalive_timeout 4s;
  }
  server {
    listen $(ip_of lb):80 backlog=4096;
    location = /lb-health { return 200 "ok\n"; }
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_connect_timeout 1s;
      proxy_read_timeout 30s;
      proxy_next_upstream error timeout http_502 http_504;
      proxy_next_upstream_tries 2;
    }
  }
}
EOF
}

# The application's environment for HOST (one KEY=VALUE per word; values have no spaces).
app_env() {
  local host=${1:-api1} generous="1000000/minute"
  echo "DATABASE_URL=postgresql://marquee:$PG_APP_PASSWORD@$(ip_of lb):$PRIMARY_PORT/marquee?connect_timeout=2"
  echo "REPLICA_DATABASE_URL=postgresql://marquee:$PG_APP_PASSWORD@$(ip_of lb):$REPLICA_PORT/marquee?connect_timeout=2"
  echo "REPLICA_MAX_LAG_SECONDS=5"
  echo "REDIS_URL=redis://$(ip_of redis):6379/0"
  echo "TASK_MODE=celery"
  echo "PYTHONPATH=$APP_DIR"
  echo "MARQUEE_ENV=production"
  echo "JWT_SECRET=$JWT_SECRET"
  echo "ENCRYPTION_KEY=$ENCRYPTION_KEY"
  echo "TRUSTED_PROXIES=$(ip_of lb)"
  echo "PAYMENT_GATEWAY=offline"
  echo "VAR_DIR=$CLUSTER_DIR/$host"
  echo "NOTIFY_DIR=$CLUSTER_DIR/$host/mail"
  echo "PROMETHEUS_MULTIPROC_DIR=$CLUSTER_DIR/$host/metrics"
  # The drills send every customer from one address (the machine): per-address limits would
  # measure the limiter, not the cluster. Production keeps the defaults.
  local name
  for name in LOGIN_PER_IP LOGIN_PER_ACCOUNT HOLD_PER_IP HOLD_PER_USER CHECKOUT_PER_IP \
    CHECKOUT_PER_USER; do
    echo "RATE_LIMIT_$name=$generous"
  done
}

write_app_env() {
  app_env api1 | grep -v -e '^VAR_DIR' -e '^NOTIFY_DIR' -e '^PROMETHEUS' >"$CLUSTER_DIR/app.env"
  chmod 600 "$CLUSTER_DIR/app.env"
  local h
  for h in "${API_HOSTS[@]}" worker1; do
    mkdir -p "$CLUSTER_DIR/$h/metrics"
    rm -f "$CLUSTER_DIR/$h/metrics"/*
  done
}

# snapshot_code: copy the code the hosts run into $APP_DIR. Default: the last commit
# (`git archive HEAD`), what a fresh clone would run; CLUSTER_CODE=worktree copies the working
# tree as it is (tracked and untracked files, minus what .gitignore excludes) to rehearse
# changes not committed yet. The virtualenv stays the checkout's: PYTHONPATH puts the copy first.
# git on the checkout even when root does not own it (sudo make cluster)
rgit() { git -c safe.directory="$ROOT" -C "$ROOT" "$@"; }
snapshot_code() {
  local mode=${CLUSTER_CODE:-head}
  rm -rf "$APP_DIR"
  mkdir -p "$APP_DIR"
  if ! rgit rev-parse --verify -q HEAD >/dev/null 2>&1; then
    # not a git checkout (a source archive): the files as they are
    tar -C "$ROOT" --exclude=./var --exclude=./.venv --exclude=./.git \
      --exclude=./web/node_modules -cf - . | tar -C "$APP_DIR" -xf -
    echo "files of $ROOT" >"$APP_DIR/.cluster-code"
  elif [ "$mode" = worktree ]; then
    (cd "$ROOT" && rgit ls-files -z --cached --others --exclude-standard \
      | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
      | tar --null -T - -cf -) | tar -C "$APP_DIR" -xf -
    echo "working tree at $(rgit rev-parse --short HEAD)" >"$APP_DIR/.cluster-code"
  elif [ "$mode" = head ]; then
    rgit archive HEAD | tar -C "$APP_DIR" -xf -
    echo "commit $(rgit log -1 --format='%h %s' | cut -c1-72)" >"$APP_DIR/.cluster-code"
  else
    die "CLUSTER_CODE=$mode: head or worktree"
  fi
}
