package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// echartsJS is Apache ECharts 5.4.3 (dist/echarts.min.js of the npm package, Apache-2.0;
// its LICENSE and NOTICE are in assets/), inlined so a report opens offline.
//
//go:embed assets/echarts.min.js
var echartsJS string

// ECharts licence texts, shipped with the binary and written next to the reports.
var (
	//go:embed assets/ECHARTS-LICENSE
	echartsLicense string
	//go:embed assets/ECHARTS-NOTICE
	echartsNotice string
)

type figure struct {
	Label, Value, Sub, Delta string
	Up, Down                 bool
	Progress                 int // 0–100 for the progress bar; -1 = none
}

// answer is the first screen: what a leader opening the report on a phone needs.
type answer struct {
	Progress        figure
	NewValue        string // "+5 hôm nay · 312 bài mới trong kỳ"
	NewDelta        string // the comparison, or why there is none
	Up, Down        bool
	WithoutTitle    string   // "Đơn vị chưa có bài (2 / 15)"
	WithoutNames    []string // the names, when few
	WithoutMany     string   // "27 đơn vị chưa có bài đăng trong kỳ", when many
	EveryUnitPosted bool
	// Queue is the review-queue line, "" when nothing waits for staff: the totals
	// above leave these posts out, so a leader sees why before reading them.
	Queue, QueueLink string
}

// maxAnswerUnits is how many units without a post the first screen names; more are
// counted, with a link to the list.
const maxAnswerUnits = 8

type topRow struct {
	Title, LinkText, Unit, Platform, Date, Author string
	Eng, Breakdown                                string
	From                                          string // where the numbers come from ("đo từ nền tảng · Graph API")
	Measured                                      bool
	Gone                                          string // "đã bị xoá trên nền tảng", or ""
	Link                                          string // "" when not an http(s) URL
	RawURL                                        string
}

// reachRow is one unit of the potential-reach table.
type reachRow struct {
	Unit, Audience, Days, Potential string
	Unknown                         bool
	Connected                       string // "2 trang đã kết nối", or ""
}

// reachView is the potential-reach section.
type reachView struct {
	Chart    *Chart // nil when no unit that posted has a known audience
	Total    string // "ít nhất 9.800", or the words for unknown
	Rows     []reachRow
	Measured string // the measured reach and impressions, apart
}

type sourceRow struct {
	Name, LastSuccess, Failures, LastError, Status string
	Stale                                          bool
}

type page struct {
	L                      *labels
	Lang                   string
	CampaignName, Hashtag  string
	Period, Generated      string
	Answer                 answer
	Figures                []figure
	Charts                 []Chart
	Daily, Platform, Units Chart
	Engagement, Heat       Chart
	Reach                  reachView
	WithoutPosts           []string
	WithoutCount           string
	Top                    []topRow
	Sources                []sourceRow
	Notes                  []string
	EChartsJS              template.JS
	PrintWidth             int
}

// safeLink returns u when it is an absolute http or https URL, else "".
func safeLink(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// shortLink is the text of a link without a title: its site and the start of its path,
// short enough for a table column on paper ("facebook.com/tanloi/…").
func shortLink(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return clipText(u, 24)
	}
	host := strings.TrimPrefix(p.Hostname(), "www.")
	path := strings.Trim(p.EscapedPath(), "/")
	if path == "" {
		return host
	}
	first, more, _ := strings.Cut(path, "/")
	if s := host + "/" + first; utf8.RuneCountInString(s) <= 28 {
		if more != "" || p.RawQuery != "" {
			return s + "/…"
		}
		return s
	}
	return host + "/…"
}

func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// softBreaks lets a long run without spaces (a URL in an error message) wrap after its
// punctuation, by inserting zero-width spaces, instead of pushing the table wider than
// the page. Words of ordinary length are left alone.
func softBreaks(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		if utf8.RuneCountInString(w) <= 24 {
			continue
		}
		var b strings.Builder
		run := 0
		for _, r := range w {
			b.WriteRune(r)
			run++
			if strings.ContainsRune("/?&=.-_:", r) || run >= 20 {
				b.WriteRune('\u200b')
				run = 0
			}
		}
		words[i] = b.String()
	}
	return strings.Join(words, " ")
}

func (r *Report) figures() []figure {
	l := labelsFor(r.Lang)
	d := func(x collector.Count) (string, bool, bool) {
		if !r.HasPrev {
			return "", false, false
		}
		if !x.Known {
			return l.PrevNA, false, false
		}
		return formatDelta(x, r.Lang) + " " + l.VsPrev, x.N > 0, x.N < 0
	}
	var fs []figure
	ud, uu, udn := d(r.UnitsDelta)
	fs = append(fs, figure{Label: l.UnitsPosted, Value: fmt.Sprintf("%d / %d", r.UnitsActive, r.UnitsTotal), Delta: ud, Up: uu, Down: udn, Progress: -1})
	ed, eu, edn := d(r.EngagementDelta)
	fs = append(fs, figure{Label: l.Engagement, Value: formatMetric(r.Engagement, r.Lang), Sub: r.measuredLine(), Delta: ed, Up: eu, Down: edn, Progress: -1})
	vd, vu, vdn := d(r.ViewsDelta)
	fs = append(fs, figure{Label: l.Views, Value: formatMetric(r.Views, r.Lang), Delta: vd, Up: vu, Down: vdn, Progress: -1})
	if r.Reach.Potential.Known {
		fs = append(fs, figure{Label: l.ReachFigure, Value: r.potentialTotal(), Sub: l.ReachSub, Progress: -1})
	}
	return fs
}

// measuredLine is the share of engagement measured by the platforms, for the
// engagement card: "78 % số liệu đo từ nền tảng".
func (r *Report) measuredLine() string {
	l := labelsFor(r.Lang)
	if !r.Measured.Percent.Known {
		if r.Measured.Posts > 0 {
			// Measured posts, but no engagement at all in the period: no share to speak of.
			return fmt.Sprintf(l.MeasuredPosts, formatInt(r.Measured.Posts, r.Lang))
		}
		return l.MeasuredNone
	}
	return fmt.Sprintf(l.MeasuredShare, r.Measured.Percent.N)
}

// potentialTotal writes the period's potential reach: "9.800", "ít nhất 9.800" when
// some unit's audience is unknown, or the words for unknown.
func (r *Report) potentialTotal() string {
	l := labelsFor(r.Lang)
	switch {
	case !r.Reach.Potential.Known:
		return l.UnknownAudience
	case r.Reach.UnknownUnits > 0:
		return l.AtLeast + " " + formatInt(r.Reach.Potential.N, r.Lang)
	}
	return formatInt(r.Reach.Potential.N, r.Lang)
}

// measuredReachLine is the reach and impressions page insights measured, labelled
// as measured and kept apart from the potential reach.
func (r *Report) measuredReachLine() string {
	l := labelsFor(r.Lang)
	rc := r.Reach
	if !rc.Measured.Known && !rc.Impressions.Known {
		return l.MeasuredReach + ": " + l.MeasuredReachNone
	}
	var parts []string
	if rc.Measured.Known {
		parts = append(parts, formatInt(rc.Measured.N, r.Lang)+" ("+formatInt(rc.MeasuredPosts, r.Lang)+" "+l.ReachPosts+")")
	}
	if rc.Impressions.Known {
		parts = append(parts, formatInt(rc.Impressions.N, r.Lang)+" "+l.Impressions+" ("+formatInt(rc.ImpressionsPosts, r.Lang)+" "+l.ReachPosts+")")
	}
	return l.MeasuredReach + ": " + strings.Join(parts, " · ")
}

// provenance says where a listed post's numbers come from, naming the official API
// when one measured them.
func provenance(m collector.Metrics, platform string, l *labels) string {
	switch m.From {
	case collector.Measured:
		if api := apiName[platform]; api != "" {
			return l.FromMeasured + " · " + api
		}
		return l.FromMeasured
	case collector.PageRead:
		return l.FromPage
	case collector.Typed:
		return l.FromTyped
	}
	// Numbers stored before provenance was recorded stay unmarked: they may have been
	// typed or read from a feed, and the report does not guess.
	return ""
}

// apiName is the official API that measures each platform's numbers.
var apiName = map[string]string{
	"facebook": "Graph API", "instagram": "Instagram Graph API", "youtube": "YouTube Data API",
}

// reachView builds the potential-reach section.
func (r *Report) reachView(chart *Chart) reachView {
	l := labelsFor(r.Lang)
	v := reachView{Chart: chart, Total: r.potentialTotal(), Measured: r.measuredReachLine()}
	if !r.Reach.Potential.Known {
		// No unit that posted has a known audience: a table of "chưa rõ" says nothing
		// the sentence does not.
		v.Total = l.ReachNone
		return v
	}
	for _, u := range r.Reach.ByUnit {
		row := reachRow{Unit: u.Name, Days: formatInt(u.DaysPosted, r.Lang), Audience: l.UnknownAudience, Potential: l.UnknownAudience, Unknown: !u.Potential.Known}
		if u.ID == "" {
			row.Unit = l.NoUnit
		}
		if u.Audience.Known {
			row.Audience = formatInt(u.Audience.N, r.Lang)
			row.Potential = formatInt(u.Potential.N, r.Lang)
		}
		if u.Connected > 0 {
			row.Connected = formatInt(int64(u.Connected), r.Lang) + " " + l.Connected
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// answer is the first screen: progress to the target, the new posts, and who has not
// posted yet.
func (r *Report) answer() answer {
	l := labelsFor(r.Lang)
	prog := -1
	if r.Target > 0 {
		prog = min(r.TargetPercent, 100)
	}
	a := answer{Progress: figure{Label: l.Target, Value: r.formatProgress(), Sub: r.formatReached(), Progress: prog}}
	a.NewValue = formatInt(r.PostsInPeriod, r.Lang) + " " + l.NewInPeriod
	if r.IsToday && len(r.Daily) > 1 {
		a.NewValue = "+" + formatInt(r.Daily[len(r.Daily)-1].Posts, r.Lang) + " " + l.NewToday + " · " + a.NewValue
	}
	if r.PostsTotal != r.PostsInPeriod {
		a.NewValue += " · " + l.PostsTotal + " " + formatInt(r.PostsTotal, r.Lang)
	}
	if r.HasPrev {
		a.NewDelta = formatDelta(r.PostsDelta, r.Lang) + " " + l.VsPrev
		a.Up, a.Down = r.PostsDelta.N > 0, r.PostsDelta.N < 0
	} else {
		a.NewDelta = l.NoPrev
	}
	a.WithoutTitle = fmt.Sprintf("%s (%d / %d)", l.WithoutShort, len(r.UnitsWithoutPosts), r.UnitsTotal)
	switch n := len(r.UnitsWithoutPosts); {
	case n == 0:
		a.EveryUnitPosted = true
	case n <= maxAnswerUnits:
		for _, u := range r.UnitsWithoutPosts {
			a.WithoutNames = append(a.WithoutNames, u.Name)
		}
	default:
		a.WithoutMany = fmt.Sprintf(l.WithoutMore, n)
	}
	a.Queue, a.QueueLink = r.queueLine()
	return a
}

// queueLine is the first screen's line on the review queue (posts waiting for staff,
// posts two units claimed) and its link's text; the data notes say the rest.
func (r *Report) queueLine() (line, link string) {
	lo := r.LeftOut
	if lo.Pending+lo.Conflicts == 0 {
		return "", ""
	}
	n := func(x int64) string { return formatInt(x, r.Lang) }
	var parts []string
	if r.Lang == "en" {
		if lo.Pending > 0 {
			parts = append(parts, plural(lo.Pending, "post", r.Lang)+" awaiting review")
		}
		if lo.Conflicts > 0 {
			parts = append(parts, plural(lo.Conflicts, "post", r.Lang)+" claimed by two units")
		}
		return strings.Join(parts, " · "), "not counted yet: see the data notes"
	}
	if lo.Pending > 0 {
		parts = append(parts, n(lo.Pending)+" bài chờ duyệt")
	}
	if lo.Conflicts > 0 {
		parts = append(parts, n(lo.Conflicts)+" bài có hai đơn vị cùng gửi")
	}
	return strings.Join(parts, " · "), "chưa tính vào số liệu: xem ghi chú"
}

// notes are the data notes: what each figure means and what it rests on.
func (r *Report) notes() []string {
	l := labelsFor(r.Lang)
	n := func(x int64) string { return formatInt(x, r.Lang) }
	out := []string{l.NotesPosts, l.NotesEngagement, l.NotesViews,
		fmt.Sprintf(l.NotesUnknown, n(r.Quality.MetricsUnknown)),
		fmt.Sprintf(l.NotesUnverified, n(r.Quality.Unverified), n(r.Quality.Verified), n(r.Quality.Unverifiable))}
	out = append(out, r.reachNotes()...)
	if r.Quality.WithoutUnit > 0 {
		out = append(out, fmt.Sprintf(l.NotesNoUnit, n(r.Quality.WithoutUnit)))
	}
	if s := r.leftOutNote(); s != "" {
		out = append(out, s)
	}
	out = append(out, r.undeliveredNotes()...)
	if !r.HasPrev {
		out = append(out, l.NotesNoPrev)
	}
	if r.Quality.HourUnknown > 0 {
		out = append(out, fmt.Sprintf(l.HourUnknown, n(r.Quality.HourUnknown)))
	}
	out = append(out, fmt.Sprintf(l.NotesDays, r.TimeZone))
	return out
}

// reachNotes say which share of engagement is measured, what potential reach is, which
// units' audiences are unknown, and what the measured reach rests on.
func (r *Report) reachNotes() []string {
	l := labelsFor(r.Lang)
	n := func(x int64) string { return formatInt(x, r.Lang) }
	var out []string
	if m := r.Measured; m.Percent.Known {
		out = append(out, fmt.Sprintf(l.MeasuredNoteShare, m.Percent.N, n(m.Engagement), n(m.Of), n(m.Posts)))
	} else if m.Posts == 0 {
		out = append(out, l.MeasuredNoteNone)
	} else {
		out = append(out, r.measuredLine()+".")
	}
	if len(r.Reach.ByUnit) == 0 {
		return out
	}
	out = append(out, l.NotesReach)
	if r.Reach.UnknownUnits > 0 {
		var names []string
		for _, u := range r.Reach.ByUnit {
			if u.Potential.Known {
				continue
			}
			if u.ID == "" {
				names = append(names, l.NotesReachNoUnit)
			} else {
				names = append(names, u.Name)
			}
		}
		out = append(out, fmt.Sprintf(l.NotesReachUnknown, n(int64(r.Reach.UnknownUnits)), strings.Join(names, ", ")))
	}
	if r.Reach.MeasuredPosts > 0 || r.Reach.ImpressionsPosts > 0 {
		out = append(out, fmt.Sprintf(l.NotesMeasuredReach, n(max(r.Reach.MeasuredPosts, r.Reach.ImpressionsPosts))))
	}
	return out
}

func (r *Report) period() string {
	return formatDate(r.From, r.Lang) + " – " + formatDate(r.To, r.Lang)
}

// breakdown writes a post's known counters in one line: "34 thích · 4 bình luận · 729 lượt xem".
func breakdown(m collector.Metrics, l *labels, lang string) string {
	var parts []string
	for _, c := range []struct {
		n    collector.Count
		word string
	}{{m.Likes, l.Likes}, {m.Comments, l.Comments}, {m.Shares, l.Shares}, {m.Views, l.Views2}} {
		if c.n.Known {
			parts = append(parts, formatInt(c.n.N, lang)+" "+strings.ToLower(c.word))
		}
	}
	return strings.Join(parts, " · ")
}

// RenderHTML writes the report as one self-contained HTML page: styles and the ECharts
// library inline, no request to any host. Every text from the data goes through
// html/template escaping; chart data goes through encoding/json.
func (r *Report) RenderHTML(w io.Writer) error {
	l := labelsFor(r.Lang)
	loc := r.Campaign.Loc()
	cs, err := r.buildCharts()
	if err != nil {
		return err
	}
	p := page{L: l, Lang: r.Lang, CampaignName: r.Campaign.Name, Hashtag: r.Campaign.Hashtag,
		Period:    r.period(),
		Generated: formatDateTime(r.GeneratedAt, loc, r.Lang) + " (" + l.TimeZone + " " + r.TimeZone + ")",
		Answer:    r.answer(), Figures: r.figures(), Charts: cs, Daily: cs[0], Platform: cs[1], Units: cs[2], Engagement: cs[3], Heat: cs[4],
		Notes: r.notes(), EChartsJS: template.JS(echartsJS), PrintWidth: 680}
	var reach *Chart
	if len(cs) > 5 {
		reach = &cs[5]
	}
	p.Reach = r.reachView(reach)
	for _, u := range r.UnitsWithoutPosts {
		p.WithoutPosts = append(p.WithoutPosts, u.Name)
	}
	p.WithoutCount = fmt.Sprintf("%d / %d", len(r.UnitsWithoutPosts), r.UnitsTotal)
	for _, t := range r.Top {
		unit := t.UnitName
		if unit == "" {
			unit = l.NoUnit
		}
		text := clipText(t.Title, 140)
		if text == "" {
			text = shortLink(t.URL)
		}
		p.Top = append(p.Top, topRow{Title: t.Title, LinkText: text, Unit: unit, Platform: canon.Label(t.Platform),
			Date: formatDate(t.When().In(loc), r.Lang), Author: t.Author, Eng: formatInt(t.Engagement, r.Lang),
			Breakdown: breakdown(t.Metrics, l, r.Lang), Link: safeLink(t.URL), RawURL: softBreaks(clipText(t.URL, 80)),
			From: provenance(t.Metrics, t.Platform, l), Measured: t.Metrics.From == collector.Measured})
		if !t.GoneAt.IsZero() {
			p.Top[len(p.Top)-1].Gone = l.Gone
		}
	}
	for _, s := range r.Sources {
		row := sourceRow{Name: s.Name, LastSuccess: formatDateTime(s.LastSuccess, loc, r.Lang), Failures: fmt.Sprint(s.ConsecutiveFailures),
			LastError: softBreaks(clipText(s.LastError, 200)), Stale: s.Stale, Status: l.OK}
		if s.Stale {
			row.Status = l.Stale
		}
		if !s.Ran {
			row.Status = l.NeverRan
			row.Failures = "–"
		}
		p.Sources = append(p.Sources, row)
	}
	return reportTemplate.Execute(w, p)
}

// indexEntry is one campaign's reports in the index page.
type indexEntry struct {
	Campaign string // id (folder name)
	Name     string
	Latest   string     // relative link to latest.html, "" if none
	Days     []indexDay // newest first
}

// indexDay is one day's report files: every rendering written for it.
type indexDay struct {
	Date                         string // as the language writes a day
	HTML, Text, CSV, JSON, Excel string // relative links, "" when that rendering was not written
}

// renderIndex writes the page that lists every report in the report folder.
func renderIndex(w io.Writer, entries []indexEntry, lang string, generated time.Time) error {
	l := labelsFor(lang)
	return indexTemplate.Execute(w, struct {
		L         *labels
		Lang      string
		Entries   []indexEntry
		Generated string
	}{l, lang, entries, formatDateTime(generated, generated.Location(), lang)})
}

var funcs = template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}

const styles = `
*{box-sizing:border-box}
body{margin:0;font-family:"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;color:#1d2733;background:#f4f6f9;line-height:1.45;font-size:15px}
main{max-width:1120px;margin:0 auto;padding:16px}
header{background:#0b4f9c;color:#fff;padding:14px 18px;border-radius:10px}
header h1{margin:0 0 2px;font-size:1.35em;line-height:1.25}
header .tag{font-weight:600;opacity:.95;overflow-wrap:anywhere}
header .meta{margin-top:4px;font-size:.85em;opacity:.9}
section{background:#fff;border-radius:10px;padding:14px 16px;margin-top:14px;box-shadow:0 1px 2px rgba(0,0,0,.06);break-inside:avoid;page-break-inside:avoid}
section.flow{break-inside:auto;page-break-inside:auto}
h2{font-size:1.1em;margin:0 0 10px;color:#0b4f9c;break-after:avoid;page-break-after:avoid}
.answer{display:grid;grid-template-columns:1fr 1fr 1.3fr;gap:12px 18px;border-top:4px solid #0b4f9c}
.answer .label{font-size:.8em;color:#5b6776;text-transform:uppercase;letter-spacing:.02em;font-weight:600}
.answer .big{font-size:1.3em;font-weight:700;margin:2px 0}
.answer .sub{font-size:.88em;color:#5b6776}
.answer .up{color:#1e7d32}.answer .down{color:#b3261e}
.answer .without .label{color:#b3261e}
.answer .without .names{font-weight:600;color:#b3261e}
.answer .queue{grid-column:1/-1;font-size:.92em;color:#7a4b00;background:#fff6e0;border-radius:6px;padding:6px 10px}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px;background:none;box-shadow:none;padding:0}
.figure{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.figure .label{font-size:.85em;color:#5b6776;text-transform:uppercase;letter-spacing:.02em}
.figure .value{font-size:1.45em;font-weight:700;margin:2px 0}
.figure .sub,.figure .delta{font-size:.85em;color:#5b6776}
.figure .up{color:#1e7d32}.figure .down{color:#b3261e}
.bar{height:8px;background:#e3e8ef;border-radius:4px;margin-top:6px;overflow:hidden}
.bar span{display:block;height:100%;background:#1e7d32}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.grid2 section{margin-top:0}
.chart{width:100%;overflow:hidden}
.note{font-size:.85em;color:#5b6776;margin:6px 0 0}
.missing{border:2px solid #b3261e}
.missing h2{color:#b3261e}
.missing ol{columns:3;margin:6px 0 0;padding-left:1.4em}
.missing li{break-inside:avoid}
.ok{color:#1e7d32}
table{width:100%;border-collapse:collapse;font-size:.9em}
thead{display:table-header-group}
tr{break-inside:avoid;page-break-inside:avoid}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e8ef;vertical-align:top;overflow-wrap:normal;word-break:normal;hyphens:manual}
th{background:#f0f3f7;font-weight:600}
td.n,th.n{text-align:right;white-space:nowrap}
td .sub{display:block;font-size:.85em;color:#5b6776}
tr.stale td{background:#fdecea}
.from{display:inline-block;font-size:.8em;color:#5b6776}
.from.measured{color:#0b4f9c;font-weight:600}
.gone{display:block;font-size:.85em;color:#b3261e;font-weight:600}
tr.unknown td{color:#8a5a00}
tr.stale td.status{color:#b3261e;font-weight:700}
ul.notes{margin:0;padding-left:1.2em}
footer{font-size:.8em;color:#5b6776;margin:14px 0 4px;text-align:center}
@media (max-width:900px){
 .answer{grid-template-columns:1fr}
}
@media (max-width:720px){
 body{font-size:14px}
 .missing ol{columns:1}
 main{padding:8px}
 section{padding:12px}
 .grid2{grid-template-columns:1fr}
 .figures{grid-template-columns:1fr 1fr}
 .figure .value{font-size:1.25em}
 .answer{gap:10px}
 .answer .big{font-size:1.15em}
 table.cards thead{display:none}
 table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
 table.cards tr{border-bottom:2px solid #d5dce5;padding:6px 0}
 table.cards td{border:0;padding:2px 0;text-align:left;white-space:normal}
 table.cards td[data-label]::before{content:attr(data-label) ": ";color:#5b6776;font-size:.9em}
 table.cards td.rank{font-weight:700}
 table.cards td.rank::before{content:"#"}
}
@page{size:A4;margin:12mm}
@media print{
 body{background:#fff;font-size:10.5pt}
 main{max-width:none;padding:0}
 header{background:#fff;color:#000;border:2px solid #0b4f9c}
 section,.figure{box-shadow:none;border:1px solid #ccd3dc}
 .answer{grid-template-columns:1fr 1fr 1.3fr}
 .grid2{grid-template-columns:1fr}
 a{color:#000;text-decoration:none}
 tr.stale td{background:#fff}
}
`

var reportTemplate = template.Must(template.New("report").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{{.L.Title}}: {{.CampaignName}} ({{.Period}})</title>
<style>` + styles + `</style>
</head>
<body>
<main>
<header>
<h1>{{.CampaignName}}</h1>
<div class="tag">{{.Hashtag}}</div>
<div class="meta">{{.L.Period}}: <strong>{{.Period}}</strong> · {{.L.Generated}}: {{.Generated}}</div>
</header>

<section class="answer" id="answer" aria-label="{{.L.Answer}}">
{{with .Answer}}<div id="answer-progress">
<div class="label">{{.Progress.Label}}</div>
<div class="big">{{.Progress.Value}}</div>
{{if ge .Progress.Progress 0}}<div class="bar"><span style="width: {{.Progress.Progress}}%"></span></div>{{end}}
{{if .Progress.Sub}}<div class="sub">{{.Progress.Sub}}</div>{{end}}
</div>
<div id="answer-new">
<div class="label">{{$.L.Posts}}</div>
<div class="big">{{.NewValue}}</div>
<div class="sub{{if .Up}} up{{end}}{{if .Down}} down{{end}}">{{.NewDelta}}</div>
</div>
<div id="answer-without" class="without">
<div class="label">{{.WithoutTitle}}</div>
{{if .EveryUnitPosted}}<div class="ok">{{$.L.WithoutPostsNone}}</div>
{{else if .WithoutMany}}<div class="names">{{.WithoutMany}} — <a href="#without">{{$.L.SeeList}}</a></div>
{{else}}<div class="names">{{range $i, $n := .WithoutNames}}{{if $i}}, {{end}}{{$n}}{{end}}</div>
<div class="sub">{{$.L.WithoutPostsHint}} — <a href="#without">{{$.L.SeeList}}</a></div>{{end}}
</div>
{{if .Queue}}<div id="answer-queue" class="queue"><strong>{{.Queue}}</strong> — <a href="#notes">{{.QueueLink}}</a></div>{{end}}{{end}}
</section>

<section class="figures" id="figures">
{{range .Figures}}<div class="figure">
<div class="label">{{.Label}}</div>
<div class="value">{{.Value}}</div>
{{if .Sub}}<div class="sub">{{.Sub}}</div>{{end}}
{{if .Delta}}<div class="delta{{if .Up}} up{{end}}{{if .Down}} down{{end}}">{{.Delta}}</div>{{end}}
</div>
{{end}}</section>

{{define "chart"}}<h2>{{.Title}}</h2><div class="chart" id="{{.ID}}" style="height: {{.Height}}px"></div>{{if .Note}}<p class="note">{{.Note}}</p>{{end}}{{end}}
<section id="daily">{{template "chart" .Daily}}</section>

<section id="without" class="missing flow"><h2>{{.L.WithoutPosts}} ({{.WithoutCount}})</h2>
{{if .WithoutPosts}}<div class="sub">{{.L.WithoutPostsHint}}:</div>
<ol>{{range .WithoutPosts}}<li>{{.}}</li>{{end}}</ol>
{{else}}<p class="ok">{{.L.WithoutPostsNone}}</p>{{end}}
</section>

<section id="units">{{template "chart" .Units}}</section>

<section id="reach" class="flow"><h2>{{.L.ReachTitle}}</h2>
{{with .Reach}}<p><strong>{{$.L.ReachFigure}}: {{.Total}}</strong></p>
{{if .Chart}}{{template "chart" .Chart}}{{end}}
{{if .Rows}}<table class="cards">
<thead><tr><th>{{$.L.Unit}}</th><th class="n">{{$.L.Audience}}</th><th class="n">{{$.L.DaysPosted}}</th><th class="n">{{$.L.Potential}}</th></tr></thead>
<tbody>{{range .Rows}}<tr{{if .Unknown}} class="unknown"{{end}}><td>{{.Unit}}{{if .Connected}}<span class="sub">{{.Connected}}</span>{{end}}</td><td class="n" data-label="{{$.L.Audience}}">{{.Audience}}</td><td class="n" data-label="{{$.L.DaysPosted}}">{{.Days}}</td><td class="n" data-label="{{$.L.Potential}}">{{.Potential}}</td></tr>
{{end}}</tbody></table>{{end}}
<p class="note measured-reach">{{.Measured}}</p>{{end}}
</section>

<section id="platforms">{{template "chart" .Platform}}</section>

<section id="engagement">{{template "chart" .Engagement}}</section>

<section id="heat">{{template "chart" .Heat}}</section>

<section id="top" class="flow"><h2>{{.L.TopPosts}}</h2>
{{if .Top}}<table class="cards">
<thead><tr><th>#</th><th>{{.L.Unit}}</th><th>{{.L.Platform}}</th><th>{{.L.Date}}</th><th>{{.L.Author}}</th><th>{{.L.Numbers}}</th><th>{{.L.Link}}</th></tr></thead>
<tbody>{{range $i, $t := .Top}}<tr><td class="rank">{{inc $i}}</td><td data-label="{{$.L.Unit}}">{{$t.Unit}}</td><td data-label="{{$.L.Platform}}">{{$t.Platform}}</td><td data-label="{{$.L.Date}}">{{$t.Date}}</td><td data-label="{{$.L.Author}}">{{$t.Author}}</td>
<td data-label="{{$.L.Engagement}}"><strong>{{$t.Eng}}</strong>{{if $t.Breakdown}}<span class="sub">{{$t.Breakdown}}</span>{{end}}{{if $t.From}}<span class="from{{if $t.Measured}} measured{{end}}">{{$t.From}}</span>{{end}}{{if $t.Gone}}<span class="gone">{{$t.Gone}}</span>{{end}}</td>
<td data-label="{{$.L.Link}}">{{if $t.Link}}<a href="{{$t.Link}}" title="{{$t.Link}}" rel="noopener noreferrer nofollow" target="_blank">{{$t.LinkText}}</a>{{else}}{{$t.LinkText}} <span class="sub">({{$t.RawURL}})</span>{{end}}</td></tr>
{{end}}</tbody></table>
{{else}}<p>{{.L.NoTopPosts}}</p>{{end}}
</section>

<section id="sources" class="flow"><h2>{{.L.SourceHealth}}</h2>
{{if .Sources}}<table class="cards">
<thead><tr><th>{{.L.Source}}</th><th>{{.L.Status}}</th><th>{{.L.LastSuccess}}</th><th class="n">{{.L.Failures}}</th><th>{{.L.LastError}}</th></tr></thead>
<tbody>{{range .Sources}}<tr{{if .Stale}} class="stale"{{end}}><td>{{.Name}}</td><td class="status" data-label="{{$.L.Status}}">{{.Status}}</td><td data-label="{{$.L.LastSuccess}}">{{.LastSuccess}}</td><td class="n" data-label="{{$.L.Failures}}">{{.Failures}}</td><td data-label="{{$.L.LastError}}">{{.LastError}}</td></tr>
{{end}}</tbody></table>
{{else}}<p>{{.L.NoSources}}</p>{{end}}
</section>

<section id="notes" class="flow"><h2>{{.L.Notes}}</h2>
<ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>
</section>
<footer>hashtrack · Apache ECharts 5.4.3 (Apache License 2.0)</footer>
</main>
<script>{{.EChartsJS}}</script>
<script>
(function () {
  // Numbers as the report's language writes them: 1.234 in Vietnamese, 1,234 in English.
  var sep = {{.Lang}} === 'en' ? ',' : '.';
  function num(v) {
    if (Array.isArray(v)) { v = v[v.length - 1]; }
    if (typeof v !== 'number' || !isFinite(v)) { return v == null || v === '-' ? '–' : String(v); }
    var s = String(Math.round(Math.abs(v))).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
    return v < 0 ? '-' + s : s;
  }
  // A unit's kind says little on a chart axis: the name is shortened by this rule and
  // shown whole in the tooltip and the tables.
  var kinds = [
    [/^(Huyện|Thành|Thị|Tỉnh) Đoàn /i, ''], [/^Đoàn (phường|xã|thị trấn) /i, ''],
    [/^Trường Đại học /i, 'ĐH '], [/^Trường Cao đẳng /i, 'CĐ '], [/^Đoàn trường /i, ''],
    [/^Đoàn Thanh niên /i, 'ĐTN '], [/^Đoàn Khối /i, 'Khối ']
  ];
  function shortUnit(name) {
    var s = String(name);
    for (var i = 0; i < kinds.length; i++) { s = s.replace(kinds[i][0], kinds[i][1]); }
    return s || String(name);
  }
  function valueAxes(o) {
    ['xAxis', 'yAxis'].forEach(function (k) {
      (o[k] || []).forEach(function (a) {
        if (a.type === 'value') { a.axisLabel = a.axisLabel || {}; a.axisLabel.formatter = num; }
      });
    });
  }
  // What each chart adds to its option: functions never come from the data.
  var decorate = {
    'chart-platform': function (o) {
      var total = 0, byName = {};
      (o.series[0].data || []).forEach(function (d) { total += d.value; byName[d.name] = d.value; });
      o.legend.formatter = function (name) {
        var v = byName[name] || 0;
        return name + ': ' + num(v) + ' (' + Math.round(v * 100 / Math.max(total, 1)) + ' %)';
      };
    },
    'chart-units': function (o) {
      o.yAxis[0].axisLabel.formatter = shortUnit;
    },
    'chart-heat': function (o) {
      o.visualMap[0].formatter = num;
      o.tooltip.formatter = function (p) {
        return o.yAxis[0].data[p.value[1]] + ', ' + o.xAxis[0].data[p.value[0]] + ': ' + num(p.value[2]);
      };
    }
  };
  var specs = [{{range .Charts}}
    {id: {{.ID}}, option: {{.Option}}},{{end}}
  ];
  var all = [];
  specs.forEach(function (s) {
    var el = document.getElementById(s.id);
    var o = s.option;
    valueAxes(o);
    o.tooltip = o.tooltip || {};
    o.tooltip.valueFormatter = num;
    if (decorate[s.id]) { decorate[s.id](o); }
    var y = o.yAxis && o.yAxis[0];
    if (y && y.axisLabel && y.axisLabel.width && el.clientWidth < 640) {
      y.axisLabel.width = Math.round(el.clientWidth * 0.34); // long unit names on a phone
    }
    // SVG: crisp on paper, and its text can be read back by tests and screen readers.
    var chart = echarts.init(el, null, {renderer: 'svg'});
    chart.setOption(o);
    all.push(chart);
  });
  function fit(width) { all.forEach(function (c) { c.resize(width ? {width: width} : undefined); }); }
  window.addEventListener('resize', function () { fit(); });
  window.addEventListener('beforeprint', function () { fit({{.PrintWidth}}); });
  window.addEventListener('afterprint', function () { fit(); });
  if (window.matchMedia) {
    var print = window.matchMedia('print');
    var onPrint = function (e) { fit(e.matches ? {{.PrintWidth}} : 0); };
    if (print.addEventListener) { print.addEventListener('change', onPrint); } else if (print.addListener) { print.addListener(onPrint); }
  }
})();
</script>
</body>
</html>
`))

var indexTemplate = template.Must(template.New("index").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{.L.IndexTitle}}</title>
<style>` + styles + `</style>
</head>
<body>
<main>
<header><h1>{{.L.IndexTitle}}</h1><div class="meta">{{.L.Generated}}: {{.Generated}}</div></header>
{{range .Entries}}<section class="flow" id="campaign-{{.Campaign}}"><h2>{{.Name}}</h2>
{{if .Latest}}<p><a href="{{.Latest}}"><strong>{{$.L.IndexLatest}}</strong></a></p>{{end}}
{{if .Days}}<table>
<thead><tr><th>{{$.L.IndexDate}}</th><th>{{$.L.IndexFiles}}</th></tr></thead>
<tbody>{{range .Days}}<tr><td>{{.Date}}</td><td>{{if .HTML}}<a href="{{.HTML}}">HTML</a> {{end}}{{if .Text}}<a href="{{.Text}}">{{$.L.Digest}}</a> {{end}}{{if .CSV}}<a href="{{.CSV}}">CSV</a> {{end}}{{if .JSON}}<a href="{{.JSON}}">JSON</a> {{end}}{{if .Excel}}<a href="{{.Excel}}">Excel</a>{{end}}</td></tr>
{{end}}</tbody></table>{{end}}
</section>
{{else}}<section><p>{{.L.IndexEmpty}}</p></section>{{end}}
</main>
</body>
</html>
`))
