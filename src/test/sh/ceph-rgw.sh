#!/usr/bin/env bash
# A throw-away single-node Ceph cluster with the S3 gateway (radosgw), for the second-store tests.
#   ceph-rgw.sh start DIR MON_PORT RGW_PORT ACCESS_KEY SECRET_KEY   -> S3 at http://127.0.0.1:RGW_PORT
#   ceph-rgw.sh stop DIR                                             -> stops what start started (by PID)
# One monitor, one OSD on memstore (RAM, nothing on disk survives), no manager, no cephx: loopback only.
set -euo pipefail

cmd=${1:?start|stop}
dir=$(realpath -m "${2:?data directory}")

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

start() {
  local mon_port=${3:?mon port} rgw_port=${4:?rgw port} access=${5:?access key} secret=${6:?secret key}
  for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph; do
    command -v "$tool" >/dev/null || { echo "ceph-rgw: $tool is not installed (apt-get install ceph-mon ceph-osd radosgw)" >&2; exit 3; }
  done
  stop
  rm -rf "$dir"
  mkdir -p "$dir"/{mon,osd,run,log}
  local fsid; fsid=$(cat /proc/sys/kernel/random/uuid)
  local conf="$dir/ceph.conf"
  cat > "$conf" <<CONF
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
osd_objectstore = memstore
memstore_device_bytes = 4294967296
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
rgw_frontends = beast endpoint=127.0.0.1:$rgw_port
rgw_dns_name = 127.0.0.1
rgw_crypt_s3_kms_backend = testing
rgw_crypt_s3_kms_encryption_keys = gatehouse-test-key=$(head -c 32 /dev/urandom | base64)
rgw_crypt_require_ssl = false
rgw_enable_usage_log = false
CONF
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$dir/run/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/run/monmap"
  ceph-mon -c "$conf" -i a
  await 300 ceph -c "$conf" --connect-timeout 2 mon stat
  local osd_uuid; osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  ceph -c "$conf" osd new "$osd_uuid" 0 >/dev/null
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>/dev/null
  ceph -c "$conf" osd crush add osd.0 1 root=default host=localhost >/dev/null 2>&1
  ceph-osd -c "$conf" -i 0 2>/dev/null
  await 300 sh -c "ceph -c '$conf' osd stat | grep -q '1 up'"
  radosgw -c "$conf" -n client.rgw
  await 600 sh -c "curl -sf http://127.0.0.1:$rgw_port/ >/dev/null || curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$rgw_port/ | grep -q '^[2-4]'"
  radosgw-admin -c "$conf" user create --uid=gatehouse --display-name=Gatehouse \
    --access-key="$access" --secret-key="$secret" >/dev/null
  echo "ceph-rgw: S3 at http://127.0.0.1:$rgw_port (data in $dir)"
}

case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start DIR MON_PORT RGW_PORT ACCESS_KEY SECRET_KEY | stop DIR" >&2; exit 2 ;;
esac
