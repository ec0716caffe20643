#!/usr/bin/env bash
# A single-node Ceph cluster with the S3 gateway (radosgw): one monitor, one OSD, no manager, no cephx.
# The tests use it as their second real S3 store; docker-compose.yml runs it as the stack's S3 server.
#   ceph-rgw.sh start DIR MON_PORT RGW_PORT ACCESS_KEY SECRET_KEY [BUCKET]
#       a fresh cluster in DIR (anything there is wiped), daemons in the background -> S3 at http://RGW_BIND:RGW_PORT
#   ceph-rgw.sh run DIR MON_PORT RGW_PORT ACCESS_KEY SECRET_KEY BUCKET
#       for a container: creates the cluster on first start, restarts it from DIR afterwards, creates BUCKET if
#       missing, writes DIR/ready, then stays in the foreground until SIGTERM stops the daemons
#   ceph-rgw.sh stop DIR                 -> stops what start/run started (by PID)
# Environment: RGW_BIND (default 127.0.0.1), RGW_TLS_PORT (also serve https there, with a self-signed certificate
# for localhost and 127.0.0.1 made in DIR/tls: DIR/tls/cert.pem is what clients trust), CEPH_OBJECTSTORE = memstore (default: RAM, nothing survives) or
# bluestore (a sparse file in DIR/osd, survives restarts; what `run` should use), CEPH_STORE_BYTES (default 4 GiB
# for memstore, 20 GiB for bluestore's file).
set -euo pipefail

cmd=${1:?start|run|stop}
dir=$(realpath -m "${2:?data directory}")
bind=${RGW_BIND:-127.0.0.1}
objectstore=${CEPH_OBJECTSTORE:-memstore}

stop() {
  for name in client.rgw osd.0 mon.a; do
    pidfile="$dir/run/$name.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  rm -f "$dir/ready"
}

# Polls a command until it succeeds, at most $1 tenths of a second.
await() {
  local tries=$1; shift
  for _ in $(seq 1 "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "ceph-rgw: timed out waiting for: $*" >&2
  return 1
}

check_tools() {
  for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl; do
    command -v "$tool" >/dev/null || { echo "ceph-rgw: $tool is not installed (apt-get install ceph-mon ceph-osd radosgw)" >&2; exit 3; }
  done
}

# The gateway's listeners: http, and https on RGW_TLS_PORT (the certificate is made on first use).
frontends() {
  local rgw_port=$1
  if [ -z "${RGW_TLS_PORT:-}" ]; then
    echo "beast endpoint=$bind:$rgw_port"
    return
  fi
  if [ ! -f "$dir/tls/cert.pem" ]; then
    command -v openssl >/dev/null || { echo "ceph-rgw: RGW_TLS_PORT needs openssl (apt-get install openssl)" >&2; exit 3; }
    mkdir -p "$dir/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" 2>/dev/null
  fi
  echo "beast endpoint=$bind:$rgw_port ssl_endpoint=$bind:$RGW_TLS_PORT ssl_certificate=$dir/tls/cert.pem ssl_private_key=$dir/tls/key.pem"
}

write_conf() {
  local mon_port=$1 rgw_port=$2 fsid=$3 store
  if [ "$objectstore" = bluestore ]; then
    store="osd_objectstore = bluestore
bluestore_block_path = $dir/osd-block
bluestore_block_create = true
bluestore_block_size = ${CEPH_STORE_BYTES:-21474836480}
bluestore_block_db_create = false
bluestore_block_wal_create = false"
  else
    store="osd_objectstore = memstore
memstore_device_bytes = ${CEPH_STORE_BYTES:-4294967296}"
  fi
  cat > "$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon_host = v1:127.0.0.1:$mon_port
public_network = 127.0.0.0/8
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_mon_client_mode = crc secure
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
paxos_propose_interval = 0.1
$store
osd_crush_chooseleaf_type = 0
# The OSD's own crush update at start is refused without cephx (its command carries no fsid): done below instead.
osd_crush_update_on_start = false
osd_class_update_on_start = false
run_dir = $dir/run
log_file = $dir/log/\$name.log
admin_socket = $dir/run/\$name.asok
pid_file = $dir/run/\$name.pid
keyring = /dev/null
[mon.a]
mon_data = $dir/mon
[osd.0]
osd_data = $dir/osd
[client.rgw]
rgw_frontends = $(frontends "$rgw_port")
rgw_dns_name = 127.0.0.1
rgw_crypt_s3_kms_backend = testing
rgw_crypt_s3_kms_encryption_keys = gatehouse-test-key=$(head -c 32 /dev/urandom | base64) gatehouse-other-key=$(head -c 32 /dev/urandom | base64)
rgw_crypt_require_ssl = false
rgw_enable_usage_log = false
CONF
}

# A new cluster in an empty DIR: monitor store, OSD, S3 user.
create() {
  local mon_port=$1 rgw_port=$2 access=$3 secret=$4 conf="$dir/ceph.conf"
  # Emptied, not removed: in a container DIR is the volume's mount point.
  mkdir -p "$dir"
  find "$dir" -mindepth 1 -delete
  mkdir -p "$dir"/{mon,osd,run,log}
  local fsid; fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$mon_port" "$rgw_port" "$fsid"
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$dir/run/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/run/monmap"
  ceph-mon -c "$conf" -i a
  await 300 ceph -c "$conf" --connect-timeout 2 mon stat
  local osd_uuid; osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  # The monitor may still refuse a command for a moment after it answers (a fresh map being proposed): these are
  # retried, bounded, rather than ending the start on the first refusal (seen here under load).
  await 300 ceph -c "$conf" osd new "$osd_uuid" 0
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>/dev/null
  await 300 ceph -c "$conf" osd crush add osd.0 1 root=default host=localhost
  ceph-osd -c "$conf" -i 0 2>/dev/null
  await 300 sh -c "ceph -c '$conf' osd stat | grep -q '1 up'"
  launch_gateway "$rgw_port"
  radosgw-admin -c "$conf" user create --uid=gatehouse --display-name=Gatehouse \
    --access-key="$access" --secret-key="$secret" >/dev/null
  # Only a cluster that got this far is one to restart; a first start cut short is created again.
  touch "$dir/created"
}

# An existing cluster (bluestore keeps its data in DIR): the daemons again, nothing re-created.
restart() {
  local rgw_port=$1 conf="$dir/ceph.conf"
  mkdir -p "$dir/run"
  # The gateway's address may have changed since the cluster was created (RGW_BIND, the port).
  sed -i "s|^rgw_frontends = .*|rgw_frontends = $(frontends "$rgw_port")|" "$conf"
  ceph-mon -c "$conf" -i a
  await 300 ceph -c "$conf" --connect-timeout 2 mon stat
  ceph-osd -c "$conf" -i 0 2>/dev/null
  await 600 sh -c "ceph -c '$conf' osd stat | grep -q '1 up'"
  launch_gateway "$rgw_port"
}

launch_gateway() {
  local rgw_port=$1 probe="127.0.0.1"
  [ "$bind" = 0.0.0.0 ] || probe=$bind
  radosgw -c "$dir/ceph.conf" -n client.rgw
  await 600 sh -c "curl -s -o /dev/null -w '%{http_code}' http://$probe:$rgw_port/ | grep -q '^[2-4]'"
}

# Creates the bucket as the S3 user (SigV4-signed by curl); the owner re-creating it is answered 200 or 409.
create_bucket() {
  local rgw_port=$1 access=$2 secret=$3 bucket=$4 probe="127.0.0.1" status
  [ "$bind" = 0.0.0.0 ] || probe=$bind
  # The empty body's SHA-256: S3 wants it in x-amz-content-sha256, and curl does not add it.
  status=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "http://$probe:$rgw_port/$bucket")
  case "$status" in
    200|409) ;;
    *) echo "ceph-rgw: creating bucket $bucket answered HTTP $status" >&2; exit 4 ;;
  esac
}

start() {
  local mon_port=${3:?mon port} rgw_port=${4:?rgw port} access=${5:?access key} secret=${6:?secret key} bucket=${7:-}
  check_tools
  stop
  create "$mon_port" "$rgw_port" "$access" "$secret"
  [ -z "$bucket" ] || create_bucket "$rgw_port" "$access" "$secret" "$bucket"
  echo "ceph-rgw: S3 at http://$bind:$rgw_port (data in $dir)"
}

run() {
  local mon_port=${3:?mon port} rgw_port=${4:?rgw port} access=${5:?access key} secret=${6:?secret key} bucket=${7:?bucket}
  check_tools
  # Stop what was started however far the start got (bash as PID 1 ignores SIGTERM without a trap).
  trap 'stop; exit 0' TERM INT
  stop
  if [ -f "$dir/created" ] && [ "$objectstore" = bluestore ]; then
    restart "$rgw_port"
  else
    create "$mon_port" "$rgw_port" "$access" "$secret"
  fi
  create_bucket "$rgw_port" "$access" "$secret" "$bucket"
  touch "$dir/ready"
  echo "ceph-rgw: S3 at http://$bind:$rgw_port, bucket $bucket (data in $dir)"
  # In the foreground for the container: as long as the gateway lives.
  while kill -0 "$(cat "$dir/run/client.rgw.pid")" 2>/dev/null; do
    sleep 2 &
    wait $!
  done
  echo "ceph-rgw: the gateway stopped" >&2
  stop
  exit 1
}

case "$cmd" in
  start) start "$@" ;;
  run) run "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start|run DIR MON_PORT RGW_PORT ACCESS_KEY SECRET_KEY [BUCKET] | stop DIR" >&2; exit 2 ;;
esac
