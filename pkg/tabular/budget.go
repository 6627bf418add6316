package tabular

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// checkMemory refuses, before anything is allocated, a network whose
// training would need more memory than the machine has: the parameters
// (and the copy Save writes), one gradient buffer per lane, the
// optimizer's state, the best weights early stopping keeps, and the
// activations of a batch (of batch rows at most). A size beyond any
// machine would otherwise end in a runtime out-of-memory crash. The memory
// is the machine's, its cgroup's limit, or the Go runtime's soft limit
// (GOMEMLIMIT, debug.SetMemoryLimit), whichever is lowest.
func checkMemory[T tensor.Float](c Config, sizes []int, batch int) error {
	var z T
	elem := float64(unsafe.Sizeof(z))
	params, widths := 0.0, 0.0
	for i := 1; i < len(sizes); i++ {
		params += float64(sizes[i-1]+1) * float64(sizes[i])
		widths += float64(sizes[i])
	}
	copies := 2 + float64(nn.Parallelism{Workers: c.Workers}.Lanes(batch)) + float64(optimizerSlots[c.Optimizer])
	if c.Patience > 0 {
		copies++ // the best weights, restored at the end
	}
	need := elem * (params*copies + 2*float64(batch)*widths)
	have, what := physicalMemory(), "this machine's %s of memory"
	if limit := debug.SetMemoryLimit(-1); limit > 0 && limit < math.MaxInt64 && (have == 0 || uint64(limit) < have) {
		have, what = uint64(limit), "the Go memory limit of %s (GOMEMLIMIT)"
	}
	if have == 0 || need <= float64(have) {
		return nil
	}
	dims := make([]string, len(sizes))
	for i, s := range sizes {
		dims[i] = strconv.Itoa(s)
	}
	return fmt.Errorf("a %s network (%.3g parameters) needs about %s to train, more than "+what+": use smaller hidden layers",
		strings.Join(dims, "-"), params, bytesString(need), bytesString(float64(have)))
}

// optimizerSlots is the number of per-parameter buffers each optimizer
// keeps (its velocity, moments or mean square).
var optimizerSlots = map[string]int{"sgd": 0, "momentum": 1, "nesterov": 1, "adam": 2, "adamw": 2, "rmsprop": 1}

// bytesString writes a size in B, KB, MB, GB, TB … (powers of 1000).
func bytesString(b float64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB", "EB"}
	i := 0
	for b >= 1000 && i < len(units)-1 {
		b /= 1000
		i++
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}
