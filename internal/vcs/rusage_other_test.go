//go:build !unix

package vcs

import "time"

func cpuTime() time.Duration { return 0 }
