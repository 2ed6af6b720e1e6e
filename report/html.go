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

type topRow struct {
	Title, Unit, Platform, Date         string
	Likes, Comments, Shares, Views, Eng string
	Link                                string // "" when not an http(s) URL
	RawURL                              string
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
	Figures                []figure
	Charts                 []Chart
	Daily, Platform, Units Chart
	Engagement, Heat       Chart
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

func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func (r *Report) figures() []figure {
	l := labelsFor(r.Lang)
	d := func(x collector.Count) (string, bool, bool) {
		if !x.Known {
			return l.PrevNA, false, false
		}
		return formatDelta(x, r.Lang) + " " + l.VsPrev, x.N > 0, x.N < 0
	}
	var fs []figure
	pd, pu, pdn := d(r.PostsDelta)
	fs = append(fs, figure{Label: l.Posts, Value: formatInt(r.PostsInPeriod, r.Lang),
		Sub: l.PostsNew + " · " + l.PostsTotal + " " + formatInt(r.PostsTotal, r.Lang), Delta: pd, Up: pu, Down: pdn, Progress: -1})
	ud, uu, udn := d(r.UnitsDelta)
	fs = append(fs, figure{Label: l.UnitsPosted, Value: fmt.Sprintf("%d / %d", r.UnitsActive, r.UnitsTotal), Delta: ud, Up: uu, Down: udn, Progress: -1})
	ed, eu, edn := d(r.EngagementDelta)
	fs = append(fs, figure{Label: l.Engagement, Value: formatMetric(r.Engagement, r.Lang), Delta: ed, Up: eu, Down: edn, Progress: -1})
	vd, vu, vdn := d(r.ViewsDelta)
	fs = append(fs, figure{Label: l.Views, Value: formatMetric(r.Views, r.Lang), Delta: vd, Up: vu, Down: vdn, Progress: -1})
	prog := -1
	if r.Target > 0 {
		prog = min(r.TargetPercent, 100)
	}
	fs = append(fs, figure{Label: l.Target, Value: r.formatProgress(), Sub: r.formatReached(), Progress: prog})
	return fs
}

// notes are the data notes: what each figure means and what it rests on.
func (r *Report) notes() []string {
	l := labelsFor(r.Lang)
	n := func(x int64) string { return formatInt(x, r.Lang) }
	out := []string{l.NotesPosts, l.NotesEngagement, l.NotesViews,
		fmt.Sprintf(l.NotesUnknown, n(r.Quality.MetricsUnknown)),
		fmt.Sprintf(l.NotesUnverified, n(r.Quality.Unverified), n(r.Quality.Verified), n(r.Quality.Unverifiable))}
	if r.Quality.WithoutUnit > 0 {
		out = append(out, fmt.Sprintf(l.NotesNoUnit, n(r.Quality.WithoutUnit)))
	}
	out = append(out, fmt.Sprintf(l.NotesDays, r.TimeZone))
	return out
}

func (r *Report) period() string {
	return formatDate(r.From, r.Lang) + " – " + formatDate(r.To, r.Lang)
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
		Figures:   r.figures(), Charts: cs, Daily: cs[0], Platform: cs[1], Units: cs[2], Engagement: cs[3], Heat: cs[4],
		Notes: r.notes(), EChartsJS: template.JS(echartsJS), PrintWidth: 680}
	for _, u := range r.UnitsWithoutPosts {
		p.WithoutPosts = append(p.WithoutPosts, u.Name)
	}
	p.WithoutCount = fmt.Sprintf("%d / %d", len(r.UnitsWithoutPosts), r.UnitsTotal)
	for _, t := range r.Top {
		title := t.Title
		if title == "" {
			title = t.Author
		}
		if title == "" {
			title = t.URL
		}
		unit := t.UnitName
		if unit == "" {
			unit = l.NoUnit
		}
		m := t.Metrics
		p.Top = append(p.Top, topRow{Title: clipText(title, 140), Unit: unit, Platform: canon.Label(t.Platform),
			Date: formatDate(t.When().In(loc), r.Lang), Likes: formatMetric(m.Likes, r.Lang),
			Comments: formatMetric(m.Comments, r.Lang), Shares: formatMetric(m.Shares, r.Lang),
			Views: formatMetric(m.Views, r.Lang), Eng: formatInt(t.Engagement, r.Lang),
			Link: safeLink(t.URL), RawURL: clipText(t.URL, 80)})
	}
	for _, s := range r.Sources {
		row := sourceRow{Name: s.Name, LastSuccess: formatDateTime(s.LastSuccess, loc, r.Lang), Failures: fmt.Sprint(s.ConsecutiveFailures),
			LastError: clipText(s.LastError, 200), Stale: s.Stale, Status: l.OK}
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
	Latest   string   // relative link to latest.html, "" if none
	Reports  []string // relative links, newest first
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
	"base": func(s string) string { return s[strings.LastIndex(s, "/")+1:] },
	"inc":  func(i int) int { return i + 1 },
}

const styles = `
*{box-sizing:border-box}
body{margin:0;font-family:"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;color:#1d2733;background:#f4f6f9;line-height:1.45;font-size:15px}
main{max-width:1120px;margin:0 auto;padding:16px}
header{background:#0b4f9c;color:#fff;padding:18px 20px;border-radius:10px}
header h1{margin:0 0 4px;font-size:1.45em}
header .tag{font-weight:600;opacity:.95;word-break:break-all}
header .meta{margin-top:6px;font-size:.9em;opacity:.9}
section{background:#fff;border-radius:10px;padding:14px 16px;margin-top:14px;box-shadow:0 1px 2px rgba(0,0,0,.06);break-inside:avoid;page-break-inside:avoid}
h2{font-size:1.1em;margin:0 0 10px;color:#0b4f9c}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px;background:none;box-shadow:none;padding:0}
.figure{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.figure .label{font-size:.85em;color:#5b6776;text-transform:uppercase;letter-spacing:.02em}
.figure .value{font-size:1.45em;font-weight:700;margin:2px 0;white-space:nowrap}
.figure .sub,.figure .delta{font-size:.85em;color:#5b6776}
.figure .up{color:#1e7d32}.figure .down{color:#b3261e}
.bar{height:8px;background:#e3e8ef;border-radius:4px;margin-top:6px;overflow:hidden}
.bar span{display:block;height:100%;background:#1e7d32}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.grid2 section{margin-top:0}
.chart{width:100%}
.missing{border:2px solid #b3261e}
.missing h2{color:#b3261e}
.missing ol{columns:3;margin:6px 0 0;padding-left:1.4em}
.ok{color:#1e7d32}
table{width:100%;border-collapse:collapse;font-size:.9em}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e8ef;vertical-align:top}
th{background:#f0f3f7;font-weight:600}
td.n,th.n{text-align:right;white-space:nowrap}
td.t{word-break:break-word}
.wrap{overflow-x:auto}
tr.stale td{background:#fdecea}
tr.stale td.status{color:#b3261e;font-weight:700}
ul.notes{margin:0;padding-left:1.2em}
footer{font-size:.8em;color:#5b6776;margin:14px 0 4px;text-align:center}
@media (max-width:720px){
 body{font-size:14px}
 .missing ol{columns:1}
 main{padding:8px}
 .grid2{grid-template-columns:1fr}
 .figure .value{font-size:1.35em;white-space:normal}
}
@page{size:A4;margin:12mm}
@media print{
 body{background:#fff;font-size:11pt}
 main{max-width:none;padding:0}
 header{background:#fff;color:#000;border:2px solid #0b4f9c}
 section,.figure{box-shadow:none;border:1px solid #ccd3dc}
 .grid2{grid-template-columns:1fr}
 .wrap{overflow:visible}
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

<section class="figures" id="figures">
{{range .Figures}}<div class="figure">
<div class="label">{{.Label}}</div>
<div class="value">{{.Value}}</div>
{{if .Sub}}<div class="sub">{{.Sub}}</div>{{end}}
{{if .Delta}}<div class="delta{{if .Up}} up{{end}}{{if .Down}} down{{end}}">{{.Delta}}</div>{{end}}
{{if ge .Progress 0}}<div class="bar"><span style="width: {{.Progress}}%"></span></div>{{end}}
</div>
{{end}}</section>

<section id="daily"><h2>{{.Daily.Title}}</h2><div class="chart" id="{{.Daily.ID}}" style="height: {{.Daily.Height}}px"></div></section>

<section id="platforms"><h2>{{.Platform.Title}}</h2><div class="chart" id="{{.Platform.ID}}" style="height: {{.Platform.Height}}px"></div></section>

<section id="units"><h2>{{.Units.Title}}</h2><div class="chart" id="{{.Units.ID}}" style="height: {{.Units.Height}}px"></div></section>

<section id="without" class="missing"><h2>{{.L.WithoutPosts}} ({{.WithoutCount}})</h2>
{{if .WithoutPosts}}<div class="sub">{{.L.WithoutPostsHint}}:</div>
<ol>{{range .WithoutPosts}}<li>{{.}}</li>{{end}}</ol>
{{else}}<p class="ok">{{.L.WithoutPostsNone}}</p>{{end}}
</section>

<section id="engagement"><h2>{{.Engagement.Title}}</h2><div class="chart" id="{{.Engagement.ID}}" style="height: {{.Engagement.Height}}px"></div></section>

<section id="heat"><h2>{{.Heat.Title}}</h2><div class="chart" id="{{.Heat.ID}}" style="height: {{.Heat.Height}}px"></div></section>

<section id="top"><h2>{{.L.TopPosts}}</h2>
{{if .Top}}<div class="wrap"><table>
<thead><tr><th>#</th><th>{{.L.Unit}}</th><th>{{.L.Platform}}</th><th>{{.L.Date}}</th><th class="n">{{.L.Likes}}</th><th class="n">{{.L.Comments}}</th><th class="n">{{.L.Shares}}</th><th class="n">{{.L.Views}}</th><th class="n">{{.L.Engagement}}</th><th>{{.L.Link}}</th></tr></thead>
<tbody>{{range $i, $t := .Top}}<tr><td>{{inc $i}}</td><td class="t">{{$t.Unit}}</td><td>{{$t.Platform}}</td><td>{{$t.Date}}</td><td class="n">{{$t.Likes}}</td><td class="n">{{$t.Comments}}</td><td class="n">{{$t.Shares}}</td><td class="n">{{$t.Views}}</td><td class="n"><strong>{{$t.Eng}}</strong></td>
<td class="t">{{if $t.Link}}<a href="{{$t.Link}}" rel="noopener noreferrer nofollow" target="_blank">{{$t.Title}}</a>{{else}}{{$t.Title}} <span class="sub">({{$t.RawURL}})</span>{{end}}</td></tr>
{{end}}</tbody></table></div>
{{else}}<p>{{.L.NoTopPosts}}</p>{{end}}
</section>

<section id="sources"><h2>{{.L.SourceHealth}}</h2>
{{if .Sources}}<div class="wrap"><table>
<thead><tr><th>{{.L.Source}}</th><th>{{.L.Status}}</th><th>{{.L.LastSuccess}}</th><th class="n">{{.L.Failures}}</th><th>{{.L.LastError}}</th></tr></thead>
<tbody>{{range .Sources}}<tr{{if .Stale}} class="stale"{{end}}><td>{{.Name}}</td><td class="status">{{.Status}}</td><td>{{.LastSuccess}}</td><td class="n">{{.Failures}}</td><td class="t">{{.LastError}}</td></tr>
{{end}}</tbody></table></div>
{{else}}<p>{{.L.NoSources}}</p>{{end}}
</section>

<section id="notes"><h2>{{.L.Notes}}</h2>
<ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>
</section>
<footer>hashtrack · Apache ECharts 5.4.3 (Apache License 2.0)</footer>
</main>
<script>{{.EChartsJS}}</script>
<script>
(function () {
  var specs = [{{range .Charts}}
    {id: {{.ID}}, option: {{.Option}}},{{end}}
  ];
  var all = [];
  specs.forEach(function (s) {
    var el = document.getElementById(s.id);
    var y = s.option.yAxis && s.option.yAxis[0];
    if (y && y.axisLabel && y.axisLabel.width && el.clientWidth < 640) {
      y.axisLabel.width = Math.round(el.clientWidth * 0.38); // long unit names on a phone
    }
    var chart = echarts.init(el, null, {renderer: 'canvas'});
    chart.setOption(s.option);
    all.push(chart);
  });
  window.addEventListener('resize', function () { all.forEach(function (c) { c.resize(); }); });
  window.addEventListener('beforeprint', function () { all.forEach(function (c) { c.resize({width: {{.PrintWidth}}}); }); });
  window.addEventListener('afterprint', function () { all.forEach(function (c) { c.resize(); }); });
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
{{range .Entries}}<section><h2>{{.Name}}</h2>
{{if .Latest}}<p><a href="{{.Latest}}"><strong>{{$.L.IndexLatest}}</strong></a></p>{{end}}
<ul>{{range .Reports}}<li><a href="{{.}}">{{base .}}</a></li>{{end}}</ul>
</section>
{{else}}<section><p>{{.L.IndexEmpty}}</p></section>{{end}}
</main>
</body>
</html>
`))
