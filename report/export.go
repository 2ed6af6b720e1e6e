package report

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/internal/cells"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// maxDigestUnits is how many units without a post the digest names before "and N more".
const maxDigestUnits = 15

// RenderText writes the digest: 7 lines of plain text to paste into Zalo or an email.
func (r *Report) RenderText(w io.Writer) error {
	en := r.Lang == "en"
	l := labelsFor(r.Lang)
	n := func(x int64) string { return formatInt(x, r.Lang) }
	var lines []string
	// Without a previous period inside the campaign the change is left out, not
	// computed against the days before the campaign began.
	switch {
	case en && r.HasPrev:
		lines = append(lines, fmt.Sprintf("Campaign %s (%s), %s:", r.Campaign.Name, r.Campaign.Hashtag, r.period()))
		lines = append(lines, fmt.Sprintf("• Posts: %s new in the period (%s vs previous period), %s in total.", n(r.PostsInPeriod), formatDelta(r.PostsDelta, r.Lang), n(r.PostsTotal)))
	case en:
		lines = append(lines, fmt.Sprintf("Campaign %s (%s), %s:", r.Campaign.Name, r.Campaign.Hashtag, r.period()))
		lines = append(lines, fmt.Sprintf("• Posts: %s new in the period (which starts with the campaign), %s in total.", n(r.PostsInPeriod), n(r.PostsTotal)))
	case r.HasPrev:
		lines = append(lines, fmt.Sprintf("Chiến dịch %s (%s), kỳ %s:", r.Campaign.Name, r.Campaign.Hashtag, r.period()))
		lines = append(lines, fmt.Sprintf("• Bài đăng: %s bài mới trong kỳ (%s so với kỳ trước), tổng cộng %s bài.", n(r.PostsInPeriod), formatDelta(r.PostsDelta, r.Lang), n(r.PostsTotal)))
	default:
		lines = append(lines, fmt.Sprintf("Chiến dịch %s (%s), kỳ %s:", r.Campaign.Name, r.Campaign.Hashtag, r.period()))
		lines = append(lines, fmt.Sprintf("• Bài đăng: %s bài mới trong kỳ (tính từ đầu chiến dịch), tổng cộng %s bài.", n(r.PostsInPeriod), n(r.PostsTotal)))
	}
	progress := r.formatProgress()
	if reached := r.formatReached(); reached != "" {
		progress += ", " + reached
	}
	lines = append(lines, fmt.Sprintf("• %s: %s.", l.Target, progress))
	eng := formatMetric(r.Engagement, r.Lang)
	if r.Measured.Posts > 0 {
		// Said only once something is measured: every digest before it read the same.
		eng += " (" + r.measuredLine() + ")"
	}
	if en {
		lines = append(lines, fmt.Sprintf("• Units that posted: %d/%d; engagement %s; recorded views %s.", r.UnitsActive, r.UnitsTotal, eng, formatMetric(r.Views, r.Lang)))
	} else {
		lines = append(lines, fmt.Sprintf("• Đơn vị đã đăng: %d/%d; tương tác %s; lượt xem ghi nhận %s.", r.UnitsActive, r.UnitsTotal, eng, formatMetric(r.Views, r.Lang)))
	}
	var leaders []string
	for _, u := range r.ByUnit {
		if u.ID == "" {
			continue
		}
		if en {
			leaders = append(leaders, fmt.Sprintf("%d. %s (%s)", len(leaders)+1, u.Name, plural(u.Posts, "post", r.Lang)))
		} else {
			leaders = append(leaders, fmt.Sprintf("%d. %s (%s bài)", len(leaders)+1, u.Name, n(u.Posts)))
		}
		if len(leaders) == 3 {
			break
		}
	}
	switch {
	case len(leaders) == 0 && en:
		lines = append(lines, "• Leading units: none yet.")
	case len(leaders) == 0:
		lines = append(lines, "• Đơn vị dẫn đầu: chưa có.")
	case en:
		lines = append(lines, "• Leading units: "+strings.Join(leaders, ", ")+".")
	default:
		lines = append(lines, "• Đơn vị dẫn đầu: "+strings.Join(leaders, ", ")+".")
	}
	if len(r.UnitsWithoutPosts) == 0 {
		lines = append(lines, "• "+l.WithoutPostsNone)
	} else {
		var names []string
		for i, u := range r.UnitsWithoutPosts {
			if i == maxDigestUnits {
				break
			}
			names = append(names, u.Name)
		}
		list := strings.Join(names, ", ")
		if more := len(r.UnitsWithoutPosts) - len(names); more > 0 {
			if en {
				list += fmt.Sprintf(" and %d more", more)
			} else {
				list += fmt.Sprintf(" và %d đơn vị khác", more)
			}
		}
		if en {
			lines = append(lines, fmt.Sprintf("• No post yet (%s): %s.", plural(int64(len(r.UnitsWithoutPosts)), "unit", r.Lang), list))
		} else {
			lines = append(lines, fmt.Sprintf("• Chưa có bài (%d đơn vị): %s.", len(r.UnitsWithoutPosts), list))
		}
	}
	q := r.Quality
	sources := l.NoSourcesShort // "0/0 sources stale" says nothing
	switch {
	case len(r.Sources) > 0 && en:
		sources = fmt.Sprintf("%d of %d sources stale", r.StaleSources(), len(r.Sources))
	case len(r.Sources) > 0:
		sources = fmt.Sprintf("%d/%d nguồn quá hạn", r.StaleSources(), len(r.Sources))
	}
	if en {
		lines = append(lines, fmt.Sprintf("• Data: %s without figures, %s not yet verified; %s.", plural(q.MetricsUnknown, "post", r.Lang), n(q.Unverified), sources))
	} else {
		lines = append(lines, fmt.Sprintf("• Số liệu: %s bài không có số liệu, %s bài chưa xác minh; %s.", n(q.MetricsUnknown), n(q.Unverified), sources))
	}
	if s := r.leftOutDigest(); s != "" {
		lines = append(lines, s)
	}
	for _, s := range r.undeliveredNotes() {
		lines = append(lines, "• "+s)
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}

// plural writes "1 post", "2 posts" (English only; Vietnamese nouns do not change).
func plural(n int64, noun, lang string) string {
	if n != 1 {
		noun += "s"
	}
	return formatInt(n, lang) + " " + noun
}

type jsonUnit struct {
	Unit       string          `json:"unit"`
	Name       string          `json:"name"`
	Posts      int64           `json:"posts"`
	Engagement collector.Count `json:"engagement"`
}

type jsonUnitRef struct {
	Unit string `json:"unit"`
	Name string `json:"name"`
}

type jsonDay struct {
	Date       string           `json:"date"`
	Posts      int64            `json:"posts"`
	Cumulative int64            `json:"cumulative"`
	Engagement map[string]int64 `json:"engagement_by_platform,omitempty"`
	// Potential reach of the day (null: no unit that posted has a known audience) and
	// how many units that posted have none; measured reach apart (null: none measured).
	PotentialReach        collector.Count `json:"potential_reach"`
	PotentialUnitsUnknown int             `json:"potential_reach_units_unknown"`
	MeasuredReach         collector.Count `json:"measured_reach"`
}

// jsonMeasured is the share of the period's engagement measured by the platforms.
type jsonMeasured struct {
	Engagement   int64           `json:"engagement"`    // of the measured posts
	Posts        int64           `json:"posts"`         // measured posts with a known engagement
	Of           int64           `json:"of"`            // all known engagement
	SharePercent collector.Count `json:"share_percent"` // null when nothing is measured
}

type jsonUnitReach struct {
	Unit       string          `json:"unit"`
	Name       string          `json:"name"`
	Audience   collector.Count `json:"audience"` // null = unknown
	Connected  int             `json:"connected_accounts"`
	DaysPosted int64           `json:"days_posted"`
	Potential  collector.Count `json:"potential_reach"` // audience × days posted; null = unknown
}

// jsonReach is potential reach and, apart, the reach page insights measured.
type jsonReach struct {
	Definition       string          `json:"definition"`
	Potential        collector.Count `json:"potential_reach"`
	LowerBound       bool            `json:"potential_reach_is_lower_bound"`
	UnitsUnknown     int             `json:"units_audience_unknown"`
	ByUnit           []jsonUnitReach `json:"by_unit"`
	MeasuredReach    collector.Count `json:"measured_reach"`
	MeasuredPosts    int64           `json:"measured_reach_posts"`
	Impressions      collector.Count `json:"measured_impressions"`
	ImpressionsPosts int64           `json:"measured_impressions_posts"`
}

type jsonPeriod struct {
	From        string          `json:"from"`
	To          string          `json:"to"`
	Posts       int64           `json:"posts"`
	UnitsActive int             `json:"units_active"`
	Engagement  collector.Count `json:"engagement"`
	Views       collector.Count `json:"views"`
}

type jsonTop struct {
	URL        string            `json:"url"`
	Title      string            `json:"title,omitempty"`
	Unit       string            `json:"unit"`
	Platform   string            `json:"platform"`
	Published  string            `json:"published"`
	Metrics    collector.Metrics `json:"metrics"`
	Engagement int64             `json:"engagement"`
	GoneAt     string            `json:"gone_at,omitempty"` // deleted on the platform
}

type jsonSource struct {
	Name                string `json:"name"`
	LastSuccess         string `json:"last_success,omitempty"`
	ConsecutiveFailures int    `json:"consecutive_failures"`
	LastError           string `json:"last_error,omitempty"`
	Stale               bool   `json:"stale"`
}

type jsonReport struct {
	Campaign          string           `json:"campaign"`
	CampaignName      string           `json:"campaign_name"`
	Hashtag           string           `json:"hashtag"`
	From              string           `json:"from"`
	To                string           `json:"to"`
	TimeZone          string           `json:"time_zone"`
	GeneratedAt       string           `json:"generated_at"`
	PostsTotal        int64            `json:"posts_total"`
	PostsInPeriod     int64            `json:"posts_in_period"`
	UnitsActive       int              `json:"units_active"`
	UnitsTotal        int              `json:"units_total"`
	Engagement        collector.Count  `json:"engagement"`
	Measured          jsonMeasured     `json:"measured_engagement"`
	Views             collector.Count  `json:"views"`
	Reach             jsonReach        `json:"reach"`
	Target            *int             `json:"target"`
	TargetPercent     *int             `json:"target_percent"`
	TargetReached     *string          `json:"target_reached"`
	Previous          *jsonPeriod      `json:"previous_period"` // null: the period starts with the campaign
	ByPlatform        map[string]int64 `json:"by_platform"`
	ByUnit            []jsonUnit       `json:"by_unit"`
	Daily             []jsonDay        `json:"daily"`
	UnitsWithoutPosts []jsonUnitRef    `json:"units_without_posts"`
	HeatMap           [7][24]int64     `json:"posts_by_weekday_hour"`
	Top               []jsonTop        `json:"top_posts"`
	Sources           []jsonSource     `json:"sources"`
	Quality           Quality          `json:"data_quality"`
	LeftOut           jsonLeftOut      `json:"left_out"`
}

// RenderJSON writes the aggregates behind the report. Unknown numbers are null.
func (r *Report) RenderJSON(w io.Writer) error {
	loc := r.Campaign.Loc()
	day := func(t timeLike) string { return t.Format("2006-01-02") }
	j := jsonReport{
		Campaign: r.Campaign.ID, CampaignName: r.Campaign.Name, Hashtag: r.Campaign.Hashtag,
		From: day(r.From), To: day(r.To), TimeZone: r.TimeZone, GeneratedAt: r.GeneratedAt.Format("2006-01-02T15:04:05Z07:00"),
		PostsTotal: r.PostsTotal, PostsInPeriod: r.PostsInPeriod, UnitsActive: r.UnitsActive, UnitsTotal: r.UnitsTotal,
		Engagement: r.Engagement, Views: r.Views,
		ByPlatform: map[string]int64{}, ByUnit: []jsonUnit{}, Daily: []jsonDay{}, UnitsWithoutPosts: []jsonUnitRef{},
		HeatMap: r.Heat, Top: []jsonTop{}, Sources: []jsonSource{}, Quality: r.Quality, LeftOut: leftOutJSON(r.LeftOut),
	}
	if r.HasPrev {
		j.Previous = &jsonPeriod{From: day(r.PrevFrom), To: day(r.PrevTo), Posts: r.PostsPrev, UnitsActive: r.UnitsActivePrev,
			Engagement: r.EngagementPrev, Views: r.ViewsPrev}
	}
	if r.Target > 0 {
		t, p := r.Target, r.TargetPercent
		j.Target, j.TargetPercent = &t, &p
		if !r.TargetReached.IsZero() {
			s := day(r.TargetReached)
			j.TargetReached = &s
		}
	}
	for _, p := range r.ByPlatform {
		j.ByPlatform[p.Platform] = p.Posts
	}
	for _, u := range r.ByUnit {
		j.ByUnit = append(j.ByUnit, jsonUnit{Unit: u.ID, Name: u.Name, Posts: u.Posts, Engagement: u.Engagement})
	}
	for _, d := range r.Daily {
		j.Daily = append(j.Daily, jsonDay{Date: day(d.Date), Posts: d.Posts, Cumulative: d.Cumulative, Engagement: d.Engagement,
			PotentialReach: d.Potential, PotentialUnitsUnknown: d.PotentialUnknown, MeasuredReach: d.MeasuredReach})
	}
	j.Measured = jsonMeasured{Engagement: r.Measured.Engagement, Posts: r.Measured.Posts, Of: r.Measured.Of, SharePercent: r.Measured.Percent}
	rc := r.Reach
	j.Reach = jsonReach{Definition: labelsFor(r.Lang).NotesReach, Potential: rc.Potential, LowerBound: rc.Potential.Known && rc.UnknownUnits > 0,
		UnitsUnknown: rc.UnknownUnits, ByUnit: []jsonUnitReach{}, MeasuredReach: rc.Measured, MeasuredPosts: rc.MeasuredPosts,
		Impressions: rc.Impressions, ImpressionsPosts: rc.ImpressionsPosts}
	for _, u := range rc.ByUnit {
		j.Reach.ByUnit = append(j.Reach.ByUnit, jsonUnitReach{Unit: u.ID, Name: u.Name, Audience: u.Audience, Connected: u.Connected,
			DaysPosted: u.DaysPosted, Potential: u.Potential})
	}
	for _, u := range r.UnitsWithoutPosts {
		j.UnitsWithoutPosts = append(j.UnitsWithoutPosts, jsonUnitRef{Unit: u.ID, Name: u.Name})
	}
	for _, t := range r.Top {
		j.Top = append(j.Top, jsonTop{URL: t.URL, Title: t.Title, Unit: t.Unit, Platform: t.Platform,
			Published: t.When().In(loc).Format("2006-01-02T15:04:05Z07:00"), Metrics: t.Metrics, Engagement: t.Engagement})
		if !t.GoneAt.IsZero() {
			j.Top[len(j.Top)-1].GoneAt = t.GoneAt.In(loc).Format("2006-01-02T15:04:05Z07:00")
		}
	}
	for _, s := range r.Sources {
		js := jsonSource{Name: s.Name, ConsecutiveFailures: s.ConsecutiveFailures, LastError: s.LastError, Stale: s.Stale}
		if !s.LastSuccess.IsZero() {
			js.LastSuccess = s.LastSuccess.In(loc).Format("2006-01-02T15:04:05Z07:00")
		}
		j.Sources = append(j.Sources, js)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

type timeLike interface{ Format(string) string }

// figuresFrom is where a listed post's numbers come from, and whether the platform
// deleted it: "đo từ nền tảng · Graph API; đã bị xoá trên nền tảng". "" when unknown.
func figuresFrom(p *collector.Post, l *labels) string {
	s := provenance(p.Metrics, p.Platform, l)
	if !p.GoneAt.IsZero() {
		if s != "" {
			s += "; "
		}
		s += l.Gone
	}
	return s
}

// utf8BOM makes Excel read the CSV as UTF-8, so Vietnamese shows intact.
const utf8BOM = "\uFEFF"

// ValidCSVSeparator says whether c may separate the cells of the CSV export.
func ValidCSVSeparator(c rune) bool { return c == ',' || c == ';' || c == '\t' }

var verificationVI = map[collector.Verification]string{
	collector.Verified: "đã xác minh", collector.Unverified: "chưa xác minh",
	collector.NotFound: "không thấy hashtag", collector.Unverifiable: "không xác minh được",
}

// WriteCSV writes every post of the report's period (read through the store's time
// index, not the whole file), UTF-8 with a BOM, one row per post, formula cells
// neutralised. Unknown numbers are "n/a", never 0. comma separates the cells: ',' (0
// too) or ';' for Excel in Vietnamese, whose list separator it is.
func (r *Report) WriteCSV(ctx context.Context, w io.Writer, st *store.Store, comma rune) error {
	if comma == 0 {
		comma = ','
	}
	if !ValidCSVSeparator(comma) {
		return fmt.Errorf("report: csv separator %q: use ',', ';' or a tab", comma)
	}
	loc := r.Campaign.Loc()
	en := r.Lang == "en"
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = comma
	cw.UseCRLF = true
	header := []string{"Ngày đăng", "Nền tảng", "Đơn vị", "Mã đơn vị", "Tác giả", "Tiêu đề", "Thích", "Bình luận", "Chia sẻ", "Lượt xem", "Tương tác", "Xác minh", "Liên kết", "Nguồn", "Nguồn số liệu"}
	if en {
		header = []string{"Published", "Platform", "Unit", "Unit id", "Author", "Title", "Likes", "Comments", "Shares", "Views", "Engagement", "Verification", "Link", "Source", "Figures from"}
	}
	l := labelsFor(r.Lang)
	if err := cw.Write(header); err != nil {
		return err
	}
	names := map[string]string{}
	for _, u := range r.Units {
		names[u.ID] = u.Name
	}
	q := store.Query{Campaign: r.Campaign.ID, From: r.From, To: r.To.AddDate(0, 0, 1)}
	err := st.Posts(ctx, q, func(p collector.Post) error {
		eng := collector.KnownIf(p.Metrics.Engagement())
		ver := string(p.Verification)
		if !en {
			if v, ok := verificationVI[p.Verification]; ok {
				ver = v
			}
		}
		date := p.When().In(loc).Format("02/01/2006 15:04")
		if en {
			date = p.When().In(loc).Format("2006-01-02 15:04")
		}
		row := []string{date, canon.Label(p.Platform), names[p.Unit], p.Unit, p.Author, p.Title,
			p.Metrics.Likes.String(), p.Metrics.Comments.String(), p.Metrics.Shares.String(), p.Metrics.Views.String(), eng.String(), ver, p.URL,
			strings.Join(p.Sources, " "), figuresFrom(&p, l)}
		for i := range row {
			row[i] = cells.Neutralize(row[i])
		}
		return cw.Write(row)
	})
	if err != nil {
		return fmt.Errorf("report: csv of campaign %s: %w", r.Campaign.ID, err)
	}
	cw.Flush()
	return cw.Error()
}
