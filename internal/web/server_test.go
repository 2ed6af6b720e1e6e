package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/store"
)

func TestFormSubmitAndRepeat(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, "")
	r := s.do(t, "GET", "/submit/"+testkit.UnitToken, "", "", nil)
	if r.status != 200 || !strings.Contains(r.body, `<p class="fixed" id="unit-fixed">Đoàn phường Tân Lợi</p>`) ||
		strings.Contains(r.body, `<select id="unit"`) || !strings.Contains(r.body, `name="viewport"`) {
		t.Fatalf("form with a unit token: %d\n%s", r.status, r.body)
	}
	link := "https://www.facebook.com/tdtn.daklak/posts/pfbid0abc?utm_source=zalo"
	r = s.postForm(t, testkit.UnitToken, url.Values{"url": {link}, "unit": {"dh-y-duoc-bmt"}, "published": {"2023-03-29"},
		"likes": {"1,2K"}, "comments": {"15"}, "shares": {""}, "views": {""}, "note": {"Bài đăng lễ ra quân"}})
	if r.status != 200 {
		t.Fatalf("submit: %d\n%s", r.status, r.body)
	}
	for _, want := range []string{
		`<p class="ok" id="outcome" role="status">Đã ghi nhận bài đăng mới.</p>`,
		`<dd id="rec-unit">Đoàn phường Tân Lợi</dd>`, // the token fixes the unit, whatever was posted
		`<dd id="rec-platform">Facebook</dd>`,
		`<dd id="rec-published">29/03/2023</dd>`,
		`<dd id="rec-likes">1.200</dd>`,
		`<dd id="rec-comments">15</dd>`,
		`<dd id="rec-shares">không có số liệu</dd>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("confirmation lacks %s", want)
		}
	}
	p := s.post(t, link)
	if p.Unit != "tan-loi" || p.Metrics.Likes != collector.Known(1200) || p.Metrics.Shares.Known || p.Sources[0] != "form" ||
		!p.PublishedAt.Equal(time.Date(2023, 3, 29, 0, 0, 0, 0, collector.DefaultLocation())) {
		t.Errorf("stored %+v", p)
	}

	r = s.postForm(t, testkit.UnitToken, url.Values{"url": {"https://m.facebook.com/tdtn.daklak/posts/pfbid0abc"}, "likes": {"1300"}, "shares": {"4"}})
	if r.status != 200 || !strings.Contains(r.body, "Bài này đã được gửi trước đó — đã cập nhật số liệu.") ||
		!strings.Contains(r.body, `<dd id="rec-likes">1.300</dd>`) || !strings.Contains(r.body, `<dd id="rec-comments">15</dd>`) {
		t.Fatalf("repeat: %d\n%s", r.status, r.body)
	}
	if n, _ := s.st.Count(); n != 1 {
		t.Errorf("%d posts after a repeat; want 1", n)
	}
}

func TestFormErrorsInlineAndEscaped(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, "")
	payload := `<img src=x onerror=alert(1)>`
	r := s.postForm(t, campaignToken, url.Values{"url": {"javascript:alert(1)"}, "unit": {"tan-loi"}, "likes": {"nhiều"},
		"published": {"hôm qua"}, "platform": {"Mạng lạ"}, "note": {payload}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.status)
	}
	for _, want := range []string{
		`<p class="error" id="error-url">Đường dẫn phải bắt đầu bằng https:// hoặc http://`,
		`<p class="error" id="error-likes">Lượt thích: &#34;nhiều&#34; không phải là số.`,
		`<p class="error" id="error-published">Ngày đăng &#34;hôm qua&#34; không đúng.`,
		`<p class="error" id="error-platform">Nền tảng &#34;Mạng lạ&#34; không có trong danh sách`,
		`aria-invalid="true" aria-describedby="error-url"`,
		`<option value="tan-loi" selected>Đoàn phường Tân Lợi</option>`, // what was chosen stays chosen
		`&lt;img src=x onerror=alert(1)&gt;</textarea>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	if strings.Contains(r.body, payload) {
		t.Errorf("payload echoed raw")
	}
	if err := onlyOurMarkup(r.body); err != nil {
		t.Errorf("form with errors: %v", err)
	}
	if n, _ := s.st.Count(); n != 0 {
		t.Errorf("%d posts stored from a bad submission", n)
	}
	// The campaign-wide link needs a unit: a post for no unit is refused.
	r = s.postForm(t, campaignToken, url.Values{"url": {"https://zalo.me/s/123"}, "note": {payload}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `<p class="error" id="error-unit">Hãy chọn đơn vị của bạn.`) {
		t.Errorf("no unit through the campaign link: %d\n%s", r.status, r.body)
	}
	if n, _ := s.st.Count(); n != 0 {
		t.Errorf("%d posts stored without a unit", n)
	}
	// A good submission's note is shown back as text too.
	r = s.postForm(t, campaignToken, url.Values{"url": {"https://zalo.me/s/123"}, "unit": {"tan-loi"}, "note": {payload}})
	if r.status != 200 || strings.Contains(r.body, payload) || !strings.Contains(r.body, `<dd id="rec-note">&lt;img src=x onerror=alert(1)&gt;</dd>`) {
		t.Errorf("confirmation: %d\n%s", r.status, r.body)
	}
	if err := onlyOurMarkup(r.body); err != nil {
		t.Errorf("confirmation: %v", err)
	}
}

func TestAPISubmit(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, "")
	body := `{"url":"https://www.tiktok.com/@doantanloi/video/7215?is_from_webapp=1","likes":"2,5K","comments":12,"shares":null,"published":"29/03/2023 08:14"}`
	r := s.postJSON(t, testkit.UnitToken, body)
	if r.status != http.StatusCreated {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var got struct {
		Outcome, Message string
		Post             collector.Post
	}
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Outcome != "new" || got.Post.Platform != "tiktok" || got.Post.Unit != "tan-loi" || got.Post.Metrics.Likes != collector.Known(2500) ||
		got.Post.Metrics.Comments != collector.Known(12) || got.Post.Metrics.Shares.Known || got.Post.Sources[0] != "api" {
		t.Errorf("reply %+v", got)
	}
	r = s.postJSON(t, testkit.UnitToken, `{"url":"https://tiktok.com/@doantanloi/video/7215","views":900}`)
	if r.status != 200 || !strings.Contains(r.body, `"outcome": "updated"`) || !strings.Contains(r.body, "đã cập nhật số liệu") {
		t.Errorf("repeat: %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"bad link", `{"url":"ftp://x.vn/a"}`, 422, `"url": "canon: scheme is not http or https: \"ftp\""`},
		{"negative", `{"url":"https://zalo.me/a","likes":-3}`, 422, `"likes": "negative number: \"-3\""`},
		{"unknown unit", `{"url":"https://zalo.me/a","unit":"Tân Lộc"}`, 201, `"unit": "tan-loi"`}, // the token fixes the unit
		{"unknown field", `{"url":"https://zalo.me/a","like":3}`, 400, `unknown field \"like\"`},
		{"every wrong field at once", `{"url":"ftp://x.vn/a","likes":-3,"platform":"Mạng lạ","published":"hôm qua"}`, 422,
			`"messages": {
    "likes": "Lượt thích: số liệu không được âm (\"-3\").",
    "platform": "Nền tảng \"Mạng lạ\" không có trong danh sách (facebook, zalo, instagram, tiktok, youtube, threads, x, web).",
    "published": "Ngày đăng \"hôm qua\" không đúng. Ghi theo dạng 29/03/2023 hoặc 29/03/2023 08:14.",
    "url": "Đường dẫn phải bắt đầu bằng https:// hoặc http://`},
		{"a number for a text field", `{"url":5}`, 400, `field \"url\" must be a string`},
		{"a field the API does not take", `{"url":"https://zalo.me/a","timestamp":"01/01/2020"}`, 400, `unknown field \"timestamp\"`},
		{"not json", `url=https://zalo.me/a`, 400, "body is not a submission"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.postJSON(t, testkit.UnitToken, tc.body)
			if r.status != tc.status || !strings.Contains(r.body, tc.want) {
				t.Errorf("%d %s; want %d and %s", r.status, r.body, tc.status, tc.want)
			}
		})
	}
	r = s.postJSON(t, campaignToken, `{"url":"https://zalo.me/b","unit":"Tân Lộc"}`)
	if r.status != 422 || !strings.Contains(r.body, `closest: Đoàn phường Tân Lợi (tan-loi)`) {
		t.Errorf("unknown unit with a campaign token: %d %s", r.status, r.body)
	}
}

func TestProtections(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, "")
	t.Run("403 missing or wrong token", func(t *testing.T) {
		for _, req := range []struct{ method, path string }{
			{"GET", "/submit/wrong-0123456789abcdef"}, {"POST", "/submit/wrong-0123456789abcdef"},
			{"POST", "/api/submit/wrong-0123456789abcdef"}, {"GET", "/submit/"}, {"GET", "/submit"},
			{"POST", "/api/submit/"}, {"POST", "/api/submit"}, {"GET", "/submit/" + testkit.UnitToken[:len(testkit.UnitToken)-1]},
		} {
			r := s.do(t, req.method, req.path, "application/x-www-form-urlencoded", "url=https://zalo.me/a", nil)
			if r.status != 403 {
				t.Errorf("%s %s: %d", req.method, req.path, r.status)
			}
		}
		if r := s.do(t, "GET", "/submit/nope-0123456789abcdef", "", "", nil); !strings.Contains(r.body, "Đường dẫn gửi bài này không đúng") {
			t.Errorf("403 page: %s", r.body)
		}
		if n, _ := s.st.Count(); n != 0 {
			t.Errorf("%d posts stored", n)
		}
	})
	t.Run("413 body over 64 KiB", func(t *testing.T) {
		big := strings.Repeat("a", 65<<10)
		r := s.postForm(t, testkit.UnitToken, url.Values{"url": {"https://zalo.me/a"}, "note": {big}})
		if r.status != 413 || !strings.Contains(r.body, "tối đa 64 KiB") {
			t.Errorf("form: %d", r.status)
		}
		r = s.postJSON(t, testkit.UnitToken, `{"url":"https://zalo.me/a","note":"`+big+`"}`)
		if r.status != 413 {
			t.Errorf("api: %d", r.status)
		}
		// Without a Content-Length the reader's cap still stops it.
		req, _ := http.NewRequest("POST", s.ts.URL+"/api/submit/"+testkit.UnitToken, io.MultiReader(strings.NewReader(`{"note":"`), strings.NewReader(big)))
		req.ContentLength = -1
		resp, err := s.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("chunked: %d", resp.StatusCode)
		}
		if n, _ := s.st.Count(); n != 0 {
			t.Errorf("%d posts stored", n)
		}
	})
	t.Run("cross-origin form post refused", func(t *testing.T) {
		form := url.Values{"url": {"https://zalo.me/cross"}}.Encode()
		for name, h := range map[string]map[string]string{
			"sec-fetch-site": {"Sec-Fetch-Site": "cross-site"},
			"origin":         {"Origin": "https://evil.example"},
		} {
			r := s.do(t, "POST", "/submit/"+testkit.UnitToken, "application/x-www-form-urlencoded", form, h)
			if r.status != 403 || !strings.Contains(r.body, "chỉ nhận bài gửi từ chính trang của hashtrack") {
				t.Errorf("%s: %d", name, r.status)
			}
		}
		if n, _ := s.st.Count(); n != 0 {
			t.Errorf("%d posts stored", n)
		}
		r := s.do(t, "POST", "/submit/"+testkit.UnitToken, "application/x-www-form-urlencoded", form, map[string]string{"Sec-Fetch-Site": "same-origin"})
		if r.status != 200 {
			t.Errorf("same-origin: %d", r.status)
		}
	})
	t.Run("tokens stay out of the log", func(t *testing.T) {
		l := s.log.String()
		if !strings.Contains(l, `msg="cross-origin request refused" path=/submit/…`) || strings.Contains(l, testkit.UnitToken) || strings.Contains(l, "wrong-0123456789abcdef") {
			t.Errorf("log:\n%s", l)
		}
	})
	t.Run("security headers", func(t *testing.T) {
		r := s.do(t, "GET", "/submit/"+testkit.UnitToken, "", "", nil)
		for k, v := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		} {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %q", k, got)
			}
		}
		if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=") || strings.Contains(r.body, "<style") {
			t.Errorf("inline script or style would be blocked by the policy")
		}
	})
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("per token", func(t *testing.T) {
		t.Parallel()
		s := newTestServer(t, "", func(o *Options) {
			o.AddrLimit = Limit{PerMinute: 1000, Burst: 1000}
			o.TokenLimit = Limit{PerMinute: 6, Burst: 2} // one request back every 10 s
		})
		for i := range 2 {
			if r := s.do(t, "GET", "/submit/"+testkit.UnitToken, "", "", nil); r.status != 200 {
				t.Fatalf("request %d: %d", i, r.status)
			}
		}
		r := s.postJSON(t, testkit.UnitToken, `{"url":"https://zalo.me/a"}`)
		if r.status != 429 || r.header.Get("Retry-After") != "10" || !strings.Contains(r.body, "thử lại sau 10 giây") {
			t.Fatalf("third: %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
		}
		if r := s.do(t, "GET", "/submit/"+campaignToken, "", "", nil); r.status != 200 {
			t.Errorf("another token limited too: %d", r.status)
		}
	})
	t.Run("per address", func(t *testing.T) {
		t.Parallel()
		s := newTestServer(t, "", func(o *Options) {
			o.AddrLimit = Limit{PerMinute: 30, Burst: 3} // one back every 2 s
			o.TokenLimit = Limit{PerMinute: 1000, Burst: 1000}
		})
		tokens := []string{testkit.UnitToken, campaignToken, "wrong-0123456789abcdef"}
		for i, tok := range tokens {
			if r := s.do(t, "GET", "/submit/"+tok, "", "", nil); r.status == 429 {
				t.Fatalf("request %d limited", i)
			}
		}
		r := s.do(t, "GET", "/submit/"+campaignToken, "", "", nil)
		if r.status != 429 || r.header.Get("Retry-After") != "2" {
			t.Fatalf("fourth: %d %q", r.status, r.header.Get("Retry-After"))
		}
	})
}

func TestRateLimiterRefills(t *testing.T) {
	t.Parallel()
	now := testNow
	l := newRateLimiter(Limit{PerMinute: 60, Burst: 2}, func() time.Time { return now })
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.allow("a"); ok != want {
			t.Fatalf("request %d: %v", i, ok)
		}
	}
	if ok, wait := l.allow("a"); ok || wait != time.Second {
		t.Fatalf("wait %s", wait)
	}
	now = now.Add(1500 * time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("not refilled after 1.5 s")
	}
	if ok, wait := l.allow("a"); ok || wait != 500*time.Millisecond {
		t.Fatalf("second wait %s", wait)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("keys share a bucket")
	}
}

func TestReadingPages(t *testing.T) {
	t.Parallel()
	// Reports and health details are public here; the console's tests check them behind a login.
	s := newTestServer(t, testkit.IdleSource("feed")+testkit.PublicReports)
	dir := s.c.ReportPath()
	if err := os.MkdirAll(filepath.Join(dir, "cds"), 0o755); err != nil {
		t.Fatal(err)
	}
	old, latest := filepath.Join(dir, "cds", "2023-03-29.html"), filepath.Join(dir, "cds", "2023-03-30.html")
	for i, f := range []string{old, latest} {
		if err := os.WriteFile(f, []byte("<h1>Báo cáo "+filepath.Base(f)+"</h1>"), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := testNow.Add(time.Duration(i-2) * time.Hour)
		os.Chtimes(f, mt, mt)
	}
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>Lưu trữ</h1>"), 0o644) // the archive, newest of all
	os.WriteFile(filepath.Join(filepath.Dir(s.cfg), "secret.txt"), []byte("outside"), 0o644)
	os.Symlink(filepath.Join(filepath.Dir(s.cfg), "secret.txt"), filepath.Join(dir, "link.txt"))

	r := s.do(t, "GET", "/", "", "", nil)
	if r.status != 200 || !strings.Contains(r.body, `<a href="/reports/cds/2023-03-30.html">Báo cáo mới nhất</a> (30/03/2023 08:00)`) ||
		!strings.Contains(r.body, `<a href="/reports/">Lưu trữ báo cáo</a>`) || !strings.Contains(r.body, "từ 01/03/2023 đến 31/12/2023") {
		t.Errorf("index: %d\n%s", r.status, r.body)
	}
	os.WriteFile(filepath.Join(dir, "cds", "latest.html"), []byte("<h1>Báo cáo mới nhất</h1>"), 0o644)
	os.Chtimes(filepath.Join(dir, "cds", "latest.html"), testNow.Add(-3*time.Hour), testNow.Add(-3*time.Hour))
	if r := s.do(t, "GET", "/", "", "", nil); !strings.Contains(r.body, `<a href="/reports/cds/latest.html">Báo cáo mới nhất</a> (30/03/2023 06:00)`) {
		t.Errorf("index with latest.html:\n%s", r.body)
	}
	if r := s.do(t, "GET", "/reports/", "", "", nil); r.status != 200 || r.body != "<h1>Lưu trữ</h1>" {
		t.Errorf("archive: %d %q", r.status, r.body)
	}
	r = s.do(t, "GET", "/reports/cds/2023-03-30.html", "", "", nil)
	if r.status != 200 || r.body != "<h1>Báo cáo 2023-03-30.html</h1>" || !strings.Contains(r.header.Get("Content-Security-Policy"), "script-src 'unsafe-inline'") {
		t.Errorf("report file: %d %q", r.status, r.body)
	}
	for _, p := range []string{"/reports/../hashtrack.toml", "/reports/%2e%2e/hashtrack.toml", "/reports/link.txt"} {
		if r := s.do(t, "GET", p, "", "", nil); r.status == 200 || strings.Contains(r.body, "outside") || strings.Contains(r.body, "[[campaign]]") {
			t.Errorf("%s escaped the report folder: %d %s", p, r.status, r.body)
		}
	}

	health := func() (int, testkit.Health) {
		r := s.do(t, "GET", "/healthz", "", "", nil)
		var h testkit.Health
		if err := json.Unmarshal([]byte(r.body), &h); err != nil {
			t.Fatalf("%v: %s", err, r.body)
		}
		return r.status, h
	}
	if code, h := health(); code != 200 || h.Source("feed").Status != "pending" {
		t.Errorf("before any run: %d %+v", code, h)
	}
	for _, tc := range []struct {
		name   string
		h      store.SourceHealth
		code   int
		status string
	}{
		{"fresh", store.SourceHealth{LastAttempt: testNow.Add(-time.Hour), LastSuccess: testNow.Add(-time.Hour)}, 200, "ok"},
		{"two failures", store.SourceHealth{LastAttempt: testNow, LastSuccess: testNow.Add(-time.Hour), ConsecutiveFailures: 2}, 200, "ok"},
		{"three failures", store.SourceHealth{LastAttempt: testNow, LastSuccess: testNow.Add(-time.Hour), ConsecutiveFailures: 3, LastError: "HTTP 500"}, 503, "failing"},
		{"stale", store.SourceHealth{LastAttempt: testNow.Add(-49 * time.Hour), LastSuccess: testNow.Add(-49 * time.Hour)}, 503, "stale"},
		{"just fresh", store.SourceHealth{LastAttempt: testNow.Add(-47 * time.Hour), LastSuccess: testNow.Add(-47 * time.Hour)}, 200, "ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.h.Name = "feed"
			if err := s.st.PutSource(tc.h); err != nil {
				t.Fatal(err)
			}
			code, h := health()
			if code != tc.code || string(h.Source("feed").Status) != tc.status {
				t.Errorf("%d %+v; want %d %s", code, h, tc.code, tc.status)
			}
		})
	}
}

// FuzzFormSubmit posts arbitrary values through the form: the answer is a confirmation
// or the form with errors, never a server error, and nothing typed comes back unescaped.
func FuzzFormSubmit(f *testing.F) {
	f.Add("https://www.facebook.com/tdtn.daklak/posts/1", "12", "29/03/2023", "ghi chú")
	f.Add("javascript:alert(1)", "1,2K", "hôm qua", `<img src=x onerror=alert(1)>`)
	f.Add(`https://zalo.me/"><script>alert(1)</script>`, "-3", "2023-02-30", "</textarea><script>x</script>")
	f.Add("", "", "", "")
	s := newTestServer(f, "", unlimited)
	h := s.Handler()
	f.Fuzz(func(t *testing.T, link, likes, published, note string) {
		form := url.Values{"url": {link}, "likes": {likes}, "published": {published}, "note": {note}, "unit": {"tan-loi"}}
		req := httptest.NewRequest("POST", "/submit/"+campaignToken, strings.NewReader(form.Encode()))
		req.Host = "127.0.0.1:8080" // httptest's example.com is a foreign host
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 422 {
			t.Fatalf("status %d for %q", rec.Code, form.Encode())
		}
		if err := onlyOurMarkup(rec.Body.String()); err != nil {
			t.Fatalf("%v for %q", err, form.Encode())
		}
	})
}

// ourTags are the elements the page templates write; anything else in a page came
// from a submitter and was not escaped.
var ourTags = map[string]bool{"html": true, "head": true, "meta": true, "title": true, "link": true, "body": true, "main": true,
	"h1": true, "h2": true, "p": true, "div": true, "form": true, "label": true, "input": true, "select": true, "option": true,
	"textarea": true, "fieldset": true, "legend": true, "button": true, "script": true, "br": true, "strong": true, "a": true,
	"dl": true, "dt": true, "dd": true, "section": true}

// onlyOurMarkup checks a page holds only our elements, no event handler attributes,
// and no script but our own file.
func onlyOurMarkup(page string) error {
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return nil
			}
			return z.Err()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !ourTags[tok.Data] {
				return fmt.Errorf("foreign element <%s>", tok.Data)
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					return fmt.Errorf("event handler %s on <%s>", a.Key, tok.Data)
				}
				if a.Key == "href" && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					return fmt.Errorf("javascript: link")
				}
			}
			if tok.Data == "script" && (len(tok.Attr) != 1 || tok.Attr[0].Val != "/static/form.js") {
				return fmt.Errorf("foreign script %v", tok.Attr)
			}
		}
	}
}

func BenchmarkFormSubmit(b *testing.B) {
	s := newTestServer(b, "", unlimited)
	h := s.Handler()
	form := url.Values{"url": {"https://www.facebook.com/tdtn.daklak/posts/1"}, "likes": {"1,2K"}, "published": {"29/03/2023"}, "note": {"ghi chú"}}.Encode()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/submit/"+testkit.UnitToken, strings.NewReader(form))
		req.Host = "127.0.0.1:8080" // httptest's example.com is a foreign host
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func TestFormSeveralCampaigns(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, `
[[campaign]]
id = "stem"
name = "Tuổi trẻ sáng tạo"
hashtag = "#TuoitreSangtao"
start = 2023-01-01
`)
	r := s.do(t, "GET", "/submit/"+testkit.UnitToken, "", "", nil)
	if !strings.Contains(r.body, `<select id="campaign" name="campaign">`) || !strings.Contains(r.body, `<option value="stem">Tuổi trẻ sáng tạo</option>`) {
		t.Fatalf("no campaign choice for a token without one:\n%s", r.body)
	}
	r = s.do(t, "GET", "/submit/"+campaignToken, "", "", nil)
	if strings.Contains(r.body, `<select id="campaign"`) || !strings.Contains(r.body, "#TuoitreDakLakTienphongChuyendoiso") {
		t.Fatalf("a campaign token must fix the campaign:\n%s", r.body)
	}
	r = s.postForm(t, testkit.UnitToken, url.Values{"url": {"https://zalo.me/s/1"}, "campaign": {"stem"}})
	if r.status != 200 || !strings.Contains(r.body, `<dd id="rec-campaign">Tuổi trẻ sáng tạo</dd>`) {
		t.Fatalf("%d\n%s", r.status, r.body)
	}
	r = s.postForm(t, testkit.UnitToken, url.Values{"url": {"https://zalo.me/s/2"}})
	if r.status != 422 || !strings.Contains(r.body, `<p class="error" id="error-campaign">Hãy chọn chiến dịch.</p>`) {
		t.Fatalf("no campaign: %d\n%s", r.status, r.body)
	}
	r = s.postForm(t, campaignToken, url.Values{"url": {"https://zalo.me/s/3"}, "campaign": {"stem"}, "unit": {"tan-loi"}})
	if p := s.post(t, "https://zalo.me/s/3"); r.status != 200 || len(p.Campaigns) != 1 || p.Campaigns[0] != "cds" {
		t.Fatalf("campaign token overridden: %d %+v", r.status, p.Campaigns)
	}
}

// TestFormEnrichment: the form answers as soon as the post is stored; the page of the
// new link (here a fixture on loopback) is read afterwards (the daemon's check loop
// runs the same CheckPending), and the confirmation of the link sent again says
// whether it carries the campaign hashtag.
func TestFormEnrichment(t *testing.T) {
	t.Parallel()
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/tagged":
			io.WriteString(w, `<html><head><meta property="og:title" content="Ra quân chuyển đổi số"></head><body><p>Tuổi trẻ Tân Lợi #TuoitreDakLakTienphongChuyendoiso</p></body></html>`)
		case "/untagged":
			io.WriteString(w, `<html><head><title>Tin khác</title></head><body><p>Không có thẻ</p></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer pages.Close()
	s := newTestServer(t, "", readPages("127.0.0.0/8"))

	const pending = "Đã ghi nhận bài đăng, nhưng bài chờ ban tổ chức duyệt trước khi được tính (lý do: không thấy hashtag của chiến dịch trên trang)."
	cases := []struct{ path, shown, title, message string }{
		{"/tagged", "đã thấy hashtag của chiến dịch trên trang (verified)", "Ra quân chuyển đổi số", "Đã ghi nhận bài đăng mới."},
		// A page read without the hashtag: kept, and held for staff with the reason said.
		{"/untagged", "không thấy hashtag của chiến dịch trên trang (not found)", "Tin khác", pending},
		{"/gone", "", "", "Đã ghi nhận bài đăng mới."},
	}
	for _, tc := range cases {
		r := s.postForm(t, testkit.UnitToken, url.Values{"url": {pages.URL + tc.path}})
		// Stored at once, before any page is read.
		if r.status != 200 || !strings.Contains(r.body, "Đã ghi nhận bài đăng mới.") || strings.Contains(r.body, `id="rec-verification"`) {
			t.Fatalf("%s: %d\n%s", tc.path, r.status, r.body)
		}
	}
	checked, err := s.ingest.CheckPending(context.Background(), 0)
	if err != nil || checked.Pages != (ingest.PageTally{Verified: 1, NotFound: 1, NotRead: 1}) || checked.Waiting != 0 {
		t.Fatalf("checks: %v %+v", err, checked)
	}
	for _, tc := range cases {
		p := s.post(t, pages.URL+tc.path)
		r := s.postForm(t, testkit.UnitToken, url.Values{"url": {pages.URL + tc.path}})
		if tc.shown == "" {
			if strings.Contains(r.body, `id="rec-verification"`) || p.Verification != collector.Unverified {
				t.Errorf("%s: unreadable page shown as checked (%s)", tc.path, p.Verification)
			}
			continue
		}
		if !strings.Contains(r.body, `<dd id="rec-verification">`+tc.shown+`</dd>`) || p.Title != tc.title {
			t.Errorf("%s: title %q, page:\n%s", tc.path, p.Title, r.body)
		}
		if tc.message == pending && (p.Review != collector.ReviewPending || p.Reason != "hashtag_not_found") {
			t.Errorf("%s: %s %q, want held for staff", tc.path, p.Review, p.Reason)
		}
	}
	if !strings.Contains(s.log.String(), `msg="page not read; post kept as submitted"`) {
		t.Errorf("the unreadable page is not logged:\n%s", s.log)
	}
}
