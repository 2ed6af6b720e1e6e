package bench

import (
	"context"
	"os"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/graph"
	"github.com/tinhdoandaklak/hashtrack/collector/ytapi"
)

// TestAPIDay counts a campaign day of official API calls for BENCHMARKS.md ("Official
// APIs: calls per day"; `go test ./internal/bench -run TestAPIDay -v` prints the
// table): 20 connected Pages of 15 tagged posts each read every 2 hours, the YouTube
// search every 3 hours with 30 tagged videos, the refresh once a day at 07:00.
func TestAPIDay(t *testing.T) {
	t.Parallel()
	// The config reads tokens from the environment. No other test uses this name, so
	// setting it does not need t.Setenv's ban on parallel tests.
	const env = "HASHTRACK_BENCH_API_TOKEN"
	os.Setenv(env, "bench-token")
	t.Cleanup(func() { os.Unsetenv(env) })
	d, err := MeasureAPIDay(context.Background(), APIDayOptions{
		Pages: 20, PostsPerPage: 15, Videos: 30, PageSchedule: "0 */2 * * *", YouTubeEvery: "0 */3 * * *", RefreshAt: 7,
		Kinds:    collector.Kinds{"facebook_page": graph.NewFacebookPage, ytapi.Kind: ytapi.New},
		TokenEnv: env, Dir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", d.Markdown())
	// Each Page source runs 12 times: the Page (its audience) and one page of posts.
	if d.GraphCollect["page"] != 240 || d.GraphCollect["posts"] != 240 || len(d.GraphCollect) != 2 {
		t.Errorf("Graph collect: %v, want 240 page and 240 posts reads", d.GraphCollect)
	}
	// Even Pages have posts aged 0, 2, …, 28 days (2 and 14 are checkpoints), odd ones
	// 1, 3, …, 29 (1, 3 and 7): 10 × 2 + 10 × 3 posts, one ?ids= call per Page.
	if d.RefreshedPosts != 50 || d.GraphRefresh["ids"] != 20 || len(d.GraphRefresh) != 1 {
		t.Errorf("Graph refresh: %d posts, %v; want 50 posts in 20 ids calls", d.RefreshedPosts, d.GraphRefresh)
	}
	// 20 Pages × 2 calls at each even hour; the refresh hour (07:00) has 20.
	if d.GraphPeakHour != 40 || d.GraphCalls() != 500 || d.RecordedGraphCalls != 500 {
		t.Errorf("Graph: %d calls (%d recorded), peak hour %d; want 500, 40", d.GraphCalls(), d.RecordedGraphCalls, d.GraphPeakHour)
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
