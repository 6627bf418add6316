package benchmarks

import (
	"os"
	"strings"
)

// OpenBLASEnv lists the OPENBLAS_* variables of the environment, which the
// benchmark commands pass on to every side they run.
func OpenBLASEnv() string {
	var vs []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OPENBLAS_") {
			vs = append(vs, kv)
		}
	}
	if len(vs) == 0 {
		return "no OPENBLAS_* variables"
	}
	return strings.Join(vs, " ")
}
