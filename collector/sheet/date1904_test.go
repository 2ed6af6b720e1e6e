package sheet

import (
	"bytes"
	"flag"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

var updateWorkbooks = flag.Bool("update-workbooks", false, "rewrite the generated workbooks in testdata")

// macWorkbook is a submission sheet saved in the 1904 date system, as older Excel for
// Mac saves one: the date cell 29/03/2023 20:30 is stored as serial 43552.854…, which
// the 1900 system reads as 28/03/2019.
func macWorkbook(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy hh:mm")})
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range []string{"Dấu thời gian", "Đơn vị", "Đường link bài viết"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr("Sheet1", cell, h)
	}
	// Excel stores the wall clock, without a zone; excelize writes it in the
	// workbook's date system.
	if err := f.SetCellValue("Sheet1", "A2", time.Date(2023, 3, 29, 20, 30, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	f.SetCellStyle("Sheet1", "A2", "A2", style)
	f.SetCellStr("Sheet1", "B2", "Đoàn phường Tân Lợi")
	f.SetCellStr("Sheet1", "C2", "https://www.facebook.com/doandaklak/posts/pfbid0Mac1904")
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMacExcel1904(t *testing.T) {
	const path = "testdata/mac_excel_1904.xlsx"
	if *updateWorkbooks {
		if err := os.WriteFile(path, macWorkbook(t), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := ReadXLSX(bytes.NewReader(b), "")
	if err != nil {
		t.Fatal(err)
	}
	if !tab.Date1904 || len(tab.Rows) != 1 {
		t.Fatalf("Date1904 %v, %d rows; want true, 1", tab.Date1904, len(tab.Rows))
	}
	serial, err := strconv.ParseFloat(tab.Rows[0].Cells[0], 64)
	if err != nil {
		t.Fatalf("date cell %q: %v", tab.Rows[0].Cells[0], err)
	}
	if serial < 43552 || serial > 43553 {
		t.Fatalf("serial %v; want the 1904 serial of 29/03/2023 (43552.85…)", serial)
	}
	loc := collector.DefaultLocation()
	got, err := SerialTime(serial, tab.Date1904, loc)
	if want := time.Date(2023, 3, 29, 20, 30, 0, 0, loc); err != nil || !got.Equal(want) {
		t.Fatalf("SerialTime = %v, %v; want %v", got, err, want)
	}
	// Mapped as an import maps it, the row is dated 29/03/2023 20:30, not 28/03/2019.
	m := testMapper(path)
	m.Columns = map[string]string{"Đường link bài viết": FieldURL, "Dấu thời gian": FieldPublished}
	entries, problems, err := m.Map(tab)
	if err != nil || len(problems) != 0 || len(entries) != 1 {
		t.Fatalf("map: %d entries, problems %v, %v", len(entries), problems, err)
	}
	if got, want := entries[0].Post.PublishedAt, time.Date(2023, 3, 29, 20, 30, 0, 0, loc); !got.Equal(want) {
		t.Fatalf("mapped published %v; want %v", got, want)
	}
	// Read in the 1900 system, the same serial is the date the issue found.
	if wrong, _ := SerialTime(serial, false, loc); wrong.Year() != 2019 || wrong.Month() != 3 || wrong.Day() != 28 {
		t.Fatalf("1900 reading %v; want 28/03/2019", wrong)
	}
	// A workbook in the 1900 system (every one Google Sheets and Excel for Windows write).
	csv, err := os.ReadFile("testdata/google_forms.csv")
	if err != nil {
		t.Fatal(err)
	}
	forms, err := ReadCSV(csv)
	if err != nil {
		t.Fatal(err)
	}
	tab1900, err := ReadXLSX(bytes.NewReader(xlsxOf(t, forms)), "")
	if err != nil || tab1900.Date1904 {
		t.Fatalf("1900 workbook: Date1904 %v, %v", tab1900 != nil && tab1900.Date1904, err)
	}
	for _, bad := range []float64{0, -1, MaxSerial, 1e300} {
		if _, err := SerialTime(bad, false, loc); err == nil {
			t.Errorf("SerialTime(%v) accepted", bad)
		}
	}
}
