package report

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// xlsxMaxSheetName is Excel's limit on a sheet name, in characters.
const xlsxMaxSheetName = 31

// WriteXLSX writes the evidence workbook staff attach to the emulation results at the
// end of a campaign: a first sheet of totals per unit in leaderboard order (units
// without a post last, at zero), then one sheet per unit listing its posts of the
// period — date, platform, the link as a hyperlink, the numbers and the verification
// state. Headers are Vietnamese (English with Lang "en"), header rows frozen, column
// widths set. Text is stored as text, never as a formula; an unknown number is an
// empty cell, never 0.
func (r *Report) WriteXLSX(ctx context.Context, w io.Writer, st *store.Store) error {
	en := r.Lang == "en"
	l := labelsFor(r.Lang)
	loc := r.Campaign.Loc()

	// The period's posts, by unit, in time order (the store's time index).
	byUnit := map[string][]collector.Post{}
	q := store.Query{Campaign: r.Campaign.ID, From: r.From, To: r.To.AddDate(0, 0, 1)}
	if err := st.Posts(ctx, q, func(p collector.Post) error {
		byUnit[p.Unit] = append(byUnit[p.Unit], p)
		return nil
	}); err != nil {
		return fmt.Errorf("report: xlsx of campaign %s: %w", r.Campaign.ID, err)
	}

	f := excelize.NewFile()
	defer f.Close()
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"0B4F9C"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	dateFmt, dayFmt := "dd/mm/yyyy hh:mm", "dd/mm/yyyy"
	if en {
		dateFmt, dayFmt = "yyyy-mm-dd hh:mm", "yyyy-mm-dd"
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	dayStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dayFmt})
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	numFmt := 3 // #,##0: Excel shows the reader's own thousands separator
	numStyle, err := f.NewStyle(&excelize.Style{NumFmt: numFmt})
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	linkStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "1265BE", Underline: "single"}})
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}

	// Sheet names first, so the summary can link to each unit's sheet.
	type unitSheet struct {
		id, name, sheet string
		posts           int64
		eng             collector.Count
	}
	var sheets []unitSheet
	used := map[string]bool{}
	summary := "Tổng hợp theo đơn vị"
	if en {
		summary = "Totals by unit"
	}
	used[strings.ToLower(summary)] = true
	for _, u := range r.ByUnit {
		name := u.Name
		if u.ID == "" {
			name = l.NoUnit
		}
		sheets = append(sheets, unitSheet{id: u.ID, name: name, sheet: sheetName(name, used), posts: u.Posts, eng: u.Engagement})
	}

	// The summary sheet.
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	cols := []string{"Hạng", "Đơn vị", "Mã đơn vị", "Số bài đăng", "Tương tác"}
	if en {
		cols = []string{"Rank", "Unit", "Unit id", "Posts", "Engagement"}
	}
	if err := writeHeader(f, summary, cols, header, []float64{7, 44, 18, 13, 13}); err != nil {
		return err
	}
	row := 2
	set := func(sheet string, col, row int, v any) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		return f.SetCellValue(sheet, cell, v)
	}
	style := func(sheet string, col, row, s int) error {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		return f.SetCellStyle(sheet, cell, cell, s)
	}
	var total int64
	for i, s := range sheets {
		eng := any(nil)
		if s.eng.Known {
			eng = s.eng.N
		}
		for c, v := range []any{i + 1, s.name, s.id, s.posts, eng} {
			if v == nil {
				continue
			}
			if err := set(summary, c+1, row, v); err != nil {
				return fmt.Errorf("report: xlsx: %w", err)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(2, row)
		if err := f.SetCellHyperLink(summary, cell, "'"+s.sheet+"'!A1", "Location"); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
		for _, c := range []int{4, 5} {
			if err := style(summary, c, row, numStyle); err != nil {
				return fmt.Errorf("report: xlsx: %w", err)
			}
		}
		if err := style(summary, 2, row, linkStyle); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
		total += s.posts
		row++
	}
	for _, u := range r.UnitsWithoutPosts {
		for c, v := range []any{"", u.Name, u.ID, 0} {
			if err := set(summary, c+1, row, v); err != nil {
				return fmt.Errorf("report: xlsx: %w", err)
			}
		}
		row++
	}
	totalLabel := "Tổng cộng"
	if en {
		totalLabel = "Total"
	}
	for c, v := range []any{"", totalLabel, "", total} {
		if err := set(summary, c+1, row, v); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	if err := style(summary, 4, row, numStyle); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}

	// One sheet per unit.
	postCols := []string{"Ngày đăng", "Nền tảng", "Liên kết", "Tiêu đề", "Tác giả", "Thích", "Bình luận", "Chia sẻ", "Lượt xem", "Tương tác", "Xác minh", "Nguồn số liệu"}
	if en {
		postCols = []string{"Published", "Platform", "Link", "Title", "Author", "Likes", "Comments", "Shares", "Views", "Engagement", "Verification", "Figures from"}
	}
	for _, s := range sheets {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := f.NewSheet(s.sheet); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
		if err := writeHeader(f, s.sheet, postCols, header, []float64{17, 11, 48, 44, 22, 9, 11, 9, 11, 11, 18, 26}); err != nil {
			return err
		}
		for i, p := range byUnit[s.id] {
			row := i + 2
			// Excel has no time zones: write the wall clock of the campaign's zone.
			t := p.When().In(loc)
			wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
			ver := string(p.Verification)
			if v, ok := verificationVI[p.Verification]; ok && !en {
				ver = v
			}
			eng := collector.KnownIf(p.Metrics.Engagement())
			vals := []any{wall, canon.Label(p.Platform), p.URL, p.Title, p.Author,
				countCell(p.Metrics.Likes), countCell(p.Metrics.Comments), countCell(p.Metrics.Shares), countCell(p.Metrics.Views), countCell(eng), ver, textCell(figuresFrom(&p, l))}
			for c, v := range vals {
				if v == nil {
					continue
				}
				if err := set(s.sheet, c+1, row, v); err != nil {
					return fmt.Errorf("report: xlsx: %w", err)
				}
			}
			ds := dateStyle
			if p.DateOnly {
				ds = dayStyle
			}
			if err := style(s.sheet, 1, row, ds); err != nil {
				return fmt.Errorf("report: xlsx: %w", err)
			}
			for c := 6; c <= 10; c++ {
				if err := style(s.sheet, c, row, numStyle); err != nil {
					return fmt.Errorf("report: xlsx: %w", err)
				}
			}
			if link := safeLink(p.URL); link != "" {
				cell, _ := excelize.CoordinatesToCellName(3, row)
				if err := f.SetCellHyperLink(s.sheet, cell, link, "External"); err != nil {
					return fmt.Errorf("report: xlsx: %w", err)
				}
				if err := f.SetCellStyle(s.sheet, cell, cell, linkStyle); err != nil {
					return fmt.Errorf("report: xlsx: %w", err)
				}
			}
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

// writeHeader writes a sheet's header row, freezes it and sets the column widths.
func writeHeader(f *excelize.File, sheet string, cols []string, style int, widths []float64) error {
	for i, c := range cols {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellValue(sheet, cell, c); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, widths[i]); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(cols), 1)
	if err := f.SetCellStyle(sheet, "A1", last, style); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

// textCell is a text, or an empty cell for "".
func textCell(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// countCell is a known count as a number, an unknown one as an empty cell.
func countCell(c collector.Count) any {
	if !c.Known {
		return nil
	}
	return c.N
}

// sheetName makes a unit's name a valid, unique sheet name: Excel refuses : \ / ? * [ ]
// and names over 31 characters, and compares names without case.
func sheetName(name string, used map[string]bool) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) || r < 0x20 {
			return ' '
		}
		return r
	}, name)
	clean = strings.Trim(strings.Join(strings.Fields(clean), " "), "'")
	if clean == "" {
		clean = "?"
	}
	base := clean
	for n := 1; ; n++ {
		cand := base
		if n > 1 {
			cand = fmt.Sprintf(" (%d)", n)
			cand = clipRunes(base, xlsxMaxSheetName-utf8.RuneCountInString(cand)) + cand
		} else {
			cand = clipRunes(base, xlsxMaxSheetName)
		}
		if !used[strings.ToLower(cand)] {
			used[strings.ToLower(cand)] = true
			return cand
		}
	}
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}
