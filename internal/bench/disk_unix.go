//go:build unix

package bench

import "syscall"

// freeDisk returns the bytes an unprivileged process may still write in the file
// system holding dir; -1 if the system does not say.
func freeDisk(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
