package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/web/webtest"
)

// testConsoleRefusals is the console's "no" seen from a real browser, in a browser
// context of its own (no cookie of the other tabs): without a session every staff page
// and the report archive lead to the login page; a foreign host name gets 421; a forged
// CSRF token and a form posted from another site decide nothing; ten wrong passwords
// lock the account.
func testConsoleRefusals(t *testing.T, browser context.Context) {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	s := newTestServer(t, staffConfig(t))
	p := s.pending(t, "https://www.facebook.com/tdtn.daklak/posts/51", "ngoài thời gian chiến dịch")

	for _, page := range []string{"/console/", "/console/queue", "/console/posts", "/console/posts/" + p.ID, "/console/import",
		"/console/sources", "/console/links", "/console/links/print", "/console/reports", "/reports/"} {
		webtest.Within(t, ctx, chromedp.Navigate(s.ts.URL+page), chromedp.WaitVisible(chromedp.ID("password")))
		loc, err := url.Parse(webtest.Read(t, ctx, chromedp.Location()))
		if err != nil || loc.Path != "/login" {
			t.Errorf("%s without a session ended at %v, want the login page", page, loc)
		}
	}

	webtest.Within(t, ctx,
		chromedp.Navigate(s.ts.URL+"/console/queue"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), staffName),
		chromedp.SendKeys(chromedp.ID("password"), staffPassword),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("queue")))
	stillPending := func(why string) {
		t.Helper()
		if got, _, _ := s.st.Get(p.ID); got.Review != collector.ReviewPending {
			t.Errorf("%s: the post is %q, want it still pending", why, got.Review)
		}
	}

	// The same server reached under a foreign host name, as a DNS-rebinding page would
	// reach it: the Host check answers 421 before any page.
	port := s.ts.URL[strings.LastIndex(s.ts.URL, ":")+1:]
	foreign := "http://hashtrack-khac.test:" + port
	webtest.Within(t, ctx, chromedp.Navigate(foreign+"/console/"), chromedp.WaitReady(chromedp.CSS("body")))
	status := webtest.Read(t, ctx, chromedp.Evaluate[float64](`performance.getEntriesByType('navigation')[0].responseStatus`))
	if status != http.StatusMisdirectedRequest {
		t.Errorf("the console under a foreign host name answered %v, want 421", status)
	}
	webtest.Within(t, ctx, chromedp.Navigate(s.ts.URL+"/console/queue"), chromedp.WaitVisible(chromedp.ID("queue")))

	// A forged CSRF token: the approve button posts it and nothing is decided.
	if n := webtest.Read(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('input[name=csrf]').forEach(i => i.value = 'forged'), document.querySelectorAll('input[name=csrf]').length`)); n == 0 {
		t.Fatal("the queue page has no CSRF field")
	}
	webtest.Within(t, ctx,
		chromedp.Click(chromedp.CSS(`#row-`+p.ID+` button.approve`)),
		chromedp.WaitReady(chromedp.CSS("body")))
	time.Sleep(200 * time.Millisecond) // the navigation to the answer settles
	stillPending("forged CSRF token")

	// A page of another site posts the approve form with the right token (read from the
	// console, as a leak would give it): the cross-origin check refuses it.
	webtest.Within(t, ctx, chromedp.Navigate(s.ts.URL+"/console/queue"), chromedp.WaitVisible(chromedp.ID("queue")))
	token := webtest.Read(t, ctx, chromedp.Evaluate[string](`document.querySelector('input[name=csrf]').value`))
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/console/decide">
<input name="csrf" value="%s"><input name="one" value="%s:approve"></form>
<script>document.getElementById('f').submit()</script>`, s.ts.URL, token, p.ID)
	}))
	t.Cleanup(evil.Close)
	webtest.Within(t, ctx, chromedp.Navigate(evil.URL), chromedp.WaitReady(chromedp.CSS("body")))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && !strings.HasPrefix(webtest.Read(t, ctx, chromedp.Location()), s.ts.URL) {
		time.Sleep(50 * time.Millisecond)
	}
	if loc := webtest.Read(t, ctx, chromedp.Location()); !strings.HasPrefix(loc, s.ts.URL+"/console/decide") {
		t.Errorf("the other site's form did not reach the console (at %s)", loc)
	}
	stillPending("a form posted from another site")

	// Ten wrong passwords, in a browser context that has no session, lock the account:
	// the right password is then refused too.
	lockCtx, cancelLock := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelLock)
	if err := chromedp.Do(lockCtx); err != nil {
		t.Fatal(err)
	}
	var said string
	for i := range 11 {
		password := fmt.Sprintf("sai-mat-khau-%d", i)
		if i == 10 {
			password = staffPassword
		}
		// Each answer is the login page again with its message; wait for that page
		// (not the one the click left) before typing into it.
		webtest.Within(t, lockCtx,
			chromedp.Navigate(s.ts.URL+"/login"),
			chromedp.WaitVisible(chromedp.ID("password")),
			chromedp.SendKeys(chromedp.ID("name"), staffName),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("login")),
			chromedp.WaitVisible(chromedp.ID("login-error")))
		said = webtest.Read(t, lockCtx, chromedp.Text(chromedp.ID("login-error")))
		if strings.Contains(said, "cũ") {
			t.Fatalf("attempt %d: %q (the form's token was refused, so the attempt did not count)", i+1, said)
		}
	}
	if !strings.Contains(said, "Tài khoản tạm khoá sau 10 lần nhập sai mật khẩu") {
		t.Errorf("the right password after ten wrong ones: %q, want the account locked", said)
	}
	stillPending("after the lock")
}
