#!/bin/bash
# cg.sh LIMIT_BYTES cmd...: runs cmd in a fresh cgroup-v1 memory group with that limit (no swap here);
# prints peak RSS (time -v), the group's max usage, failcnt and OOM kills.
L=$1; shift
G=/sys/fs/cgroup/memory/dt$$
mkdir $G && echo $L > $G/memory.limit_in_bytes
bash -c "echo \$\$ > $G/cgroup.procs; exec /usr/bin/time -f 'peak_rss_kb %M wall %e user %U sys %S' \"\$@\"" _ "$@"
rc=$?
echo "rc $rc max_usage $(cat $G/memory.max_usage_in_bytes) failcnt $(cat $G/memory.failcnt) $(grep oom_kill $G/memory.oom_control | tr '\n' ' ')"
sleep 0.2; rmdir $G
exit $rc
