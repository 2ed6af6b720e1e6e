package bench

import (
	"context"
	"flag"
	"os"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/graph"
	"github.com/tinhdoandaklak/hashtrack/collector/ytapi"
)

// apiDayPages is how many Pages TestAPIDay connects. Every Graph count grows with it
// and each Page's runs are written to the store (two simulated days of fsyncs, most of
// the test's time), so the suite counts a day of 2, an even Page and an odd one, the
// two kinds whose posts age differently; BENCHMARKS.md's table is the day of 20:
// `go test ./internal/bench -run TestAPIDay -v -apiday.pages 20`.
var apiDayPages = flag.Int("apiday.pages", 2, "connected Pages in TestAPIDay (an even number)")

// TestAPIDay counts a campaign day of official API calls for BENCHMARKS.md ("Official
// APIs: calls per day"; with -v it prints the table): -apiday.pages connected Pages of
// 15 tagged posts each read every 2 hours, the YouTube search every 3 hours with 30
// tagged videos, the refresh once a day at 07:00.
func TestAPIDay(t *testing.T) {
	t.Parallel()
	pages := *apiDayPages
	if pages < 2 || pages%2 != 0 {
		t.Fatalf("-apiday.pages %d: want an even number, half of the Pages are odd ones", pages)
	}
	// The config reads tokens from the environment. No other test uses this name, so
	// setting it does not need t.Setenv's ban on parallel tests.
	const env = "HASHTRACK_BENCH_API_TOKEN"
	os.Setenv(env, "bench-token")
	t.Cleanup(func() { os.Unsetenv(env) })
	d, err := MeasureAPIDay(context.Background(), APIDayOptions{
		Pages: pages, PostsPerPage: 15, Videos: 30, PageSchedule: "0 */2 * * *", YouTubeEvery: "0 */3 * * *", RefreshAt: 7,
		Kinds:    collector.Kinds{"facebook_page": graph.NewFacebookPage, ytapi.Kind: ytapi.New},
		TokenEnv: env, Dir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", d.Markdown())
	// Each Page source runs 12 times: the Page (its audience) and one page of posts
	// (at 20 Pages: 240 and 240).
	if d.GraphCollect["page"] != 12*pages || d.GraphCollect["posts"] != 12*pages || len(d.GraphCollect) != 2 {
		t.Errorf("Graph collect: %v, want %d page and %d posts reads", d.GraphCollect, 12*pages, 12*pages)
	}
	// Even Pages have posts aged 0, 2, …, 28 days (2 and 14 are checkpoints), odd ones
	// 1, 3, …, 29 (1, 3 and 7): 2 or 3 posts a Page, one ?ids= call per Page (at 20
	// Pages: 10 × 2 + 10 × 3 = 50 posts in 20 calls).
	if want := pages/2*2 + pages/2*3; d.RefreshedPosts != want || d.GraphRefresh["ids"] != pages || len(d.GraphRefresh) != 1 {
		t.Errorf("Graph refresh: %d posts, %v; want %d posts in %d ids calls", d.RefreshedPosts, d.GraphRefresh, want, pages)
	}
	// 2 calls a Page at each even hour; the refresh hour (07:00) has 1 a Page (at 20
	// Pages: 500 calls, 40 in the busiest hour).
	if want := 25 * pages; d.GraphPeakHour != 2*pages || d.GraphCalls() != want || d.RecordedGraphCalls != want {
		t.Errorf("Graph: %d calls (%d recorded), peak hour %d; want %d, %d", d.GraphCalls(), d.RecordedGraphCalls, d.GraphPeakHour, want, 2*pages)
	}
	// 8 searches and 8 channel reads; the day's new video (published 10:00) is read
	// by the 12:00 run.
	if d.YouTubeCollect["search"] != 8 || d.YouTubeCollect["channels"] != 8 || d.YouTubeCollect["videos"] != 1 || len(d.YouTubeCollect) != 3 {
		t.Errorf("YouTube collect: %v", d.YouTubeCollect)
	}
	// Videos aged 1, 2, 3, 7 and 14 days: one videos.list.
	if d.RefreshedVideos != 5 || d.YouTubeRefresh["videos"] != 1 || len(d.YouTubeRefresh) != 1 {
		t.Errorf("YouTube refresh: %d videos, %v", d.RefreshedVideos, d.YouTubeRefresh)
	}
	if d.YouTubeUnits() != 810 || d.RecordedYouTubeUnits != 810 {
		t.Errorf("YouTube units: %d counted, %d recorded; want 810", d.YouTubeUnits(), d.RecordedYouTubeUnits)
	}
}
