package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		var out, errb bytes.Buffer
		if err := runTest(context.Background(), args, strings.NewReader(""), &out, &errb); err != nil {
			t.Fatalf("%v: %v (%s)", args, err, errb.String())
		}
		if !strings.HasPrefix(out.String(), "hashtrack ") || !strings.Contains(out.String(), "go1.") || strings.Count(out.String(), "\n") != 1 {
			t.Errorf("%v printed %q, want one line naming hashtrack and the Go version", args, out.String())
		}
	}
}
