package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// TestNoPreviousPeriodBeforeTheCampaign: a period that starts with the campaign is not
// compared with the days before it began — every rendering says so instead.
func TestNoPreviousPeriodBeforeTheCampaign(t *testing.T) {
	st := openFixture(t, fixturePosts())
	in := fixtureInput("vi")
	in.From = at(1, 3, 0, 0) // the campaign's first day: the "previous" 7 days are February
	r := mustAggregate(t, st, in)
	if r.HasPrev || r.PostsDelta.Known || r.UnitsDelta.Known || r.EngagementDelta.Known || r.ViewsDelta.Known || r.PostsPrev != 0 {
		t.Errorf("HasPrev %v, deltas %v %v %v %v, prev posts %d: want no comparison", r.HasPrev, r.PostsDelta, r.UnitsDelta, r.EngagementDelta, r.ViewsDelta, r.PostsPrev)
	}
	if !r.PrevFrom.IsZero() || !r.PrevTo.IsZero() {
		t.Errorf("previous period %v–%v, want none", r.PrevFrom, r.PrevTo)
	}
	var text, html, js bytes.Buffer
	if err := r.RenderText(&text); err != nil {
		t.Fatal(err)
	}
	if want := "• Bài đăng: 8 bài mới trong kỳ (tính từ đầu chiến dịch), tổng cộng 8 bài."; strings.Split(text.String(), "\n")[1] != want {
		t.Errorf("digest line 2 %q, want %q", strings.Split(text.String(), "\n")[1], want)
	}
	if strings.Contains(text.String(), "so với kỳ trước") {
		t.Errorf("digest compares with a period before the campaign:\n%s", text.String())
	}
	if err := r.RenderHTML(&html); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), "so với kỳ trước</") || !strings.Contains(html.String(), "không so với kỳ trước (kỳ báo cáo bắt đầu từ đầu chiến dịch)") {
		t.Error("the page does not say the comparison is left out")
	}
	if err := r.RenderJSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if v, ok := doc["previous_period"]; !ok || v != nil {
		t.Errorf("previous_period = %v (present %v), want null", v, ok)
	}

	// One day later the previous period (28/02–28/02 … ) still lies outside; from
	// 03/03 with two days the previous one is 01/03–02/03, inside.
	in.From, in.To = at(3, 3, 0, 0), at(4, 3, 0, 0)
	r = mustAggregate(t, st, in)
	if !r.HasPrev || r.PrevFrom.Day() != 1 || r.PrevTo.Day() != 2 || r.PostsPrev != 1 || r.PostsDelta != known(1) {
		t.Errorf("HasPrev %v %v–%v posts %d delta %v, want 01/03–02/03 with 1 post, +1", r.HasPrev, r.PrevFrom, r.PrevTo, r.PostsPrev, r.PostsDelta)
	}
}

// TestDateOnlyPostsLeaveTheHeatMap: posts typed with a day and no time are counted on
// their day but not at midnight of the heat map, and the page says how many.
func TestDateOnlyPostsLeaveTheHeatMap(t *testing.T) {
	posts := fixturePosts()
	posts[3].PublishedAt, posts[3].DateOnly = at(5, 3, 0, 0), true // 05/03, a Sunday
	posts[5].PublishedAt, posts[5].DateOnly = at(6, 3, 0, 0), true
	st := openFixture(t, posts)
	r := mustAggregate(t, st, fixtureInput("vi"))
	if r.Quality.HourUnknown != 2 {
		t.Errorf("hour unknown %d, want 2", r.Quality.HourUnknown)
	}
	var inHeat int64
	for wd := range 7 {
		for h := range 24 {
			inHeat += r.Heat[wd][h]
		}
	}
	if inHeat != 3 || r.Heat[6][0] != 0 || r.Heat[0][0] != 0 {
		t.Errorf("%d posts in the heat map (Sunday 0h %d, Monday 0h %d), want 3 and none at midnight", inHeat, r.Heat[6][0], r.Heat[0][0])
	}
	if r.PostsInPeriod != 5 || r.Daily[0].Posts != 2 || r.Daily[1].Posts != 2 {
		t.Errorf("posts %d, daily %d %d: date-only posts must still count on their day", r.PostsInPeriod, r.Daily[0].Posts, r.Daily[1].Posts)
	}
	var b bytes.Buffer
	if err := r.RenderHTML(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2 bài không rõ giờ đăng") {
		t.Error(`the heat map has no note "2 bài không rõ giờ đăng"`)
	}
	b.Reset()
	if err := r.RenderJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"hour_unknown": 2`) {
		t.Error("data_quality.hour_unknown is not 2")
	}
}

// TestChartDays: a one-day report is drawn within its week, the period shaded; a
// finished campaign's default report stops at the last post, not at the campaign's end.
func TestChartDays(t *testing.T) {
	st := openFixture(t, fixturePosts())
	day := func(ds []Day) string {
		var s []string
		for _, d := range ds {
			s = append(s, d.Date.Format("02/01")+"="+itoa(d.Posts)+"/"+itoa(d.Cumulative))
		}
		return strings.Join(s, " ")
	}

	in := fixtureInput("vi")
	in.From, in.To = at(6, 3, 0, 0), at(6, 3, 0, 0)
	r := mustAggregate(t, st, in)
	// The week ending 06/03 starts 28/02, before the campaign: it starts 01/03.
	if got, want := day(r.Chart), "01/03=1/1 02/03=0/1 03/03=1/2 04/03=1/3 05/03=2/5 06/03=2/7"; got != want {
		t.Errorf("chart days %s, want %s", got, want)
	}
	if len(r.Daily) != 1 || r.PostsInPeriod != 2 {
		t.Errorf("period days %d posts %d, want 1 day, 2 posts", len(r.Daily), r.PostsInPeriod)
	}
	cs, err := r.buildCharts()
	if err != nil {
		t.Fatal(err)
	}
	opt := string(cs[0].Option)
	for _, want := range []string{`"markArea"`, `"xAxis":"06/03"`, `"markLine"`, `"yAxis":6`, `"formatter":"Chỉ tiêu 6"`} {
		if !strings.Contains(opt, want) {
			t.Errorf("daily chart lacks %s: %s", want, opt)
		}
	}

	// The campaign ended on 31/03; the report is made in May with the default period.
	in = fixtureInput("vi")
	in.Campaign.End = at(31, 3, 0, 0)
	in.From, in.To, in.Now = time.Time{}, time.Time{}, time.Date(2023, 5, 10, 9, 0, 0, 0, hcm)
	r = mustAggregate(t, st, in)
	if len(r.Daily) != 31 {
		t.Errorf("period of %d days, want the whole campaign (31)", len(r.Daily))
	}
	if got, want := r.Chart[len(r.Chart)-1].Date.Format("02/01"), "08/03"; got != want || len(r.Chart) != 8 {
		t.Errorf("chart ends %s after %d days, want %s (the last post) after 8", got, len(r.Chart), want)
	}

	// An explicit period is drawn whole, even when empty at its end.
	in.To = at(31, 3, 0, 0)
	r = mustAggregate(t, st, in)
	if len(r.Chart) != 31 {
		t.Errorf("explicit period drawn over %d days, want 31", len(r.Chart))
	}
}

// TestPlatformColoursAcrossReports: two reports with different platform mixes draw each
// platform in the same colour, in the donut and in the engagement chart.
func TestPlatformColoursAcrossReports(t *testing.T) {
	colours := func(posts []collector.Post) map[string][]string {
		st := openFixture(t, posts)
		r := mustAggregate(t, st, fixtureInput("vi"))
		cs, err := r.buildCharts()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		var pie struct {
			Series []struct {
				Data []struct {
					Name      string
					ItemStyle struct{ Color string }
				}
			}
		}
		if err := json.Unmarshal([]byte(cs[1].Option), &pie); err != nil {
			t.Fatal(err)
		}
		for _, d := range pie.Series[0].Data {
			out[d.Name] = append(out[d.Name], d.ItemStyle.Color)
		}
		var stack struct {
			Series []struct {
				Name      string
				ItemStyle struct{ Color string }
			}
		}
		if err := json.Unmarshal([]byte(cs[3].Option), &stack); err != nil {
			t.Fatal(err)
		}
		for _, s := range stack.Series {
			out[s.Name] = append(out[s.Name], s.ItemStyle.Color)
		}
		return out
	}
	a := colours(fixturePosts()) // Facebook, Zalo, TikTok, Web
	mix := fixturePosts()
	mix[3].URL = "https://www.youtube.com/watch?v=abc" // TikTok becomes YouTube: the order changes
	mix[5].URL, mix[5].Platform = "https://www.tiktok.com/@tanloi/video/6", ""
	b := colours(mix) // Facebook, TikTok, YouTube, Web
	want := map[string]string{"Facebook": "#1877f2", "Zalo": "#00a88f", "TikTok": "#161823", "Web": "#f29900", "YouTube": "#e62117"}
	seen := 0
	for _, got := range []map[string][]string{a, b} {
		for name, cs := range got {
			for _, c := range cs {
				seen++
				if c != want[name] {
					t.Errorf("%s drawn in %q, want %q in every chart of every report", name, c, want[name])
				}
			}
		}
	}
	if len(a["Zalo"]) != 2 || len(b["YouTube"]) == 0 || len(b["TikTok"]) != 2 || seen < 12 {
		t.Errorf("colours found: %v and %v", a, b)
	}
}
