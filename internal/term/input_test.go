package term

import (
	"bytes"
	"os"
	"testing"
)

func TestProgressOnlyOnTerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := NewProgress(&buf)
	p.Show("Đang ghi", 1, 2)
	p.Done()
	if buf.Len() != 0 || IsTerminal(&buf) {
		t.Errorf("progress on a buffer: %q", buf.String())
	}
	p.enabled = true
	p.Show("Đang ghi", 1000, 2000)
	p.Done()
	if got := buf.String(); got != "\rĐang ghi: 1000/2000\r\033[K" {
		t.Errorf("terminal progress %q", got)
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
}
