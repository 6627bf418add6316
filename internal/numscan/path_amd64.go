//go:build amd64 && !noasm

package numscan

import "golang.org/x/sys/cpu"

//go:generate go run ./asm -out scan_amd64.s -stubs scan_amd64.go -pkg numscan

// Available reports whether the kernels run on this CPU (AVX2, BMI1,
// BMI2 and POPCNT; the operating system saving the vector registers is
// part of HasAVX2).
var Available = cpu.X86.HasAVX2 && cpu.X86.HasBMI1 && cpu.X86.HasBMI2 && cpu.X86.HasPOPCNT

var (
	scanFloat32 = scanAVX2F32
	scanFloat64 = scanAVX2F64
)
