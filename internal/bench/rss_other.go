//go:build !unix

package bench

import "os"

// maxRSS is unknown where the system does not report it.
func maxRSS(ps *os.ProcessState) int64 { return -1 }
