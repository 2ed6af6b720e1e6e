package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// dumpXLSX reads a workbook back with excelize and writes what a reader sees: the
// sheets in order, their frozen panes and column widths, every cell's shown value with
// its hyperlink and any formula.
func dumpXLSX(t *testing.T, body []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "== %s\n", sheet)
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "frozen=%v ysplit=%d topleft=%s\n", panes.Freeze, panes.YSplit, panes.TopLeftCell)
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var widths []string
		for c := 1; c <= len(rows[0]); c++ {
			col, _ := excelize.ColumnNumberToName(c)
			w, err := f.GetColWidth(sheet, col)
			if err != nil {
				t.Fatal(err)
			}
			widths = append(widths, fmt.Sprintf("%s=%g", col, w))
		}
		fmt.Fprintf(&b, "widths %s\n", strings.Join(widths, " "))
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if v == "" {
					continue
				}
				fmt.Fprintf(&b, "%s %q", cell, v)
				if ok, link, _ := f.GetCellHyperLink(sheet, cell); ok {
					fmt.Fprintf(&b, " link=%s", link)
				}
				if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
					fmt.Fprintf(&b, " FORMULA=%s", formula)
				}
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

func TestXLSXGolden(t *testing.T) {
	posts := fixturePosts()
	posts[4].Title = `=HYPERLINK("http://evil.example/","Bấm vào đây")` // stays text
	posts[4].Author = "@cmd"
	posts[5].DateOnly, posts[5].PublishedAt = true, at(6, 3, 0, 0)
	st := openFixture(t, posts)
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			r := mustAggregate(t, st, fixtureInput(lang))
			var b bytes.Buffer
			if err := r.WriteXLSX(context.Background(), &b, st); err != nil {
				t.Fatal(err)
			}
			got := dumpXLSX(t, b.Bytes())
			golden := filepath.Join("testdata", "fixture."+lang+".xlsx.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update once)", err)
			}
			if got != string(want) {
				t.Errorf("workbook differs from %s:\n%s", golden, got)
			}
			if strings.Contains(got, "FORMULA") {
				t.Error("a cell holds a formula: text from a submission must stay text")
			}
		})
	}
}

func TestSheetName(t *testing.T) {
	used := map[string]bool{"tổng hợp theo đơn vị": true}
	for _, tc := range []struct{ in, want string }{
		{"Trường Đại học Y Dược Buôn Ma Thuột", "Trường Đại học Y Dược Buôn Ma T"},
		{"Trường Đại học Y Dược Buôn Ma Thuột cơ sở 2", "Trường Đại học Y Dược Buôn (2)"},
		{"Đoàn [A]/B: C?*", "Đoàn A B C"},
		{"Tổng hợp theo đơn vị", "Tổng hợp theo đơn vị (2)"},
		{"'", "?"},
	} {
		if got := sheetName(tc.in, used); got != tc.want {
			t.Errorf("sheetName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
