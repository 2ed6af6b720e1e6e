// Package card draws a campaign's report as one phone-portrait PNG picture for Zalo
// groups, where people share pictures rather than attachments: campaign and day,
// progress to the target as a bar, posts today and in total, the three leading units,
// the units with no post yet and a small daily chart. It is drawn in Go with an
// embedded font that covers Vietnamese (Noto Sans, from github.com/go-analyze/charts;
// its licence is FONT-LICENSE.txt beside this file), without a browser, and the same
// report gives the same bytes.
package card

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strings"
	"time"

	"github.com/go-analyze/charts/chartdraw/drawing"
	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/tinhdoandaklak/hashtrack/report"
)

// Size of the card: 9:16, the shape of a phone screen; Zalo shows it whole in a chat
// and its text stays readable at the third of this size Zalo previews.
const (
	Width  = 1080
	Height = 1920
)

const margin = 60

// Colours. A local table: the report's platform palette is not needed here (the card
// shows no platforms), and the Youth Union blue is the one the HTML report's header uses.
var (
	colBackground = color.RGBA{0xf4, 0xf6, 0xfa, 0xff}
	colHeader     = color.RGBA{0x1e, 0x5a, 0xa8, 0xff}
	colHeaderSoft = color.RGBA{0xd6, 0xe4, 0xf7, 0xff}
	colWhite      = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colText       = color.RGBA{0x1f, 0x29, 0x37, 0xff}
	colMuted      = color.RGBA{0x5b, 0x67, 0x78, 0xff}
	colTrack      = color.RGBA{0xdd, 0xe3, 0xec, 0xff}
	colProgress   = color.RGBA{0x1e, 0x5a, 0xa8, 0xff}
	colReached    = color.RGBA{0x2e, 0x7d, 0x32, 0xff}
	colWarn       = color.RGBA{0xc6, 0x28, 0x28, 0xff}
	colBar        = color.RGBA{0x5b, 0x8d, 0xd6, 0xff}
	colRule       = color.RGBA{0xe3, 0xe8, 0xef, 0xff}
)

// Render writes r as the PNG card.
func Render(r *report.Report, w io.Writer) error {
	return render(r, w, nil)
}

// Fonts returns the two faces the card draws with, regular and bold, for tests and
// tools that check the text they will show.
func Fonts() (regular, bold *truetype.Font, err error) {
	regular, bold = drawing.GetFont("notosans"), drawing.GetFont("notosans-bold")
	if regular == nil || bold == nil {
		return nil, nil, fmt.Errorf("card: the embedded Noto Sans fonts are missing")
	}
	return regular, bold, nil
}

// Missing returns the characters of s that a font the card draws with has no glyph
// for (spaces and line breaks aside): they would show as empty boxes.
func Missing(s string) ([]rune, error) {
	regular, bold, err := Fonts()
	if err != nil {
		return nil, err
	}
	var out []rune
	seen := map[rune]bool{}
	for _, c := range s {
		if c == ' ' || c == '\n' || seen[c] {
			continue
		}
		seen[c] = true
		if regular.Index(c) == 0 || bold.Index(c) == 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// canvas is the picture being drawn. drawn, when set (tests), is told every string
// drawn, so a test can check each has its glyphs.
type canvas struct {
	img           *image.RGBA
	regular, bold *truetype.Font
	faces         map[faceKey]font.Face
	drawn         func(string)
}

type faceKey struct {
	bold bool
	size float64
}

func (c *canvas) face(size float64, bold bool) font.Face {
	k := faceKey{bold, size}
	if f, ok := c.faces[k]; ok {
		return f
	}
	f := c.regular
	if bold {
		f = c.bold
	}
	// 72 DPI: a size in points is a size in pixels.
	// A small glyph cache: the default 512 entries are an image zeroed at every face's
	// creation, which cost more than the few glyphs a card repeats (same PNG bytes).
	fc := truetype.NewFace(f, &truetype.Options{Size: size, DPI: 72, Hinting: font.HintingNone, GlyphCacheEntries: 16})
	c.faces[k] = fc
	return fc
}

func (c *canvas) rect(x0, y0, x1, y1 int, col color.Color) {
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Src)
}

// text draws s with its baseline at y, starting at x; align "right" ends it at x.
func (c *canvas) text(s string, x, y int, size float64, bold bool, col color.Color, align string) int {
	if s == "" {
		return 0
	}
	if c.drawn != nil {
		c.drawn(s)
	}
	f := c.face(size, bold)
	wd := font.MeasureString(f, s).Ceil()
	if align == "right" {
		x -= wd
	}
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: f, Dot: fixed.P(x, y)}
	d.DrawString(s)
	return wd
}

func (c *canvas) width(s string, size float64, bold bool) int {
	return font.MeasureString(c.face(size, bold), s).Ceil()
}

// fit shortens s with an ellipsis until it fits in max pixels.
func (c *canvas) fit(s string, max int, size float64, bold bool) string {
	if c.width(s, size, bold) <= max {
		return s
	}
	rs := []rune(s)
	for len(rs) > 1 {
		rs = rs[:len(rs)-1]
		t := strings.TrimRight(string(rs), " ,") + "…"
		if c.width(t, size, bold) <= max {
			return t
		}
	}
	return "…"
}

// wrap breaks s into lines of at most max pixels, at spaces; past maxLines the last
// line ends with an ellipsis.
func (c *canvas) wrap(s string, max int, size float64, bold bool, maxLines int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		try := w
		if cur != "" {
			try = cur + " " + w
		}
		if cur == "" || c.width(try, size, bold) <= max {
			cur = try
			continue
		}
		lines = append(lines, cur)
		cur = w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > maxLines {
		last := strings.Join(lines[maxLines-1:], " ")
		lines = append(lines[:maxLines-1], c.fit(last, max, size, bold))
	}
	for i, l := range lines {
		lines[i] = c.fit(l, max, size, bold)
	}
	return lines
}

func render(r *report.Report, w io.Writer, drawn func(string)) error {
	regular, bold, err := Fonts()
	if err != nil {
		return err
	}
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, Width, Height)), regular: regular, bold: bold,
		faces: map[faceKey]font.Face{}, drawn: drawn}
	l := labelsFor(r.Lang)
	n := func(x int64) string { return report.FormatInt(x, r.Lang) }
	inner := Width - 2*margin
	c.rect(0, 0, Width, Height, colBackground)

	// Header: the day, the campaign, its hashtag.
	c.rect(0, 0, Width, 340, colHeader)
	c.text(strings.ToUpper(l.ReportOf)+" "+formatDay(r.To, r.Lang), margin, 92, 32, true, colHeaderSoft, "")
	y := 165
	for _, line := range c.wrap(r.Campaign.Name, inner, 52, true, 2) {
		c.text(line, margin, y, 52, true, colWhite, "")
		y += 64
	}
	c.text(c.fit(r.Campaign.Hashtag, inner, 38, false), margin, y+4, 38, false, colHeaderSoft, "")

	// Progress to the target: the figure, the percentage and a bar.
	y = 420
	c.text(l.Progress, margin, y, 34, false, colMuted, "")
	y += 95
	if r.Target > 0 {
		fig := n(r.PostsTotal) + " / " + n(int64(r.Target))
		wd := c.text(fig, margin, y, 84, true, colText, "")
		c.text(l.Posts, margin+wd+16, y, 40, false, colMuted, "")
		pctCol := color.Color(colProgress)
		if r.PostsTotal >= int64(r.Target) {
			pctCol = colReached
		}
		c.text(fmt.Sprintf("%d %%", r.TargetPercent), Width-margin, y, 72, true, pctCol, "right")
		y += 40
		c.rect(margin, y, Width-margin, y+44, colTrack)
		filled := min(r.TargetPercent, 100) * inner / 100
		c.rect(margin, y, margin+filled, y+44, pctCol)
		y += 44 + 52
		note := l.NotReached
		if !r.TargetReached.IsZero() {
			note = l.Reached + " " + formatDay(r.TargetReached, r.Lang)
		}
		c.text(note, margin, y, 32, false, pctCol, "")
	} else {
		wd := c.text(n(r.PostsTotal), margin, y, 84, true, colText, "")
		c.text(l.Posts, margin+wd+16, y, 40, false, colMuted, "")
		y += 40
		c.rect(margin, y, Width-margin, y+44, colTrack)
		y += 44 + 52
		c.text(l.NoTarget, margin, y, 32, false, colMuted, "")
	}

	// Three figures side by side: today, in total, units that posted.
	y = 760
	var today int64
	if len(r.Daily) > 0 {
		today = r.Daily[len(r.Daily)-1].Posts
	}
	boxes := []struct{ label, value string }{
		{l.Today, "+" + n(today)},
		{l.Total, n(r.PostsTotal)},
		{l.UnitsPosted, fmt.Sprintf("%d/%d", r.UnitsActive, r.UnitsTotal)},
	}
	gap := 24
	bw := (inner - 2*gap) / 3
	for i, b := range boxes {
		x := margin + i*(bw+gap)
		c.rect(x, y, x+bw, y+190, colWhite)
		c.text(c.fit(b.label, bw-40, 30, false), x+24, y+56, 30, false, colMuted, "")
		c.text(c.fit(b.value, bw-40, 64, true), x+24, y+150, 64, true, colText, "")
	}

	// The three leading units.
	y = 1040
	c.text(l.Leaders, margin, y, 38, true, colText, "")
	y += 24
	leaders := make([]report.UnitStat, 0, 3)
	for _, u := range r.ByUnit {
		if u.ID != "" && len(leaders) < 3 {
			leaders = append(leaders, u)
		}
	}
	if len(leaders) == 0 {
		c.text(l.NoLeaders, margin, y+60, 34, false, colMuted, "")
	}
	for i, u := range leaders {
		top := y + i*84
		c.rect(margin, top+12, Width-margin, top+80, colWhite)
		c.text(fmt.Sprintf("%d", i+1), margin+24, top+60, 36, true, colHeader, "")
		count := n(u.Posts) + " " + l.Posts
		cw := c.width(count, 34, true)
		c.text(c.fit(u.Name, inner-100-cw-40, 34, false), margin+80, top+59, 34, false, colText, "")
		c.text(count, Width-margin-24, top+59, 34, true, colText, "right")
	}

	// The units with no post yet: the list to remind.
	y = 1380
	if len(r.UnitsWithoutPosts) == 0 {
		c.text(l.AllPosted, margin, y, 36, true, colReached, "")
	} else {
		c.text(fmt.Sprintf("%s (%d %s)", l.WithoutPosts, len(r.UnitsWithoutPosts), l.Units), margin, y, 38, true, colWarn, "")
		names := make([]string, len(r.UnitsWithoutPosts))
		for i, u := range r.UnitsWithoutPosts {
			names[i] = u.Name
		}
		lines := c.listLines(names, inner, 32, 3, l.More)
		for i, line := range lines {
			c.text(line, margin, y+56+i*46, 32, false, colText, "")
		}
	}

	// Posts per day, the last days of the period.
	c.dailyChart(r, l, 1600, 1850)

	c.rect(margin, Height-44, Width-margin, Height-43, colRule)
	c.text("hashtrack", Width-margin, Height-14, 22, false, colMuted, "right")

	// Fastest deflate: the card is flat colour, so it stays as small (the demo's card
	// 177 kB against 173 kB at the default level) and is encoded much faster.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, c.img); err != nil {
		return fmt.Errorf("card: %w", err)
	}
	return nil
}

// listLines joins names with commas into at most maxLines lines; what does not fit is
// counted in the last line ("và 3 đơn vị khác").
func (c *canvas) listLines(names []string, max int, size float64, maxLines int, more string) []string {
	var lines []string
	cur := ""
	for i, name := range names {
		piece := name
		if i < len(names)-1 {
			piece += ","
		}
		try := piece
		if cur != "" {
			try = cur + " " + piece
		}
		if c.width(try, size, false) <= max {
			cur = try
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		if len(lines) == maxLines {
			// No room: the last line gives up names for the count of the rest.
			rest := len(names) - i
			last := lines[maxLines-1]
			for {
				tail := " " + fmt.Sprintf(more, rest)
				if c.width(last+tail, size, false) <= max || !strings.Contains(last, ",") {
					lines[maxLines-1] = c.fit(strings.TrimSuffix(last, ",")+tail, max, size, false)
					return lines
				}
				cut := strings.LastIndex(strings.TrimSuffix(last, ","), ",")
				if cut < 0 {
					lines[maxLines-1] = c.fit(strings.TrimSuffix(last, ",")+tail, max, size, false)
					return lines
				}
				last = last[:cut+1]
				rest++
			}
		}
		cur = c.fit(piece, max, size, false)
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// dailyChart draws the posts of the last days (at most maxChartDays) as bars between
// top and bottom, from zero, with the highest value and the first and last day named.
func (c *canvas) dailyChart(r *report.Report, l *labels, top, bottom int) {
	c.text(l.Daily, margin, top, 34, true, colText, "")
	days := r.Daily
	if len(days) > maxChartDays {
		days = days[len(days)-maxChartDays:]
	}
	if len(days) == 0 {
		return
	}
	var peak int64
	for _, d := range days {
		peak = max(peak, d.Posts)
	}
	axis := bottom - 44
	area := axis - (top + 60)
	inner := Width - 2*margin
	slot := inner / len(days)
	barW := max(slot*7/10, 2)
	c.rect(margin, axis, Width-margin, axis+2, colMuted)
	for i, d := range days {
		if d.Posts <= 0 || peak <= 0 {
			continue
		}
		h := int(d.Posts * int64(area) / peak)
		h = max(h, 3)
		x := margin + i*slot + (slot-barW)/2
		col := colBar
		if i == len(days)-1 {
			col = colHeader
		}
		c.rect(x, axis-h, x+barW, axis, col)
	}
	c.text(l.Peak+" "+report.FormatInt(peak, r.Lang), Width-margin, top, 28, false, colMuted, "right")
	c.text(formatShortDay(days[0].Date, r.Lang), margin, bottom, 26, false, colMuted, "")
	c.text(formatShortDay(days[len(days)-1].Date, r.Lang), Width-margin, bottom, 26, false, colMuted, "right")
}

// maxChartDays bounds the chart so a bar stays wide enough to see on a phone.
const maxChartDays = 30

func formatDay(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("2006-01-02")
	}
	return t.Format("02/01/2006")
}

func formatShortDay(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("Jan 2")
	}
	return t.Format("02/01")
}
