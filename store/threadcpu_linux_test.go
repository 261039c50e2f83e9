package store_test

import "syscall"

// threadCPU returns the CPU time the calling OS thread has used (Linux
// getrusage RUSAGE_THREAD, nanosecond accounting reported in µs), so a
// benchmark on a shared machine can report the cost of a read apart from
// the time it waited for a core.
func threadCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
