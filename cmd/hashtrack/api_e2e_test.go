package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// fakeYouTube is the YouTube Data API v3 on loopback, answering in the shapes of
// collector/ytapi/testdata: search.list finds nothing new, videos.list gives the
// statistics set in stats for the ids asked (an id it does not know is left out, as
// the API does for a deleted video). It counts the requests by method and keeps the
// keys it was sent.
type fakeYouTube struct {
	mu    sync.Mutex
	stats map[string]string // video id → the "statistics" object
	calls map[string]int    // "search", "videos" → requests
	keys  map[string]bool
}

func newFakeYouTube(t *testing.T) (*fakeYouTube, *httptest.Server) {
	y := &fakeYouTube{stats: map[string]string{}, calls: map[string]int{}, keys: map[string]bool{}}
	srv := httptest.NewServer(y)
	t.Cleanup(srv.Close)
	return y, srv
}

func (y *fakeYouTube) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	y.mu.Lock()
	defer y.mu.Unlock()
	method := strings.TrimPrefix(r.URL.Path, "/youtube/v3/")
	y.calls[method]++
	y.keys[r.Header.Get("X-Goog-Api-Key")] = true
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	switch method {
	case "search":
		fmt.Fprint(w, `{"kind": "youtube#searchListResponse", "etag": "e", "regionCode": "VN",
  "pageInfo": {"totalResults": 0, "resultsPerPage": 50}, "items": []}`)
	case "videos":
		var items []string
		for _, id := range strings.Split(r.URL.Query().Get("id"), ",") {
			if s, ok := y.stats[id]; ok {
				items = append(items, fmt.Sprintf(`{"kind": "youtube#video", "etag": "x", "id": %q, "statistics": %s}`, id, s))
			}
		}
		fmt.Fprintf(w, `{"kind": "youtube#videoListResponse", "etag": "v", "items": [%s], "pageInfo": {"totalResults": %d, "resultsPerPage": %d}}`,
			strings.Join(items, ","), len(items), len(items))
	default:
		http.NotFound(w, r)
	}
}

// took returns the requests made since the last call, by method, and forgets them.
func (y *fakeYouTube) took() map[string]int {
	y.mu.Lock()
	defer y.mu.Unlock()
	c := y.calls
	y.calls = map[string]int{}
	return c
}

// loopback lets the fetch guard through to the test's servers.
func loopback(e *env) { e.fetchAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} }

// reportMeasured runs `report --format json` and returns its measured_engagement.
func reportMeasured(t *testing.T, opts []func(*env), cfg string) (m struct {
	Engagement   int64           `json:"engagement"`
	Posts        int64           `json:"posts"`
	Of           int64           `json:"of"`
	SharePercent collector.Count `json:"share_percent"`
}) {
	t.Helper()
	r := runCmdWith(t, opts, cfg, "report", "--format", "json", "--out", "-")
	if r.code != 0 {
		t.Fatalf("report: %+v", r)
	}
	var j struct {
		Measured json.RawMessage `json:"measured_engagement"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatalf("report json: %v\n%s", err, r.stdout)
	}
	if err := json.Unmarshal(j.Measured, &m); err != nil {
		t.Fatalf("measured_engagement %s: %v", j.Measured, err)
	}
	return m
}

// youTubePost is the one YouTube post `posts --json` lists (one JSON object a line).
func youTubePost(t *testing.T, opts []func(*env), cfg string) collector.Post {
	t.Helper()
	r := runCmdWith(t, opts, cfg, "posts", "--json", "--platform", "youtube")
	var posts []collector.Post
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	for dec.More() {
		var p collector.Post
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("posts --json: %v\n%s", err, r.stdout)
		}
		posts = append(posts, p)
	}
	if r.code != 0 || len(posts) != 1 {
		t.Fatalf("posts --json: %d posts, %+v", len(posts), r)
	}
	return posts[0]
}

// TestRefreshMeasuresASubmittedYouTubeLink is issue 19's refresh proof end to end,
// through the real youtube_search kind and the fetch client against a loopback Data
// API: a branch submits a video with typed views 100 and likes 5; on day 1 `collect`
// reads videos.list and the post shows the measured 250 views (40 likes, 7 comments),
// the typed numbers kept in its history; the report's measured share of engagement
// goes from unknown to 47 of 140 = 34 %; days 2 and 3 measure again, day 4 asks the
// API nothing, day 7 measures again.
func TestRefreshMeasuresASubmittedYouTubeLink(t *testing.T) {
	const tokenEnv = "HASHTRACK_E2E19_YT_KEY"
	setTestEnv(t, tokenEnv, "yt-key-e2e19")
	yt, srv := newFakeYouTube(t)
	const id = "AbCdEfGhIj1"
	yt.stats[id] = `{"viewCount": "250", "likeCount": "40", "favoriteCount": "0", "commentCount": "7"}`

	loc := collector.DefaultLocation()
	now := time.Date(2023, 3, 29, 11, 0, 0, 0, loc) // a Wednesday
	opts := []func(*env){loopback, func(e *env) { e.now = func() time.Time { return now } }}
	// The search runs weekly (Thursdays 07:00): from day 2 on, only the refresh may
	// call the API.
	cfg := writeConfig(t, testConfig+fmt.Sprintf(`
[[source]]
name = "yt"
kind = "youtube_search"
url = "https://www.youtube.com/@tinhdoandaklak"
token_env = %q
schedule = "0 7 * * 4"
campaigns = ["cds"]
options = { api_base = %q }
`, tokenEnv, srv.URL+"/youtube/v3"))

	link := "https://www.youtube.com/watch?v=" + id
	if r := runCmdWith(t, opts, cfg, "submit", link, "--unit", "tan-loi", "--views", "100", "--likes", "5", "--published", "29/03/2023 10:00"); r.code != 0 {
		t.Fatalf("submit: %+v", r)
	}
	// Another branch's Facebook link, typed and never measured: 80 + 10 + 3 = 93.
	if r := runCmdWith(t, opts, cfg, "submit", "https://www.facebook.com/doanphuongtanloi/posts/1234567890",
		"--unit", "dh-y-duoc-bmt", "--likes", "80", "--comments", "10", "--shares", "3", "--published", "29/03/2023 09:00"); r.code != 0 {
		t.Fatalf("submit facebook: %+v", r)
	}
	before := reportMeasured(t, opts, cfg)
	if before.SharePercent.Known || before.Posts != 0 || before.Engagement != 0 || before.Of != 98 {
		t.Errorf("measured share before any measurement: %+v, want unknown, 0 posts, 0 of 98", before)
	}

	// Day 0, later: the first checkpoint (day 1) has not come.
	now = time.Date(2023, 3, 29, 20, 0, 0, 0, loc)
	if r := runCmdWith(t, opts, cfg, "collect"); r.code != 0 {
		t.Fatalf("collect day 0: %+v", r)
	}
	if got := yt.took(); got["search"] != 1 || got["videos"] != 0 {
		t.Errorf("day 0 requests: %v, want the first search only", got)
	}

	// Day 1.
	now = time.Date(2023, 3, 30, 8, 0, 0, 0, loc)
	r := runCmdWith(t, opts, cfg, "collect")
	if r.code != 0 || !strings.Contains(r.stdout, "✓ yt: đo lại 1/1 bài đến lượt, 1 bài có số liệu mới") {
		t.Fatalf("collect day 1: %+v", r)
	}
	if got := yt.took(); got["search"] != 1 || got["videos"] != 1 {
		t.Errorf("day 1 requests: %v, want the Thursday search and one videos.list", got)
	}
	if !yt.keys["yt-key-e2e19"] || len(yt.keys) != 1 {
		t.Errorf("keys the API was sent: %v", yt.keys)
	}
	m := youTubePost(t, opts, cfg).Metrics
	if m.Views != collector.Known(250) || m.Likes != collector.Known(40) || m.Comments != collector.Known(7) || m.Shares.Known || m.From != collector.Measured {
		t.Errorf("measured metrics: %+v, want 250 views, 40 likes, 7 comments, shares unknown, from api", m)
	}
	r = runCmdWith(t, opts, cfg, "posts", "--history", link)
	_, numbers, _ := strings.Cut(r.stdout, "Số liệu theo thời gian")
	lines := strings.Split(strings.TrimSpace(numbers), "\n")
	if r.code != 0 || len(lines) != 4 || !strings.Contains(lines[2], "100") || !strings.Contains(lines[2], "đơn vị nhập") ||
		!strings.Contains(lines[3], "250") || !strings.Contains(lines[3], "đo qua API của nền tảng") {
		t.Errorf("history: %+v\nnumbers through time:\n%s", r, numbers)
	}
	after := reportMeasured(t, opts, cfg)
	// (47 × 100 + 70) / 140 = 34: 33.57 % rounded.
	if after.SharePercent != collector.Known(34) || after.Posts != 1 || after.Engagement != 47 || after.Of != 140 {
		t.Errorf("measured share after day 1: %+v, want 34 %% = 47 of 140 over 1 post", after)
	}
	if r := runCmdWith(t, opts, cfg, "sources"); r.code != 0 || !strings.Contains(r.stdout, "đã dùng 101/10.000 đơn vị hạn mức hôm nay") {
		t.Errorf("sources after day 1: %+v", r)
	}

	// Days 2 and 3 are checkpoints; day 4 is not; day 7 is. The numbers grow.
	for _, day := range []struct {
		date   int // of March–April 2023, as days after 31 March when > 31
		videos int
		views  int64
	}{{31, 1, 300}, {32, 1, 320}, {33, 0, 320}, {36, 1, 410}} {
		views := day.views
		if day.videos > 0 {
			yt.mu.Lock()
			yt.stats[id] = fmt.Sprintf(`{"viewCount": "%d", "likeCount": "40", "favoriteCount": "0", "commentCount": "7"}`, views)
			yt.mu.Unlock()
		}
		now = time.Date(2023, 3, day.date, 8, 0, 0, 0, loc)
		if r := runCmdWith(t, opts, cfg, "collect"); r.code != 0 {
			t.Fatalf("collect %s: %+v", now.Format("02/01"), r)
		}
		if got := yt.took(); got["videos"] != day.videos || got["search"] != 0 {
			t.Errorf("%s requests: %v, want %d videos.list and no search", now.Format("02/01"), got, day.videos)
		}
		if got := youTubePost(t, opts, cfg).Metrics.Views; got != collector.Known(views) {
			t.Errorf("%s: views %+v, want %d", now.Format("02/01"), got, views)
		}
	}
}

// fixture reads a recorded API answer of a kind's testdata, with {{BASE}} and
// {{TOKEN}} (where Graph quotes the token back) filled in.
func fixture(t *testing.T, kind, name, base, token string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "collector", kind, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("{{BASE}}", base, "{{TOKEN}}", token).Replace(string(b)))
}

// fakeAPIs are Graph and the YouTube Data API on loopback, answering with the
// recorded fixtures of collector/graph and collector/ytapi, until refuse is set: then
// Graph answers every call with error 190 (its message quoting the token, as Graph
// does for a malformed one) and YouTube with quotaExceeded. It keeps every request's
// address and credentials.
type fakeAPIs struct {
	t      *testing.T
	token  string
	graph  *httptest.Server
	yt     *httptest.Server
	mu     sync.Mutex
	refuse bool
	urls   []string // every request's address, query included
	creds  map[string]int
}

func newFakeAPIs(t *testing.T, token string) *fakeAPIs {
	f := &fakeAPIs{t: t, token: token, creds: map[string]int{}}
	f.graph = httptest.NewServer(http.HandlerFunc(f.serveGraph))
	f.yt = httptest.NewServer(http.HandlerFunc(f.serveYouTube))
	t.Cleanup(f.graph.Close)
	t.Cleanup(f.yt.Close)
	return f
}

func (f *fakeAPIs) note(r *http.Request, cred string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.urls = append(f.urls, r.URL.String())
	f.creds[cred]++
	return f.refuse
}

func (f *fakeAPIs) answer(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	w.Write(body)
}

func (f *fakeAPIs) serveGraph(w http.ResponseWriter, r *http.Request) {
	fx := func(name string) []byte { return fixture(f.t, "graph", name, f.graph.URL, f.token) }
	if f.note(r, r.Header.Get("Authorization")) {
		f.answer(w, http.StatusBadRequest, fx("error_190_echo.json"))
		return
	}
	const page = "104123456789012"
	switch path := strings.TrimPrefix(r.URL.Path, "/v21.0"); {
	case path == "/"+page:
		f.answer(w, http.StatusOK, fx("page.json"))
	case path == "/"+page+"/posts" && r.URL.Query().Get("after") != "":
		f.answer(w, http.StatusOK, fx("posts2.json"))
	case path == "/"+page+"/posts":
		// Its paging.next carries access_token={{TOKEN}}, as Graph's do.
		f.answer(w, http.StatusOK, fx("posts1.json"))
	case path == "/" && r.URL.Query().Has("ids"):
		// "Param access_token … does not belong": the refresh reads post by post.
		f.answer(w, http.StatusBadRequest, fx("error_100_echo.json"))
	case path == "/"+page+"_870000000000003":
		f.answer(w, http.StatusBadRequest, fx("error_100_echo.json"))
	case strings.HasPrefix(path, "/"+page+"_"):
		var all map[string]json.RawMessage
		if err := json.Unmarshal(fx("ids.json"), &all); err != nil || all[path[1:]] == nil {
			http.NotFound(w, r)
			return
		}
		f.answer(w, http.StatusOK, all[path[1:]])
	case path == "/me":
		f.answer(w, http.StatusOK, fx("me_page.json"))
	case path == "/me/permissions":
		f.answer(w, http.StatusOK, fx("permissions.json"))
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAPIs) serveYouTube(w http.ResponseWriter, r *http.Request) {
	fx := func(name string) []byte { return fixture(f.t, "ytapi", name, f.yt.URL, f.token) }
	if f.note(r, r.Header.Get("X-Goog-Api-Key")) {
		f.answer(w, http.StatusForbidden, fx("error_quota.json"))
		return
	}
	switch r.URL.Path {
	case "/youtube/v3/search":
		f.answer(w, http.StatusOK, fx("search_page2.json"))
	case "/youtube/v3/videos":
		f.answer(w, http.StatusOK, fx("videos.json"))
	case "/youtube/v3/i18nLanguages":
		f.answer(w, http.StatusOK, fx("i18nLanguages.json"))
	default:
		http.NotFound(w, r)
	}
}

// TestTokenNeverLeaks is issue 19's first proof end to end: with the token in the
// environment, facebook_page and youtube_search sources collect, refresh, are checked
// and reported on against loopback APIs that quote the token back (a paging link
// with access_token, Graph errors 100 and 190 whose messages contain it), then refuse
// (190, quotaExceeded), and once more for the daemon's daily job; the token's text is
// in no output of any command, no line of the daemon's slog log, no file of the report
// folder and not in the database's bytes. The 190 flags the Page source "cần cấp lại
// token", and `sources` says so.
func TestTokenNeverLeaks(t *testing.T) {
	const token, tokenEnv = "tok-SECRET-123", "HASHTRACK_E2E19_TOKEN"
	setTestEnv(t, tokenEnv, token)
	api := newFakeAPIs(t, token)
	loc := collector.DefaultLocation()
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, loc)
	opts := []func(*env){loopback, func(e *env) { e.now = func() time.Time { return now } }}
	base := strings.Replace(testConfig, "end = 2023-12-31", "end = 2026-12-31", 1)
	base = strings.Replace(base, "report_dir = \"reports\"\n", "report_dir = \"reports\"\n\n[report]\nschedule = \"@every 250ms\"\n", 1)
	cfg := writeConfig(t, base+fmt.Sprintf(`
[[source]]
name = "fb-tinh-doan"
kind = "facebook_page"
url = "https://www.facebook.com/tuoitredaklak"
token_env = %[1]q
unit = "tan-loi"
campaigns = ["cds"]
options = { page_id = "104123456789012", api_base = %[2]q }

[[source]]
name = "yt"
kind = "youtube_search"
url = "https://www.youtube.com/@tinhdoandaklak"
token_env = %[1]q
campaigns = ["cds"]
options = { api_base = %[3]q }
`, tokenEnv, api.graph.URL, api.yt.URL+"/youtube/v3"))

	var outputs []string // every stream of every command, with what ran
	run := func(want int, args ...string) result {
		t.Helper()
		r := runCmdWith(t, opts, cfg, args...)
		outputs = append(outputs, strings.Join(args, " ")+"\x00"+r.stdout+"\x00"+r.stderr)
		if r.code != want {
			t.Errorf("%s: exit %d, want %d\n%s\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
		}
		return r
	}

	// The APIs answer: posts are collected and measured, one Page post is refused
	// with a message quoting the token.
	r := run(0, "collect")
	if !strings.Contains(r.stdout, "✓ fb-tinh-doan (facebook_page): 5 mục, 3 bài mới") || !strings.Contains(r.stdout, "✓ yt (youtube_search): 3 mục, 3 bài mới") ||
		!strings.Contains(r.stdout, "✓ fb-tinh-doan: đo lại 2/3 bài đến lượt, 2 bài có số liệu mới") ||
		!strings.Contains(r.stderr, "story_fbid=870000000000003: graph: HTTP 400: (#100) (#100) Param access_token [ẩn] does not belong") {
		t.Errorf("collect:\n%s\n%s", r.stdout, r.stderr)
	}
	run(0, "sources")
	if r := run(0, "sources", "--check", "fb-tinh-doan"); !strings.Contains(r.stdout, "✓ fb-tinh-doan: token dùng được") {
		t.Errorf("check fb: %s", r.stdout)
	}
	if r := run(0, "sources", "--check", "yt"); !strings.Contains(r.stdout, "✓ yt: token dùng được") {
		t.Errorf("check yt: %s", r.stdout)
	}
	run(0, "report")
	run(0, "report", "--format", "json", "--out", "-")
	run(0, "report", "--format", "text", "--out", "-")
	run(0, "report", "--format", "csv")

	// Then they refuse: Graph's token is dead, YouTube's quota spent.
	api.mu.Lock()
	api.refuse = true
	api.mu.Unlock()
	now = now.Add(2 * time.Hour)
	r = run(1, "collect", "--all")
	if !strings.Contains(r.stdout, "cần cấp lại token") || !strings.Contains(r.stdout, "hạn mức") {
		t.Errorf("collect refused:\n%s\n%s", r.stdout, r.stderr)
	}
	if r := run(0, "sources"); !strings.Contains(r.stdout, "⚠ cần cấp lại token (từ 21/11/2026)") {
		t.Errorf("sources after 190:\n%s", r.stdout)
	}
	if r := run(1, "sources", "--check", "fb-tinh-doan"); !strings.Contains(r.stdout, "cần cấp lại token (từ 21/11/2026)") {
		t.Errorf("check after 190:\n%s", r.stdout)
	}
	run(1, "sources", "--check", "yt")
	now = now.Add(2 * time.Hour)
	run(0, "run", "-v")
	run(1, "run", "-v", "--all", "--log-format", "json")

	// A new token works again the next day; the daemon's daily job collects and
	// measures, and its log tells of the Page post Graph refused with the token quoted.
	api.mu.Lock()
	api.refuse = false
	api.mu.Unlock()
	now = time.Date(2026, 11, 22, 8, 0, 0, 0, loc)
	run(0, "sources", "--check", "fb-tinh-doan")
	_, log, stop := startServe(t, cfg, opts, "--log-format", "json")
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(log.String(), `"msg":"job done","job":"report"`); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for the daily job:\n%s", log)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	outputs = append(outputs, "serve\x00"+log.String())
	if l := log.String(); !strings.Contains(l, `"msg":"source collected","source":"fb-tinh-doan"`) || !strings.Contains(l, `"msg":"reading not used","source":"fb-tinh-doan"`) ||
		!strings.Contains(l, "Param access_token [ẩn] does not belong") {
		t.Errorf("the daemon's log:\n%s", l)
	}

	// The token was used: every call carried it, in its header, never in its address.
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.creds["Bearer "+token] < 10 || api.creds[token] < 5 || len(api.creds) != 2 {
		t.Errorf("credentials the APIs were sent: %v", api.creds)
	}
	for _, u := range api.urls {
		if strings.Contains(u, token) || strings.Contains(u, "access_token") {
			t.Errorf("a request's address carries the token: %s", u)
		}
	}

	for _, o := range outputs {
		if strings.Contains(o, token) {
			cmd, _, _ := strings.Cut(o, "\x00")
			t.Errorf("the output of %q holds the token:\n%s", cmd, o)
		}
	}
	// Every file: the database (raw bytes), the reports, the CSV, the config's folder.
	dir := filepath.Dir(cfg)
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the token", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(filepath.Join(dir, "data", "test.db"))
	if err != nil || len(db) < 32<<10 || !bytes.Contains(db, []byte("870000000000001")) {
		t.Errorf("the database was not what the scan read: %d bytes, %v", len(db), err)
	}
	reports, _ := filepath.Glob(filepath.Join(dir, "reports", "*"))
	if files < 5 || len(reports) < 3 {
		t.Errorf("scanned %d files, reports %v", files, reports)
	}
}
