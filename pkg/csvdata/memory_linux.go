package csvdata

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// systemMemory returns the memory this process may use as the system
// sees it, and what bounds it: the machine's memory, its cgroup's limit,
// or what its address-space limit (ulimit -v) leaves; 0 when unknown.
func systemMemory() (uint64, string) {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0, ""
	}
	have, what := uint64(si.Totalram)*uint64(si.Unit), "this machine's %s of memory"
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && n < have {
			have, what = n, "the cgroup memory limit of %s"
		}
	}
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_AS, &rl) == nil && rl.Cur != unix.RLIM_INFINITY {
		left := rl.Cur - min(rl.Cur, mappedNow())
		if left < have {
			have, what = left, "the %s left under the address-space limit (ulimit -v)"
		}
	}
	return have, what
}

// mappedNow returns the address space the process has mapped.
func mappedNow() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[0], 10, 64)
	return pages * uint64(os.Getpagesize())
}
