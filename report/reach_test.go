package report

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// reachUnits: A and B post on connected Facebook pages (5.200 and 3.100 followers),
// C has `audience = 1500` in its [[unit]], D has no audience anywhere.
var reachUnits = collector.Units{
	{ID: "unit-a", Name: "Đoàn phường Tân Lợi"},
	{ID: "unit-b", Name: "Trường Đại học Y Dược Buôn Ma Thuột"},
	{ID: "unit-c", Name: "Huyện Đoàn Ea Kar", Audience: collector.Known(1500)},
	{ID: "unit-d", Name: "Huyện Đoàn Krông Pắc"},
	{ID: "unit-e", Name: "Huyện Đoàn Lắk", Audience: collector.Known(900)}, // posts nothing
}

// reachPosts are the period 05/03–07/03: A posts twice on 05/03 (one day) and on 06/03,
// B on 06/03, C on 05/03 and 07/03, D on 07/03. A's posts on its page are measured
// (with page insights on two of them); the rest were typed. One measured post was
// deleted on the platform since.
func reachPosts() []collector.Post {
	k := collector.Known
	return []collector.Post{
		{URL: "https://www.facebook.com/tanloi/posts/1", Unit: "unit-a", PublishedAt: at(5, 3, 8, 0), Title: "Đo từ trang",
			Metrics: collector.Metrics{Likes: k(40), Comments: k(6), Shares: k(4), Reach: k(900), Impressions: k(1400), From: collector.Measured}},
		{URL: "https://www.facebook.com/tanloi/posts/2", Unit: "unit-a", PublishedAt: at(5, 3, 20, 0), Title: "Tự khai",
			Metrics: collector.Metrics{Likes: k(20), From: collector.Typed}},
		{URL: "https://www.facebook.com/tanloi/posts/3", Unit: "unit-a", PublishedAt: at(6, 3, 9, 0), Title: "Đã xoá",
			Metrics: collector.Metrics{Likes: k(10), Reach: k(300), From: collector.Measured}, GoneAt: at(7, 3, 12, 0)},
		{URL: "https://www.facebook.com/ydbmt/posts/4", Unit: "unit-b", PublishedAt: at(6, 3, 10, 0),
			Metrics: collector.Metrics{Likes: k(30), From: collector.Typed}},
		{URL: "https://zalo.me/eakar/5", Unit: "unit-c", PublishedAt: at(5, 3, 11, 0), Metrics: collector.Metrics{Likes: k(5)}},
		{URL: "https://zalo.me/eakar/6", Unit: "unit-c", PublishedAt: at(7, 3, 11, 0), Metrics: collector.Metrics{Shares: k(5)}},
		{URL: "https://zalo.me/krongpac/7", Unit: "unit-d", PublishedAt: at(7, 3, 15, 0)},
	}
}

// reachAudiences are the connected accounts' last known audiences: A's and B's pages,
// a page of D whose follower count was never read (unknown stays unknown), and the
// provincial page, of no unit (left out: its posts cannot be told apart).
var reachAudiences = []collector.Audience{
	{Account: "111", Platform: "facebook", Unit: "unit-a", Followers: collector.Known(5200), At: at(7, 3, 6, 0)},
	{Account: "222", Platform: "facebook", Unit: "unit-b", Followers: collector.Known(3100), At: at(7, 3, 6, 0)},
	{Account: "333", Platform: "facebook", Unit: "unit-d", At: at(7, 3, 6, 0)},
	{Account: "999", Platform: "facebook", Followers: collector.Known(80000), At: at(7, 3, 6, 0)},
}

func reachReport(t *testing.T, lang string) (*Report, *store.Store) {
	t.Helper()
	st := openFixture(t, reachPosts())
	if err := st.PutAudiences(reachAudiences); err != nil {
		t.Fatal(err)
	}
	in := fixtureInput(lang)
	in.Units = reachUnits
	in.TopN = 10
	return mustAggregate(t, st, in), st
}

// TestPotentialReach is issue 19's done-when: two connected pages of known audience,
// a unit with a configured audience and one with none. The potential reach is exact
// per day and per unit, the measured reach stays apart, and D is unknown, never 0.
func TestPotentialReach(t *testing.T) {
	t.Parallel()
	r, _ := reachReport(t, "vi")
	k := collector.Known
	unknown := collector.Count{}

	// Per day: 05/03 A + C = 5.200 + 1.500; 06/03 A + B = 5.200 + 3.100; 07/03 C, and D unknown.
	wantDays := []struct {
		potential collector.Count
		unknown   int
		measured  collector.Count
	}{{k(6700), 0, k(900)}, {k(8300), 0, k(300)}, {k(1500), 1, unknown}}
	if len(r.Daily) != len(wantDays) {
		t.Fatalf("%d days, want %d", len(r.Daily), len(wantDays))
	}
	for i, w := range wantDays {
		d := r.Daily[i]
		if d.Potential != w.potential || d.PotentialUnknown != w.unknown || d.MeasuredReach != w.measured {
			t.Errorf("%s: potential %+v (%d units unknown), measured %+v; want %+v (%d), %+v",
				d.Date.Format("02/01"), d.Potential, d.PotentialUnknown, d.MeasuredReach, w.potential, w.unknown, w.measured)
		}
	}

	// Per unit: its audience × the days it posted. D last, unknown; E did not post.
	wantUnits := []UnitReach{
		{ID: "unit-a", Name: "Đoàn phường Tân Lợi", Audience: k(5200), Connected: 1, DaysPosted: 2, Potential: k(10400)},
		{ID: "unit-b", Name: "Trường Đại học Y Dược Buôn Ma Thuột", Audience: k(3100), Connected: 1, DaysPosted: 1, Potential: k(3100)},
		{ID: "unit-c", Name: "Huyện Đoàn Ea Kar", Audience: k(1500), DaysPosted: 2, Potential: k(3000)},
		{ID: "unit-d", Name: "Huyện Đoàn Krông Pắc", Audience: unknown, DaysPosted: 1, Potential: unknown},
	}
	if len(r.Reach.ByUnit) != len(wantUnits) {
		t.Fatalf("reach by unit %+v, want %+v", r.Reach.ByUnit, wantUnits)
	}
	for i, w := range wantUnits {
		if r.Reach.ByUnit[i] != w {
			t.Errorf("unit %d: %+v, want %+v", i, r.Reach.ByUnit[i], w)
		}
	}
	// The sum over days is the sum over units: 16.500, a lower bound because of D.
	if r.Reach.Potential != k(16500) || r.Reach.UnknownUnits != 1 {
		t.Errorf("potential %+v with %d unknown, want 16.500 with 1", r.Reach.Potential, r.Reach.UnknownUnits)
	}
	if r.Reach.Measured != k(1200) || r.Reach.MeasuredPosts != 2 || r.Reach.Impressions != k(1400) || r.Reach.ImpressionsPosts != 1 {
		t.Errorf("measured reach %+v (%d posts), impressions %+v (%d posts); want 1.200 (2), 1.400 (1)",
			r.Reach.Measured, r.Reach.MeasuredPosts, r.Reach.Impressions, r.Reach.ImpressionsPosts)
	}

	var b bytes.Buffer
	if err := r.RenderHTML(&b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		`<div class="label">Tiếp cận tiềm năng</div>` + "\n" + `<div class="value">ít nhất 16.500</div>`,
		`id="chart-reach"`,
		`<td>Đoàn phường Tân Lợi<span class="sub">1 trang đã kết nối</span></td><td class="n" data-label="Người theo dõi">5.200</td><td class="n" data-label="Số ngày đăng">2</td><td class="n" data-label="Tiếp cận tiềm năng">10.400</td>`,
		`<tr class="unknown"><td>Huyện Đoàn Krông Pắc</td><td class="n" data-label="Người theo dõi">chưa rõ</td><td class="n" data-label="Số ngày đăng">1</td><td class="n" data-label="Tiếp cận tiềm năng">chưa rõ</td>`,
		"Tiếp cận đo từ Facebook Insights: 1.200 (2 bài) · 1.400 lượt hiển thị (1 bài)",
		"1 đơn vị có bài nhưng chưa rõ số người theo dõi (không tính là 0, tổng tiếp cận tiềm năng là mức tối thiểu): Huyện Đoàn Krông Pắc.",
		"Ngày có đơn vị chưa rõ số người theo dõi: cột chỉ là mức tối thiểu.",
		"Tiếp cận tiềm năng: mỗi ngày, cộng số người theo dõi",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(html, "người tiếp cận") || strings.Contains(html, "Huyện Đoàn Lắk</td><td") {
		t.Error("potential reach named as people reached, or a unit that did not post listed")
	}

	// JSON: the same numbers, unknown = null.
	b.Reset()
	if err := r.RenderJSON(&b); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Reach struct {
			Potential    *int64 `json:"potential_reach"`
			LowerBound   bool   `json:"potential_reach_is_lower_bound"`
			UnitsUnknown int    `json:"units_audience_unknown"`
			ByUnit       []struct {
				Unit      string `json:"unit"`
				Audience  *int64 `json:"audience"`
				Days      int64  `json:"days_posted"`
				Potential *int64 `json:"potential_reach"`
			} `json:"by_unit"`
			Measured    *int64 `json:"measured_reach"`
			Impressions *int64 `json:"measured_impressions"`
		} `json:"reach"`
		Daily []struct {
			Potential *int64 `json:"potential_reach"`
			Unknown   int    `json:"potential_reach_units_unknown"`
			Measured  *int64 `json:"measured_reach"`
		} `json:"daily"`
	}
	if err := json.Unmarshal(b.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	val := func(p *int64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	if val(j.Reach.Potential) != int64(16500) || !j.Reach.LowerBound || j.Reach.UnitsUnknown != 1 ||
		val(j.Reach.Measured) != int64(1200) || val(j.Reach.Impressions) != int64(1400) || len(j.Reach.ByUnit) != 4 {
		t.Errorf("JSON reach %+v", j.Reach)
	}
	if d := j.Reach.ByUnit[3]; d.Unit != "unit-d" || d.Audience != nil || d.Potential != nil || d.Days != 1 {
		t.Errorf("JSON unit D %+v, want audience and potential null", d)
	}
	if a := j.Reach.ByUnit[0]; a.Unit != "unit-a" || val(a.Audience) != int64(5200) || val(a.Potential) != int64(10400) {
		t.Errorf("JSON unit A %+v", a)
	}
	if len(j.Daily) != 3 || val(j.Daily[0].Potential) != int64(6700) || val(j.Daily[1].Potential) != int64(8300) ||
		val(j.Daily[2].Potential) != int64(1500) || j.Daily[2].Unknown != 1 || j.Daily[2].Measured != nil || val(j.Daily[0].Measured) != int64(900) {
		t.Errorf("JSON daily %+v", j.Daily)
	}
}

// TestPotentialReachUnknownEverywhere: with no audience known for any unit that
// posted, the reach is unknown — no chart, no table of "chưa rõ", never 0.
func TestPotentialReachUnknownEverywhere(t *testing.T) {
	t.Parallel()
	r := mustAggregate(t, openFixture(t, fixturePosts()), fixtureInput("vi"))
	if r.Reach.Potential.Known || r.Reach.UnknownUnits != 4 || len(r.Reach.ByUnit) != 4 {
		t.Errorf("reach %+v, want unknown with 4 units unknown (3 units and the posts without one)", r.Reach)
	}
	var b bytes.Buffer
	if err := r.RenderHTML(&b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if strings.Contains(html, `id="chart-reach"`) || strings.Contains(html, `<tr class="unknown">`) ||
		!strings.Contains(html, "Tiếp cận tiềm năng: chưa rõ (chưa có số người theo dõi của đơn vị nào đã đăng)") {
		t.Error("a reach with no known audience is drawn or tabled")
	}
	if !strings.Contains(html, "Tiếp cận đo từ Facebook Insights: chưa có số liệu đo từ Facebook Insights") {
		t.Error("the measured reach does not say it is missing")
	}
}

// TestMeasuredShare: the share of engagement measured by an official API, exact, in
// the summary card, the data notes, the digest and the JSON; measured and deleted
// posts are labelled in the top posts.
func TestMeasuredShare(t *testing.T) {
	t.Parallel()
	k := collector.Known
	m := func(likes int64, from collector.Provenance) collector.Metrics {
		return collector.Metrics{Likes: k(likes), From: from}
	}
	for _, tc := range []struct {
		name    string
		metrics []collector.Metrics
		want    collector.Count
		card    string
	}{
		{"none measured", []collector.Metrics{m(30, collector.Typed), m(10, collector.PageRead), m(5, "")}, collector.Count{}, "chưa có số liệu đo từ nền tảng"},
		{"half", []collector.Metrics{m(60, collector.Measured), m(60, collector.Typed)}, k(50), "50 % số liệu đo từ nền tảng"},
		{"two thirds round up", []collector.Metrics{m(2, collector.Measured), m(1, collector.Typed)}, k(67), "67 % số liệu đo từ nền tảng"},
		{"78 %", []collector.Metrics{m(78, collector.Measured), m(20, collector.Typed), m(2, collector.PageRead), {}}, k(78), "78 % số liệu đo từ nền tảng"},
		{"all measured", []collector.Metrics{m(7, collector.Measured), m(3, collector.Measured)}, k(100), "100 % số liệu đo từ nền tảng"},
		{"measured, no engagement yet", []collector.Metrics{m(0, collector.Measured), m(0, collector.Typed)}, collector.Count{}, "1 bài có số liệu đo từ nền tảng (chưa có tương tác)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var posts []collector.Post
			for i, mt := range tc.metrics {
				posts = append(posts, collector.Post{URL: "https://www.facebook.com/tanloi/posts/" + string(rune('a'+i)), Unit: "tan-loi",
					PublishedAt: at(6, 3, 8+i, 0), Metrics: mt})
			}
			r := mustAggregate(t, openFixture(t, posts), fixtureInput("vi"))
			if r.Measured.Percent != tc.want {
				t.Errorf("share %+v (measured %d of %d), want %+v", r.Measured.Percent, r.Measured.Engagement, r.Measured.Of, tc.want)
			}
			if got := r.figures()[1].Sub; got != tc.card {
				t.Errorf("engagement card says %q, want %q", got, tc.card)
			}
			var b bytes.Buffer
			if err := r.RenderText(&b); err != nil {
				t.Fatal(err)
			}
			if measured := r.Measured.Posts > 0; strings.Contains(b.String(), tc.card) != measured {
				t.Errorf("digest (measured posts %d):\n%s", r.Measured.Posts, b.String())
			}
		})
	}

	r, st := reachReport(t, "vi")
	// 60 of 120: A's two measured posts (50 + 10) against everything typed.
	if r.Measured != (MeasuredShare{Engagement: 60, Posts: 2, Of: 120, Percent: k(50)}) {
		t.Errorf("measured share %+v", r.Measured)
	}
	var b bytes.Buffer
	if err := r.RenderHTML(&b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		"50 % số liệu đo từ nền tảng",
		"Tương tác đo từ nền tảng: 50 % (60 trên 120 lượt, 2 bài đo qua API chính thức của nền tảng)",
		`<span class="from measured">đo từ nền tảng · Graph API</span><span class="gone">đã bị xoá trên nền tảng</span>`,
		`<span class="from">tự khai</span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(html, "đã bị xoá trên nền tảng"); n != 1 {
		t.Errorf("%d posts marked deleted, want 1", n)
	}
	// The CSV of the period's posts says where each post's numbers come from.
	b.Reset()
	if err := r.WriteCSV(context.Background(), &b, st, 0); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		",https://facebook.com/tanloi/posts/3,cli,đo từ nền tảng · Graph API; đã bị xoá trên nền tảng\r\n",
		",https://facebook.com/tanloi/posts/2,cli,tự khai\r\n",
		",https://zalo.me/krongpac/7,cli,\r\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := r.RenderJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"measured_engagement": {
    "engagement": 60,
    "posts": 2,
    "of": 120,
    "share_percent": 50
  }`, `"gone_at": "2023-03-07T12:00:00+07:00"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
}

// reachReportFile writes the HTML report of the reach fixture, for the browser.
func reachReportFile(t *testing.T) string {
	t.Helper()
	r, _ := reachReport(t, "vi")
	var b bytes.Buffer
	if err := r.RenderHTML(&b); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "reach.html")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// checkReachLayout: the report with a reach chart and table, on a 390 px phone and at
// A4 print width, follows TestBrowser/Layout's rules: six charts drawn, no word broken
// in a cell, nothing outside its card, no chart text clipped or overlapping, the reach
// axis written the Vietnamese way. One load: the phone first (a phone loads at its own
// width), then the same tab widened to A4 and switched to print media, whose redraw
// is the report's own resize and print handling (as TestBrowser/Layout's desktop tab).
func checkReachLayout(t *testing.T, tabs *tabs, dir string) {
	file := reachReportFile(t)
	t.Run("phone 390 px", func(t *testing.T) {
		ctx := tabs.take(t)
		load(t, ctx, file, 390, 800, 6)
		checkReachProbe(t, probe(t, ctx))
		screenshot(t, ctx, dir, "report-reach-phone.png")

		t.Run("A4 print width", func(t *testing.T) {
			redraw(t, ctx, "resize", chromedp.EmulateViewport(a4Width, a4Height))
			redraw(t, ctx, "print", printMedia)
			checkReachProbe(t, probe(t, ctx))
		})
	})
}

// checkReachProbe holds the reach report's layout assertions at one width.
func checkReachProbe(t *testing.T, l layout) {
	t.Helper()
	if len(l.AxisLabels) != 6 {
		t.Errorf("%d charts drawn (%v), want 6 with the reach chart", len(l.AxisLabels), l.AxisLabels)
	}
	for _, list := range []struct {
		what  string
		items []string
	}{{"table cell narrower than its longest word", l.NarrowCells}, {"text outside its card", l.Overflow},
		{"chart text clipped", l.Clipped}, {"chart texts overlap", l.Overlaps}} {
		for _, s := range list.items {
			t.Errorf("%s: %s", list.what, s)
		}
	}
	big := 0
	for _, s := range l.AxisLabels["chart-reach"] {
		if strings.Contains(s, ",") {
			t.Errorf("chart-reach: label %q uses the English separator", s)
		}
		if digits := len(s) - strings.Count(s, "."); digits >= 4 {
			big++
			if !viThousands.MatchString(s) {
				t.Errorf("chart-reach: label %q is not written 1.234", s)
			}
		}
	}
	if big == 0 {
		t.Errorf("chart-reach: no axis label of four digits (%q)", l.AxisLabels["chart-reach"])
	}
}
