package sheet

import (
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/internal/memtest"
)

// Memory promises (issue 17, items 1 and 3), measured as a child process's peak
// resident memory: what one read of the file costs, with the Go runtime and the test
// binary included.

// wideWorkbook is the workbook of issue 17: rows of a link in column A and one value
// in column XFD (the last), about 13 KB for 1,000 rows. It is written by hand:
// excelize pads rows to their last column while writing too.
func wideWorkbook(t testing.TB, rows int) []byte {
	t.Helper()
	var sheet bytes.Buffer
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	cell := func(ref, v string) string {
		return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, v)
	}
	fmt.Fprintf(&sheet, `<row r="1">%s%s</row>`, cell("A1", "Link"), cell("XFD1", "x"))
	for r := 2; r <= rows+1; r++ {
		fmt.Fprintf(&sheet, `<row r="%d">%s%s</row>`, r, cell(fmt.Sprintf("A%d", r), fmt.Sprintf("https://zalo.me/p/%d", r)), cell(fmt.Sprintf("XFD%d", r), "x"))
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	var deflated bytes.Buffer
	zw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	zw.Write(sheet.Bytes())
	zw.Close()
	return replaceEntry(t, workbook(t, [][]string{{"Link"}}), "xl/worksheets/sheet1.xml", deflated.Bytes(),
		crc32.ChecksumIEEE(sheet.Bytes()), uint64(sheet.Len()))
}

// oneLineCSV writes a file of exactly size bytes: a header, then one row of a link
// followed by commas to the end.
func oneLineCSV(t *testing.T, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := "Link\nhttps://zalo.me/p/1"
	f.WriteString(head)
	commas := bytes.Repeat([]byte(","), 1<<20)
	left := size - int64(len(head))
	for left > 0 {
		n := min(left, int64(len(commas)))
		f.Write(commas[:n])
		left -= n
	}
}

// TestMemoryChild is the child side of the memory tests; it does nothing in a normal
// run.
func TestMemoryChild(t *testing.T) {
	path := os.Getenv("SHEET_MEMTEST_FILE")
	switch memtest.Case() {
	case "":
		t.Skip("only run as a child of the memory tests")
	case "read":
		b, _, err := ReadFile(path)
		if err != nil {
			memtest.Report("error: " + err.Error())
			return
		}
		var tab *Table
		grew := heapPeak(func() { tab, err = Read(filepath.Base(path), b, "") })
		if err != nil {
			memtest.Report("error: " + err.Error())
			return
		}
		width := 0
		for _, r := range tab.Rows {
			width = max(width, len(r.Cells))
		}
		var problems []string
		for _, p := range tab.Problems {
			problems = append(problems, fmt.Sprintf("%d: %s", p.Line, p.Reason))
		}
		memtest.Report(fmt.Sprintf("heap=%d rows=%d header=%d width=%d problems=%s", grew, len(tab.Rows), len(tab.Header), width, strings.Join(problems, " | ")))
	}
}

// childHeap splits a child's result into the heap growth its read took (heapPeak) and
// the rest.
func childHeap(t *testing.T, res string) (uint64, string) {
	t.Helper()
	var grew uint64
	head, rest, _ := strings.Cut(res, " ")
	if _, err := fmt.Sscanf(head, "heap=%d", &grew); err != nil {
		t.Fatalf("child: %s: %v", res, err)
	}
	return grew, rest
}

// TestWideWorkbookMemory: the workbook of issue 17, a value in column XFD of every row,
// takes under 100 MiB to read (the 1,000 rows took 3.5 GB), its rows are read
// up to MaxColumns and the cut is reported once. The same read is FuzzRead's property at
// full size: the heap grows by no more than readLimit while it reads. The child measures
// both, so the workbook is read once: excelize pads every row to column XFD one append
// at a time while it streams, about a millisecond of CPU a row. 500 rows, not the
// issue's 1,000: holding the padded rows would take 237 MiB, still over twice the bound.
//
// Parallel: the child measures its own process, so the two memory tests run side by
// side (after the tests that count this process's allocations, which are not parallel).
func TestWideWorkbookMemory(t *testing.T) {
	t.Parallel()
	b := wideWorkbook(t, 500)
	if len(b) > 20<<10 {
		t.Fatalf("the workbook is %d bytes; the issue's is 13 KB", len(b))
	}
	path := filepath.Join(t.TempDir(), "rong.xlsx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	peak, res := memtest.Run(t, "TestMemoryChild", "read", 400<<20, "SHEET_MEMTEST_FILE="+path)
	grew, res := childHeap(t, res)
	t.Logf("%d KB workbook: peak %.1f MiB, heap grew %.1f MiB", len(b)>>10, float64(peak)/(1<<20), float64(grew)/(1<<20))
	if grew > readLimit(len(b)) {
		t.Errorf("rong.xlsx (%d KB): heap grew %d MiB; limit %d MiB", len(b)>>10, grew>>20, readLimit(len(b))>>20)
	}
	want := "rows=500 header=256 width=256 problems=1: dòng có 16384 cột, quá giới hạn 256 cột"
	if !strings.HasPrefix(res, want) {
		t.Errorf("child: %s\nwant %s…", res, want)
	}
	if peak > 100<<20 {
		t.Errorf("peak resident memory %d MiB reading a %d KB workbook; want under 100 MiB", peak>>20, len(b)>>10)
	}
}

// TestOneLineCSVMemory: a 64 MiB CSV whose second line is 67 million commas takes
// under 200 MiB to read (it took 5.4 GB); the row keeps MaxColumns cells.
// Parallel, as TestWideWorkbookMemory.
func TestOneLineCSVMemory(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("writes a 64 MiB file")
	}
	path := filepath.Join(t.TempDir(), "mot-dong.csv")
	oneLineCSV(t, path, MaxFileSize)
	peak, res := memtest.Run(t, "TestMemoryChild", "read", 1<<30, "SHEET_MEMTEST_FILE="+path)
	_, res = childHeap(t, res)
	t.Logf("64 MiB one-line CSV: peak %.1f MiB", float64(peak)/(1<<20))
	want := fmt.Sprintf("rows=1 header=1 width=256 problems=2: dòng có %d cột, quá giới hạn 256 cột", MaxFileSize-len("Link\nhttps://zalo.me/p/1")+1)
	if !strings.HasPrefix(res, want) {
		t.Errorf("child: %s\nwant %s…", res, want)
	}
	if peak > 200<<20 {
		t.Errorf("peak resident memory %d MiB reading a 64 MiB CSV; want under 200 MiB", peak>>20)
	}
}
