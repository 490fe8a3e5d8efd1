package loadtest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes cmd receive SIGTERM when the test process dies, so a
// test killed by its timeout leaves no nginx behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
