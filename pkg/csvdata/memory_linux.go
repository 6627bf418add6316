package csvdata

import (
	"os"
	"path"
	"slices"
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
	for _, f := range cgroupLimitFiles() {
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

// cgroupLimitFiles lists the files that may hold a memory limit on this
// process: its own cgroup's and its ancestors' (from /proc/self/cgroup),
// cgroup v2 (memory.max) and v1 (memory.limit_in_bytes); the root's last.
// A process moved into a child group with a limit of its own sees it.
func cgroupLimitFiles() []string {
	var files []string
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			parts := strings.SplitN(line, ":", 3)
			if len(parts) != 3 {
				continue
			}
			var base, file string
			switch {
			case parts[0] == "0" && parts[1] == "":
				base, file = "/sys/fs/cgroup", "memory.max"
			case slices.Contains(strings.Split(parts[1], ","), "memory"):
				base, file = "/sys/fs/cgroup/memory", "memory.limit_in_bytes"
			default:
				continue
			}
			for dir := path.Clean(parts[2]); dir != "/" && dir != "."; dir = path.Dir(dir) {
				files = append(files, path.Join(base, dir, file))
			}
		}
	}
	return append(files, "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
}
