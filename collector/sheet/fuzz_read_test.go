package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// heapPeak runs fn while sampling the live heap, and returns the most it grew above
// where it started. A sample every millisecond misses short spikes, not a reader that
// holds what a file claims (the 3.5 GB of issue 17 took seconds to build).
func heapPeak(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	peak := base
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				peak = max(peak, read())
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	peak = max(peak, read())
	return peak - base
}

// readLimit is the memory one read may take: the caps make it follow the file's
// size, never what its rows or cells claim. Workbooks unpack (to at most maxUnzip),
// hence the factor.
func readLimit(size int) uint64 { return 64<<20 + 64*uint64(size) }

// FuzzRead: any file, CSV or workbook, read without a panic, within the caps
// (MaxRows, MaxColumns, MaxCells) and within readLimit of memory.
func FuzzRead(f *testing.F) {
	if b, err := os.ReadFile("testdata/google_forms.csv"); err == nil {
		f.Add(b)
	}
	if b, err := os.ReadFile("testdata/mac_excel_1904.xlsx"); err == nil {
		f.Add(b)
	}
	f.Add(wideWorkbook(f, 20))
	f.Add(workbook(f, [][]string{{"Link", "Đơn vị"}, {"https://zalo.me/p/1", "Tân Lợi"}}))
	f.Add([]byte("Link" + strings.Repeat(",", 1000) + "\nhttps://zalo.me/p/1" + strings.Repeat(";", 1000) + "\n"))
	f.Add([]byte("sep=;\nLink;\"a\"\"b\";\"c\nd\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		name := "fuzz.csv"
		if bytes.HasPrefix(b, []byte("PK")) {
			name = "fuzz.xlsx"
		}
		var tab *Table
		var err error
		grew := heapPeak(func() { tab, err = Read(name, b, "") })
		if grew > readLimit(len(b)) {
			t.Fatalf("reading %d bytes took %d MiB of heap", len(b), grew>>20)
		}
		if err != nil {
			return
		}
		if len(tab.Rows) > MaxRows || len(tab.Header) > MaxColumns {
			t.Fatalf("%d rows, header of %d cells", len(tab.Rows), len(tab.Header))
		}
		cells := len(tab.Header)
		for _, r := range tab.Rows {
			if len(r.Cells) > MaxColumns {
				t.Fatalf("row %d has %d cells", r.Line, len(r.Cells))
			}
			cells += len(r.Cells)
		}
		if cells > MaxCells {
			t.Fatalf("%d cells held", cells)
		}
	})
}

// TestReadWithinMemoryLimit runs FuzzRead's property on the hostile files of issue 17
// at full size: the one-line CSV here, the wide workbook in TestWideWorkbookMemory's
// child (the child-process tests measure the whole process too).
func TestReadWithinMemoryLimit(t *testing.T) {
	b := []byte("Link\nhttps://zalo.me/p/1" + strings.Repeat(",", 4<<20))
	var err error
	grew := heapPeak(func() { _, err = Read("mot-dong.csv", b, "") })
	if err != nil || grew > readLimit(len(b)) {
		t.Errorf("mot-dong.csv (%d KB): %v, heap grew %d MiB; limit %d MiB", len(b)>>10, err, grew>>20, readLimit(len(b))>>20)
	}
}

// FuzzCSVScanner: with no field cap, the scanner reads any text exactly as
// encoding/csv (LazyQuotes, any number of fields) does: the same records on the same
// lines. With a cap, each record is the first fields of the same one.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range []string{"a,b\nc,d\n", "\"a\"\"b\",c\r\n\"x\ny\",z", "a,\"b\"c,d\n\n\r\ne", "\"open,\nquote", "a,b,\n,\n", "x\r", "\"a\" ,b\n", "a\rb,c\r\n"} {
		f.Add(s, byte(','))
	}
	f.Add("a;b;c\n1;2;3", byte(';'))
	f.Add("a,b,c"+strings.Repeat(",", 19)+"\n,,,,,,,,,,,\"q\",,,,,,,,,,,\r\nx,,,,,,,,,,,,,,,,,", byte(','))
	f.Fuzz(func(t *testing.T, s string, comma byte) {
		if comma != ',' && comma != ';' && comma != '\t' && comma != '|' {
			comma = ','
		}
		r := csv.NewReader(strings.NewReader(s))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = rune(comma), -1, true
		var want []string
		var widths []int // fields of each record, all kept or not
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return // encoding/csv refuses some text LazyQuotes cannot place (a \r before a quote…)
			}
			line, _ := r.FieldPos(0)
			want = append(want, fmt.Sprintf("%d:%q", line, rec))
			widths = append(widths, len(rec))
		}
		for _, limit := range []int{1 << 30, 2} {
			sc := newCSVScanner([]byte(s), comma, limit)
			var got []string
			for {
				rec, line, fields, ok := sc.next()
				if !ok {
					break
				}
				if fields < len(rec) || len(rec) > limit {
					t.Fatalf("%d fields, %d kept, limit %d", fields, len(rec), limit)
				}
				if n := len(got); n < len(widths) && fields != widths[n] {
					t.Fatalf("%q: record %d has %d fields, encoding/csv reads %d (limit %d)", s, n+1, fields, widths[n], limit)
				}
				got = append(got, fmt.Sprintf("%d:%q", line, rec))
			}
			if limit > len(s) && strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("%q:\nscanner  %s\nencoding/csv %s", s, strings.Join(got, " "), strings.Join(want, " "))
			}
			if limit <= len(s) && len(got) != len(want) {
				t.Fatalf("%q with %d fields: %d records, want %d", s, limit, len(got), len(want))
			}
		}
	})
}
