package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
)

// fixtureSite serves every kind's fixtures from loopback, answering conditional GETs
// with 304 when the validators match. It counts full answers and 304s per path.
type fixtureSite struct {
	*httptest.Server
	mu       sync.Mutex
	full     map[string]int
	notMod   map[string]int
	requests []string
}

func (s *fixtureSite) count(m map[string]int, path string) {
	s.mu.Lock()
	m[path]++
	s.mu.Unlock()
}

func (s *fixtureSite) counts(path string) (full, notModified int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.full[path], s.notMod[path]
}

func readFixture(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newFixtureSite(t *testing.T) *fixtureSite {
	s := &fixtureSite{full: map[string]int{}, notMod: map[string]int{}}
	mux := http.NewServeMux()
	static := func(path, file, ctype string) {
		body := readFixture(t, file)
		etag := fmt.Sprintf(`"%x"`, len(body))
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("If-None-Match") == etag {
				s.count(s.notMod, path)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			s.count(s.full, path)
			w.Header().Set("ETag", etag)
			w.Header().Set("Content-Type", ctype)
			w.Write(body)
		})
	}
	static("/rss.xml", "../../collector/feed/testdata/rss2_category.xml", "application/rss+xml")
	static("/mirror.xml", "../../collector/feed/testdata/rss2_category.xml", "application/rss+xml")
	static("/atom.xml", "../../collector/feed/testdata/atom_content.xml", "application/atom+xml")
	static("/feed.json", "../../collector/feed/testdata/feed.json", "application/feed+json")
	static("/feeds/videos.xml", "../../collector/youtube/testdata/channel.xml", "application/atom+xml; charset=UTF-8")
	static("/doan/tin-tuc/", "../../collector/htmlpage/testdata/list.html", "text/html; charset=utf-8")
	static("/doan/tin-tuc/tin-tuc/cho-40-124.html", "../../collector/htmlpage/testdata/article_124.html", "text/html")
	static("/tin-tuc/hop-chi-doan-126.html", "../../collector/htmlpage/testdata/article_126.html", "text/html")
	page1 := readFixture(t, "../../collector/mastodon/testdata/page1.json")
	page2 := readFixture(t, "../../collector/mastodon/testdata/page2.json")
	mux.HandleFunc("/api/v1/timelines/tag/tuoitredaklaktienphongchuyendoiso", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.RequestURI())
		s.mu.Unlock()
		q := r.URL.Query()
		base := s.URL + r.URL.Path
		switch {
		case q.Get("since_id") == "110123456789000112":
			w.Write([]byte("[]"))
		case q.Get("max_id") == "":
			w.Header().Set("Link", fmt.Sprintf(`<%s?limit=40&max_id=110123456789000109>; rel="next"`, base))
			w.Write(page1)
		case q.Get("max_id") == "110123456789000109":
			w.Header().Set("Link", fmt.Sprintf(`<%s?limit=40&max_id=110123456789000099>; rel="next"`, base))
			w.Write(page2)
		default:
			w.Write([]byte("[]"))
		}
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

var collectConfig = withFetch(testConfig, `allow_networks = ["127.0.0.0/8:*"]`) + `

[[source]]
name = "tanloi-rss"
kind = "feed"
url = "%[1]s/rss.xml"
unit = "tan-loi"
schedule = "@every 1h"

[[source]]
name = "rss-mirror"
kind = "feed"
url = "%[1]s/mirror.xml"

[[source]]
name = "bmtu-atom"
kind = "feed"
url = "%[1]s/atom.xml"
unit = "dh-y-duoc-bmt"

[[source]]
name = "json"
kind = "feed"
url = "%[1]s/feed.json"

[[source]]
name = "tanloi-web"
kind = "html"
url = "%[1]s/doan/tin-tuc/"
unit = "tan-loi"
[source.options]
item = "article.news-item"
link = "h3 a"
text = ".sapo"
date = ".date"
author = ".author"
follow = true
body = ".article-body"

[[source]]
name = "masto"
kind = "mastodon"
url = "%[1]s"

[[source]]
name = "yt"
kind = "youtube"
url = "%[1]s/feeds/videos.xml?channel_id=UCtinhdoandaklak00000000"
`

func postsByURL(t *testing.T, cfg string, args ...string) map[string]collector.Post {
	t.Helper()
	r := runCmd(t, cfg, append([]string{"posts", "--json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("posts: %+v", r)
	}
	out := map[string]collector.Post{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" {
			continue
		}
		var p collector.Post
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		out[p.URL] = p
	}
	return out
}

func TestCollectEveryKindThen304(t *testing.T) {
	t.Parallel()
	site := newFixtureSite(t)
	cfg := writeConfig(t, fmt.Sprintf(collectConfig, site.URL))
	host := strings.TrimPrefix(site.URL, "http://")

	r := runCmd(t, cfg, "collect")
	if r.code != 0 {
		t.Fatalf("collect: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	wantLines := []string{
		"✓ tanloi-rss (feed): 3 mục, ", // with the mirror, one stores 2 new posts, the other updates them
		"✓ rss-mirror (feed): 3 mục, ",
		"✓ bmtu-atom (feed): 2 mục, 1 bài mới, 0 bài cập nhật",
		"✓ json (feed): 2 mục, 1 bài mới, 0 bài cập nhật",
		"✓ tanloi-web (html): 5 mục, 3 bài mới, 0 bài cập nhật",
		"✓ masto (mastodon): 4 mục, 3 bài mới, 0 bài cập nhật",
		"✓ yt (youtube): 3 mục, 2 bài mới, 0 bài cập nhật",
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	for i, w := range wantLines {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want prefix %q", i, lines[i], w)
		}
	}
	// The html list's link-less item carries no tag: it is no problem of this run.
	if r.stderr != "" || !strings.Contains(r.stdout, "2 bài mới") {
		t.Errorf("stderr: %s", r.stderr)
	}
	posts := postsByURL(t, cfg)
	if len(posts) != 12 {
		var urls []string
		for u := range posts {
			urls = append(urls, u)
		}
		slices.Sort(urls)
		t.Fatalf("%d posts: %s", len(posts), strings.Join(urls, "\n"))
	}
	hcm := collector.DefaultLocation()
	unknown := collector.Metrics{}
	for _, w := range []struct {
		url, unit, author string
		published         time.Time
		metrics           collector.Metrics
		sources           []string
	}{
		{"https://tuoitre.daklak.example.vn/tin-tuc/ra-quan-chuyen-doi-so.html", "tan-loi", "Minh Anh", time.Date(2023, 3, 29, 8, 14, 0, 0, hcm), unknown, []string{"rss-mirror", "tanloi-rss"}},
		{"http://" + host + "/tin-tuc/dem-hoi.html", "tan-loi", "", time.Date(2023, 3, 31, 0, 30, 0, 0, hcm), unknown, []string{"rss-mirror", "tanloi-rss"}},
		{"https://doan.bmtu.example.vn/bai-viet/tinh-nguyen-dvc", "dh-y-duoc-bmt", "Ban Truyền thông", time.Date(2023, 4, 1, 22, 45, 0, 0, hcm), unknown, []string{"bmtu-atom"}},
		{"https://thanhdoan.bmt.example.vn/p/301", "", "Thành Đoàn BMT", time.Date(2023, 4, 3, 23, 30, 0, 0, hcm), unknown, []string{"json"}},
		{"http://" + host + "/tin-tuc/ra-quan-vneid-123.html", "tan-loi", "Minh Anh", time.Date(2023, 3, 29, 8, 14, 0, 0, hcm), unknown, []string{"tanloi-web"}},
		{"http://" + host + "/doan/tin-tuc/tin-tuc/cho-40-124.html", "tan-loi", "", time.Date(2023, 3, 30, 8, 14, 0, 0, hcm), unknown, []string{"tanloi-web"}},
		{"https://other.example.vn/bai/125", "tan-loi", "", time.Date(2023, 3, 31, 20, 0, 0, 0, hcm), unknown, []string{"tanloi-web"}},
		{"https://social.example.vn/@doantanloi/110123456789000112", "", "Đoàn phường Tân Lợi (@doantanloi)", time.Date(2023, 3, 31, 1, 20, 0, 0, hcm),
			collector.Metrics{Likes: collector.Known(21), Shares: collector.Known(7), Comments: collector.Known(3), From: collector.PageRead}, []string{"masto"}},
		{"https://social.example.vn/@bmtu/110123456789000109", "", "bmtu@other.example", time.Date(2023, 3, 29, 9, 0, 0, 0, hcm),
			collector.Metrics{Likes: collector.Known(5), Shares: collector.Known(0), Comments: collector.Known(0), From: collector.PageRead}, []string{"masto"}},
		{"https://social.example.vn/@eakar/110123456789000100", "", "Huyện Đoàn Ea Kar (@eakar)", time.Date(2023, 3, 29, 0, 30, 0, 0, hcm),
			collector.Metrics{Likes: collector.Known(9), Shares: collector.Known(2), Comments: collector.Known(1), From: collector.PageRead}, []string{"masto"}},
		{"https://youtube.com/watch?v=AbCdEfGhIj1", "", "Tỉnh Đoàn Đắk Lắk", time.Date(2023, 3, 26, 20, 5, 0, 0, hcm),
			collector.Metrics{Views: collector.Known(15873), Likes: collector.Known(412), From: collector.PageRead}, []string{"yt"}},
		{"https://youtube.com/watch?v=NoStats0001", "", "", time.Date(2023, 4, 1, 0, 10, 0, 0, hcm), unknown, []string{"yt"}},
	} {
		p, ok := posts[w.url]
		if !ok {
			t.Errorf("missing %s", w.url)
			continue
		}
		got := p.Sources
		slices.Sort(got)
		if p.Unit != w.unit || p.Author != w.author || !p.PublishedAt.Equal(w.published) || p.Metrics != w.metrics ||
			!slices.Equal(got, w.sources) || !slices.Equal(p.Campaigns, []string{"cds"}) || p.Verification != collector.Verified {
			t.Errorf("%s:\n got unit=%q author=%q published=%s metrics=%+v sources=%v campaigns=%v verification=%s\nwant unit=%q author=%q published=%s metrics=%+v sources=%v",
				w.url, p.Unit, p.Author, p.PublishedAt.In(hcm), p.Metrics, got, p.Campaigns, p.Verification, w.unit, w.author, w.published, w.metrics, w.sources)
		}
	}
	if p := posts["https://youtube.com/watch?v=AbCdEfGhIj1"]; p.Platform != "youtube" {
		t.Errorf("youtube platform %q", p.Platform)
	}

	// Second run of unchanged sources: every conditional GET gets a 304 and nothing is
	// parsed (no path sends a second full body, and every feed source reports the 304,
	// on which the kinds return before parsing); Mastodon asks only for statuses newer
	// than the newest seen.
	r = runCmd(t, cfg, "collect", "--all")
	if r.code != 0 {
		t.Fatalf("second collect: %+v", r)
	}
	for _, path := range []string{"/rss.xml", "/mirror.xml", "/atom.xml", "/feed.json", "/feeds/videos.xml", "/doan/tin-tuc/"} {
		if full, nm := site.counts(path); full != 1 || nm != 1 {
			t.Errorf("%s: %d full answers and %d 304s, want 1 and 1", path, full, nm)
		}
	}
	for _, name := range []string{"tanloi-rss (feed)", "rss-mirror (feed)", "bmtu-atom (feed)", "json (feed)", "tanloi-web (html)", "yt (youtube)"} {
		if !strings.Contains(r.stdout, "✓ "+name+": không có gì mới (304)") {
			t.Errorf("no 304 line for %s", name)
		}
	}
	if got := strings.Count(r.stdout, "không có gì mới (304)"); got != 6 {
		t.Errorf("%d sources answered 304, want 6:\n%s", got, r.stdout)
	}
	if !strings.Contains(r.stdout, "✓ masto (mastodon): 0 mục, 0 bài mới") || site.requests[len(site.requests)-1] != "/api/v1/timelines/tag/tuoitredaklaktienphongchuyendoiso?limit=40&since_id=110123456789000112" {
		t.Errorf("mastodon resume: %s %v", r.stdout, site.requests)
	}
	if len(postsByURL(t, cfg)) != 12 {
		t.Error("post count changed on the second collect")
	}

	// Without --all, nothing is due again yet: the feed runs @every 1h, the others daily.
	r = runCmd(t, cfg, "collect")
	if r.code != 0 || strings.Count(r.stdout, "bỏ qua, chưa đến lịch") != 7 {
		t.Errorf("third collect should skip every source:\n%s", r.stdout)
	}

	// sources shows every source healthy with its counts.
	r = runCmd(t, cfg, "sources", "--json")
	var rows []ingest.SourceStatus
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 7 {
		t.Fatalf("sources --json: %v\n%s", err, r.stdout)
	}
	if rows[0].Name != "tanloi-rss" || rows[0].Failing || rows[0].LastSuccess.IsZero() || rows[0].ConsecutiveFailures != 0 ||
		rows[0].NextDue.Sub(rows[0].LastAttempt) <= 59*time.Minute || rows[0].NextDue.Sub(rows[0].LastAttempt) > time.Hour {
		t.Errorf("tanloi-rss: %+v", rows[0])
	}
	if rows[5].Name != "masto" || rows[5].ItemsSeen != 0 {
		t.Errorf("masto after the resume: %+v", rows[5])
	}
}

// faultConfig has one good feed and one source per fault.
var faultConfig = withFetch(testConfig, `allow_networks = ["127.0.0.0/8:*"]
timeout = "1500ms"`) + `
[[source]]
name = "good"
kind = "feed"
url = "%[1]s/good.xml"
`

func TestCollectFaultsFailOnlyTheirSource(t *testing.T) {
	t.Parallel()
	good := readFixture(t, "../../collector/feed/testdata/rss2_category.xml")
	// The huge feed never ends (the reader must stop at its cap); the bomb inflates to
	// 12 MiB, past the 10 MiB cap.
	chunk := bytes.Repeat([]byte("<rss>"), 64<<10/5)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for range 12 {
		zw.Write(zeros)
	}
	zw.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/good.xml", func(w http.ResponseWriter, r *http.Request) { w.Write(good) })
	faults := []struct {
		name    string
		handler http.HandlerFunc
		want    string
		wait    time.Duration
	}{
		{"hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, "timed out", time.Hour},
		{"trickle", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			for {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}, "reading body: context deadline exceeded", time.Hour},
		{"huge", func(w http.ResponseWriter, r *http.Request) {
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "body too large (more than 10485760 bytes)", time.Hour},
		{"bomb", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		}, "body too large", time.Hour},
		{"error500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 500) }, "HTTP 500 Internal Server Error", time.Hour},
		{"ratelimited", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7200")
			w.WriteHeader(429)
		}, "HTTP 429 Too Many Requests (retry after 2h0m0s)", 2 * time.Hour},
		{"badxml", func(w http.ResponseWriter, r *http.Request) {
			w.Write(readFixture(t, "../../collector/feed/testdata/invalid.xml"))
		}, "invalid", time.Hour},
		{"badutf8", func(w http.ResponseWriter, r *http.Request) {
			w.Write(readFixture(t, "../../collector/feed/testdata/invalid_utf8.xml"))
		}, "invalid UTF-8 at line 3 (byte 166)", time.Hour},
		{"loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path+"x", http.StatusFound) }, "too many redirects (more than 5)", time.Hour},
		{"private", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) }, "instance requires login", time.Hour},
	}
	for _, f := range faults {
		mux.HandleFunc("/"+f.name+"/", f.handler)
	}
	// The mastodon kind reads the instance's API, whatever path its url has.
	mux.HandleFunc("/api/v1/timelines/tag/", faults[len(faults)-1].handler)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer srv.CloseClientConnections()
	text := fmt.Sprintf(faultConfig, srv.URL)
	for _, f := range faults {
		kind := "feed"
		if f.name == "private" {
			kind = "mastodon"
		}
		text += fmt.Sprintf("\n[[source]]\nname = %q\nkind = %q\nurl = \"%s/%s/\"\n", f.name, kind, srv.URL, f.name)
	}
	cfg := writeConfig(t, text)
	r := runCmd(t, cfg, "collect")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "✓ good (feed): 3 mục, 2 bài mới, 0 bài cập nhật") {
		t.Errorf("the good source suffered:\n%s", r.stdout)
	}
	if got := strings.Count(r.stdout, "✗ "); got != len(faults) {
		t.Errorf("%d failed lines, want %d:\n%s", got, len(faults), r.stdout)
	}
	if posts := postsByURL(t, cfg); len(posts) != 2 {
		t.Errorf("%d posts stored, want the good feed's 2", len(posts))
	}
	var rows []ingest.SourceStatus
	r = runCmd(t, cfg, "sources", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatal(err)
	}
	byName := map[string]ingest.SourceStatus{}
	for _, row := range rows {
		byName[row.Name] = row
	}
	if g := byName["good"]; g.ConsecutiveFailures != 0 || g.LastError != "" || g.ItemsSeen != 3 || g.ItemsStored != 2 {
		t.Errorf("good: %+v", g)
	}
	for _, f := range faults {
		row := byName[f.name]
		if row.ConsecutiveFailures != 1 || !strings.Contains(row.LastError, f.want) || row.Failing || !row.LastSuccess.IsZero() {
			t.Errorf("%s: failures=%d error=%q; want 1 and %q", f.name, row.ConsecutiveFailures, row.LastError, f.want)
		}
		if f.name != "private" && !strings.Contains(row.LastError, srv.URL+"/"+f.name+"/") {
			t.Errorf("%s: error does not name the URL: %q", f.name, row.LastError)
		}
		if got := row.NextDue.Sub(row.LastAttempt); got != f.wait {
			t.Errorf("%s: next due %s after the attempt, want %s", f.name, got, f.wait)
		}
	}

	// Backoff: without --all a failing source waits; forced, it fails again, and after
	// three failures in a row it is flagged.
	r = runCmd(t, cfg, "collect", "--source", "error500")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "– error500 (feed): bỏ qua, chờ đến ") {
		t.Errorf("backoff: %+v", r)
	}
	for range 2 {
		r = runCmd(t, cfg, "collect", "--source", "error500", "--all")
	}
	if r.code != 1 || !strings.Contains(r.stdout, "[lỗi 3 lần liên tiếp — cần kiểm tra]") {
		t.Errorf("third failure: %+v", r)
	}
	r = runCmd(t, cfg, "sources")
	if !strings.Contains(r.stdout, "⚠ CẦN KIỂM TRA: fetch: GET "+srv.URL+"/error500/: HTTP 500") || !strings.Contains(r.stdout, "1 nguồn lỗi từ 3 lần liên tiếp trở lên") {
		t.Errorf("sources table:\n%s", r.stdout)
	}
	r = runCmd(t, cfg, "sources", "--json")
	json.Unmarshal([]byte(r.stdout), &rows)
	for _, row := range rows {
		if row.Name == "error500" && (!row.Failing || row.ConsecutiveFailures != 3 || row.NextDue.Sub(row.LastAttempt) != 4*time.Hour) {
			t.Errorf("error500 after 3 failures: %+v", row)
		}
	}
}

func TestSourceOptionsCheckedAtLoad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ source, want string }{
		{"name = \"w\"\nkind = \"html\"\nurl = \"https://x.example.vn/\"\n[source.options]\nitem = \"li\"\nselecter = \"a\"\n", `source "w".options: không có tùy chọn "selecter"`},
		{"name = \"w\"\nkind = \"html\"\nurl = \"https://x.example.vn/\"\n", "options.item is missing"},
		{"name = \"y\"\nkind = \"youtube\"\nurl = \"https://www.youtube.com/@tinhdoan\"\n", "not a channel feed"},
		{"name = \"f\"\nkind = \"feed\"\nurl = \"https://x.example.vn/rss\"\n[source.options]\ncharset = \"klingon\"\n", `unknown charset "klingon"`},
	} {
		cfg := writeConfig(t, testConfig+"\n[[source]]\n"+tc.source)
		r := runCmd(t, cfg, "sources")
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "hashtrack.toml") {
			t.Errorf("%q: code %d stderr %q, want 2 and %q", tc.source, r.code, r.stderr, tc.want)
		}
	}
}
