package report

import (
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// Chart is one drawn chart of the HTML report: a container id and the ECharts option
// as JSON with < > & escaped, so hostile text in the data stays text.
type Chart struct {
	ID     string
	Title  string
	Height int // pixels
	Option template.JS
}

// maxUnitBars is how many units the leaderboard draws before folding the rest into "others".
const maxUnitBars = 20

// chartable is what every go-echarts chart offers.
type chartable interface {
	Validate()
	JSON() map[string]any
}

// encodeOption serialises a chart built with go-echarts through encoding/json, which
// escapes < > & and U+2028/2029: the result can sit inside a <script> element. The
// go-echarts renderer is never used: it writes options unescaped and turns "__f__"
// markers into code. patch adjusts the option map before encoding.
func encodeOption(c chartable, patch func(map[string]any)) (template.JS, error) {
	c.Validate()
	m := c.JSON()
	delete(m, "toolbox") // no buttons: the report is read, not explored
	delete(m, "title")   // the heading is HTML
	m["animation"] = false
	// Tooltips drawn on the canvas, never as HTML built from data.
	m["tooltip"] = map[string]any{"show": true, "trigger": "item", "renderMode": "richText", "confine": true}
	if patch != nil {
		patch(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("report: encode chart: %w", err)
	}
	return template.JS(b), nil
}

func initOpts(id string) charts.GlobalOpts {
	return charts.WithInitializationOpts(opts.Initialization{ChartID: id, Theme: "white"})
}

// buildCharts builds the five charts of the report, in the order they appear.
func (r *Report) buildCharts() ([]Chart, error) {
	l := labelsFor(r.Lang)
	var out []Chart
	add := func(id, title string, height int, c chartable, patch func(map[string]any)) error {
		js, err := encodeOption(c, patch)
		if err != nil {
			return err
		}
		out = append(out, Chart{ID: id, Title: title, Height: height, Option: js})
		return nil
	}

	// Posts per day, with the cumulative line and the target on a second axis.
	days := make([]string, len(r.Daily))
	bars := make([]opts.BarData, len(r.Daily))
	cum := make([]opts.LineData, len(r.Daily))
	target := make([]opts.LineData, len(r.Daily))
	for i, d := range r.Daily {
		days[i] = d.Date.Format("02/01")
		bars[i] = opts.BarData{Value: d.Posts}
		cum[i] = opts.LineData{Value: d.Cumulative}
		target[i] = opts.LineData{Value: r.Target}
	}
	daily := charts.NewBar()
	daily.SetGlobalOptions(initOpts("chart-daily"), charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "48", Right: "56", Top: "24", Bottom: "56"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: l.Posts, MinInterval: 1}))
	daily.ExtendYAxis(opts.YAxis{Type: "value", Name: l.Cumulative, MinInterval: 1})
	daily.SetXAxis(days).AddSeries(l.Posts, bars)
	line := charts.NewLine()
	line.AddSeries(l.Cumulative, cum, charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1, Symbol: "circle"}))
	if r.Target > 0 {
		line.AddSeries(l.TargetLine, target, charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1, Symbol: "none"}),
			charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed", Color: "#c0392b"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#c0392b"}))
	}
	daily.Overlap(line)
	if err := add("chart-daily", l.DailyChart, 320, daily, func(m map[string]any) {
		m["tooltip"] = map[string]any{"show": true, "trigger": "axis", "renderMode": "richText", "confine": true}
	}); err != nil {
		return nil, err
	}

	// Posts by platform (donut).
	pie := charts.NewPie()
	pie.SetGlobalOptions(initOpts("chart-platform"), charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}))
	var slices []opts.PieData
	for _, p := range r.ByPlatform {
		slices = append(slices, opts.PieData{Name: canon.Label(p.Platform), Value: p.Posts})
	}
	pie.AddSeries(l.Posts, slices, charts.WithPieChartOpts(opts.PieChart{Radius: []string{"40%", "68%"}, Center: []string{"50%", "45%"}}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{b}: {c}"}))
	if err := add("chart-platform", l.PlatformChart, 300, pie, nil); err != nil {
		return nil, err
	}

	// Unit leaderboard: the first 20 units by posts, the rest folded into one bar.
	var names []string
	var posts, eng []opts.BarData
	var otherPosts int64
	var otherEng collector.Count
	for i, u := range r.ByUnit {
		if i >= maxUnitBars {
			otherPosts += u.Posts
			otherEng = otherEng.Plus(u.Engagement)
			continue
		}
		name := u.Name
		if u.ID == "" {
			name = l.NoUnit
		}
		names = append(names, name)
		posts = append(posts, opts.BarData{Value: u.Posts})
		eng = append(eng, barMetric(u.Engagement))
	}
	if otherPosts > 0 {
		names = append(names, fmt.Sprintf("%s (%d)", l.Others, len(r.ByUnit)-maxUnitBars))
		posts = append(posts, opts.BarData{Value: otherPosts})
		eng = append(eng, barMetric(otherEng))
	}
	units := charts.NewBar()
	units.SetGlobalOptions(initOpts("chart-units"), charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "48", Top: "48", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Position: "top", MinInterval: 1}))
	units.ExtendXAxis(opts.XAxis{Type: "value", Position: "bottom"})
	units.SetXAxis(names).XYReversal()
	units.AddSeries(l.Posts, posts)
	units.AddSeries(l.Engagement, eng, charts.WithBarChartOpts(opts.BarChart{XAxisIndex: 1}))
	height := 90 + 44*max(len(names), 1)
	if err := add("chart-units", l.UnitChart, height, units, func(m map[string]any) {
		m["yAxis"] = []any{map[string]any{"type": "category", "data": names, "inverse": true,
			"axisLabel": map[string]any{"width": 220, "overflow": "truncate"}}}
	}); err != nil {
		return nil, err
	}

	// Engagement over time, stacked by platform.
	stack := charts.NewBar()
	stack.SetGlobalOptions(initOpts("chart-engagement"), charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "56", Right: "24", Top: "24", Bottom: "56"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: l.Engagement}))
	stack.SetXAxis(days)
	for _, p := range r.Platforms {
		data := make([]opts.BarData, len(r.Daily))
		any := false
		for i, d := range r.Daily {
			if v, ok := d.Engagement[p]; ok {
				data[i] = opts.BarData{Value: v}
				any = true
			} else {
				data[i] = opts.BarData{Value: "-"} // unknown: an empty slot, not 0
			}
		}
		if any {
			stack.AddSeries(canon.Label(p), data, charts.WithBarChartOpts(opts.BarChart{Stack: "engagement"}))
		}
	}
	if err := add("chart-engagement", l.EngagementChart, 320, stack, func(m map[string]any) {
		m["tooltip"] = map[string]any{"show": true, "trigger": "axis", "renderMode": "richText", "confine": true}
	}); err != nil {
		return nil, err
	}

	// When people post: weekday × hour.
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = fmt.Sprintf("%dh", h)
	}
	var cells []opts.HeatMapData
	var most int64 = 1
	for wd := range 7 {
		for h := range 24 {
			if n := r.Heat[wd][h]; n > 0 {
				cells = append(cells, opts.HeatMapData{Value: [3]int64{int64(h), int64(wd), n}})
				most = max(most, n)
			}
		}
	}
	heat := charts.NewHeatMap()
	heat.SetGlobalOptions(initOpts("chart-heat"), charts.WithAnimation(false),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "8", Bottom: "64", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: hours}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: l.Weekdays[:]}),
		charts.WithVisualMapOpts(opts.VisualMap{Min: 0, Max: float32(most), Calculable: opts.Bool(true), Orient: "horizontal", Left: "center", Bottom: "0",
			InRange: &opts.VisualMapInRange{Color: []string{"#eef5fb", "#1f6fb2"}}}))
	heat.SetXAxis(hours).AddSeries(l.Posts, cells)
	if err := add("chart-heat", l.HeatChart, 300, heat, func(m map[string]any) {
		m["yAxis"] = []any{map[string]any{"type": "category", "data": l.Weekdays[:], "inverse": true}}
		m["legend"] = map[string]any{"show": false}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

func barMetric(m collector.Count) opts.BarData {
	if !m.Known {
		return opts.BarData{Value: "-"}
	}
	return opts.BarData{Value: m.N}
}
