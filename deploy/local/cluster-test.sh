#!/usr/bin/env bash
# The fault drills (tests/cluster) against the running local cluster, each mid flash-sale through
# the load balancer. They run from the cluster's copy of the code (var/cluster/app): the drill
# driver writes shows and customers through the same store layer as the hosts, on their schema.
# Usage: deploy/local/cluster-test.sh [pytest args, e.g. -k primary]
set -euo pipefail
source "$(dirname "$0")/cluster.env"
source "$(dirname "$0")/cluster-lib.sh"
[ "$(id -u)" = 0 ] || die "run as root (the drills inject faults into network namespaces)"
[ -f "$CLUSTER_DIR/app.env" ] && [ -d "$APP_DIR/tests/cluster" ] || die "no cluster: make cluster first"
http_ok "$LB_URL/ready" || die "the cluster does not answer through its load balancer: make cluster-status"
log "drills on: $(cat "$APP_DIR/.cluster-code")"
cd "$APP_DIR"
export MARQUEE_CLUSTER_TESTS=1 MARQUEE_CLUSTER_DIR=$CLUSTER_DIR
export MARQUEE_CLUSTER_CTL=$ROOT/deploy/local/cluster-ctl.sh
exec "$ROOT/.venv/bin/python" -m pytest tests/cluster -v -s -p no:cacheprovider "$@"
