package tabular

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"github.com/densetrain/densetrain/pkg/csvdata"
	"github.com/densetrain/densetrain/pkg/tensor"
	"github.com/densetrain/densetrain/pkg/train"
)

// checkMemory refuses, before anything is allocated, a network whose
// training would need more memory than the machine has: the parameters
// (and the copy Save writes), one gradient buffer per lane, the
// optimizer's state, the best weights early stopping keeps, and the
// activations of a batch (of batch rows at most); for an ensemble, its
// members and their packed network too. A size beyond any
// machine would otherwise end in a runtime out-of-memory crash. The memory
// is csvdata.MemoryLimit.
func checkMemory[T tensor.Float](c Config, sizes []int, batch int) error {
	var z T
	elem := float64(unsafe.Sizeof(z))
	params, widths := 0.0, 0.0
	for i := 1; i < len(sizes); i++ {
		params += float64(sizes[i-1]+1) * float64(sizes[i])
		widths += float64(sizes[i])
	}
	copies := 2 + float64(train.Parallelism{Workers: c.Workers}.Lanes(batch)) + float64(optimizerSlots[c.Optimizer])
	if !c.NoEarlyStopping {
		copies++ // the best weights, restored at the end
	}
	if c.Ensemble > 1 {
		copies += 3 * float64(c.Ensemble) // the members' weights, their packed network's and the copy Save writes
	}
	need := elem * (params*copies + 2*float64(batch)*widths)
	have, what := csvdata.MemoryLimit()
	if have == 0 || need <= float64(have) {
		return nil
	}
	dims := make([]string, len(sizes))
	for i, s := range sizes {
		dims[i] = strconv.Itoa(s)
	}
	if c.Ensemble > 1 {
		return fmt.Errorf("an ensemble of %d %s networks (%.3g parameters each) needs about %s to train, more than %s: use smaller hidden layers, or fewer networks",
			c.Ensemble, strings.Join(dims, "-"), params, csvdata.SizeString(int64(min(need, math.MaxInt64))), what)
	}
	return fmt.Errorf("a %s network (%.3g parameters) needs about %s to train, more than %s: use smaller hidden layers",
		strings.Join(dims, "-"), params, csvdata.SizeString(int64(min(need, math.MaxInt64))), what)
}

// optimizerSlots is the number of per-parameter buffers each optimizer
// keeps (its velocity, moments or mean square).
var optimizerSlots = map[Optimizer]int{SGD: 0, Momentum: 1, Nesterov: 1, Adam: 2, AdamW: 2, RMSprop: 1}

// trainRowBytes is the memory training needs per row of the table besides
// the table itself (checked against the memory limit with it, before the
// table is read): the model's targets (one float64 a target, at most),
// made while the table's are still held; the validation split's class
// lists or shuffle (4 bytes a row, let go of before training); and the
// training rows in each epoch's order (4 bytes). The inputs are the
// table's matrix, transformed in place (missing indicators aside).
func trainRowBytes(c Config) int {
	return 8*max(len(c.Targets), 1) + 4
}

// collectRows is the least number of rows for which collect collects.
const collectRows = 1 << 20

// collect runs the garbage collector between two phases of a fit on a
// large table (rows rows), where the phase before has let go of memory in
// proportion to them: the next phase's arrays then reuse it rather than
// growing the heap, and the peak memory with them (fit on a 50 MB table
// of three columns: 360 → 256 MiB RSS).
func collect(rows int) {
	if rows >= collectRows {
		runtime.GC()
	}
}
