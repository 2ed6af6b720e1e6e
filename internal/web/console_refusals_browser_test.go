package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/web/webtest"
)

// lockedName is the account the browser locks out; staffName, beside it, is the one
// that then logs in, so one browser context shows both.
const lockedName = "minh"

// testConsoleRefusals is the console's "no" as a real browser meets it, from a
// browser without cookies (TestInBrowser empties them): wrong passwords lock an account on
// the login page; a forged CSRF token and a form posted from another site decide
// nothing. That every staff page without a session leads to the login page is an HTTP
// fact: TestConsoleNeedsLogin proves it page by page, and this test for the queue. So
// is the 421 to a foreign host name (DNS rebinding): the request carries the name in
// its Host header whoever sends it, and TestConsoleRefuses sends it to five pages.
func testConsoleRefusals(t *testing.T, ctx context.Context) {
	// Three wrong passwords lock here (ten in production: TestConsoleLockout); the
	// browser shows the same page and message either way.
	s := newTestServer(t, staffConfig(t, lockedName), func(o *Options) { o.MaxFailures = 3 })
	p := s.pending(t, "https://www.facebook.com/tdtn.daklak/posts/51", "ngoài thời gian chiến dịch")
	stillPending := func(why string) {
		t.Helper()
		if got, _, _ := s.st.Get(p.ID); got.Review != collector.ReviewPending {
			t.Errorf("%s: the post is %q, want it still pending", why, got.Review)
		}
	}
	// refused waits for the answer page of a refused request and returns its message:
	// the page is ours (not the one the click or the other site left) once #message
	// is there.
	refused := func(steps ...chromedp.Action[chromedp.Void]) string {
		t.Helper()
		webtest.Within(t, ctx, append(steps, chromedp.WaitVisible(chromedp.ID("message")))...)
		if status := webtest.Read(t, ctx, chromedp.Evaluate[float64](`performance.getEntriesByType('navigation')[0].responseStatus`)); status != http.StatusForbidden {
			t.Errorf("refused with %v, want 403", status)
		}
		return webtest.Read(t, ctx, chromedp.Text(chromedp.ID("message")))
	}

	// Without a session the queue leads to the login page.
	webtest.Within(t, ctx, chromedp.Navigate(s.ts.URL+"/console/queue"), chromedp.WaitVisible(chromedp.ID("password")))
	if loc, err := url.Parse(webtest.Read(t, ctx, chromedp.Location())); err != nil || loc.Path != "/login" {
		t.Errorf("the queue without a session ended at %v, want the login page", loc)
	}

	// Wrong passwords lock the account: the right password is then refused too. Each
	// answer is the login page again with its message; the message of the page the
	// click leaves is removed first, so the wait finds the answer's.
	var said string
	for i := range 4 {
		password := fmt.Sprintf("sai-mat-khau-%d", i)
		if i == 3 {
			password = staffPassword
		}
		webtest.Within(t, ctx,
			chromedp.Evaluate[chromedp.Void](`document.getElementById('login-error')?.remove()`),
			webtest.Fill(chromedp.ID("name"), lockedName),
			webtest.Fill(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("login")),
			chromedp.WaitVisible(chromedp.ID("login-error")))
		said = webtest.Read(t, ctx, chromedp.Text(chromedp.ID("login-error")))
		if strings.Contains(said, "cũ") {
			t.Fatalf("attempt %d: %q (the form's token was refused, so the attempt did not count)", i+1, said)
		}
		if i < 2 && said != "Sai tên đăng nhập hoặc mật khẩu." {
			t.Errorf("wrong password %d: %q", i+1, said)
		}
	}
	if !strings.Contains(said, "Tài khoản tạm khoá sau 3 lần nhập sai mật khẩu") {
		t.Errorf("the right password after three wrong ones: %q, want the account locked", said)
	}
	if loc, err := url.Parse(webtest.Read(t, ctx, chromedp.Location())); err != nil || loc.Path != "/login" {
		t.Errorf("the locked account reached %v", loc)
	}

	// Another account logs in from the same page and comes back to the queue.
	webtest.Within(t, ctx,
		webtest.Fill(chromedp.ID("name"), staffName),
		webtest.Fill(chromedp.ID("password"), staffPassword),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("queue")))

	// The session's token, as a leak would give it, for the other site below.
	token := webtest.Read(t, ctx, chromedp.Evaluate[string](`document.querySelector('input[name=csrf]').value`))

	// A forged CSRF token: the approve button posts it and nothing is decided.
	if n := webtest.Read(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('input[name=csrf]').forEach(i => i.value = 'forged'), document.querySelectorAll('input[name=csrf]').length`)); n == 0 {
		t.Fatal("the queue page has no CSRF field")
	}
	if msg := refused(chromedp.Click(chromedp.CSS(`#row-` + p.ID + ` button.approve`))); !strings.Contains(msg, "Phiên làm việc của biểu mẫu này không còn hợp lệ") {
		t.Errorf("forged CSRF token answered %q", msg)
	}
	stillPending("forged CSRF token")

	// A page of another site posts the approve form with the right token: the
	// cross-origin check refuses it.
	if token == "" || token == "forged" {
		t.Fatalf("the session's token read from the queue: %q", token)
	}
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/console/decide">
<input name="csrf" value="%s"><input name="one" value="%s:approve"></form>
<script>document.getElementById('f').submit()</script>`, s.ts.URL, token, p.ID)
	}))
	t.Cleanup(evil.Close)
	if msg := refused(chromedp.Navigate(evil.URL)); !strings.Contains(msg, "Biểu mẫu chỉ nhận bài gửi từ chính trang của hashtrack") {
		t.Errorf("the other site's form answered %q", msg)
	}
	if loc := webtest.Read(t, ctx, chromedp.Location()); !strings.HasPrefix(loc, s.ts.URL+"/console/decide") {
		t.Errorf("the other site's form did not reach the console (at %s)", loc)
	}
	stillPending("a form posted from another site")
}
