// Package webtest starts a headless Chromium for the tests of pages hashtrack serves or
// writes (the branches' form, the reports). It is imported by tests only.
package webtest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Chromium finds Debian's Chromium: chromium-headless-shell first, the same Blink and
// V8 as the chromium package without the browser's window layer, which Chromium's
// developers ship for automated tests. Measured on the 2-core machine, it loads the
// same pages with half the CPU (report tests 21 → 12 CPU-s, console and form tests
// 22 → 10), and every assertion holds with either. The full chromium is used when it
// is the one installed. Without either the browser tests skip on a developer's
// machine, and fail under CI (CI=true), which installs the headless shell.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs Debian's chromium-headless-shell")
	}
	t.Skip("chromium is not installed (apt-get install chromium-headless-shell); under CI=true this fails")
	return ""
}

// Interpreted runs the pages' JavaScript in V8's interpreter only: no Sparkplug,
// Maglev or TurboFan. A test page runs its script once (ECharts draws a handful of
// charts and stops), so what the optimizing compilers make, on threads of their own,
// is never paid back. Measured on the 2-core machine, report's TestBrowser on two tabs,
// whole machine with Chromium: 9.4–10.5 CPU-s without, 8.1–8.5 with (four runs each).
// Other V8 settings measured no better (--lite-mode, --single-threaded). The pages run
// the same script either way, so every assertion holds with either. (Not
// --disable-threaded-compositing: 20 % cheaper, because the headless shell then draws
// no frame at all — no requestAnimationFrame, no screenshot; the report's charts never
// finish.)
func Interpreted() chromedp.ExecAllocatorOption {
	return chromedp.Flag("js-flags", "--no-opt --no-maglev --no-sparkplug")
}

// NewBrowser starts a headless Chromium with a phone-sized window and no network
// beyond loopback; it stops when the test ends.
func NewBrowser(t testing.TB) context.Context {
	t.Helper()
	dir, err := os.MkdirTemp("", "hashtrack-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		Interpreted(), chromedp.WindowSize(390, 844))
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

// stepLimit bounds one batch of browser steps, so a page that hangs fails the test
// instead of hanging it; it is not a measure of speed.
const stepLimit = 60 * time.Second

// Within runs browser steps with a deadline.
func Within(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepLimit)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// Read runs one browser action that returns a value, with a deadline.
func Read[T any](t testing.TB, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepLimit)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// ForgetCookies empties the browser's cookies, so a test that logs in starts without
// the session of the one before it in the same tab. (Cookies ignore the port: the
// httptest servers of two tests share them.)
func ForgetCookies(t testing.TB, ctx context.Context) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepLimit)
	defer cancel()
	if _, err := chromedp.Call(tctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatalf("empty the cookies: %v", err)
	}
}

// Fill empties a form field and puts text in it as a paste or a phone keyboard's
// suggestion does: the browser's own input event, once for the whole text. It stands in
// for chromedp.SendKeys, which sends three protocol messages per character; a link
// typed key by key took seconds, and what the tests check (the page reacting to input,
// the text sent and shown back) does not depend on the keys.
func Fill[S chromedp.Selectable](sel S, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(sel, chromedp.NodeVisible),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.value = ''`),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}))
}
