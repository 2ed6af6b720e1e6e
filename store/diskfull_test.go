package store

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

func TestDiskFull(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"wrapped ENOSPC", fmt.Errorf("store: write: %w", &fs.PathError{Op: "write", Path: "db", Err: syscall.ENOSPC}), true},
		{"EFBIG", syscall.EFBIG, true},
		{"EDQUOT", fmt.Errorf("upsert: %w", syscall.EDQUOT), true},
		// bbolt formats some file errors with %s: only the text is left.
		{"text only", fmt.Errorf("grow: %s", syscall.ENOSPC), true},
		{"other", errors.New("permission denied"), false},
		{"EACCES", syscall.EACCES, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DiskFull(tc.err); got != tc.want {
				t.Errorf("DiskFull(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
