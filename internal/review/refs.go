package review

import (
	"errors"
	"io"
	"os"
)

// ErrNoRefs is a decision given no post to apply to.
var ErrNoRefs = errors.New("review: no link or post id given")

// RefsFrom collects the posts a decision applies to: args and, when from is set, the
// lines of that file (of stdin for "-"), as ReadRefs reads them. Any other error is
// from's: the file could not be opened or read; it is returned as the OS gave it, for
// the caller to name the option.
func RefsFrom(args []string, from string, stdin io.Reader) ([]string, error) {
	refs := args
	if from != "" {
		r := stdin
		if from != "-" {
			f, err := os.Open(from)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			r = f
		}
		more, err := ReadRefs(r)
		if err != nil {
			return nil, err
		}
		refs = append(refs, more...)
	}
	if len(refs) == 0 {
		return nil, ErrNoRefs
	}
	return refs, nil
}
