// Package sheet reads the spreadsheets people fill in for a campaign — a Google Forms
// export, an Excel workbook, a CSV saved from anywhere, a Google Sheet published to the
// web — and maps their rows to posts. Reading is forgiving (encodings, separators,
// headers in Vietnamese or English, numbers and dates as people type them); every row
// that cannot be used is reported with its line and the reason, and the others are kept.
// The package also provides the "sheet" source kind: a CSV fetched over HTTP.
package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// MaxFileSize bounds what one import reads into memory. Every path checks it with
// CheckSize before it reads a byte.
const MaxFileSize = 64 << 20

// MaxRows bounds the rows read from one file or sheet: a campaign's sheet has
// thousands, and a million mapped rows would take over a gigabyte. The rows after it
// are reported as not read.
const MaxRows = 200_000

// MaxColumns bounds the cells read from one row: a form export has a few dozen
// columns. The cells after it are skipped while reading, never held: a 13 KB
// workbook with one cell in column XFD (16,384) of each row took 3.5 GB when every row
// was padded to its last column, and a CSV line of 67 million commas 5.4 GB.
const MaxColumns = 256

// MaxCells bounds the cells held from one file, all rows together (200,000 rows of
// 20 columns): MaxRows rows of MaxColumns empty cells would still take 800 MB.
const MaxCells = 4_000_000

// tooManyRows is the problem reported at the first row past MaxRows.
func tooManyRows(line int) Problem {
	return Problem{Line: line, Reason: fmt.Sprintf("the file has more than %d rows; this row and the ones after it were not read (split the file)", MaxRows)}
}

// Table is a sheet as read: the header row and the rows under it, each with the line
// (CSV) or row number (XLSX) a person sees in their editor.
type Table struct {
	Header     []string
	HeaderLine int
	Rows       []Row
	// Serial is set for workbooks: a date cell holds an Excel serial day number.
	Serial bool
	// Date1904 is set for a workbook saved in the 1904 date system (older Excel for
	// Mac): its serials count days from 1904-01-01, so they must be read with
	// SerialTime(serial, true, loc) or every date lands four years and a day early.
	Date1904 bool
	// Problems are parts of the file that could not be read (a broken quote at the end),
	// reported by line; the rows before them are kept.
	Problems []Problem
}

// Row is one data row.
type Row struct {
	Line  int
	Cells []string
	// Links holds, by column index, the targets of cells of a workbook that carry a
	// hyperlink under other text ("Bài viết" linking to the post).
	Links map[int]string
}

// Problem is a line that could not be read.
type Problem struct {
	Line   int
	Reason string
}

// Errors callers branch on.
var (
	ErrEmpty    = errors.New("the file has no header row")
	ErrEncoding = errors.New("the file is not UTF-8 or UTF-16 text (in Excel choose \"CSV UTF-8\" or save as .xlsx)")
	// ErrTooLarge is a file over MaxFileSize (a *SizeError says which).
	ErrTooLarge = fmt.Errorf("the file is larger than %d MiB", MaxFileSize>>20)
)

// SizeError is a file refused before it was read because it is larger than
// MaxFileSize.
type SizeError struct {
	File string // as the caller named it: a path, an inbox file, a link
	Size int64  // bytes, as far as they are known
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("tệp %s lớn hơn giới hạn %d MiB (%.1f MiB) nên không được đọc — hãy chia thành nhiều tệp nhỏ hơn (the file is larger than %d MiB)",
		e.File, MaxFileSize>>20, float64(e.Size)/(1<<20), MaxFileSize>>20)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// CheckSize is the one size check made before reading a sheet, in every path: import
// FILE, the inbox folder, the sheet source's body, an upload. name is how the file is
// named in the error.
func CheckSize(name string, size int64) error {
	if size > MaxFileSize {
		return &SizeError{File: name, Size: size}
	}
	return nil
}

// ReadFile reads a sheet file from disk: its size is checked (CheckSize) on the open
// file before any byte is read, and no more than MaxFileSize bytes are ever read,
// even from a file that grows meanwhile. info is the open file's.
func ReadFile(path string) (b []byte, info os.FileInfo, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, info, fmt.Errorf("%s is not a regular file", path)
	}
	if err := CheckSize(path, info.Size()); err != nil {
		return nil, info, err
	}
	b, err = readCapped(path, f, info.Size())
	return b, info, err
}

// readCapped reads r whole, refusing it once it passes MaxFileSize; hint sizes the
// buffer.
func readCapped(name string, r io.Reader, hint int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(max(hint, 0), MaxFileSize)+bytes.MinRead))
	n, err := buf.ReadFrom(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if err := CheckSize(name, n); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// IsWorkbook says whether a file name is read as an Excel workbook.
func IsWorkbook(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return true
	}
	return false
}

// IsSheetFile says whether a file name is one the importer reads (CSV, TSV, TXT, XLSX).
func IsSheetFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt", ".xlsx", ".xlsm":
		return true
	}
	return false
}

// Read reads a CSV or (by name) XLSX file's bytes. sheetName selects a worksheet of a
// workbook; "" is the first.
func Read(name string, b []byte, sheetName string) (*Table, error) {
	if err := CheckSize(name, int64(len(b))); err != nil {
		return nil, err
	}
	if IsWorkbook(name) {
		return readWorkbook(b, sheetName)
	}
	return ReadCSV(b)
}

// decodeBytes returns the text of a CSV file as UTF-8: a UTF-8 byte order mark is
// dropped, UTF-16 (what Excel's "Unicode text" writes) is converted, with or without a
// BOM. UTF-8 text is not copied: the result shares b.
func decodeBytes(b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return []byte(decodeUTF16(b[2:], false)), nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return []byte(decodeUTF16(b[2:], true)), nil
	}
	if le, be := zeroBytes(b); le {
		return []byte(decodeUTF16(b, false)), nil
	} else if be {
		return []byte(decodeUTF16(b, true)), nil
	}
	if !utf8.Valid(b) {
		return nil, ErrEncoding
	}
	return b, nil
}

// zeroBytes guesses UTF-16 without a byte order mark: text with Latin letters has a
// zero in most high bytes, and UTF-8 text has no zero bytes at all.
func zeroBytes(b []byte) (le, be bool) {
	n := min(len(b), 1024) &^ 1
	if n < 4 {
		return false, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	return odd*3 > pairs && even == 0, even*3 > pairs && odd == 0
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	s := string(utf16.Decode(u))
	return strings.TrimPrefix(s, "\uFEFF")
}

// delimiter guesses the separator of a CSV text from its first line (outside quotes):
// comma, semicolon (Excel in a locale whose decimal mark is a comma, as in Việt Nam) or
// tab. Ties go to the comma. The separators and the quote are ASCII, never part of a
// multi-byte character, so bytes are enough.
func delimiter(text []byte) byte {
	counts := map[byte]int{}
	inQuote := false
	for _, r := range text {
		if r == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		if r == '\n' {
			break
		}
		if r == ',' || r == ';' || r == '\t' {
			counts[r]++
		}
	}
	best := byte(',')
	for _, r := range []byte{'\t', ';'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// ReadCSV reads a CSV file: UTF-8 with or without BOM or UTF-16, comma, semicolon or
// tab separated, CRLF or LF, quoted fields with line breaks. Rows whose cells are all
// blank are skipped (Excel leaves them at the end). Cells past MaxColumns are skipped
// while reading and reported once; reading stops at MaxRows rows or MaxCells cells,
// the rows before kept and the rest reported in Table.Problems. Memory stays within
// about twice the file's size whatever its rows claim.
func ReadCSV(b []byte) (*Table, error) {
	text, err := decodeBytes(b)
	if err != nil {
		return nil, err
	}
	// NUL bytes (padding some exporters leave) are no part of what anyone typed; kept,
	// they would make a unit name or a number unrecognisable.
	if bytes.IndexByte(text, 0) >= 0 {
		text = bytes.ReplaceAll(text, []byte{0}, nil)
	}
	comma := delimiter(text)
	// Excel understands a first line "sep=;" naming the separator, and writes one.
	start := 0
	if first, _, ok := bytes.Cut(text, []byte("\n")); ok || len(first) > 0 {
		f := strings.TrimSpace(string(first[:min(len(first), 16)]))
		if len(first) <= 16 {
			if sep, found := strings.CutPrefix(strings.ToLower(f), "sep="); found && len(sep) == 1 && strings.Contains(",;\t|", sep) {
				comma = sep[0]
				start = len(first) // keep the line count for the line numbers
			}
		}
	}
	sc := newCSVScanner(text, comma, MaxColumns)
	sc.pos = start
	// The rows slice is made once, not grown and copied through every doubling up to
	// 200,000 rows: no more rows than lines, and no more room than a row of 16 bytes
	// needs (a file of blank lines reserves nothing much; shorter rows still append).
	t := &Table{Rows: make([]Row, 0, min(bytes.Count(text[start:], []byte{'\n'}), len(text)/16, MaxRows))}
	var cells int
	wide := false
	for {
		rec, line, fields, ok := sc.next()
		if !ok {
			break
		}
		if blank(rec) {
			continue
		}
		if fields > MaxColumns && !wide {
			wide = true
			t.Problems = append(t.Problems, tooManyColumns(line, fields))
		}
		if t.Header == nil {
			t.Header, t.HeaderLine = rec, line
			cells += len(rec)
			continue
		}
		if len(t.Rows) == MaxRows {
			t.Problems = append(t.Problems, tooManyRows(line))
			break
		}
		if cells+len(rec) > MaxCells {
			t.Problems = append(t.Problems, tooManyCells(line))
			break
		}
		cells += len(rec)
		t.Rows = append(t.Rows, Row{Line: line, Cells: rec})
	}
	if t.Header == nil {
		return nil, ErrEmpty
	}
	return t, nil
}

// tooManyColumns is the problem reported at the first row wider than MaxColumns.
func tooManyColumns(line, cells int) Problem {
	return Problem{Line: line, Reason: fmt.Sprintf("dòng có %d cột, quá giới hạn %d cột: các ô sau cột %d (ở dòng này và các dòng khác) không được đọc (more than %d columns; the cells after them were not read)",
		cells, MaxColumns, MaxColumns, MaxColumns)}
}

// tooManyCells is the problem reported at the row that would pass MaxCells.
func tooManyCells(line int) Problem {
	return Problem{Line: line, Reason: fmt.Sprintf("tệp có hơn %d ô dữ liệu: dòng này và các dòng sau không được đọc — hãy chia tệp (more than %d cells; this row and the ones after it were not read)",
		MaxCells, MaxCells)}
}

// maxUnzip bounds what a workbook may unpack to, all parts together.
const maxUnzip = 256 << 20

// checkZip inflates every part of a workbook once, to io.Discard, before excelize
// reads it: excelize ignores a part that inflates past the size it declares (a zip
// bomb that lies about its size) and would report an empty sheet instead.
func checkZip(b []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxUnzip {
			return fmt.Errorf("it would unpack to more than %d MiB (a zip bomb?)", maxUnzip>>20)
		}
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w (the part is damaged or larger than it says)", f.Name, err)
		}
	}
	return nil
}

// ReadXLSX reads one worksheet of a workbook: sheetName, or the first when "". Cells
// are read raw, so dates arrive as serial numbers and are converted by the mapper in
// the campaign's time zone. Rows are streamed: cells past MaxColumns are skipped and
// reported once, and reading stops at MaxRows rows or MaxCells cells.
func ReadXLSX(rd io.Reader, sheetName string) (*Table, error) {
	b, err := readCapped("workbook", rd, 0)
	if err != nil {
		return nil, err
	}
	return readWorkbook(b, sheetName)
}

func readWorkbook(b []byte, sheetName string) (*Table, error) {
	if err := checkZip(b); err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: maxUnzip, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	defer f.Close()
	list := f.GetSheetList()
	if len(list) == 0 {
		return nil, ErrEmpty
	}
	name := list[0]
	if sheetName != "" {
		name = ""
		for _, n := range list {
			if strings.EqualFold(strings.TrimSpace(n), strings.TrimSpace(sheetName)) {
				name = n
			}
		}
		if name == "" {
			return nil, fmt.Errorf("no sheet %q in the workbook (sheets: %s)", sheetName, strings.Join(list, ", "))
		}
	}
	t := &Table{Serial: true}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return nil, fmt.Errorf("workbook properties: %w", err)
	}
	t.Date1904 = props.Date1904 != nil && *props.Date1904
	// Never anything that loads the worksheet whole (GetRows' padding, excelize's
	// hyperlink functions): excelize then pads every row to its last column.
	links, err := hyperlinks(b, slices.Index(list, name))
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", name, err)
	}
	rows, err := f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", name, err)
	}
	defer rows.Close()
	var cells int
	wide := false
	for i := 1; rows.Next(); i++ {
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("sheet %q: row %d: %w", name, i, err)
		}
		if len(rec) > MaxColumns {
			if !wide && !blank(rec[MaxColumns:]) {
				wide = true
				t.Problems = append(t.Problems, tooManyColumns(i, len(rec)))
			}
			rec = slices.Clone(rec[:MaxColumns])
		}
		if blank(rec) {
			continue
		}
		if t.Header == nil {
			t.Header, t.HeaderLine = rec, i
			cells += len(rec)
			continue
		}
		if len(t.Rows) == MaxRows {
			t.Problems = append(t.Problems, tooManyRows(i))
			break
		}
		if cells+len(rec) > MaxCells {
			t.Problems = append(t.Problems, tooManyCells(i))
			break
		}
		cells += len(rec)
		t.Rows = append(t.Rows, Row{Line: i, Cells: rec, Links: links[i]})
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("sheet %q: %w", name, err)
	}
	if t.Header == nil {
		return nil, ErrEmpty
	}
	return t, nil
}

// MaxSerial is the serial of 31/12/9999, the last day Excel writes.
const MaxSerial = 2958466

// SerialTime converts an Excel serial day number (days and a fraction of a day) to the
// wall-clock time it shows, placed in loc: a workbook stores no zone, and its author
// typed the campaign's local time. date1904 is Table.Date1904. It fails for a serial
// outside the days Excel can show.
func SerialTime(serial float64, date1904 bool, loc *time.Location) (time.Time, error) {
	if !(serial > 0 && serial < MaxSerial) {
		return time.Time{}, fmt.Errorf("sheet: %v is not an Excel date serial", serial)
	}
	t, err := excelize.ExcelDateToTime(serial, date1904)
	if err != nil {
		return time.Time{}, fmt.Errorf("sheet: %w", err)
	}
	// Serials store fractions of a day: 20:30 comes back as 20:29:59.99…
	t = t.Round(time.Second)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), nil
}

// hyperlinks returns the http(s) targets of the external hyperlinks of the index-th
// worksheet (in the workbook's order), by row number and column index, for columns
// within MaxColumns. The worksheet is streamed for its <hyperlink> elements.
func hyperlinks(b []byte, index int) (map[int]map[int]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[strings.TrimPrefix(f.Name, "/")] = f
	}
	// xl/workbook.xml lists the sheets in order with their relationship ids; its
	// relationships name each sheet's part.
	var wb struct {
		Sheets []struct {
			RID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(parts, "xl/workbook.xml", &wb); err != nil || index < 0 || index >= len(wb.Sheets) {
		return nil, nil // excelize read the sheet list; without it there are no links to find
	}
	wbRels, err := relationships(parts, "xl/_rels/workbook.xml.rels")
	if err != nil {
		return nil, nil
	}
	target, ok := wbRels[wb.Sheets[index].RID]
	if !ok {
		return nil, nil
	}
	sheetPath := partPath("xl", target.Target)
	sheetRels, err := relationships(parts, path.Join(path.Dir(sheetPath), "_rels", path.Base(sheetPath)+".rels"))
	if err != nil || len(sheetRels) == 0 {
		return nil, nil
	}
	part, ok := parts[sheetPath]
	if !ok {
		return nil, nil
	}
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	out := map[int]map[int]string{}
	n := 0
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("hyperlinks: %w", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok || el.Name.Local != "hyperlink" {
			continue
		}
		var ref, rid string
		for _, a := range el.Attr {
			switch {
			case a.Name.Local == "ref":
				ref = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				rid = a.Value
			}
		}
		rel, ok := sheetRels[rid]
		if !ok || !strings.EqualFold(rel.TargetMode, "External") {
			continue
		}
		if l := strings.ToLower(rel.Target); !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
			continue
		}
		// A link over a range ("A2:A4") belongs to its first cell.
		first, _, _ := strings.Cut(ref, ":")
		col, row, err := excelize.CellNameToCoordinates(first)
		if err != nil || col > MaxColumns {
			continue
		}
		if n++; n > MaxCells {
			break
		}
		if out[row] == nil {
			out[row] = map[int]string{}
		}
		out[row][col-1] = rel.Target
	}
	return out, nil
}

// relation is one <Relationship> of a part's .rels.
type relation struct {
	ID         string `xml:"Id,attr"`
	Target     string `xml:"Target,attr"`
	TargetMode string `xml:"TargetMode,attr"`
}

// relationships reads a .rels part, by id; a missing part has none.
func relationships(parts map[string]*zip.File, name string) (map[string]relation, error) {
	var rels struct {
		List []relation `xml:"Relationship"`
	}
	if _, ok := parts[name]; !ok {
		return nil, nil
	}
	if err := decodePart(parts, name, &rels); err != nil {
		return nil, err
	}
	out := make(map[string]relation, len(rels.List))
	for _, r := range rels.List {
		out[r.ID] = r
	}
	return out, nil
}

// maxSmallPart bounds the workbook-level parts decoded whole (the workbook, the
// relationships): a few kilobytes in any real workbook.
const maxSmallPart = 4 << 20

func decodePart(parts map[string]*zip.File, name string, v any) error {
	f, ok := parts[name]
	if !ok {
		return fmt.Errorf("no %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, maxSmallPart)).Decode(v)
}

// partPath resolves a relationship target: relative to dir, or from the package root
// when it starts with "/".
func partPath(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Join(dir, target)
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
