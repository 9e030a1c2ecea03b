#!/usr/bin/env bash
# Starts a throwaway single-node Ceph under $D: one mon, one memstore OSD (data in RAM, at most 2 GiB) and radosgw
# (S3) on 127.0.0.1:$RGW_PORT, with cephx off, no mgr and no systemd; ready in about 2 s. Creates the S3 user
# TESTKEY / TESTSECRET. Stop it with stop-ceph.sh (same $D). Recipe and the reason for each setting:
# /work/shared/reference/test-servers.md (Ceph radosgw 16.2.15, Debian 12).
set -euo pipefail
D=${D:-/tmp/ceph/run}
RGW_PORT=${RGW_PORT:-7480}
MON_PORT=${MON_PORT:-6789}
rm -rf "$D"; mkdir -p "$D"/{mon.a,osd.0,log,run}
FSID=$(cat /proc/sys/kernel/random/uuid)
CONF="$D/ceph.conf"
cat > "$CONF" <<CONF
[global]
fsid = $FSID
mon_host = v1:127.0.0.1:$MON_PORT
public_network = 127.0.0.0/8
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
auth_allow_insecure_global_id_reclaim = true
run_dir = $D/run
log_file = $D/log/\$name.log
admin_socket = $D/run/\$name.asok
pid_file = $D/run/\$name.pid
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
# Commit osdmap changes (pool creation) quickly: without this radosgw needs ~9 s to create its pools.
paxos_propose_interval = 0.05
paxos_min_wait = 0.01
osd_crush_chooseleaf_type = 0
ms_bind_ipv4 = true
ms_bind_ipv6 = false
# Run on a nearly full disk too (the mon's default is to stop below 5% free).
mon_data_avail_crit = 0
mon_data_avail_warn = 1
[mon.a]
mon_data = $D/mon.a
[osd.0]
osd_data = $D/osd.0
osd_objectstore = memstore
memstore_device_bytes = 2147483648
osd_journal_size = 0
# The OSD sends no mon command while starting (that raced with the monmap: 'wrong fsid'); CRUSH placement is below.
osd_class_update_on_start = false
osd_crush_update_on_start = false
[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw_data = $D/rgw
rgw_dns_name = 127.0.0.1
CONF
ceph-authtool --create-keyring "$D/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$D/monmap" --keyring "$D/mon.keyring"
ceph-mon -c "$CONF" -i a
for _ in $(seq 1 100); do ceph -c "$CONF" --connect-timeout 2 mon stat >/dev/null 2>&1 && break; sleep 0.2; done
OSD_ID=$(ceph -c "$CONF" --connect-timeout 10 osd create)
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs
ceph -c "$CONF" --connect-timeout 10 osd crush add "osd.$OSD_ID" 1.0 root=default host=localhost
ceph-osd -c "$CONF" -i "$OSD_ID"
for _ in $(seq 1 150); do ceph -c "$CONF" --connect-timeout 2 osd stat 2>/dev/null | grep -q '1 up' && break; sleep 0.2; done
ceph -c "$CONF" --connect-timeout 5 osd stat | grep -q '1 up' || { echo "OSD did not come up" >&2; exit 1; }
mkdir -p "$D/rgw"
radosgw -c "$CONF" -n client.rgw.a
for _ in $(seq 1 300); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$RGW_PORT/" && break; sleep 0.2; done
curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$RGW_PORT/" || { echo "radosgw did not come up" >&2; exit 1; }
timeout 60 radosgw-admin -c "$CONF" user create --uid=test --display-name=test --access-key=TESTKEY --secret-key=TESTSECRET >/dev/null
echo "radosgw ready on http://127.0.0.1:$RGW_PORT (access key TESTKEY / secret TESTSECRET)"
