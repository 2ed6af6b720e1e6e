package sheet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
)

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var b []byte
	u := utf16.Encode([]rune(s))
	if bom {
		u = append([]uint16{0xFEFF}, u...)
	}
	for _, c := range u {
		if bigEndian {
			b = append(b, byte(c>>8), byte(c))
		} else {
			b = append(b, byte(c), byte(c>>8))
		}
	}
	return b
}

func TestReadCSVVariants(t *testing.T) {
	t.Parallel()
	const plain = "Đơn vị,Link bài viết,Lượt thích\nTân Lợi,https://zalo.me/p/1,\"1,234\"\n"
	wantRows := [][]string{{"Tân Lợi", "https://zalo.me/p/1", "1,234"}}
	for _, tc := range []struct {
		name  string
		in    []byte
		rows  [][]string
		lines []int
	}{
		{"utf-8", []byte(plain), wantRows, []int{2}},
		{"utf-8 with BOM", append([]byte("\xef\xbb\xbf"), plain...), wantRows, []int{2}},
		{"utf-16le tab separated", utf16Bytes("Đơn vị\tLink bài viết\tLượt thích\r\nTân Lợi\thttps://zalo.me/p/1\t1.234\r\n", false, true),
			[][]string{{"Tân Lợi", "https://zalo.me/p/1", "1.234"}}, []int{2}},
		{"utf-16be with BOM", utf16Bytes(plain, true, true), wantRows, []int{2}},
		{"utf-16le without BOM", utf16Bytes(plain, false, false), wantRows, []int{2}},
		{"semicolon", []byte("Đơn vị;Link bài viết;Lượt thích\nTân Lợi;https://zalo.me/p/1;1,234\n"), wantRows, []int{2}},
		{"tab", []byte("Đơn vị\tLink bài viết\tLượt thích\nTân Lợi\thttps://zalo.me/p/1\t1,234\n"), wantRows, []int{2}},
		{"CRLF and blank trailing rows", []byte("Đơn vị,Link bài viết,Lượt thích\r\nTân Lợi,https://zalo.me/p/1,\"1,234\"\r\n,,\r\n\r\n , ,\r\n"), wantRows, []int{2}},
		{"multi-line quoted answer", []byte("Nội dung,Link\r\n\"dòng 1\r\ndòng 2\",https://zalo.me/p/1\r\nx,https://zalo.me/p/2\r\n"),
			[][]string{{"dòng 1\ndòng 2", "https://zalo.me/p/1"}, {"x", "https://zalo.me/p/2"}}, []int{2, 4}},
		{"excel sep= line", []byte("sep=;\r\nĐơn vị;Link bài viết;Lượt thích\r\nTân Lợi;https://zalo.me/p/1;1,234\r\n"), wantRows, []int{3}},
		{"blank lines before the header", []byte("\n\nLink\nhttps://zalo.me/p/1\n"), [][]string{{"https://zalo.me/p/1"}}, []int{4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := ReadCSV(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var rows [][]string
			var lines []int
			for _, r := range tab.Rows {
				rows = append(rows, r.Cells)
				lines = append(lines, r.Line)
			}
			if fmt.Sprint(rows) != fmt.Sprint(tc.rows) || fmt.Sprint(lines) != fmt.Sprint(tc.lines) {
				t.Errorf("rows %q lines %v; want %q %v", rows, lines, tc.rows, tc.lines)
			}
			if len(tab.Header) == 0 || !strings.HasPrefix(HeaderKey(tab.Header[0]), "") || tab.Header[0] == "\ufeffĐơn vị" {
				t.Errorf("header %q", tab.Header)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	t.Parallel()
	if _, err := ReadCSV([]byte("\xff\xfe")); err == nil {
		// an empty UTF-16 file has no header
	} else if err != ErrEmpty {
		t.Errorf("empty utf-16: %v", err)
	}
	if _, err := ReadCSV([]byte("Link\nhttps://x.vn/\xe0\x80\n")); err != ErrEncoding {
		t.Errorf("windows-1258 bytes: %v; want ErrEncoding", err)
	}
	if _, err := ReadCSV([]byte("\n ,\n")); err != ErrEmpty {
		t.Errorf("blank file: %v", err)
	}
}

func TestTitleRowAboveHeader(t *testing.T) {
	t.Parallel()
	tab, err := ReadCSV([]byte("DANH SÁCH BÀI ĐĂNG THÁNG 4,,\nĐơn vị: Đoàn phường Tân Lợi,,\nSTT,Link bài viết,Lượt thích\n1,https://zalo.me/p/1,5\n2,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	entries, problems, err := testMapper("f.csv").Map(tab)
	if err != nil || len(entries) != 1 || entries[0].Line != 4 || entries[0].Post.Metrics.Likes.N != 5 ||
		len(problems) != 1 || problems[0].Where != "f.csv:5" {
		t.Fatalf("entries %+v problems %+v err %v", entries, problems, err)
	}
	tab, _ = ReadCSV([]byte("Tên,Ghi chú\nA,B\nC,D\n"))
	if _, _, err := testMapper("f.csv").Map(tab); err == nil || !strings.HasPrefix(err.Error(), "f.csv:1: no link column") {
		t.Errorf("no header anywhere: %v", err)
	}
}

func TestMapColumns(t *testing.T) {
	t.Parallel()
	cols, err := MapColumns([]string{"DẤU THỜI GIAN", "Link bài viết (bắt buộc)*", "don vi", "Lượt Thích:", "Số điện thoại", "Mã tin"},
		map[string]string{"Mã tin": "note"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(cols.Mapped(), "; ")
	want := "DẤU THỜI GIAN → timestamp; Link bài viết (bắt buộc)* → url; Lượt Thích: → likes; Mã tin → note; don vi → unit"
	if got != want {
		t.Errorf("mapped %q\nwant   %q", got, want)
	}
	if fmt.Sprint(cols.Ignored) != "[Số điện thoại]" {
		t.Errorf("ignored %q", cols.Ignored)
	}
	_, err = MapColumns([]string{"Tên", "Ghi chú"}, nil)
	if err == nil || !strings.Contains(err.Error(), `no link column`) || !strings.Contains(err.Error(), `found "Tên", "Ghi chú"`) {
		t.Errorf("no url column: %v", err)
	}
}

func TestRowReasons(t *testing.T) {
	t.Parallel()
	header := []string{"Link", "Đơn vị", "Lượt thích", "Ngày đăng", "Dấu thời gian", "Nền tảng", "Chiến dịch", "Lượt xem"}
	cols, err := MapColumns(header, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := testMapper("f.csv")
	for _, tc := range []struct {
		name  string
		cells []string
		want  string // error substring, or "" for a good row
		check func(p collector.Post) string
	}{
		{"javascript link", []string{"javascript:alert(1)"}, `link "javascript:alert(1)" is not usable: only http:// and https:// links are accepted`, nil},
		{"credentials", []string{"https://user:pw@example.vn/a"}, "must not contain a user name or password", nil},
		{"malformed", []string{"https://exa mple.vn/a"}, "the link is malformed", nil},
		{"negative", []string{"https://zalo.me/p/1", "", "-5"}, `column "Lượt thích": negative number`, nil},
		{"words for a number", []string{"https://zalo.me/p/1", "", "nhiều lắm"}, `column "Lượt thích": "nhiều lắm" is not a whole number`, nil},
		{"bad timestamp", []string{"https://zalo.me/p/1", "", "", "", "32/13/2023"}, `column "Dấu thời gian": "32/13/2023" is not a date`, nil},
		{"unknown campaign", []string{"https://zalo.me/p/1", "", "", "", "", "", "#KhacHashtag"}, `column "Chiến dịch": unknown campaign`, nil},
		{"campaign by hashtag", []string{"https://zalo.me/p/1", "", "", "", "", "", "#tuoitredaklaktienphongchuyendoiso"}, "", func(p collector.Post) string {
			return fmt.Sprint(p.Campaigns)
		}},
		{"blank counts are unknown", []string{"https://zalo.me/p/1", "", "", "", "", "", "", "n/a"}, "", func(p collector.Post) string {
			return fmt.Sprint(p.Metrics.Likes.Known, p.Metrics.Views.Known)
		}},
		// One rule for every channel: a platform nobody knows is a wrong cell, as at the
		// form (it used to be dropped here and the link's platform kept).
		{"unknown platform name", []string{"https://www.tiktok.com/@a/video/1", "", "", "", "", "Mạng lạ"}, `column "Nền tảng": unknown platform "Mạng lạ" (one of facebook, zalo`, nil},
		{"platform by its Vietnamese name", []string{"https://zalo.me/p/1", "", "", "", "", "Trang web"}, "", func(p collector.Post) string {
			return p.Platform
		}},
		{"every wrong cell at once", []string{"ftp://x.vn/a", "Tân Lộc", "-1", "hôm qua", "", "Mạng lạ", "#Khac", "nhiều"}, `link "ftp://x.vn/a" is not usable: only http:// and https:// links are accepted; ` +
			`unknown unit "Tân Lộc"; closest: Đoàn phường Tân Lợi (tan-loi); column "Nền tảng": unknown platform "Mạng lạ" (one of facebook, zalo, instagram, tiktok, youtube, threads, x, web); ` +
			`column "Ngày đăng": "hôm qua" is not a date or time (write 29/03/2023, 29/03/2023 08:14 or 2023-03-29T08:14:00+07:00); ` +
			`column "Lượt thích": negative number: "-1"; column "Lượt xem": "nhiều" is not a whole number (write 1234, 1.234 or 1,2K); ` +
			`column "Chiến dịch": unknown campaign "#Khac" (known: cds)`, nil},
		{"dates as people type them", []string{"https://zalo.me/p/1", "", "2 nghìn", "5/4/2023 7:05", "2023-04-05T01:00:00Z"}, "", func(p collector.Post) string {
			return p.PublishedAt.Format(time.RFC3339) + " " + p.ObservedAt.Format(time.RFC3339) + " " + p.Metrics.Likes.String()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cells := append(tc.cells, make([]string, len(header)-len(tc.cells))...)
			p, err := m.Row(cols, cells, false, false)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err %v; want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := tc.check(p)
			want := map[string]string{
				"campaign by hashtag":             "[cds]",
				"blank counts are unknown":        "false false",
				"platform by its Vietnamese name": "web",
				"dates as people type them":       "2023-04-05T07:05:00+07:00 2023-04-05T01:00:00Z 2000",
			}[tc.name]
			if got != want {
				t.Errorf("got %q; want %q", got, want)
			}
		})
	}
}

// xlsxOf writes the rows of the Google Forms fixture to a workbook the way Google
// Sheets exports one: the timestamp as a real date cell, everything else as typed.
func xlsxOf(t testing.TB, tab *Table) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheetName = "Câu trả lời biểu mẫu 1"
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		t.Fatal(err)
	}
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy hh:mm:ss")})
	if err != nil {
		t.Fatal(err)
	}
	put := func(row int, cells []string) {
		for i, c := range cells {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if row > 1 && i == 0 {
				ts, err := collector.ParseTime(c, collector.DefaultLocation())
				if err != nil {
					t.Fatal(err)
				}
				// Excel stores the wall clock, without a zone.
				wall := time.Date(ts.Year(), ts.Month(), ts.Day(), ts.Hour(), ts.Minute(), ts.Second(), 0, time.UTC)
				if err := f.SetCellValue(sheetName, cell, wall); err != nil {
					t.Fatal(err)
				}
				f.SetCellStyle(sheetName, cell, cell, style)
				continue
			}
			if err := f.SetCellStr(sheetName, cell, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	put(1, tab.Header)
	for _, r := range tab.Rows {
		put(r.Line, r.Cells) // same row numbers as the CSV's lines (the multi-line answer takes one row)
	}
	// A second sheet, to prove --sheet chooses.
	if _, err := f.NewSheet("Ghi chú"); err != nil {
		t.Fatal(err)
	}
	f.SetCellStr("Ghi chú", "A1", "Link")
	f.SetCellStr("Ghi chú", "A2", "https://zalo.me/p/from-second-sheet")
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ptr[T any](v T) *T { return &v }

func TestXLSXGivesTheSamePosts(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/google_forms.csv")
	if err != nil {
		t.Fatal(err)
	}
	tab, err := ReadCSV(b)
	if err != nil {
		t.Fatal(err)
	}
	fromCSV := mapFile(t, "google_forms.csv", b)
	fromXLSX := mapFile(t, "google_forms.xlsx", xlsxOf(t, tab))
	c, _ := json.Marshal(fromCSV.Posts)
	x, _ := json.Marshal(fromXLSX.Posts)
	if !bytes.Equal(c, x) {
		t.Errorf("xlsx posts differ from csv:\ncsv  %s\nxlsx %s", c, x)
	}
	// Line numbers of an xlsx are its row numbers; here they match the CSV's by construction
	// except the rows after the three-line answer.
	if len(fromXLSX.Problems) != 3 {
		t.Errorf("xlsx problems %q", fromXLSX.Problems)
	}

	// A link cell showing other text ("Xem bài") reads as its hyperlink's target.
	wb, err := excelize.OpenReader(bytes.NewReader(xlsxOf(t, tab)))
	if err != nil {
		t.Fatal(err)
	}
	sh := "Câu trả lời biểu mẫu 1"
	wb.SetCellStr(sh, "E2", "Xem bài")
	if err := wb.SetCellHyperLink(sh, "E2", "https://www.facebook.com/permalink.php?story_fbid=111&id=222", "External"); err != nil {
		t.Fatal(err)
	}
	wb.SetCellStr(sh, "E3", "Xem bài không có link")
	buf, _ := wb.WriteToBuffer()
	linked := mapFile(t, "f.xlsx", buf.Bytes())
	if len(linked.Posts) != 3 || linked.Posts[0].Post.URL != "https://facebook.com/permalink.php?id=222&story_fbid=111" ||
		!strings.HasPrefix(linked.Problems[0], `google_forms.csv:3: link "Xem bài không có link" is not usable`) {
		t.Errorf("hyperlinked cells: %d posts %+v problems %q", len(linked.Posts), linked.Posts[0].Post.URL, linked.Problems)
	}

	second, err := Read("f.xlsx", xlsxOf(t, tab), "ghi chú")
	if err != nil || len(second.Rows) != 1 || second.Rows[0].Cells[0] != "https://zalo.me/p/from-second-sheet" || second.Rows[0].Line != 2 {
		t.Errorf("--sheet: %+v %v", second, err)
	}
	if _, err := Read("f.xlsx", xlsxOf(t, tab), "Trang 9"); err == nil || !strings.Contains(err.Error(), `no sheet "Trang 9" in the workbook (sheets: Câu trả lời biểu mẫu 1, Ghi chú)`) {
		t.Errorf("missing sheet: %v", err)
	}
	if _, err := Read("f.xlsx", []byte("not a zip"), ""); err == nil || !strings.Contains(err.Error(), "not a readable .xlsx") {
		t.Errorf("broken workbook: %v", err)
	}
}

// TestEveryFieldHasHeaders: a field added to the builder is recognised in a sheet
// only once it has column names here; the mapper itself reads every field.
func TestEveryFieldHasHeaders(t *testing.T) {
	t.Parallel()
	for _, f := range manual.Fields {
		hs := KnownHeaders[f.Name]
		if len(hs) == 0 {
			t.Errorf("field %s has no known header names", f.Name)
			continue
		}
		cols, err := MapColumns([]string{"Link", hs[0]}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != FieldURL && cols.Name(f.Name) != hs[0] {
			t.Errorf("header %q does not map to %s", hs[0], f.Name)
		}
	}
	if len(KnownHeaders) != len(manual.Fields) {
		t.Errorf("%d header lists for %d fields", len(KnownHeaders), len(manual.Fields))
	}
}
