package report

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func TestAggregateFixture(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts())
	r := mustAggregate(t, st, fixtureInput("vi"))

	day := func(t time.Time) string { return t.Format("02/01/2006") }
	checks := []struct {
		name      string
		got, want any
	}{
		{"from", day(r.From), "05/03/2023"},
		{"to", day(r.To), "07/03/2023"},
		{"previous from", day(r.PrevFrom), "02/03/2023"},
		{"previous to", day(r.PrevTo), "04/03/2023"},
		{"posts in period", r.PostsInPeriod, int64(5)},
		{"posts in previous period", r.PostsPrev, int64(2)},
		{"posts delta", r.PostsDelta, known(3)},
		{"posts total up to 07/03", r.PostsTotal, int64(8)},
		{"units total", r.UnitsTotal, 4},
		{"units active", r.UnitsActive, 3},
		{"units active before", r.UnitsActivePrev, 2},
		{"units delta", r.UnitsDelta, known(1)},
		{"engagement", r.Engagement, known(48)},
		{"engagement before", r.EngagementPrev, known(30)},
		{"engagement delta", r.EngagementDelta, known(18)},
		{"views", r.Views, known(2000)},
		{"views before", r.ViewsPrev, known(1000)},
		{"views delta", r.ViewsDelta, known(1000)},
		{"target", r.Target, 6},
		{"target percent", r.TargetPercent, 133},
		{"target reached", day(r.TargetReached), "06/03/2023"},
		{"progress", r.formatProgress(), "8 / 6 = 133 %"},
		{"days", len(r.Daily), 3},
		{"quality", r.Quality, Quality{MetricsUnknown: 1, EngagementKnown: 4, ViewsKnown: 1, Verified: 1, Unverified: 3, Unverifiable: 1, WithoutUnit: 1}},
		{"stale sources", r.StaleSources(), 3},
		{"time zone", r.TimeZone, "Asia/Ho_Chi_Minh"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}

	var daily []string
	for _, d := range r.Daily {
		daily = append(daily, day(d.Date)+" "+itoa(d.Posts)+" "+itoa(d.Cumulative))
	}
	if got, want := strings.Join(daily, "; "), "05/03/2023 2 5; 06/03/2023 2 7; 07/03/2023 1 8"; got != want {
		t.Errorf("daily: got %s, want %s", got, want)
	}
	if e := r.Daily[0].Engagement; len(e) != 1 || e["tiktok"] != 35 {
		t.Errorf("engagement on 05/03: %v, want tiktok 35 (the post without numbers adds nothing)", e)
	}
	if e := r.Daily[1].Engagement; len(e) != 2 || e["zalo"] != 10 || e["web"] != 1 {
		t.Errorf("engagement on 06/03: %v, want zalo 10, web 1", e)
	}

	var plats []string
	for _, p := range r.ByPlatform {
		plats = append(plats, p.Platform+" "+itoa(p.Posts)+" "+formatMetric(p.Engagement, "en"))
	}
	if got, want := strings.Join(plats, "; "), "facebook 2 2; zalo 1 10; tiktok 1 35; web 1 1"; got != want {
		t.Errorf("by platform: got %s, want %s", got, want)
	}

	var units []string
	for _, u := range r.ByUnit {
		units = append(units, u.ID+" "+itoa(u.Posts)+" "+formatMetric(u.Engagement, "en"))
	}
	if got, want := strings.Join(units, "; "), "tan-loi 2 10; y-duoc 1 35; ea-kar 1 2;  1 1"; got != want {
		t.Errorf("by unit: got %q, want %q", got, want)
	}
	if len(r.UnitsWithoutPosts) != 1 || r.UnitsWithoutPosts[0].ID != "krong-pac" {
		t.Errorf("units without posts: %v, want only krong-pac", r.UnitsWithoutPosts)
	}

	// 05/03/2023 is a Sunday (row 6), 06/03 a Monday (row 0), 07/03 a Tuesday (row 1).
	heat := map[[2]int]int64{{6, 0}: 1, {6, 8}: 1, {0, 10}: 1, {0, 20}: 1, {1, 23}: 1}
	var total int64
	for wd := range 7 {
		for h := range 24 {
			total += r.Heat[wd][h]
			if r.Heat[wd][h] != heat[[2]int{wd, h}] {
				t.Errorf("heat[%d][%d] = %d, want %d", wd, h, r.Heat[wd][h], heat[[2]int{wd, h}])
			}
		}
	}
	if total != 5 {
		t.Errorf("heat map holds %d posts, want 5", total)
	}

	var top []string
	for _, p := range r.Top {
		top = append(top, p.UnitName+" "+itoa(p.Engagement))
	}
	// The post of 08/03 00:30 (engagement 100) is outside the period and must not appear.
	if got, want := strings.Join(top, "; "), "Trường Đại học Y Dược Buôn Ma Thuột 35; Đoàn phường Tân Lợi 10; Huyện Đoàn Ea Kar 2"; got != want {
		t.Errorf("top posts: got %s, want %s", got, want)
	}

	var srcs []string
	for _, s := range r.Sources {
		srcs = append(srcs, s.Name+" "+map[bool]string{true: "stale", false: "ok"}[s.Stale])
	}
	if got, want := strings.Join(srcs, "; "), "feed-a ok; sheet-b stale; feed-c stale; never stale"; got != want {
		t.Errorf("sources: got %s, want %s", got, want)
	}
}

// TestAggregateDaysCutInVietnam proves the day boundary is Vietnamese midnight: a period
// of the single day 05/03 holds the 00:30 post and not the 23:30 post of 04/03, which a
// UTC cut would swap.
func TestAggregateDaysCutInVietnam(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts())
	tests := []struct {
		name     string
		from, to time.Time
		posts    int64
		views    collector.Count
	}{
		{"05/03 only", at(5, 3, 0, 0), at(5, 3, 0, 0), 2, known(2000)},
		{"04/03 only", at(4, 3, 0, 0), at(4, 3, 0, 0), 1, known(1000)},
		{"08/03 only", at(8, 3, 0, 0), at(8, 3, 0, 0), 1, collector.Count{}},
		{"02/03 only: nothing", at(2, 3, 0, 0), at(2, 3, 0, 0), 0, collector.Count{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := fixtureInput("vi")
			in.From, in.To = tc.from, tc.to
			r := mustAggregate(t, st, in)
			if r.PostsInPeriod != tc.posts || r.Views != tc.views {
				t.Errorf("posts %d views %+v, want %d %+v", r.PostsInPeriod, r.Views, tc.posts, tc.views)
			}
		})
	}
}

func TestAggregateDefaultPeriod(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts())
	in := fixtureInput("vi")
	in.From, in.To = time.Time{}, time.Time{}
	r := mustAggregate(t, st, in)
	if got := r.From.Format("02/01/2006") + "–" + r.To.Format("02/01/2006"); got != "01/03/2023–08/03/2023" {
		t.Errorf("default period %s, want the campaign start to today 01/03/2023–08/03/2023", got)
	}
	if r.PostsInPeriod != 9 || r.PostsTotal != 9 || r.PostsPrev != 0 {
		t.Errorf("posts %d total %d previous %d, want 9 9 0", r.PostsInPeriod, r.PostsTotal, r.PostsPrev)
	}
	if r.EngagementPrev.Known || r.EngagementDelta.Known {
		t.Errorf("no post before the campaign: previous engagement must be unknown, got %+v %+v", r.EngagementPrev, r.EngagementDelta)
	}
	if len(r.UnitsWithoutPosts) != 1 || r.UnitsActive != 3 {
		t.Errorf("units active %d without %v", r.UnitsActive, r.UnitsWithoutPosts)
	}
}

func TestAggregateUnknownStaysUnknown(t *testing.T) {
	t.Parallel()
	posts := fixturePosts()[4:5] // the post without numbers, 05/03
	st := openFixture(t, posts)
	r := mustAggregate(t, st, fixtureInput("vi"))
	if r.PostsInPeriod != 1 || r.Engagement.Known || r.Views.Known {
		t.Fatalf("posts %d engagement %+v views %+v: want 1 and both unknown", r.PostsInPeriod, r.Engagement, r.Views)
	}
	if got := formatMetric(r.Engagement, "vi"); got != "không có số liệu" {
		t.Errorf("unknown engagement shows %q", got)
	}
	if len(r.Top) != 0 {
		t.Errorf("a post without numbers must not be ranked: %v", r.Top)
	}
}

func TestAggregateBadPeriod(t *testing.T) {
	t.Parallel()
	st := openFixture(t, nil)
	in := fixtureInput("vi")
	in.From, in.To = at(7, 3, 0, 0), at(5, 3, 0, 0)
	_, err := Aggregate(context.Background(), st, in)
	if err == nil || !strings.Contains(err.Error(), "ends (05/03/2023) before it starts (07/03/2023)") {
		t.Fatalf("error %v", err)
	}
}

func TestFormatInt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int64
		lang string
		want string
	}{{0, "vi", "0"}, {999, "vi", "999"}, {1234, "vi", "1.234"}, {1234567, "vi", "1.234.567"}, {-1234, "vi", "-1.234"}, {1234567, "en", "1,234,567"}} {
		if got := formatInt(tc.n, tc.lang); got != tc.want {
			t.Errorf("formatInt(%d, %s) = %s, want %s", tc.n, tc.lang, got, tc.want)
		}
	}
}

func itoa(n int64) string { return formatInt(n, "en") }

// TestTopPostsBothWays: the ranking walk and the period scan give the same list.
func TestTopPostsBothWays(t *testing.T) {
	t.Parallel()
	in := demoInput()
	st := openFixtureAt(t, demoPosts(400), in.Now)
	for _, period := range [][2]int{{1, 30}, {5, 5}, {10, 12}, {29, 30}} {
		start, end := at(period[0], 3, 0, 0), at(period[1]+1, 3, 0, 0)
		a, err := topPosts(context.Background(), st, "cds", 10, start, end, true)
		if err != nil {
			t.Fatal(err)
		}
		b, err := topPosts(context.Background(), st, "cds", 10, start, end, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != 10 || len(b) != 10 {
			t.Fatalf("%v: %d and %d posts, want 10", period, len(a), len(b))
		}
		for i := range a {
			if a[i].ID != b[i].ID {
				t.Errorf("%v: row %d: ranking %s, scan %s", period, i, a[i].ID, b[i].ID)
			}
		}
	}
	if topByRanking(10, 2, 1000) || !topByRanking(10, 500, 1000) {
		t.Error("topByRanking chooses the costlier way")
	}
}
