package web

import (
	"bytes"
	"context"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// staffPages are every page behind the staff login.
var staffPages = []string{"/console/", "/console/queue", "/console/posts", "/console/posts/x", "/console/import",
	"/console/sources", "/console/links", "/console/links/print", "/console/qr/" + testkit.UnitToken, "/console/reports",
	"/reports/", "/reports/cds/latest.html"}

// browserClient is an HTTP client with cookies that does not follow redirects.
func browserClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *testServer) send(t *testing.T, cl *http.Client, req *http.Request) reply {
	t.Helper()
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return reply{resp.StatusCode, resp.Header, b.String()}
}

func (s *testServer) get(t *testing.T, cl *http.Client, path string) reply {
	t.Helper()
	req, _ := http.NewRequest("GET", s.ts.URL+path, nil)
	return s.send(t, cl, req)
}

func (s *testServer) postValues(t *testing.T, cl *http.Client, path string, v url.Values) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", s.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.send(t, cl, req)
}

var hiddenCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := hiddenCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in\n%s", body)
	}
	return m[1]
}

// tryLogin opens the login page and sends name and password; the reply is the POST's.
func (s *testServer) tryLogin(t *testing.T, cl *http.Client, name, password string) reply {
	t.Helper()
	page := s.get(t, cl, "/login")
	return s.postValues(t, cl, "/login", url.Values{"csrf": {csrfOf(t, page.body)}, "name": {name}, "password": {password}, "next": {"/console/"}})
}

// loggedIn is a client with a staff session and the session's CSRF token.
func (s *testServer) loggedIn(t *testing.T) (*http.Client, string) {
	t.Helper()
	cl := browserClient(t)
	if r := s.tryLogin(t, cl, staffName, staffPassword); r.status != http.StatusSeeOther || r.header.Get("Location") != "/console/" {
		t.Fatalf("login: %d %s", r.status, r.header.Get("Location"))
	}
	return cl, csrfOf(t, s.get(t, cl, "/console/").body)
}

// pending stores a post that waits for staff.
func (s *testServer) pending(t *testing.T, link, reason string) collector.Post {
	t.Helper()
	p, errs := s.builder.Build(manual.Input{URL: link, Unit: "tan-loi", Published: "29/03/2023", Likes: "10", Source: "form", ObservedAt: testNow})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	p.Review, p.Reason = collector.ReviewPending, reason
	if _, err := s.st.Upsert(context.Background(), []collector.Post{p}); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConsoleNeedsLogin(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, staffConfig(t))
	cl := browserClient(t)
	post := s.pending(t, "https://www.facebook.com/tdtn.daklak/posts/51", "ngoài thời gian chiến dịch")
	pages := slices.Concat(staffPages, []string{"/console/posts/" + post.ID})
	for _, p := range pages {
		r := s.get(t, cl, p)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next="+url.QueryEscape(p) {
			t.Errorf("GET %s without a session: %d %q", p, r.status, r.header.Get("Location"))
			continue
		}
		// Where the redirect leads is the login form, which sends back to the page.
		login := s.get(t, cl, r.header.Get("Location"))
		if login.status != 200 || !strings.Contains(login.body, `id="password"`) || !strings.Contains(login.body, `name="next" value="`+p+`"`) {
			t.Errorf("GET %s without a session: the redirect leads to %d\n%.300s", p, login.status, login.body)
		}
	}
	for _, p := range []string{"/console/decide", "/console/import", "/console/links/new", "/console/reports/make", "/logout"} {
		if r := s.postValues(t, cl, p, url.Values{"csrf": {"x"}}); r.status != http.StatusSeeOther {
			t.Errorf("POST %s without a session: %d", p, r.status)
		}
	}
	// The health check says ok or not to a monitor, and no more.
	if r := s.get(t, cl, "/healthz"); r.status != 200 || strings.Contains(r.body, "sources") {
		t.Errorf("healthz without a session: %d %s", r.status, r.body)
	}
	// The branches' form stays open with its token only.
	if r := s.get(t, cl, "/submit/"+testkit.UnitToken); r.status != 200 {
		t.Errorf("form: %d", r.status)
	}
	// With a session every page opens.
	staff, _ := s.loggedIn(t)
	for _, p := range pages {
		want := 200
		if p == "/console/posts/x" || strings.HasPrefix(p, "/reports/cds") {
			want = 404
		}
		if r := s.get(t, staff, p); r.status != want {
			t.Errorf("GET %s with a session: %d", p, r.status)
		}
	}
	if r := s.get(t, staff, "/healthz"); !strings.Contains(r.body, `"sources"`) {
		t.Errorf("healthz with a session: %s", r.body)
	}
	// public_reports opens the reports, not the console.
	pub := newTestServer(t, staffConfig(t)+testkit.PublicReports)
	if r := pub.get(t, cl, "/reports/"); r.status != 200 {
		t.Errorf("public reports: %d", r.status)
	}
	if r := pub.get(t, cl, "/console/"); r.status != http.StatusSeeOther {
		t.Errorf("console with public reports: %d", r.status)
	}
}

func TestConsoleLoginCookieAndLogout(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, staffConfig(t))
	cl := browserClient(t)
	r := s.tryLogin(t, cl, staffName, staffPassword)
	ck := r.header.Get("Set-Cookie")
	if r.status != http.StatusSeeOther || !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Strict") || strings.Contains(ck, "Secure") {
		t.Errorf("login over http: %d %q", r.status, ck)
	}
	csrf := csrfOf(t, s.get(t, cl, "/console/").body)
	if r := s.postValues(t, cl, "/logout", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	if r := s.get(t, cl, "/console/"); r.status != http.StatusSeeOther {
		t.Errorf("console after logout: %d", r.status)
	}
	// Over https the cookie is Secure.
	h := newTestServer(t, staffConfig(t)+"\n[server]\npublic_url = \"https://hashtrack.daklak.vn/\"\n")
	if r := h.tryLogin(t, browserClient(t), staffName, staffPassword); !strings.Contains(r.header.Get("Set-Cookie"), "; Secure") {
		t.Errorf("login behind https: %q", r.header.Get("Set-Cookie"))
	}
	// The login form itself needs its CSRF cookie.
	if r := s.postValues(t, browserClient(t), "/login", url.Values{"csrf": {"x"}, "name": {staffName}, "password": {staffPassword}}); r.status != http.StatusForbidden {
		t.Errorf("login without the form's cookie: %d", r.status)
	}
	// next stays on this server.
	cl = browserClient(t)
	page := s.get(t, cl, "/login?next=//evil.example/x")
	r = s.postValues(t, cl, "/login", url.Values{"csrf": {csrfOf(t, page.body)}, "name": {staffName}, "password": {staffPassword}, "next": {"//evil.example/x"}})
	if r.header.Get("Location") != "/console/" {
		t.Errorf("next to another site: %q", r.header.Get("Location"))
	}
}

func TestConsoleRefuses(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, staffConfig(t))
	p := s.pending(t, "https://www.facebook.com/tdtn.daklak/posts/7", "ngoài thời gian chiến dịch")
	cl, csrf := s.loggedIn(t)
	decide := url.Values{"one": {p.ID + ":approve"}, "back": {"/console/queue"}}

	t.Run("wrong CSRF token", func(t *testing.T) {
		for _, tok := range []string{"", "sai", csrf + "x"} {
			v := url.Values{"csrf": {tok}}
			for k, vs := range decide {
				v[k] = vs
			}
			if r := s.postValues(t, cl, "/console/decide", v); r.status != http.StatusForbidden {
				t.Errorf("csrf %q: %d", tok, r.status)
			}
		}
		if got, _, _ := s.st.Get(p.ID); got.Review != collector.ReviewPending {
			t.Errorf("post decided with a wrong token: %q", got.Review)
		}
	})
	t.Run("foreign Host", func(t *testing.T) {
		for _, path := range []string{"/console/", "/reports/", "/healthz", "/submit/" + testkit.UnitToken, "/login"} {
			req, _ := http.NewRequest("GET", s.ts.URL+path, nil)
			req.Host = "rebind.evil.example"
			if r := s.send(t, cl, req); r.status != http.StatusMisdirectedRequest {
				t.Errorf("%s for a foreign host: %d", path, r.status)
			}
		}
	})
	t.Run("cross-origin POST", func(t *testing.T) {
		v := url.Values{"csrf": {csrf}}
		for k, vs := range decide {
			v[k] = vs
		}
		for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
			req, _ := http.NewRequest("POST", s.ts.URL+"/console/decide", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, x := range h {
				req.Header.Set(k, x)
			}
			if r := s.send(t, cl, req); r.status != http.StatusForbidden {
				t.Errorf("cross-origin %v: %d", h, r.status)
			}
		}
		if got, _, _ := s.st.Get(p.ID); got.Review != collector.ReviewPending {
			t.Errorf("post decided cross-origin: %q", got.Review)
		}
	})
	// With the right token the same form decides.
	v := url.Values{"csrf": {csrf}}
	for k, vs := range decide {
		v[k] = vs
	}
	if r := s.postValues(t, cl, "/console/decide", v); r.status != http.StatusSeeOther {
		t.Fatalf("decide: %d %s", r.status, r.body)
	}
	got, _, _ := s.st.Get(p.ID)
	h, _ := s.st.History(p.ID)
	if got.Review != collector.ReviewCounted || h[len(h)-1].Who != "staff:lan" || h[len(h)-1].Action != store.ActionApprove {
		t.Errorf("after approve: %q %+v", got.Review, h[len(h)-1])
	}
}

func TestConsoleLockout(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, staffConfig(t), unlimited)
	cl := browserClient(t)
	for i := 1; i <= 9; i++ {
		if r := s.tryLogin(t, cl, staffName, "sai mật khẩu"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Sai tên đăng nhập hoặc mật khẩu.") {
			t.Fatalf("wrong password %d: %d", i, r.status)
		}
	}
	r := s.tryLogin(t, cl, staffName, "sai mật khẩu")
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Tài khoản tạm khoá sau 10 lần nhập sai mật khẩu. Hãy thử lại sau 15 phút.") {
		t.Fatalf("tenth wrong password: %d %s", r.status, r.body)
	}
	if r := s.tryLogin(t, cl, staffName, staffPassword); r.status != http.StatusTooManyRequests || r.header.Get("Set-Cookie") != "" && strings.Contains(r.header.Get("Set-Cookie"), sessionCookie) {
		t.Errorf("right password while locked: %d", r.status)
	}
	if r := s.get(t, cl, "/console/"); r.status != http.StatusSeeOther {
		t.Errorf("console while locked: %d", r.status)
	}
}

func TestConsoleFormLinks(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, staffConfig(t))
	cl, csrf := s.loggedIn(t)
	if r := s.postValues(t, cl, "/console/links/new", url.Values{"csrf": {csrf}, "unit": {"dh-y-duoc-bmt"}, "campaign": {"cds"}}); r.status != http.StatusSeeOther {
		t.Fatalf("new link: %d", r.status)
	}
	made, err := s.st.Tokens()
	if err != nil || len(made) != 1 || made[0].Unit != "dh-y-duoc-bmt" || made[0].CreatedBy != staffName || len(made[0].Token) != 24 {
		t.Fatalf("tokens %+v %v", made, err)
	}
	tok := made[0].Token
	// The form accepts the console's token as it does the config's, with its unit.
	r := s.postForm(t, tok, url.Values{"url": {"https://www.facebook.com/tdtn.daklak/posts/9"}, "published": {"29/03/2023"}})
	if r.status != 200 || s.post(t, "https://www.facebook.com/tdtn.daklak/posts/9").Unit != "dh-y-duoc-bmt" {
		t.Fatalf("form with the console's token: %d", r.status)
	}
	page := s.get(t, cl, "/console/links")
	if !strings.Contains(page.body, s.c.FormLink(tok)) || !strings.Contains(page.body, `src="/console/qr/`+tok+`"`) || !strings.Contains(page.body, s.c.FormLink(testkit.UnitToken)) {
		t.Errorf("links page:\n%s", page.body)
	}
	q := s.get(t, cl, "/console/qr/"+tok)
	img, err := png.Decode(strings.NewReader(q.body))
	if q.status != 200 || q.header.Get("Content-Type") != "image/png" || err != nil || img.Bounds().Dx() != 384 {
		t.Errorf("QR: %d %s %v", q.status, q.header.Get("Content-Type"), err)
	}
	if r := s.get(t, cl, "/console/qr/not-a-token-0123456789"); r.status != 404 {
		t.Errorf("QR of an unknown token: %d", r.status)
	}
	sheet := s.get(t, cl, "/console/links/print")
	if n := strings.Count(sheet.body, `<figure class="qr">`); n != 3 {
		t.Errorf("%d codes on the print sheet; want 3 (two config tokens, one made)", n)
	}
	// Revoked: the form refuses it, the sheet leaves it out, the config's stay.
	if r := s.postValues(t, cl, "/console/links/revoke", url.Values{"csrf": {csrf}, "token": {tok}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if r := s.postForm(t, tok, url.Values{"url": {"https://www.facebook.com/tdtn.daklak/posts/10"}}); r.status != http.StatusForbidden {
		t.Errorf("form with a revoked token: %d", r.status)
	}
	if n := strings.Count(s.get(t, cl, "/console/links/print").body, `<figure class="qr">`); n != 2 {
		t.Errorf("%d codes after the revoke; want 2", n)
	}
	if r := s.postValues(t, cl, "/console/links/revoke", url.Values{"csrf": {csrf}, "token": {testkit.UnitToken}}); !strings.Contains(r.header.Get("Location"), "err=") {
		t.Errorf("revoking a config token: %q", r.header.Get("Location"))
	}
	if r := s.postForm(t, testkit.UnitToken, url.Values{"url": {"https://www.facebook.com/tdtn.daklak/posts/11"}}); r.status != 200 {
		t.Errorf("config token after a failed revoke: %d", r.status)
	}
}

func TestConsoleImportAndReports(t *testing.T) {
	t.Parallel()
	var made int
	s := newTestServer(t, staffConfig(t), func(o *Options) {
		o.MakeReport = func(ctx context.Context) ([]string, error) { made++; return []string{"a", "b"}, nil }
	})
	cl, csrf := s.loggedIn(t)
	csv := "Đường dẫn bài viết,Đơn vị,Ngày đăng,Lượt thích\n" +
		"https://www.facebook.com/tdtn.daklak/posts/21,Đoàn phường Tân Lợi,29/03/2023,12\n" +
		"không phải link,Đoàn phường Tân Lợi,29/03/2023,3\n" +
		"https://www.facebook.com/tdtn.daklak/posts/22,Trường Đại học Y Dược Buôn Ma Thuột,28/03/2023,5\n"
	upload := func(name, body string) reply {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("csrf", csrf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(body))
		mw.Close()
		req, _ := http.NewRequest("POST", s.ts.URL+"/console/import", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return s.send(t, cl, req)
	}
	r := upload("ket-qua.csv", csv)
	want := "ket-qua.csv: 3 dòng — sẽ thêm 2 bài mới, sẽ cập nhật 0 bài, 0 không đổi, 1 bị từ chối"
	if r.status != 200 || !strings.Contains(r.body, `<p id="import-line" class="fixed">`+want+`</p>`) || !strings.Contains(r.body, "ket-qua.csv:3") {
		t.Fatalf("dry run: %d\n%s", r.status, r.body)
	}
	if n, _ := s.st.Count(); n != 0 {
		t.Fatalf("the dry run stored %d posts", n)
	}
	id := regexp.MustCompile(`name="upload" value="([^"]+)"`).FindStringSubmatch(r.body)
	if id == nil {
		t.Fatal("no import button")
	}
	r = s.postValues(t, cl, "/console/import/confirm", url.Values{"csrf": {csrf}, "upload": {id[1]}})
	if r.status != 200 || !strings.Contains(r.body, "ket-qua.csv: 3 dòng — 2 mới, 0 cập nhật, 0 không đổi, 1 bị từ chối") {
		t.Fatalf("import: %d\n%s", r.status, r.body)
	}
	if n, _ := s.st.Count(); n != 2 {
		t.Errorf("%d posts stored; want 2", n)
	}
	if r := s.postValues(t, cl, "/console/import/confirm", url.Values{"csrf": {csrf}, "upload": {id[1]}}); !strings.Contains(r.header.Get("Location"), "err=") {
		t.Errorf("the same upload imported twice: %d", r.status)
	}
	if r := upload("virus.exe", "MZ"); !strings.Contains(r.header.Get("Location"), "err=") {
		t.Errorf("an .exe upload: %d %q", r.status, r.header.Get("Location"))
	}
	// Over the cap: refused from the declared length, before reading.
	req := httptest.NewRequest("POST", "/console/import", strings.NewReader("--x--"))
	req.Host = "127.0.0.1"
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.ContentLength = uploadLimit + 1
	u, _ := url.Parse(s.ts.URL)
	for _, c := range cl.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("upload over the cap: %d", rec.Code)
	}
	// Make it now calls the daemon's report function once.
	if r := s.postValues(t, cl, "/console/reports/make", url.Values{"csrf": {csrf}}); !strings.Contains(r.header.Get("Location"), "ok=") || made != 1 {
		t.Errorf("make report: %q, %d calls", r.header.Get("Location"), made)
	}
	// Search finds an imported post by link variant, and its page shows its history.
	r = s.get(t, cl, "/console/posts?link="+url.QueryEscape("https://m.facebook.com/tdtn.daklak/posts/21?fbclid=x"))
	if !strings.Contains(r.body, `<p id="found">1 bài.</p>`) {
		t.Errorf("search by link:\n%s", r.body)
	}
	if r := s.get(t, cl, "/console/posts?unit=dh-y-duoc-bmt&state=counted"); !strings.Contains(r.body, `<p id="found">1 bài.</p>`) || !strings.Contains(r.body, "posts/22") {
		t.Errorf("search by unit:\n%s", r.body)
	}
	if r := s.get(t, cl, "/console/posts?from=2023-03-29&to=2023-03-29"); !strings.Contains(r.body, `<p id="found">1 bài.</p>`) || !strings.Contains(r.body, "posts/21") {
		t.Errorf("search by date:\n%s", r.body)
	}
}

func TestConsoleDecisionsAndSources(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, staffConfig(t)+testkit.IdleSource("feed"))
	a := s.pending(t, "https://www.facebook.com/tdtn.daklak/posts/51", "không có đơn vị")
	b := s.pending(t, "https://www.facebook.com/tdtn.daklak/posts/52", "không có đơn vị")
	c := s.pending(t, "https://www.facebook.com/tdtn.daklak/posts/53", "không có đơn vị")
	cl, csrf := s.loggedIn(t)
	if r := s.get(t, cl, "/console/"); !strings.Contains(r.body, `<span class="big" id="queue-size">3</span>`) {
		t.Errorf("today before:\n%s", r.body)
	}
	// Several at once: the ticked ones, nothing else.
	r := s.postValues(t, cl, "/console/decide", url.Values{"csrf": {csrf}, "action": {"approve"}, "id": {a.ID, b.ID}, "back": {"/console/queue"}})
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || !strings.Contains(loc, "ok=") {
		t.Fatalf("bulk approve: %d %q", r.status, loc)
	}
	for id, want := range map[string]collector.ReviewState{a.ID: collector.ReviewCounted, b.ID: collector.ReviewCounted, c.ID: collector.ReviewPending} {
		if p, _, _ := s.st.Get(id); p.Review != want {
			t.Errorf("%s: %q; want %q", id, p.Review, want)
		}
	}
	// Reject without a reason is refused and says why; assign needs a known unit.
	if r := s.postValues(t, cl, "/console/decide", url.Values{"csrf": {csrf}, "one": {c.ID + ":reject"}}); !strings.Contains(r.header.Get("Location"), url.QueryEscape("Hãy ghi lý do khi loại bài.")) {
		t.Errorf("reject without a reason: %q", r.header.Get("Location"))
	}
	if r := s.postValues(t, cl, "/console/decide", url.Values{"csrf": {csrf}, "one": {c.ID + ":assign"}, "unit-" + c.ID: {"khong-co"}}); !strings.Contains(r.header.Get("Location"), "err=") {
		t.Errorf("assign to an unknown unit: %q", r.header.Get("Location"))
	}
	s.postValues(t, cl, "/console/decide", url.Values{"csrf": {csrf}, "one": {c.ID + ":assign"}, "unit-" + c.ID: {"dh-y-duoc-bmt"}})
	if p, _, _ := s.st.Get(c.ID); p.Unit != "dh-y-duoc-bmt" {
		t.Errorf("assigned to %q", p.Unit)
	}
	// Correct a post's numbers: the field typed changes, the others stay, the audit says who.
	r = s.postValues(t, cl, "/console/posts/"+a.ID, url.Values{"csrf": {csrf}, "likes": {"1,5K"}, "reason": {"số liệu chụp màn hình"}})
	if !strings.Contains(r.header.Get("Location"), "ok=") {
		t.Fatalf("correct: %d %q", r.status, r.header.Get("Location"))
	}
	p, _, _ := s.st.Get(a.ID)
	h, _ := s.st.History(a.ID)
	if p.Metrics.Likes != collector.Known(1500) || !p.PublishedAt.Equal(a.PublishedAt) || h[len(h)-1].Action != store.ActionCorrect || h[len(h)-1].Who != "staff:lan" {
		t.Errorf("after the correction: %+v %+v", p.Metrics, h[len(h)-1])
	}
	if r := s.postValues(t, cl, "/console/posts/"+a.ID, url.Values{"csrf": {csrf}, "likes": {"nhiều"}}); !strings.Contains(r.header.Get("Location"), "err=") {
		t.Errorf("a wrong number: %q", r.header.Get("Location"))
	}
	page := s.get(t, cl, "/console/posts/"+a.ID)
	if !strings.Contains(page.body, "staff:lan · correct — số liệu chụp màn hình") || !strings.Contains(page.body, `id="snapshots"`) {
		t.Errorf("post page:\n%s", page.body)
	}
	// Collect now runs the source through the runner: its health is recorded.
	if _, ok, _ := s.st.Source("feed"); ok {
		t.Fatal("the source ran before the click")
	}
	r = s.postValues(t, cl, "/console/sources/collect", url.Values{"csrf": {csrf}, "name": {"feed"}})
	if !strings.Contains(r.header.Get("Location"), "ok=") {
		t.Errorf("collect now: %q", r.header.Get("Location"))
	}
	if h, ok, _ := s.st.Source("feed"); !ok || h.LastSuccess.IsZero() {
		t.Errorf("source health after collect now: %+v %v", h, ok)
	}
	// Assigning a unit does not approve: the assigned post still waits.
	if r := s.get(t, cl, "/console/"); !strings.Contains(r.body, `<span class="big" id="queue-size">1</span>`) {
		t.Errorf("today after:\n%s", r.body)
	}
}

// TestConsoleCorrectionReadsLikeTheCommandLine: the console's correction form reads its
// values with review.Correction, the reader of `hashtrack review correct`, so the same
// wrong values are refused with the same words, every one at once, and nothing changes.
func TestConsoleCorrectionReadsLikeTheCommandLine(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, staffConfig(t))
	a := s.pending(t, "https://www.facebook.com/tdtn.daklak/posts/61", "không có đơn vị")
	cl, csrf := s.loggedIn(t)
	for _, tc := range []struct {
		name      string
		published string
		counts    map[string]string
		parts     int
	}{
		{"a wrong number", "", map[string]string{"likes": "nhiều"}, 1},
		{"every wrong value at once", "hôm qua", map[string]string{"likes": "nhiều", "views": "-3"}, 3},
		{"nothing to correct", "", map[string]string{}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := store.Decision{}
			bad := review.Correction(s.c.Campaigns(), s.c.Location(), &d, tc.published, "", tc.counts)
			if len(bad) != tc.parts {
				t.Fatalf("review.Correction found %d wrong values, want %d: %v", len(bad), tc.parts, bad)
			}
			want := correctionRefused(bad)
			if strings.Contains(want, " is not ") || strings.Contains(want, "nothing to correct") {
				t.Errorf("the console's refusal is English: %q", want)
			}
			v := url.Values{"csrf": {csrf}, "published": {tc.published}}
			for k, n := range tc.counts {
				v.Set(k, n)
			}
			r := s.postValues(t, cl, "/console/posts/"+a.ID, v)
			loc, err := url.Parse(r.header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			if got := loc.Query().Get("err"); got != want {
				t.Errorf("console says %q\nthe command line's reader says %q", got, want)
			}
			if p, _, _ := s.st.Get(a.ID); p.Metrics.Likes != collector.Known(10) || !p.PublishedAt.Equal(a.PublishedAt) {
				t.Errorf("a refused correction changed the post: %+v %v", p.Metrics, p.PublishedAt)
			}
		})
	}
}
