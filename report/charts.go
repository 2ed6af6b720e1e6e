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
// as JSON with < > & escaped, so hostile text in the data stays text. Number formats
// and the unit-name rule are JavaScript functions the page's own script attaches by
// chart id (see reportTemplate): no function ever travels inside the option.
type Chart struct {
	ID     string
	Title  string
	Height int // pixels
	Option template.JS
	Note   string // a line under the chart ("12 bài không rõ giờ đăng …"); "" = none
}

// maxUnitBars is how many units the leaderboard draws before folding the rest into "others".
const maxUnitBars = 20

// Colours of the series that are not platforms.
const (
	colorPosts      = "#0b4f9c"
	colorEngagement = "#8fb3de"
	colorCumulative = "#1e7d32"
	colorTarget     = "#c0392b"
	colorReach      = "#6d4c41" // potential reach: no platform's colour
)

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
	// Through JSON once, so patch sees plain maps and slices rather than go-echarts types.
	raw, err := json.Marshal(c.JSON())
	if err != nil {
		return "", fmt.Errorf("report: encode chart: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("report: encode chart: %w", err)
	}
	delete(m, "toolbox") // no buttons: the report is read, not explored
	delete(m, "title")   // the heading is HTML
	m["animation"] = false
	// Tooltips drawn by ECharts as text, never as HTML built from data.
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

// valueAxis is a count axis: whole numbers only, its name above it, labels that hide
// rather than overlap.
func valueAxis(name string) map[string]any {
	return map[string]any{"type": "value", "name": name, "minInterval": 1, "nameTextStyle": map[string]any{"align": "left"},
		"axisLabel": map[string]any{"hideOverlap": true}, "splitNumber": 4}
}

// dateAxis is the axis of days: labels thin out by themselves on a narrow screen.
func dateAxis(days []string) map[string]any {
	// The margin keeps the first day clear of the value axis's "0".
	return map[string]any{"type": "category", "data": days, "axisLabel": map[string]any{"hideOverlap": true, "margin": 12}}
}

// buildCharts builds the charts of the report: the five every report has, in the order
// they appear, then the potential-reach chart when some audience is known.
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

	// Posts per day, with the cumulative line and the target on a second axis. The
	// days are r.Chart: a short period shows within its week, the period shaded.
	days := make([]string, len(r.Chart))
	bars := make([]opts.BarData, len(r.Chart))
	cum := make([]opts.LineData, len(r.Chart))
	var most int64
	for i, d := range r.Chart {
		days[i] = d.Date.Format("02/01")
		if r.Lang == "en" {
			days[i] = d.Date.Format("01-02")
		}
		bars[i] = opts.BarData{Value: d.Posts}
		cum[i] = opts.LineData{Value: d.Cumulative}
		most = max(most, d.Cumulative)
	}
	daily := charts.NewBar()
	daily.SetGlobalOptions(initOpts("chart-daily"), charts.WithAnimation(false))
	daily.SetXAxis(days).AddSeries(l.Posts, bars, charts.WithItemStyleOpts(opts.ItemStyle{Color: colorPosts}))
	line := charts.NewLine()
	line.AddSeries(l.Cumulative, cum, charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1, Symbol: "circle"}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colorCumulative}))
	daily.Overlap(line)
	shade := r.periodShade(days)
	if err := add("chart-daily", l.DailyChart, 320, daily, func(m map[string]any) {
		m["tooltip"] = map[string]any{"show": true, "trigger": "axis", "renderMode": "richText", "confine": true}
		m["legend"] = map[string]any{"show": true, "top": 0, "left": "center"}
		m["grid"] = map[string]any{"left": 8, "right": 8, "top": 64, "bottom": 8, "containLabel": true}
		m["xAxis"] = []any{dateAxis(days)}
		right := valueAxis(l.Cumulative)
		right["nameTextStyle"] = map[string]any{"align": "right"}
		if r.Target > 0 {
			// The target is always drawn, so the axis reaches it even on day one; five
			// steps of a round size end exactly there.
			top := niceCeil(max(most, int64(r.Target)))
			right["max"], right["interval"] = top, top/5
		}
		m["yAxis"] = []any{valueAxis(l.AxisPosts), right}
		series := m["series"].([]any)
		if len(series) == 2 {
			cs := series[1].(map[string]any)
			if r.Target > 0 {
				cs["markLine"] = map[string]any{"symbol": "none", "silent": true,
					"lineStyle": map[string]any{"type": "dashed", "color": colorTarget, "width": 2},
					"label":     map[string]any{"position": "insideEndTop", "color": colorTarget, "formatter": l.TargetLine + " " + formatInt(int64(r.Target), r.Lang)},
					"data":      []any{map[string]any{"yAxis": r.Target}}}
			}
			if shade != nil {
				series[0].(map[string]any)["markArea"] = shade
			}
		}
	}); err != nil {
		return nil, err
	}
	if shade != nil {
		out[len(out)-1].Note = l.PeriodShown
	}

	// Posts by platform (donut): the legend carries the numbers, so nothing is cut on
	// a phone; each platform in its own colour.
	pie := charts.NewPie()
	pie.SetGlobalOptions(initOpts("chart-platform"), charts.WithAnimation(false))
	var slices []opts.PieData
	for _, p := range r.ByPlatform {
		slices = append(slices, opts.PieData{Name: canon.Label(p.Platform), Value: p.Posts, ItemStyle: &opts.ItemStyle{Color: canon.Color(p.Platform)}})
	}
	pie.AddSeries(l.Posts, slices, charts.WithPieChartOpts(opts.PieChart{Radius: []string{"38%", "62%"}, Center: []string{"50%", "40%"}}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(false)}))
	if err := add("chart-platform", l.PlatformChart, 300, pie, func(m map[string]any) {
		m["legend"] = map[string]any{"show": true, "bottom": 0, "left": "center", "itemGap": 14}
	}); err != nil {
		return nil, err
	}

	// Unit leaderboard: the first 20 units by posts, the rest folded into one bar. Two
	// value axes, each named and coloured like its bars.
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
	units.SetGlobalOptions(initOpts("chart-units"), charts.WithAnimation(false))
	units.SetXAxis(names).XYReversal()
	units.AddSeries(l.Posts, posts, charts.WithItemStyleOpts(opts.ItemStyle{Color: colorPosts}))
	units.AddSeries(l.Engagement, eng, charts.WithBarChartOpts(opts.BarChart{XAxisIndex: 1}), charts.WithItemStyleOpts(opts.ItemStyle{Color: colorEngagement}))
	height := 130 + 44*max(len(names), 1)
	if err := add("chart-units", l.UnitChart, height, units, func(m map[string]any) {
		m["tooltip"] = map[string]any{"show": true, "trigger": "axis", "renderMode": "richText", "confine": true}
		m["legend"] = map[string]any{"show": true, "top": 0, "left": "center"}
		m["grid"] = map[string]any{"left": 8, "right": 24, "top": 76, "bottom": 44, "containLabel": true}
		top, bottom := valueAxis(l.Posts+" ▮"), valueAxis(l.Engagement+" ▮")
		top["position"], bottom["position"] = "top", "bottom"
		top["nameLocation"], bottom["nameLocation"] = "middle", "middle"
		top["nameGap"], bottom["nameGap"] = 26, 28
		top["nameTextStyle"] = map[string]any{"color": colorPosts, "fontWeight": "bold"}
		bottom["nameTextStyle"] = map[string]any{"color": "#4a78ad", "fontWeight": "bold"}
		top["splitNumber"], bottom["splitNumber"] = 3, 3
		bottom["splitLine"] = map[string]any{"show": false}
		m["xAxis"] = []any{top, bottom}
		m["yAxis"] = []any{map[string]any{"type": "category", "data": names, "inverse": true,
			"axisLabel": map[string]any{"width": 220, "overflow": "truncate"}}}
	}); err != nil {
		return nil, err
	}

	// Engagement over time, stacked by platform, over the same days as the daily chart.
	stack := charts.NewBar()
	stack.SetGlobalOptions(initOpts("chart-engagement"), charts.WithAnimation(false))
	stack.SetXAxis(days)
	for _, p := range r.Platforms {
		data := make([]opts.BarData, len(r.Chart))
		any := false
		for i, d := range r.Chart {
			if v, ok := d.Engagement[p]; ok {
				data[i] = opts.BarData{Value: v}
				any = true
			} else {
				data[i] = opts.BarData{Value: "-"} // unknown: an empty slot, not 0
			}
		}
		if any {
			stack.AddSeries(canon.Label(p), data, charts.WithBarChartOpts(opts.BarChart{Stack: "engagement"}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: canon.Color(p)}))
		}
	}
	if err := add("chart-engagement", l.EngagementChart, 340, stack, func(m map[string]any) {
		m["tooltip"] = map[string]any{"show": true, "trigger": "axis", "renderMode": "richText", "confine": true}
		// The legend above the plot: below, it met the day labels.
		m["legend"] = map[string]any{"show": true, "top": 0, "left": "center"}
		m["grid"] = map[string]any{"left": 8, "right": 16, "top": 72, "bottom": 8, "containLabel": true}
		m["xAxis"] = []any{dateAxis(days)}
		m["yAxis"] = []any{valueAxis(l.AxisEngagement)}
	}); err != nil {
		return nil, err
	}

	// When people post: weekday × hour. Posts given with a date only are left out.
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = fmt.Sprintf("%dh", h)
	}
	var cells []opts.HeatMapData
	var busiest int64 = 1
	for wd := range 7 {
		for h := range 24 {
			if n := r.Heat[wd][h]; n > 0 {
				cells = append(cells, opts.HeatMapData{Value: [3]int64{int64(h), int64(wd), n}})
				busiest = max(busiest, n)
			}
		}
	}
	heat := charts.NewHeatMap()
	heat.SetGlobalOptions(initOpts("chart-heat"), charts.WithAnimation(false),
		charts.WithVisualMapOpts(opts.VisualMap{Min: 0, Max: float32(busiest), Calculable: opts.Bool(true), Orient: "horizontal", Left: "center", Bottom: "0",
			InRange: &opts.VisualMapInRange{Color: []string{"#eef5fb", "#1f6fb2"}}}))
	heat.SetXAxis(hours).AddSeries(l.Posts, cells)
	if err := add("chart-heat", l.HeatChart, 320, heat, func(m map[string]any) {
		m["grid"] = map[string]any{"left": 8, "right": 16, "top": 28, "bottom": 72, "containLabel": true}
		m["xAxis"] = []any{map[string]any{"type": "category", "data": hours, "name": l.Hour, "nameLocation": "middle", "nameGap": 26,
			"axisLabel": map[string]any{"hideOverlap": true}}}
		m["yAxis"] = []any{map[string]any{"type": "category", "data": l.Weekdays[:], "inverse": true}}
		m["legend"] = map[string]any{"show": false}
	}); err != nil {
		return nil, err
	}
	if r.Quality.HourUnknown > 0 {
		out[len(out)-1].Note = fmt.Sprintf(l.HourUnknown, formatInt(r.Quality.HourUnknown, r.Lang))
	}

	// Potential reach per day, drawn only when some unit that posted has a known
	// audience. A day whose units' audiences are all unknown is an empty slot, not 0.
	if r.Reach.Potential.Known {
		rdays := make([]string, len(r.Daily))
		data := make([]opts.BarData, len(r.Daily))
		lower := false
		for i, d := range r.Daily {
			rdays[i] = d.Date.Format("02/01")
			if r.Lang == "en" {
				rdays[i] = d.Date.Format("01-02")
			}
			switch {
			case d.Potential.Known:
				data[i] = opts.BarData{Value: d.Potential.N}
			case d.PotentialUnknown > 0:
				data[i] = opts.BarData{Value: "-"}
			default:
				data[i] = opts.BarData{Value: 0}
			}
			lower = lower || d.PotentialUnknown > 0
		}
		reach := charts.NewBar()
		reach.SetGlobalOptions(initOpts("chart-reach"), charts.WithAnimation(false))
		reach.SetXAxis(rdays).AddSeries(l.ReachFigure, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: colorReach}))
		if err := add("chart-reach", l.ReachChart, 300, reach, func(m map[string]any) {
			m["tooltip"] = map[string]any{"show": true, "trigger": "axis", "renderMode": "richText", "confine": true}
			m["legend"] = map[string]any{"show": true, "top": 0, "left": "center"}
			m["grid"] = map[string]any{"left": 8, "right": 16, "top": 64, "bottom": 8, "containLabel": true}
			m["xAxis"] = []any{dateAxis(rdays)}
			m["yAxis"] = []any{valueAxis(l.AxisReach)}
		}); err != nil {
			return nil, err
		}
		if lower {
			out[len(out)-1].Note = l.ReachUnknownDays
		}
	}
	return out, nil
}

// periodShade shades the report's period on the daily charts when they show more days
// than it (a short period within its week); nil when the chart is the period.
func (r *Report) periodShade(days []string) map[string]any {
	lead := len(r.Chart) - len(r.Daily)
	if lead <= 0 || len(r.Chart) == 0 {
		return nil
	}
	last := min(len(days)-1, lead+len(r.Daily)-1)
	return map[string]any{"silent": true, "itemStyle": map[string]any{"color": "rgba(11,79,156,0.08)"},
		"data": []any{[]any{map[string]any{"xAxis": days[lead]}, map[string]any{"xAxis": days[last]}}}}
}

// niceCeil rounds n up to a round number an axis can end on, 1, 2 or 5 × 10^k (at
// least 5), so that a fifth of it is a round step too.
func niceCeil(n int64) int64 {
	if n <= 5 {
		return 5
	}
	p := int64(1)
	for p*10 < n {
		p *= 10
	}
	for _, f := range []int64{1, 2, 5, 10} {
		if f*p >= n {
			// Leave room above the highest value for the target's label.
			if f*p < n+n/20 {
				continue
			}
			return f * p
		}
	}
	return 20 * p
}

func barMetric(m collector.Count) opts.BarData {
	if !m.Known {
		return opts.BarData{Value: "-"}
	}
	return opts.BarData{Value: m.N}
}
