package store

import (
	"errors"
	"strings"
	"syscall"
)

// diskErrors are the errors of a full disk or a file size limit.
var diskErrors = []syscall.Errno{syscall.ENOSPC, syscall.EFBIG, syscall.EDQUOT}

// DiskFull reports whether err comes from a full disk or a file size limit, so a
// command can say what to free rather than show an I/O error. bbolt formats some
// file errors with %s, so the text is checked too.
func DiskFull(err error) bool {
	if err == nil {
		return false
	}
	text := err.Error()
	for _, no := range diskErrors {
		if errors.Is(err, no) || strings.Contains(text, no.Error()) {
			return true
		}
	}
	return false
}
