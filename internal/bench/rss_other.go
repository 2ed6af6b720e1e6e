//go:build !unix

package bench

import (
	"os"
	"time"
)

// maxRSS is unknown where the system does not report it.
func maxRSS(ps *os.ProcessState) int64 { return -1 }

// processCPU is unknown here.
func processCPU() time.Duration { return -1 }
