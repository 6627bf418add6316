#!/bin/bash
# io.sh OUTPREFIX command…: runs command (one MPI rank of it, under mpirun)
# and samples its /proc/PID/io and peak RSS (VmHWM) every 0.1 s into
# OUTPREFIX.<rank>: the last sample, taken at most 0.1 s before it exits.
# The reads of an epoch are rchar of a 2-epoch run less that of a 1-epoch
# run.
out=$1
shift
"$@" &
pid=$!
r=${OMPI_COMM_WORLD_RANK:-0}
while kill -0 "$pid" 2>/dev/null; do
  if cat "/proc/$pid/io" > "$out.$r.tmp" 2>/dev/null; then
    grep VmHWM "/proc/$pid/status" >> "$out.$r.tmp" 2>/dev/null
    mv "$out.$r.tmp" "$out.$r"
  fi
  sleep 0.1
done
wait "$pid"
