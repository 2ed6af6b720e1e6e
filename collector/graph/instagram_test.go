package graph

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func newIG(t *testing.T, src collector.Source) *InstagramHashtag {
	t.Helper()
	c, err := NewInstagramHashtag(src)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*InstagramHashtag)
}

func TestInstagramCollect(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	c := newIG(t, igSource(g))
	res, err := c.Collect(t.Context(), request(c.src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	// search + 2 pages of recent media + the account.
	if res.ItemsSeen != 3 || len(res.Posts) != 3 || res.Usage.Calls != 4 || res.State.Cursor != "TuoitreDakLakTienphongChuyendoiso="+igTagID {
		t.Fatalf("seen %d posts %d calls %d cursor %q", res.ItemsSeen, len(res.Posts), res.Usage.Calls, res.State.Cursor)
	}
	// Page 2's next link leads to another host: not followed, reported.
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Reason, "graph.evil.example") || !strings.Contains(res.Problems[0].Reason, "không đi theo") {
		t.Errorf("problems %v", res.Problems)
	}
	hcm := collector.DefaultLocation()
	want := []struct {
		url           string
		likes         collector.Count
		comments      int64
		published     time.Time
		textHasTheTag bool
	}{
		{"https://www.instagram.com/p/DAbCdEfGhIj/", collector.Known(154), 9, time.Date(2026, 12, 1, 19, 40, 11, 0, hcm), true},
		// No tag in the caption (it was in the author's first comment): Instagram found
		// it by the hashtag, so it counts for the campaign of that hashtag.
		{"https://www.instagram.com/reel/DAkLmNoPqRs/", collector.Known(61), 4, time.Date(2026, 12, 1, 16, 5, 0, 0, hcm), false},
		// The author hides likes: Graph leaves like_count out, the count is unknown.
		{"https://www.instagram.com/p/DAtUvWxYz01/", collector.Count{}, 2, time.Date(2026, 12, 1, 9, 0, 0, 0, hcm), true},
	}
	for i, w := range want {
		p := res.Posts[i]
		m := collector.Metrics{Likes: w.likes, Comments: collector.Known(w.comments), From: collector.Measured}
		if p.URL != w.url || p.Metrics != m || !p.PublishedAt.Equal(w.published) || !slices.Equal(p.Campaigns, []string{"cds"}) || p.Verification != collector.Verified {
			t.Errorf("post %d: %+v", i, p)
		}
		if err := p.Normalize(); err != nil || p.Platform != "instagram" {
			t.Errorf("post %d: %v %q", i, err, p.Platform)
		}
	}
	a := collector.Audience{Account: igUserID, Name: "tuoitredaklak.official", URL: "https://www.instagram.com/tuoitredaklak.official", Platform: "instagram",
		Unit: "tinh-doan", Followers: collector.Known(12650), At: testNow}
	if len(res.Audiences) != 1 || res.Audiences[0] != a {
		t.Errorf("audiences %+v", res.Audiences)
	}
	seen := g.requests()
	if !strings.HasPrefix(seen[0], "/v21.0/ig_hashtag_search?") || !strings.Contains(seen[1], "fields=id%2Ccaption%2Cpermalink%2Ctimestamp%2Clike_count%2Ccomments_count%2Cmedia_type") ||
		strings.Contains(seen[2], "access_token") {
		t.Errorf("requests %v", seen)
	}

	// The next run spends no hashtag search: the id is in the cursor.
	res2, err := c.Collect(t.Context(), request(c.src, res.State))
	if err != nil || res2.Usage.Calls != 3 || res2.State.Cursor != res.State.Cursor || len(res2.Posts) != 3 {
		t.Fatalf("%v calls %d cursor %q", err, res2.Usage.Calls, res2.State.Cursor)
	}
	for _, r := range g.requests()[4:] {
		if strings.Contains(r, "ig_hashtag_search") {
			t.Errorf("searched again: %s", r)
		}
	}
	// Another hashtag than the cursor's: searched.
	src := igSource(g)
	src.Options["hashtag"] = "#TuoiTreDakLak"
	if _, err := newIG(t, src).Collect(t.Context(), request(src, res.State)); err == nil || !strings.Contains(err.Error(), "không tìm thấy hashtag #TuoiTreDakLak") {
		t.Errorf("%v", err)
	}

	again, err := c.Remap(t.Context(), request(c.src, res.State), res.Raw)
	if err != nil || len(again.Posts) != 3 || again.Posts[1].Metrics != res.Posts[1].Metrics {
		t.Fatalf("remap %v %+v", err, again.Posts)
	}
}

func TestInstagramFault(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	g.override = func(r *http.Request) (reply, bool) {
		return reply{status: 400, file: "error_613.json", header: map[string]string{"X-App-Usage": `{"call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":9}`}},
			strings.HasSuffix(r.URL.Path, "/recent_media")
	}
	c := newIG(t, igSource(g))
	res, err := c.Collect(t.Context(), request(c.src, collector.SourceState{}))
	var f *collector.Fault
	if !errors.As(err, &f) || f.Kind != collector.FaultThrottled || !f.Until.Equal(testNow.Add(9*time.Minute)) || res.Usage.Calls != 2 {
		t.Fatalf("%v %+v calls %d", err, f, res.Usage.Calls)
	}
	// The hashtag id found before the fault is kept: the retry does not search again.
	if res.State.Cursor != "TuoitreDakLakTienphongChuyendoiso="+igTagID {
		t.Errorf("cursor %q", res.State.Cursor)
	}
}

func TestInstagramCheck(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	g.me = "me_user.json"
	c := newIG(t, igSource(g))
	res, err := c.Check(t.Context(), request(c.src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Account != "Nguyễn Thị Lan" || res.Usage.Calls != 3 || len(res.Can) != 3 || len(res.Cannot) != 0 ||
		!strings.HasPrefix(res.Can[0], "instagram_basic: ") || !strings.Contains(res.Can[2], "@tuoitredaklak.official: 12.650 người theo dõi") {
		t.Fatalf("%+v", res)
	}
}

func TestInstagramSchedule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		schedule string
		gap      time.Duration
	}{
		{"", 0},
		{"0 */4 * * *", 4 * time.Hour},
		{"15 7,12,18 * * *", 13 * time.Hour},
		{"@every 2h", 2 * time.Hour},
		{"@every 30h", 30 * time.Hour},
		{"0 7 * * *", 24 * time.Hour},
		{"0 7 * * 1-5", 72 * time.Hour},
		{"0 7 1 * *", 8 * 24 * time.Hour},
	} {
		if got := LongestGap(tc.schedule); got != tc.gap {
			t.Errorf("%q: %s, want %s", tc.schedule, got, tc.gap)
		}
		src := collector.Source{Name: "ig", Schedule: tc.schedule, Options: map[string]any{"user_id": igUserID}, TokenEnv: "IG"}
		_, err := NewInstagramHashtag(src)
		if rare := tc.gap > 24*time.Hour; rare != (err != nil) || rare && !strings.Contains(err.Error(), "only the last 24 hours") {
			t.Errorf("%q: %v", tc.schedule, err)
		}
	}
	_, err := NewInstagramHashtag(collector.Source{Name: "ig", Options: map[string]any{"user_id": "abc", "hashtag": "a b", "tags": 1}})
	for _, w := range []string{"options.user_id: abc is not a numeric id", `options.hashtag: "a b" is not one hashtag`, `unknown option "tags"`, "token_env: missing"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("%v lacks %q", err, w)
		}
	}
}
