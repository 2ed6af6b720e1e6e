package inbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/internal/memtest"
)

// TestMemoryChild is the child side of TestHugeFileRefusedBeforeReading; it does
// nothing in a normal run.
func TestMemoryChild(t *testing.T) {
	if memtest.Case() != "scan" {
		t.Skip("only run as a child of the memory tests")
	}
	in, err := NewInbox(collector.Source{Name: "hop-thu", Kind: "inbox", URL: os.Getenv("INBOX_MEMTEST_DIR"), Options: map[string]any{"settle": "0s"}})
	if err != nil {
		memtest.Report("error: " + err.Error())
		return
	}
	files, waiting, err := in.Scan(context.Background(), collector.Request{Campaigns: []collector.Campaign{campaign}, Units: units, Now: time.Now()})
	if err != nil {
		memtest.Report("error: " + err.Error())
		return
	}
	var out []string
	for _, f := range files {
		out = append(out, fmt.Sprintf("%s: too large %v: %v", f.Name, errors.Is(f.Err, sheet.ErrTooLarge), f.Err))
	}
	memtest.Report(fmt.Sprintf("waiting=%d %s", waiting, strings.Join(out, " | ")))
}

// TestHugeFileRefusedBeforeReading: a 1.5 GB file dropped in the inbox is refused by
// its size with under 50 MiB of memory (it was read whole, 1.5 GB, then refused);
// the reason names the file and the limit (issue 17, item 2). The file is sparse.
func TestHugeFileRefusedBeforeReading(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "rat-lon.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("Link\nhttps://zalo.me/p/1\n")
	if err := f.Truncate(1536 << 20); err != nil {
		t.Skipf("cannot make a 1.5 GB sparse file here: %v", err)
	}
	f.Close()
	old := time.Now().Add(-time.Hour)
	os.Chtimes(f.Name(), old, old)
	peak, res := memtest.Run(t, "TestMemoryChild", "scan", 400<<20, "INBOX_MEMTEST_DIR="+dir)
	t.Logf("1.5 GB inbox file: peak %.1f MiB", float64(peak)/(1<<20))
	want := "waiting=0 rat-lon.csv: too large true: tệp rat-lon.csv lớn hơn giới hạn 64 MiB (1536.0 MiB) nên không được đọc"
	if !strings.HasPrefix(res, want) {
		t.Errorf("child: %s\nwant %s…", res, want)
	}
	if peak > 50<<20 {
		t.Errorf("peak resident memory %d MiB refusing a 1.5 GB file; want under 50 MiB", peak>>20)
	}
}
