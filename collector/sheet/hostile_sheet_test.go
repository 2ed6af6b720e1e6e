package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Hostile files: each bad row gets its own reason with its line and the good rows are
// kept; a file that cannot be read at all fails alone with a clear message; memory
// stays bounded by the file size and row caps.

type mapped struct {
	lines    []int
	posts    []string // URL|unit|title|likes of each kept row
	problems []string
}

func mapCSV(t *testing.T, text string) mapped {
	t.Helper()
	tab, err := Read("bai-dang.csv", []byte(text), "")
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return mapTable(t, tab)
}

func mapTable(t *testing.T, tab *Table) mapped {
	t.Helper()
	entries, problems, err := testMapper("bai-dang.csv").Map(tab)
	if err != nil {
		t.Fatalf("map: %v", err)
	}
	var m mapped
	for _, e := range entries {
		m.lines = append(m.lines, e.Line)
		m.posts = append(m.posts, fmt.Sprintf("%s|%s|%s|%s", e.Post.URL, e.Post.Unit, e.Post.Title, e.Post.Metrics.Likes))
	}
	for _, p := range problems {
		m.problems = append(m.problems, p.String())
	}
	return m
}

func checkMapped(t *testing.T, got mapped, posts, problems []string) {
	t.Helper()
	if strings.Join(got.posts, "\n") != strings.Join(posts, "\n") {
		t.Errorf("posts:\n%s\nwant:\n%s", strings.Join(got.posts, "\n"), strings.Join(posts, "\n"))
	}
	if strings.Join(got.problems, "\n") != strings.Join(problems, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got.problems, "\n"), strings.Join(problems, "\n"))
	}
}

func TestHostileCSVRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text      string
		posts, problems []string
	}{
		{"NUL bytes", "Link,Đơn vị,Tiêu đề,Lượt thích\n" +
			"https://zalo.me/p/1,Tân\x00 Lợi,ti\x00êu đề,5\n" +
			"https://zalo.me/p/\x002,Tân Lợi,x,1\x00\n" +
			"\x00\x00\x00\n" +
			"https://zalo.me/p/3,Tân Lợi,ok,2\n",
			[]string{"https://zalo.me/p/1|tan-loi|tiêu đề|5", "https://zalo.me/p/2|tan-loi|x|1", "https://zalo.me/p/3|tan-loi|ok|2"},
			nil},
		{"ragged rows", "Link,Đơn vị,Tiêu đề,Lượt thích\n" +
			"https://zalo.me/p/1\n" +
			"https://zalo.me/p/2,Tân Lợi,x,1,thừa,thừa nữa,\"và nữa\"\n" +
			",,,\n" +
			"https://zalo.me/p/3,Tân Lợi\n" +
			"Tân Lợi,https://zalo.me/p/4\n",
			[]string{"https://zalo.me/p/1|||n/a", "https://zalo.me/p/2|tan-loi|x|1", "https://zalo.me/p/3|tan-loi||n/a"},
			// Every wrong cell of a row is named at once.
			[]string{`bai-dang.csv:6: link "Tân Lợi" is not usable: the link is malformed; unknown unit "https://zalo.me/p/4"`}},
		{"formula cells", "Link,Đơn vị,Tiêu đề,Lượt thích\n" +
			"=HYPERLINK(\"http://evil.example\"),Tân Lợi,x,1\n" +
			"https://zalo.me/p/2,=1+1,x,1\n" +
			"https://zalo.me/p/3,Tân Lợi,x,=1+1\n" +
			"https://zalo.me/p/4,Tân Lợi,=cmd|' /C calc'!A0,3\n" +
			"https://zalo.me/p/5,Tân Lợi,@SUM(1+1),+4\n",
			// A formula in a title is kept as the text it is (the CSV export
			// neutralises it, report.TestNeutralize); nowhere does it become a link, a
			// unit or a number.
			[]string{"https://zalo.me/p/4|tan-loi|=cmd|' /C calc'!A0|3", "https://zalo.me/p/5|tan-loi|@SUM(1+1)|4"},
			[]string{
				`bai-dang.csv:2: link "=HYPERLINK(\"http://evil.example\")" is not usable: the link is malformed`,
				`bai-dang.csv:3: unknown unit "=1+1"`,
				`bai-dang.csv:4: column "Lượt thích": "=1+1" is not a whole number (write 1234, 1.234 or 1,2K)`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkMapped(t, mapCSV(t, tc.text), tc.posts, tc.problems)
		})
	}
}

// allocated returns the bytes allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileCSVMillionRows: a million-row CSV (40 MB, under the file size cap) is
// read up to MaxRows; the rest is reported, not parsed, and memory stays bounded.
// A file over the size cap is refused before it is read. Not parallel: it measures the
// process's allocations.
func TestHostileCSVMillionRows(t *testing.T) {
	const n = 1_000_000
	// Built in one buffer of its final size: growing a buffer to 40 MB, and Fprintf,
	// took most of this test's time.
	b := make([]byte, 0, 48<<20)
	b = append(b, "Link,Đơn vị,Lượt thích\n"...)
	for i := range n {
		b = append(b, "https://zalo.me/p/"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ",Tân Lợi,"...)
		b = strconv.AppendInt(b, int64(i%1000), 10)
		b = append(b, '\n')
	}
	var tab *Table
	var err error
	alloc := allocated(func() { tab, err = Read("trieu-dong.csv", b, "") })
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != MaxRows || tab.Rows[MaxRows-1].Line != MaxRows+1 || tab.Rows[MaxRows-1].Cells[0] != fmt.Sprintf("https://zalo.me/p/%d", MaxRows-1) {
		t.Fatalf("%d rows, last %+v", len(tab.Rows), tab.Rows[len(tab.Rows)-1])
	}
	want := Problem{Line: MaxRows + 2, Reason: "the file has more than 200000 rows; this row and the ones after it were not read (split the file)"}
	if len(tab.Problems) != 1 || tab.Problems[0] != want {
		t.Errorf("problems %+v, want %+v", tab.Problems, want)
	}
	// The 40 MB text is copied once; the rows kept take about as much again.
	if alloc > 256<<20 {
		t.Errorf("allocated %d MB reading a 40 MB file", alloc>>20)
	}

	// Kept rows map to posts, the first and the last ones alike (mapping all 200,000 is
	// the mapper's speed, measured by its benchmark, not a property of the cut); the
	// cut is the one problem.
	ends := *tab
	ends.Rows = append(slices.Clone(tab.Rows[:1000]), tab.Rows[MaxRows-1000:]...)
	m := mapTable(t, &ends)
	if len(m.posts) != 2000 || m.lines[1999] != MaxRows+1 || len(m.problems) != 1 || m.problems[0] != "bai-dang.csv:200002: "+want.Reason {
		t.Errorf("mapped %d posts (last line %d), problems %q", len(m.posts), m.lines[len(m.lines)-1], m.problems)
	}

	big := make([]byte, MaxFileSize+1)
	copy(big, "Link\n")
	if _, err := Read("qua-lon.csv", big, ""); !errors.Is(err, ErrTooLarge) ||
		err.Error() != "tệp qua-lon.csv lớn hơn giới hạn 64 MiB (64.0 MiB) nên không được đọc — hãy chia thành nhiều tệp nhỏ hơn (the file is larger than 64 MiB)" {
		t.Errorf("file over the cap: %v", err)
	}
}

// workbook returns a small valid .xlsx whose first sheet is the given rows.
func workbook(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if strings.HasPrefix(v, "=") {
				f.SetCellFormula("Sheet1", cell, v[1:])
				continue
			}
			f.SetCellStr("Sheet1", cell, v)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// replaceEntry rewrites a zip with one entry's content replaced by raw deflate data
// that declares size bytes once inflated.
func replaceEntry(t testing.TB, zipped []byte, name string, deflated []byte, crc uint32, size uint64) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		found = true
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(deflated)), UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(deflated)
	}
	if !found {
		t.Fatalf("no %s in the workbook", name)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// bombSheet is a worksheet that inflates to n bytes of blanks inside a valid sheet.
func bombSheet(t *testing.T, n int) (deflated []byte, crc uint32) {
	t.Helper()
	head := []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	tail := []byte(`</sheetData></worksheet>`)
	var buf bytes.Buffer
	// BestSpeed: 64 MB of blanks still deflate to about 80 KB, five times faster than
	// BestCompression's 64 KB.
	zw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	h := crc32.NewIEEE()
	w := io.MultiWriter(zw, h)
	w.Write(head)
	blanks := bytes.Repeat([]byte(" "), 1<<20)
	for written := 0; written < n; written += len(blanks) {
		w.Write(blanks)
	}
	w.Write(tail)
	zw.Close()
	return buf.Bytes(), h.Sum32()
}

// Not parallel: it measures the process's allocations, which other tests would add to.
func TestHostileWorkbooks(t *testing.T) {
	good := workbook(t, [][]string{{"Link", "Đơn vị", "Tiêu đề"}, {"https://zalo.me/p/1", "Tân Lợi", "=HYPERLINK(\"http://evil.example\",\"bấm\")"}, {"=\"https://zalo.me/p/\"&2", "Tân Lợi", "x"}})
	t.Run("control", func(t *testing.T) {
		tab, err := Read("bai-dang.xlsx", good, "")
		if err != nil {
			t.Fatal(err)
		}
		// Cells are read as stored values: a formula's text never becomes a title or a
		// link (a workbook written by a program has no cached result for it).
		checkMapped(t, mapTable(t, tab), []string{"https://zalo.me/p/1|tan-loi||n/a"},
			[]string{`bai-dang.csv:3: no link (column "Link" is empty)`})
	})

	deflated, crc := bombSheet(t, 64<<20) // 64 MB of blanks in about 80 KB
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"not a zip", []byte("Link,Đơn vị\nhttps://zalo.me/p/1,Tân Lợi\n"), "not a readable .xlsx workbook: zip: not a valid zip file"},
		{"empty", nil, "not a readable .xlsx workbook: zip: not a valid zip file"},
		{"truncated", good[:len(good)/2], "not a readable .xlsx workbook: zip: not a valid zip file"},
		{"zip without a workbook", func() []byte {
			var b bytes.Buffer
			zw := zip.NewWriter(&b)
			w, _ := zw.Create("readme.txt")
			w.Write([]byte("hello"))
			zw.Close()
			return b.Bytes()
		}(), "not a readable .xlsx workbook"},
		// A bomb that says what it is: the sizes in the zip's directory add up past
		// the limit, and nothing is inflated.
		{"zip bomb, honest sizes", replaceEntry(t, good, "xl/worksheets/sheet1.xml", deflated, crc, 1<<40), "not a readable .xlsx workbook: it would unpack to more than 256 MiB (a zip bomb?)"},
		// A bomb that lies about its size is cut by the zip reader once it inflates
		// past what it declared (4 KB); excelize alone would ignore that and report an
		// empty sheet, so every part is inflated once (to nowhere) before it reads.
		{"zip bomb, lying sizes", replaceEntry(t, good, "xl/worksheets/sheet1.xml", deflated, crc, 4096),
			"not a readable .xlsx workbook: xl/worksheets/sheet1.xml: zip: not a valid zip file (the part is damaged or larger than it says)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, err = Read("bai-dang.xlsx", tc.file, "") })
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if alloc > 32<<20 {
				t.Errorf("allocated %d MB refusing a %d KB file", alloc>>20, len(tc.file)>>10)
			}
		})
	}
}
