package ytapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/secret"
)

// testKey looks like a real key (39 characters, AIza…) so a leak would be recognisable.
const testKey = "AIzaSyT3st-hashtrack-0123456789abcdefgh"

const (
	ownChannel    = "UCaBcDeFgHiJkLmNoPqRsTuV"
	hiddenChannel = "UCzYxWvUtSrQpOnMlKjIhGfE"
)

// failure makes the fake API refuse one method with a recorded error answer.
type failure struct {
	status     int
	file       string
	retryAfter string
}

// fakeAPI answers like the Data API from testdata: search.list in two pages
// (nextPageToken CDIQAA), videos.list and channels.list filtered by the ids asked for
// and by part, i18nLanguages.list; the key is checked in the X-goog-api-key header.
type fakeAPI struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
	fail map[string]failure // path ("search", "videos"…) → refusal
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{fail: map[string]failure{}}
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	items := func(name string) []map[string]any {
		var l struct{ Items []map[string]any }
		if err := json.Unmarshal(read(name), &l); err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	videos, channels := items("videos.json"), items("channels.json")
	filter := func(all []map[string]any, ids, part string) map[string]any {
		out := []map[string]any{}
		for _, id := range strings.Split(ids, ",") {
			for _, it := range all {
				if it["id"] != id {
					continue
				}
				kept := map[string]any{"kind": it["kind"], "etag": it["etag"], "id": it["id"]}
				for _, p := range strings.Split(part, ",") {
					if v, ok := it[p]; ok {
						kept[p] = v
					}
				}
				out = append(out, kept)
			}
		}
		return map[string]any{"kind": "youtube#listResponse", "items": out, "pageInfo": map[string]int{"totalResults": len(out), "resultsPerPage": len(out)}}
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, r.Clone(r.Context()))
		fail, failing := f.fail[strings.TrimPrefix(r.URL.Path, "/youtube/v3/")]
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if r.Header.Get("X-Goog-Api-Key") != testKey {
			w.WriteHeader(http.StatusBadRequest)
			w.Write(read("error_keyinvalid.json"))
			return
		}
		if failing {
			if fail.retryAfter != "" {
				w.Header().Set("Retry-After", fail.retryAfter)
			}
			w.WriteHeader(fail.status)
			w.Write(read(fail.file))
			return
		}
		q := r.URL.Query()
		switch r.URL.Path {
		case "/youtube/v3/search":
			if q.Get("part") != "snippet" || q.Get("type") != "video" || q.Get("order") != "date" || q.Get("maxResults") != "50" || q.Get("q") == "" {
				http.Error(w, `{"error":{"code":400,"message":"bad search","errors":[{"reason":"badRequest"}]}}`, http.StatusBadRequest)
				return
			}
			switch q.Get("pageToken") {
			case "":
				w.Write(read("search_page1.json"))
			case "CDIQAA":
				w.Write(read("search_page2.json"))
			default:
				http.Error(w, `{"error":{"code":400,"message":"invalid page token","errors":[{"reason":"invalidPageToken"}]}}`, http.StatusBadRequest)
			}
		case "/youtube/v3/videos":
			if q.Has("maxResults") || len(strings.Split(q.Get("id"), ",")) > MaxIDs {
				// The reference: maxResults is not supported with id; at most 50 ids.
				http.Error(w, `{"error":{"code":400,"message":"incompatible parameters","errors":[{"reason":"incompatibleParameters"}]}}`, http.StatusBadRequest)
				return
			}
			json.NewEncoder(w).Encode(filter(videos, q.Get("id"), q.Get("part")))
		case "/youtube/v3/channels":
			json.NewEncoder(w).Encode(filter(channels, q.Get("id"), q.Get("part")))
		case "/youtube/v3/i18nLanguages":
			w.Write(read("i18nLanguages.json"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *fakeAPI) source(opts map[string]any) collector.Source {
	o := map[string]any{"api_base": f.srv.URL + "/youtube/v3"}
	for k, v := range opts {
		o[k] = v
	}
	return collector.Source{Name: "yt-api", Kind: Kind, URL: "https://www.youtube.com/@tinhdoandaklak", Unit: "tinh-doan",
		Campaigns: []string{"cds"}, Options: o, Token: secret.Secret(testKey), TokenEnv: "YT_API_KEY"}
}

var testNow = time.Date(2023, 3, 20, 10, 0, 0, 0, time.UTC)

func request(src collector.Source, state collector.SourceState) collector.Request {
	ict := collector.DefaultLocation()
	return collector.Request{
		Source: src,
		State:  state,
		Campaigns: []collector.Campaign{{ID: "cds", Hashtag: "#TuoitreDakLakTienphongChuyendoiso",
			Variants: []string{"#TuổiTrẻĐắkLắkTiênPhongChuyểnĐổiSố"}, Start: time.Date(2023, 3, 1, 0, 0, 0, 0, ict), Location: ict}},
		Fetcher: fetch.New(fetch.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}),
		Now:     testNow,
	}
}

func mustNew(t testing.TB, src collector.Source) *Collector {
	t.Helper()
	c, err := NewCollector(src)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func metrics(views, likes, comments int64) collector.Metrics {
	c := func(n int64) collector.Count {
		if n < 0 {
			return collector.Count{}
		}
		return collector.Known(n)
	}
	return collector.Metrics{Views: c(views), Likes: c(likes), Comments: c(comments), From: collector.Measured}
}

func TestCollectTwoPages(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t)
	src := api.source(map[string]any{"channel_id": ownChannel})
	res, err := mustNew(t, src).Collect(t.Context(), request(src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	ict := collector.DefaultLocation()
	want := []struct {
		url, title, author, image string
		published                 time.Time
		m                         collector.Metrics
	}{
		{"https://www.youtube.com/watch?v=Kp3vXa1bQ0c", "Thanh niên Krông Pắc tiên phong chuyển đổi số #TuoitreDakLakTienphongChuyendoiso",
			"Đoàn TN huyện Krông Pắc", "https://i.ytimg.com/vi/Kp3vXa1bQ0c/hqdefault.jpg", time.Date(2023, 3, 20, 10, 15, 0, 0, ict), metrics(1532, 87, 12)},
		// Tagged in the description with the Vietnamese spelling; comments off.
		{"https://www.youtube.com/watch?v=Zx9_-aBcDeF", "Ngày hội chuyển đổi số phường Tân Lợi",
			"Tuổi trẻ Tân Lợi", "https://i.ytimg.com/vi/Zx9_-aBcDeF/mqdefault.jpg", time.Date(2023, 3, 18, 17, 0, 0, 0, ict), metrics(240, 31, -1)},
		// Tagged only in the video's tags; likes hidden by the owner: unknown, not 0.
		{"https://www.youtube.com/watch?v=Hd4LkSmWq2E", "Tỉnh Đoàn Đắk Lắk ra quân tháng Thanh niên 2023",
			"Tỉnh Đoàn Đắk Lắk", "https://i.ytimg.com/vi/Hd4LkSmWq2E/hqdefault.jpg", time.Date(2023, 3, 10, 8, 0, 0, 0, ict), metrics(4410, -1, 0)},
	}
	if len(res.Posts) != len(want) || len(res.Raw) != len(want) {
		t.Fatalf("%d posts, %d raw; want %d: %+v", len(res.Posts), len(res.Raw), len(want), res.Posts)
	}
	for i, w := range want {
		p := res.Posts[i]
		if p.URL != w.url || p.Title != w.title || p.Author != w.author || p.Image != w.image || !p.PublishedAt.Equal(w.published) ||
			p.PublishedAt.Location().String() != collector.DefaultTimeZone || p.Platform != "youtube" || !slices.Equal(p.Campaigns, []string{"cds"}) ||
			p.Verification != collector.Verified || !p.ObservedAt.Equal(testNow) {
			t.Errorf("post %d = %+v", i, p)
		}
		if p.Metrics != w.m {
			t.Errorf("post %d metrics = %+v, want %+v", i, p.Metrics, w.m)
		}
		if err := p.Normalize(); err != nil {
			t.Errorf("post %d does not normalise: %v", i, err)
		}
	}
	if res.Posts[0].Metrics.Shares.Known {
		t.Error("YouTube has no share count, yet shares are known")
	}
	// 5 distinct videos found (one repeated across pages), the untagged and the deleted one not stored.
	if res.ItemsSeen != 5 {
		t.Errorf("ItemsSeen = %d, want 5", res.ItemsSeen)
	}
	// 2 search pages × 100 + 1 videos.list + 1 channels.list.
	if res.Usage != (collector.Usage{Calls: 4, QuotaUnits: 202}) {
		t.Errorf("usage = %+v, want 4 calls, 202 units", res.Usage)
	}
	if res.State.Cursor != "2023-03-20T03:15:00Z" {
		t.Errorf("cursor = %q", res.State.Cursor)
	}
	if len(res.Problems) != 0 {
		t.Errorf("problems: %v", res.Problems)
	}
	wantAud := collector.Audience{Account: ownChannel, Name: "Tỉnh Đoàn Đắk Lắk", URL: "https://www.youtube.com/channel/" + ownChannel,
		Platform: "youtube", Unit: "tinh-doan", Followers: collector.Known(12800), At: testNow}
	if len(res.Audiences) != 1 || res.Audiences[0] != wantAud {
		t.Errorf("audiences = %+v, want %+v", res.Audiences, wantAud)
	}

	reqs := api.requests()
	var paths []string
	for _, r := range reqs {
		paths = append(paths, r.URL.Path+"?pageToken="+r.URL.Query().Get("pageToken")+"&part="+r.URL.Query().Get("part"))
	}
	wantPaths := []string{"/youtube/v3/search?pageToken=&part=snippet", "/youtube/v3/search?pageToken=CDIQAA&part=snippet",
		"/youtube/v3/videos?pageToken=&part=snippet,statistics", "/youtube/v3/channels?pageToken=&part=snippet,statistics"}
	if !slices.Equal(paths, wantPaths) {
		t.Fatalf("requests %q, want %q", paths, wantPaths)
	}
	q := reqs[0].URL.Query()
	// First run: from the campaign's start (midnight in Đắk Lắk = 17:00 UTC the day before).
	if q.Get("publishedAfter") != "2023-02-28T17:00:00Z" || q.Get("q") != "#TuoitreDakLakTienphongChuyendoiso" {
		t.Errorf("search query %v", q)
	}
	if got := reqs[2].URL.Query().Get("id"); got != "Kp3vXa1bQ0c,Zx9_-aBcDeF,Qq7LmNoPqRs,Hd4LkSmWq2E,Gg1Ab2Cd3Ef" {
		t.Errorf("videos.list ids %q", got)
	}
	for _, r := range reqs {
		if r.URL.Query().Has("key") || strings.Contains(r.URL.RawQuery, testKey) {
			t.Errorf("key in the URL %s", r.URL)
		}
	}

	// The next run asks only for what is newer than the newest video seen.
	if _, err := mustNew(t, src).Collect(t.Context(), request(src, res.State)); err != nil {
		t.Fatal(err)
	}
	if got := api.requests()[4].URL.Query().Get("publishedAfter"); got != "2023-03-20T03:15:00Z" {
		t.Errorf("second run publishedAfter = %q", got)
	}
}

func TestCollectOptions(t *testing.T) {
	t.Parallel()
	t.Run("all items", func(t *testing.T) {
		t.Parallel()
		api := newFakeAPI(t)
		src := api.source(nil)
		src.AllItems = true
		res, err := mustNew(t, src).Collect(t.Context(), request(src, collector.SourceState{}))
		if err != nil {
			t.Fatal(err)
		}
		// The untagged concert is kept, unverified; no channel_id: no channels.list.
		if len(res.Posts) != 4 || res.Posts[2].URL != "https://www.youtube.com/watch?v=Qq7LmNoPqRs" ||
			res.Posts[2].Verification != collector.Unverified || len(res.Posts[2].Campaigns) != 0 || res.Posts[2].Metrics != metrics(98000, 2100, 340) {
			t.Fatalf("%+v", res.Posts)
		}
		if res.Usage != (collector.Usage{Calls: 3, QuotaUnits: 201}) || len(res.Audiences) != 0 {
			t.Errorf("usage %+v, audiences %+v", res.Usage, res.Audiences)
		}
	})
	t.Run("one page", func(t *testing.T) {
		t.Parallel()
		api := newFakeAPI(t)
		src := api.source(map[string]any{"max_pages": int64(1), "query": "#ChuyenDoiSo", "region": "vn", "lang": "vi"})
		res, err := mustNew(t, src).Collect(t.Context(), request(src, collector.SourceState{}))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Posts) != 2 || res.Usage != (collector.Usage{Calls: 2, QuotaUnits: 101}) {
			t.Fatalf("%d posts, usage %+v", len(res.Posts), res.Usage)
		}
		if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Reason, "max_pages") {
			t.Errorf("problems %v", res.Problems)
		}
		q := api.requests()[0].URL.Query()
		if q.Get("q") != "#ChuyenDoiSo" || q.Get("regionCode") != "VN" || q.Get("relevanceLanguage") != "vi" {
			t.Errorf("query %v", q)
		}
	})
	t.Run("hidden subscribers", func(t *testing.T) {
		t.Parallel()
		api := newFakeAPI(t)
		src := api.source(map[string]any{"channel_id": hiddenChannel})
		res, err := mustNew(t, src).Collect(t.Context(), request(src, collector.SourceState{}))
		if err != nil {
			t.Fatal(err)
		}
		// The answer says 0 but hiddenSubscriberCount is true: unknown, not 0.
		if len(res.Audiences) != 1 || res.Audiences[0].Followers.Known || res.Audiences[0].Name != "Đoàn trường THPT Buôn Ma Thuột" {
			t.Errorf("%+v", res.Audiences)
		}
	})
	t.Run("max items", func(t *testing.T) {
		t.Parallel()
		api := newFakeAPI(t)
		src := api.source(nil)
		src.MaxItems = 2
		res, err := mustNew(t, src).Collect(t.Context(), request(src, collector.SourceState{}))
		if err != nil {
			t.Fatal(err)
		}
		if res.ItemsSeen != 2 || len(res.Posts) != 2 || res.Usage != (collector.Usage{Calls: 2, QuotaUnits: 101}) {
			t.Errorf("seen %d, %d posts, usage %+v", res.ItemsSeen, len(res.Posts), res.Usage)
		}
	})
}

func TestRemap(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t)
	src := api.source(nil)
	c := mustNew(t, src)
	res, err := c.Collect(t.Context(), request(src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Remap(t.Context(), request(src, collector.SourceState{}), res.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Posts) != 3 || again.ItemsSeen != 3 {
		t.Fatalf("%d posts from %d raw", len(again.Posts), again.ItemsSeen)
	}
	for i := range again.Posts {
		if again.Posts[i].URL != res.Posts[i].URL || again.Posts[i].Metrics != res.Posts[i].Metrics {
			t.Errorf("remapped %+v, collected %+v", again.Posts[i], res.Posts[i])
		}
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		path      string
		fail      failure
		key       string
		kind      collector.FaultKind
		until     time.Time
		code      int
		message   string
		wantUsage collector.Usage
	}{
		// 10:00 UTC on 20 March 2023 is 03:00 PDT: the quota resets at the next midnight
		// in Los Angeles, 07:00 UTC on the 21st (14:00 in Vietnam).
		{"quota", "search", failure{403, "error_quota.json", ""}, testKey, collector.FaultQuota,
			time.Date(2023, 3, 21, 7, 0, 0, 0, time.UTC), 403, "14:00 21/03/2023", collector.Usage{Calls: 1, QuotaUnits: 100}},
		{"quota on videos", "videos", failure{403, "error_quota.json", ""}, testKey, collector.FaultQuota,
			time.Date(2023, 3, 21, 7, 0, 0, 0, time.UTC), 403, "hết hạn mức", collector.Usage{Calls: 3, QuotaUnits: 201}},
		{"rate limit", "search", failure{403, "error_ratelimit.json", ""}, testKey, collector.FaultThrottled,
			testNow.Add(time.Minute), 403, "rateLimitExceeded", collector.Usage{Calls: 1, QuotaUnits: 100}},
		{"rate limit with retry-after", "search", failure{429, "error_ratelimit.json", "300"}, testKey, collector.FaultThrottled,
			testNow.Add(5 * time.Minute), 429, "5m0s", collector.Usage{Calls: 1, QuotaUnits: 100}},
		{"key invalid", "", failure{}, "AIzaSyWrongKey-0000000000000000000000", collector.FaultToken,
			time.Time{}, 400, "YT_API_KEY", collector.Usage{Calls: 1, QuotaUnits: 100}},
		{"key invalid (older answer)", "search", failure{400, "error_keyinvalid_legacy.json", ""}, testKey, collector.FaultToken,
			time.Time{}, 400, "tạo khoá mới", collector.Usage{Calls: 1, QuotaUnits: 100}},
		{"api not enabled", "search", failure{403, "error_notenabled.json", ""}, testKey, collector.FaultPermission,
			time.Time{}, 403, "bật YouTube Data API v3 trong Google Cloud", collector.Usage{Calls: 1, QuotaUnits: 100}},
		{"no key", "", failure{}, "", collector.FaultToken, time.Time{}, 0, "biến môi trường YT_API_KEY chưa được đặt", collector.Usage{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t)
			if tt.path != "" {
				api.fail[tt.path] = tt.fail
			}
			src := api.source(nil)
			src.Token = secret.Secret(tt.key)
			res, err := mustNew(t, src).Collect(t.Context(), request(src, collector.SourceState{}))
			var f *collector.Fault
			if !errors.As(err, &f) {
				t.Fatalf("error %v is not a fault", err)
			}
			if f.Kind != tt.kind || !f.Until.Equal(tt.until) || f.Code != tt.code || !strings.Contains(f.Message, tt.message) {
				t.Errorf("fault %+v (%q), want kind %s until %s code %d message with %q", f, f.Message, tt.kind, tt.until, tt.code, tt.message)
			}
			if res.Usage != tt.wantUsage {
				t.Errorf("usage %+v, want %+v", res.Usage, tt.wantUsage)
			}
			if len(res.Posts) != 0 || res.State.Cursor != "" {
				t.Errorf("a failed run kept posts or moved the cursor: %+v", res)
			}
		})
	}
	t.Run("server error is no fault", func(t *testing.T) {
		t.Parallel()
		api := newFakeAPI(t)
		api.fail["search"] = failure{500, "i18nLanguages.json", ""}
		src := api.source(nil)
		_, err := mustNew(t, src).Collect(t.Context(), request(src, collector.SourceState{}))
		var f *collector.Fault
		var se *fetch.StatusError
		if err == nil || errors.As(err, &f) || !errors.As(err, &se) || se.StatusCode != 500 {
			t.Errorf("error %v", err)
		}
	})
}

func TestNextQuotaReset(t *testing.T) {
	t.Parallel()
	tests := []struct{ now, want time.Time }{
		// Summer (PDT, UTC−7): midnight is 07:00 UTC.
		{time.Date(2023, 3, 20, 10, 0, 0, 0, time.UTC), time.Date(2023, 3, 21, 7, 0, 0, 0, time.UTC)},
		// Winter (PST, UTC−8): midnight is 08:00 UTC; 07:59 UTC is still the evening before.
		{time.Date(2023, 1, 10, 7, 59, 0, 0, time.UTC), time.Date(2023, 1, 10, 8, 0, 0, 0, time.UTC)},
		{time.Date(2023, 1, 10, 8, 0, 0, 0, time.UTC), time.Date(2023, 1, 11, 8, 0, 0, 0, time.UTC)},
		// The day clocks go forward (12 March 2023) ends at 07:00 UTC.
		{time.Date(2023, 3, 12, 9, 0, 0, 0, time.UTC), time.Date(2023, 3, 13, 7, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := NextQuotaReset(tt.now); !got.Equal(tt.want) {
			t.Errorf("NextQuotaReset(%s) = %s, want %s", tt.now, got.UTC(), tt.want)
		}
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t)
	src := api.source(nil)
	c := mustNew(t, src)
	posts := []collector.Post{
		{ID: "p-shared", URL: "https://youtu.be/Kp3vXa1bQ0c?si=AbCdEf"},
		{ID: "p-gone", URL: "https://www.youtube.com/shorts/Gg1Ab2Cd3Ef"},
		{ID: "p-hidden-likes", URL: "https://m.youtube.com/watch?v=Hd4LkSmWq2E&feature=share"},
		{ID: "p-facebook", URL: "https://www.facebook.com/story.php?story_fbid=1&id=2"},
	}
	for _, p := range posts[:3] {
		if !c.Refreshable(p) {
			t.Errorf("%s not refreshable", p.URL)
		}
	}
	if c.Refreshable(posts[3]) {
		t.Error("a Facebook post is refreshable")
	}
	res, err := c.Refresh(t.Context(), request(src, collector.SourceState{}), posts)
	if err != nil {
		t.Fatal(err)
	}
	want := []collector.Reading{
		{PostID: "p-shared", Metrics: metrics(1532, 87, 12), At: testNow},
		{PostID: "p-hidden-likes", Metrics: metrics(4410, -1, 0), At: testNow},
		{PostID: "p-gone", At: testNow, Gone: true},
	}
	if !slices.Equal(res.Readings, want) {
		t.Errorf("readings\n%+v\nwant\n%+v", res.Readings, want)
	}
	if res.Usage != (collector.Usage{Calls: 1, QuotaUnits: 1}) {
		t.Errorf("usage %+v", res.Usage)
	}
	if len(res.Problems) != 1 || res.Problems[0].Where != posts[3].URL {
		t.Errorf("problems %v", res.Problems)
	}
	r := api.requests()[0]
	if r.URL.Path != "/youtube/v3/videos" || r.URL.Query().Get("part") != "statistics" || r.URL.Query().Get("id") != "Kp3vXa1bQ0c,Gg1Ab2Cd3Ef,Hd4LkSmWq2E" {
		t.Errorf("request %s", r.URL)
	}

	t.Run("without a key", func(t *testing.T) {
		src := api.source(nil)
		src.Token = ""
		if mustNew(t, src).Refreshable(posts[0]) {
			t.Error("refreshable without a key")
		}
	})
}

func TestRefreshBatches(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t)
	src := api.source(nil)
	var posts []collector.Post
	for i := range 120 {
		posts = append(posts, collector.Post{URL: fmt.Sprintf("https://youtu.be/vid%08d", i)})
	}
	res, err := mustNew(t, src).Refresh(t.Context(), request(src, collector.SourceState{}), posts)
	if err != nil {
		t.Fatal(err)
	}
	// 50 + 50 + 20 ids; none exists on the fake platform, so all are gone.
	if res.Usage != (collector.Usage{Calls: 3, QuotaUnits: 3}) || len(res.Readings) != 120 {
		t.Fatalf("usage %+v, %d readings", res.Usage, len(res.Readings))
	}
	var sizes []int
	for _, r := range api.requests() {
		sizes = append(sizes, len(strings.Split(r.URL.Query().Get("id"), ",")))
	}
	if !slices.Equal(sizes, []int{50, 50, 20}) {
		t.Errorf("ids per call %v", sizes)
	}
	if !res.Readings[0].Gone || res.Readings[0].PostID == "" || res.Readings[0].PostID == res.Readings[1].PostID {
		t.Errorf("%+v", res.Readings[:2])
	}
}

func TestRefreshFault(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t)
	api.fail["videos"] = failure{403, "error_quota.json", ""}
	src := api.source(nil)
	res, err := mustNew(t, src).Refresh(t.Context(), request(src, collector.SourceState{}), []collector.Post{{ID: "a", URL: "https://youtu.be/Kp3vXa1bQ0c"}})
	var f *collector.Fault
	if !errors.As(err, &f) || f.Kind != collector.FaultQuota || len(res.Readings) != 0 || res.Usage.Calls != 1 {
		t.Errorf("err %v, %+v", err, res)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t)
	src := api.source(map[string]any{"channel_id": ownChannel})
	res, err := mustNew(t, src).Check(t.Context(), request(src, collector.SourceState{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Account != "Tỉnh Đoàn Đắk Lắk" || res.Usage != (collector.Usage{Calls: 1, QuotaUnits: 1}) || len(res.Can) != 5 ||
		!strings.Contains(strings.Join(res.Can, "\n"), "10.000 đơn vị/ngày") || !res.Expires.IsZero() {
		t.Errorf("%+v", res)
	}

	src = api.source(nil)
	res, err = mustNew(t, src).Check(t.Context(), request(src, collector.SourceState{}))
	if err != nil || res.Usage != (collector.Usage{Calls: 1, QuotaUnits: 1}) || len(res.Can) != 4 {
		t.Fatalf("%+v, %v", res, err)
	}
	if last := api.requests()[1]; last.URL.Path != "/youtube/v3/i18nLanguages" {
		t.Errorf("check without a channel called %s", last.URL.Path)
	}

	api.fail["i18nLanguages"] = failure{403, "error_notenabled.json", ""}
	_, err = mustNew(t, src).Check(t.Context(), request(src, collector.SourceState{}))
	var f *collector.Fault
	if !errors.As(err, &f) || f.Kind != collector.FaultPermission {
		t.Errorf("%v", err)
	}
}

// TestKeyNeverShown runs every call, succeeding and refused, and looks for the key in
// everything a person or a log could see: errors, problems, results as JSON, a slog
// line of them, and the URLs the API was asked.
func TestKeyNeverShown(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t)
	src := api.source(map[string]any{"channel_id": ownChannel})
	c := mustNew(t, src)
	var seen []any
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	record := func(res any, err error) {
		if r, ok := res.(collector.Result); ok {
			// Commit is a func, which JSON cannot hold; the rest is what is stored and shown.
			res = struct {
				Posts     []collector.Post
				Raw       []collector.RawItem
				State     collector.SourceState
				Problems  []collector.Problem
				Audiences []collector.Audience
				Usage     collector.Usage
			}{r.Posts, r.Raw, r.State, r.Problems, r.Audiences, r.Usage}
		}
		seen = append(seen, res)
		if err != nil {
			seen = append(seen, err.Error())
		}
		logger.Info("run", "result", res, "error", err, "source", src)
	}
	req := request(src, collector.SourceState{})
	posts := []collector.Post{{ID: "a", URL: "https://youtu.be/Kp3vXa1bQ0c"}, {ID: "b", URL: "https://youtu.be/Gg1Ab2Cd3Ef"}}
	for _, fail := range []failure{{}, {403, "error_quota.json", ""}, {403, "error_ratelimit.json", "60"}, {403, "error_notenabled.json", ""}, {500, "videos.json", ""}} {
		api.mu.Lock()
		for _, p := range []string{"search", "videos", "channels"} {
			if fail.status == 0 {
				delete(api.fail, p)
			} else {
				api.fail[p] = fail
			}
		}
		api.mu.Unlock()
		record(c.Collect(t.Context(), req))
		record(c.Refresh(t.Context(), req, posts))
		record(c.Check(t.Context(), req))
	}
	wrong := src
	wrong.Token = secret.Secret(testKey + "x")
	wreq := request(wrong, collector.SourceState{})
	record(mustNew(t, wrong).Collect(t.Context(), wreq))

	out, err := json.Marshal(seen)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 25 || !bytes.Contains(out, []byte("Kp3vXa1bQ0c")) {
		t.Fatalf("too little recorded to mean anything: %d values", len(seen))
	}
	for what, text := range map[string]string{"results and errors": string(out), "log": log.String(), "source": fmt.Sprintf("%v %+v %#v", src, src, src)} {
		if strings.Contains(text, testKey) || strings.Contains(text, "AIzaSyT3st") {
			t.Errorf("the key appears in the %s", what)
		}
	}
	for _, r := range api.requests() {
		if strings.Contains(r.URL.String(), "AIza") {
			t.Errorf("the key is in the URL %s", r.URL)
		}
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	good := collector.Source{Name: "yt", Kind: Kind, URL: "https://www.youtube.com/@tinhdoandaklak", TokenEnv: "YT_API_KEY",
		Options: map[string]any{"channel_id": ownChannel, "max_pages": int64(2), "query": "#A", "region": "VN", "lang": "vi", "api_base": "https://www.googleapis.com/youtube/v3/"}}
	c, err := NewCollector(good)
	if err != nil {
		t.Fatal(err)
	}
	if c.base != DefaultAPIBase || c.maxPages != 2 || c.channelID != ownChannel {
		t.Errorf("%+v", c)
	}
	bad := collector.Source{Name: "yt", Kind: Kind, URL: "youtube",
		Options: map[string]any{"channel_id": "tinhdoan", "max_pages": int64(0), "api_base": "ftp://x", "colour": "red", "query": 3}}
	_, err = NewCollector(bad)
	if err == nil {
		t.Fatal("bad source accepted")
	}
	// Every mistake is named at once.
	for _, want := range []string{"url", "token_env", "channel_id", "max_pages", "api_base", `"colour"`, "options.query"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestVideoID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://www.youtube.com/watch?v=Kp3vXa1bQ0c&t=42s", "Kp3vXa1bQ0c", true},
		{"https://youtu.be/Kp3vXa1bQ0c?si=abc", "Kp3vXa1bQ0c", true},
		{"youtube.com/shorts/Zx9_-aBcDeF", "Zx9_-aBcDeF", true},
		{"https://www.youtube.com/live/Hd4LkSmWq2E?si=1", "Hd4LkSmWq2E", true},
		{"https://www.youtube.com/@tinhdoandaklak/videos", "", false},
		{"https://www.youtube.com/watch?v=short", "short", false},
		{"https://www.youtube.com/playlist?list=PL123", "", false},
		{"https://vimeo.com/watch?v=Kp3vXa1bQ0c", "", false},
		{"javascript:alert(1)", "", false},
	}
	for _, tt := range tests {
		got, ok := VideoID(tt.in)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("VideoID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzMapVideo(f *testing.F) {
	b, err := os.ReadFile("testdata/videos.json")
	if err != nil {
		f.Fatal(err)
	}
	var l videoList
	if err := json.Unmarshal(b, &l); err != nil {
		f.Fatal(err)
	}
	for _, it := range l.Items {
		f.Add([]byte(it))
	}
	f.Add([]byte(`{"id":"Kp3vXa1bQ0c","statistics":{"viewCount":-5,"likeCount":"1e9","commentCount":"99999999999999999999"}}`))
	f.Add([]byte(`{"id":"Kp3vXa1bQ0c","snippet":{"title":"#TuoitreDakLakTienphongChuyendoiso","publishedAt":"yesterday"}}`))
	req := request(collector.Source{Name: "fuzz", AllItems: true}, collector.SourceState{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		var res collector.Result
		mapInto(&res, raw, req, testNow)
		for _, p := range res.Posts {
			if err := p.Metrics.Validate(); err != nil {
				t.Fatalf("invalid metrics from %q: %v", raw, err)
			}
			if p.Metrics.From != collector.Measured {
				t.Fatalf("metrics not marked measured: %+v", p.Metrics)
			}
			if p.Campaigns = []string{"cds"}; p.Normalize() != nil {
				t.Fatalf("post from %q does not normalise: %+v", raw, p)
			}
		}
	})
}

// TestKeyNotFollowingRedirects: an api_base that redirects elsewhere (a proxy gone
// wrong, a typo'd host) gets the request, but the other host never sees the key.
func TestKeyNotFollowingRedirects(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var elsewhere []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		elsewhere = append(elsewhere, r.Header.Get("X-Goog-Api-Key"))
		mu.Unlock()
		w.Write([]byte(`{"items":[]}`))
	}))
	t.Cleanup(other.Close)
	var sameHostKey string
	var redirector *httptest.Server
	redirector = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/youtube/v3/search": // same host: the key goes along
			http.Redirect(w, r, redirector.URL+"/moved/search?"+r.URL.RawQuery, http.StatusFound)
		case "/moved/search":
			mu.Lock()
			sameHostKey = r.Header.Get("X-Goog-Api-Key")
			mu.Unlock()
			w.Write([]byte(`{"items":[]}`))
		default:
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		}
	}))
	t.Cleanup(redirector.Close)
	src := collector.Source{Name: "yt", Kind: Kind, URL: "https://www.youtube.com/@x", TokenEnv: "YT_API_KEY", Token: secret.Secret(testKey),
		Options: map[string]any{"api_base": redirector.URL + "/youtube/v3"}}
	c := mustNew(t, src)
	req := request(src, collector.SourceState{})
	if _, err := c.Collect(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Refresh(t.Context(), req, []collector.Post{{ID: "a", URL: "https://youtu.be/Kp3vXa1bQ0c"}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if sameHostKey != testKey {
		t.Errorf("a redirect on the same host lost the key: %q", sameHostKey)
	}
	if len(elsewhere) != 1 || elsewhere[0] != "" {
		t.Errorf("the other host was asked %d times, with keys %q", len(elsewhere), elsewhere)
	}
}
