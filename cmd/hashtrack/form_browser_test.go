package main

import (
	"context"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip on a
// developer's machine, and fail under CI (CI=true), which installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs the Debian package")
	}
	t.Skip("chromium is not installed (apt-get install chromium); under CI=true this fails")
	return ""
}

// newBrowser starts a headless Chromium with a phone-sized window and no network
// beyond loopback.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	dir, err := os.MkdirTemp("", "hashtrack-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(390, 844))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		// The browser's helpers may still write for a moment after it stops.
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// The first run starts the browser: no timeout on it (it would kill the browser).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// within runs browser steps with a deadline, so a page that hangs fails the test.
func within(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func read[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// xssPayload would set a marker (and change the title) if it ever ran.
const xssPayload = `<img src=x onerror="window.__xss=1;document.title='pwned'">`

const noScriptRan = `window.__xss === undefined && document.title.indexOf('pwned') < 0 && document.querySelectorAll('main img').length === 0`

func TestFormInBrowser(t *testing.T) {
	s := newTestServer(t, "")
	ctx := newBrowser(t)

	t.Run("fill and submit stores the post", func(t *testing.T) {
		link := "https://www.tiktok.com/@doantanloi/video/7215000000000000001?is_from_webapp=1"
		within(t, ctx,
			chromedp.Navigate(s.ts.URL+"/submit/"+unitToken),
			chromedp.WaitVisible(chromedp.ID("url")),
			chromedp.SendKeys(chromedp.ID("url"), link))
		if got := read(t, ctx, chromedp.Value(chromedp.ID("platform"))); got != "tiktok" {
			t.Errorf("platform detected from the link: %q", got)
		}
		if w := read(t, ctx, chromedp.Evaluate[float64](`document.getElementById('send').getBoundingClientRect().width`)); w < 300 {
			t.Errorf("send button %.0f px wide on a 390 px phone", w)
		}
		within(t, ctx,
			chromedp.SetValue(chromedp.ID("published"), "2023-03-29"),
			chromedp.SendKeys(chromedp.ID("likes"), "1,2K"),
			chromedp.SendKeys(chromedp.ID("comments"), "15"),
			chromedp.SendKeys(chromedp.ID("note"), xssPayload),
			chromedp.Click(chromedp.ID("send")),
			chromedp.WaitVisible(chromedp.ID("outcome")))
		if got := read(t, ctx, chromedp.Text(chromedp.ID("outcome"))); got != "Đã ghi nhận bài đăng mới." {
			t.Errorf("outcome %q", got)
		}
		for id, want := range map[string]string{"rec-unit": "Đoàn phường Tân Lợi", "rec-platform": "TikTok", "rec-published": "29/03/2023",
			"rec-likes": "1.200", "rec-shares": "không có số liệu", "rec-note": xssPayload} {
			if got := read(t, ctx, chromedp.Text(chromedp.ID(id))); got != want {
				t.Errorf("%s shows %q; want %q", id, got, want)
			}
		}
		if !read(t, ctx, chromedp.Evaluate[bool](noScriptRan)) {
			t.Errorf("the note's payload ran in the confirmation page")
		}
		p := s.post(t, link)
		if p.Platform != "tiktok" || p.Unit != "tan-loi" || p.Metrics.Likes != collector.Known(1200) || p.Metrics.Comments != collector.Known(15) ||
			p.Note != xssPayload || p.PublishedAt.In(collector.DefaultLocation()).Format("02/01/2006") != "29/03/2023" {
			t.Errorf("stored %+v", p)
		}
	})

	t.Run("bad link shows the error inline", func(t *testing.T) {
		within(t, ctx,
			chromedp.Navigate(s.ts.URL+"/submit/"+campaignToken),
			chromedp.WaitVisible(chromedp.ID("unit")),
			chromedp.SendKeys(chromedp.ID("url"), "facebook com/tdtn.daklak/posts/1"),
			chromedp.SetValue(chromedp.ID("unit"), "dh-y-duoc-bmt"),
			chromedp.SendKeys(chromedp.ID("note"), xssPayload),
			chromedp.Click(chromedp.ID("send")),
			chromedp.WaitVisible(chromedp.ID("error-url")))
		if got := read(t, ctx, chromedp.Text(chromedp.ID("error-url"))); !strings.HasPrefix(got, "Đường dẫn không hợp lệ — hãy sao chép lại link bài đăng") {
			t.Errorf("inline error %q", got)
		}
		if got := read(t, ctx, chromedp.Value(chromedp.ID("note"))); got != xssPayload {
			t.Errorf("note not kept: %q", got)
		}
		if got := read(t, ctx, chromedp.Value(chromedp.ID("unit"))); got != "dh-y-duoc-bmt" {
			t.Errorf("unit not kept: %q", got)
		}
		if got := read(t, ctx, chromedp.Evaluate[string](`document.activeElement ? document.getElementById('url').getAttribute('aria-invalid') : ''`)); got != "true" {
			t.Errorf("url field not marked invalid: %q", got)
		}
		if !read(t, ctx, chromedp.Evaluate[bool](noScriptRan)) {
			t.Errorf("the note's payload ran in the form")
		}
		if n, _ := s.st.Count(); n != 1 {
			t.Errorf("%d posts; the bad one must not be stored", n)
		}
	})
}

// TestReportServedInBrowser: the day's report, served by the daemon under its own
// Content-Security-Policy, still draws its charts.
func TestReportServedInBrowser(t *testing.T) {
	s := newTestServer(t, "")
	r := s.postForm(t, unitToken, url.Values{"url": {"https://www.facebook.com/tdtn.daklak/posts/1"}, "published": {"2023-03-29"}, "likes": {"12"}})
	if r.status != 200 {
		t.Fatalf("submit: %d", r.status)
	}
	files, err := writeDailyReports(context.Background(), &env{now: s.now, stdout: io.Discard, stderr: io.Discard}, s.c, s.st)
	if err != nil || len(files) == 0 {
		t.Fatalf("reports: %v %v", files, err)
	}
	ctx := newBrowser(t)
	within(t, ctx,
		chromedp.Navigate(s.ts.URL+"/"),
		chromedp.Click(chromedp.CSS(`a[href="/reports/cds/latest.html"]`)),
		chromedp.WaitReady(chromedp.CSS("[_echarts_instance_]")))
	if n := read(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('[_echarts_instance_]').length`)); n < 1 {
		t.Errorf("%v charts drawn", n)
	}
	if loc := read(t, ctx, chromedp.Location()); loc != s.ts.URL+"/reports/cds/latest.html" {
		t.Errorf("at %s", loc)
	}
}
