//go:build unix

package vcs

import (
	"syscall"
	"time"
)

// cpuTime is the CPU (user + system) used so far by this process and by its
// waited-for children: a measure of work that machine load distorts less
// than wall time.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}
