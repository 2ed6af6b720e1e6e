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
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// MaxFileSize bounds what one import reads into memory.
const MaxFileSize = 64 << 20

// MaxRows bounds the rows read from one file or sheet: a campaign's sheet has
// thousands, and a million mapped rows would take over a gigabyte. The rows after it
// are reported as not read.
const MaxRows = 200_000

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
	ErrTooLarge = fmt.Errorf("the file is larger than %d MiB", MaxFileSize>>20)
)

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
	if len(b) > MaxFileSize {
		return nil, ErrTooLarge
	}
	if IsWorkbook(name) {
		if err := checkZip(b); err != nil {
			return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
		}
		return ReadXLSX(bytes.NewReader(b), sheetName)
	}
	return ReadCSV(b)
}

// Decode returns the text of a CSV file as UTF-8: a UTF-8 byte order mark is dropped,
// UTF-16 (what Excel's "Unicode text" writes) is converted, with or without a BOM.
func Decode(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return decodeUTF16(b[2:], false), nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return decodeUTF16(b[2:], true), nil
	}
	if le, be := zeroBytes(b); le {
		return decodeUTF16(b, false), nil
	} else if be {
		return decodeUTF16(b, true), nil
	}
	if !utf8.Valid(b) {
		return "", ErrEncoding
	}
	return string(b), nil
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

// Delimiter guesses the separator of a CSV text from its first line (outside quotes):
// comma, semicolon (Excel in a locale whose decimal mark is a comma, as in Việt Nam) or
// tab. Ties go to the comma.
func Delimiter(text string) rune {
	counts := map[rune]int{}
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
	best := ','
	for _, r := range []rune{'\t', ';'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// ReadCSV reads a CSV file: UTF-8 with or without BOM or UTF-16, comma, semicolon or
// tab separated, CRLF or LF, quoted fields with line breaks. Rows whose cells are all
// blank are skipped (Excel leaves them at the end). A broken row stops the reading
// there: the rows before it are kept and the problem is in Table.Problems.
func ReadCSV(b []byte) (*Table, error) {
	text, err := Decode(b)
	if err != nil {
		return nil, err
	}
	// NUL bytes (padding some exporters leave) are no part of what anyone typed; kept,
	// they would make a unit name or a number unrecognisable.
	if strings.IndexByte(text, 0) >= 0 {
		text = strings.ReplaceAll(text, "\x00", "")
	}
	comma := Delimiter(text)
	// Excel understands a first line "sep=;" naming the separator, and writes one.
	if first, rest, ok := strings.Cut(text, "\n"); ok || first != "" {
		f := strings.TrimSpace(first)
		if sep, found := strings.CutPrefix(strings.ToLower(f), "sep="); found && len(sep) == 1 && strings.Contains(",;\t|", sep) {
			comma = rune(sep[0])
			text = "\n" + rest // keep the line count for the line numbers
		}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	t := &Table{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.StartLine
				err = pe.Err
			}
			if t.Header == nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			t.Problems = append(t.Problems, Problem{Line: line, Reason: "cannot read the row: " + err.Error() + "; the rest of the file was not read"})
			break
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if t.Header == nil {
			t.Header, t.HeaderLine = rec, line
			continue
		}
		if len(t.Rows) == MaxRows {
			t.Problems = append(t.Problems, tooManyRows(line))
			break
		}
		t.Rows = append(t.Rows, Row{Line: line, Cells: rec})
	}
	if t.Header == nil {
		return nil, ErrEmpty
	}
	return t, nil
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
// the campaign's time zone.
func ReadXLSX(rd io.Reader, sheetName string) (*Table, error) {
	f, err := excelize.OpenReader(rd, excelize.Options{UnzipSizeLimit: maxUnzip, UnzipXMLSizeLimit: 64 << 20})
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
	rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", name, err)
	}
	links := hyperlinks(f, name)
	t := &Table{Serial: true}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return nil, fmt.Errorf("workbook properties: %w", err)
	}
	t.Date1904 = props.Date1904 != nil && *props.Date1904
	for i, rec := range rows {
		if blank(rec) {
			continue
		}
		if t.Header == nil {
			t.Header, t.HeaderLine = rec, i+1
			continue
		}
		if len(t.Rows) == MaxRows {
			t.Problems = append(t.Problems, tooManyRows(i+1))
			break
		}
		t.Rows = append(t.Rows, Row{Line: i + 1, Cells: rec, Links: links[i+1]})
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

// hyperlinks returns the http(s) targets of a sheet's external hyperlinks, by row
// number and column index.
func hyperlinks(f *excelize.File, sheet string) map[int]map[int]string {
	cells, err := f.GetHyperLinkCells(sheet, "External")
	if err != nil || len(cells) == 0 {
		return nil
	}
	out := map[int]map[int]string{}
	for _, ref := range cells {
		col, row, err := excelize.CellNameToCoordinates(ref)
		if err != nil {
			continue
		}
		ok, target, err := f.GetCellHyperLink(sheet, ref)
		if err != nil || !ok {
			continue
		}
		if l := strings.ToLower(target); !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
			continue
		}
		if out[row] == nil {
			out[row] = map[int]string{}
		}
		out[row][col-1] = target
	}
	return out
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
