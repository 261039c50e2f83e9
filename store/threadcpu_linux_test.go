package store_test

import (
	"syscall"
	"unsafe"
)

// threadCPU returns the CPU time the calling OS thread has used
// (clock_gettime CLOCK_THREAD_CPUTIME_ID, in nanoseconds), so a benchmark
// on a shared machine can report the cost of a read apart from the time it
// waited for a core.
func threadCPU() (int64, bool) {
	const clockThreadCPUTimeID = 3
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return 0, false
	}
	return ts.Nano(), true
}
