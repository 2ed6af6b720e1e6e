package report

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// findChromium returns the path of a Chromium or Chrome binary. Without one the test
// is skipped on a developer machine, and fails under CI=true, where .ci/run installs it.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found, and CI=true: the browser test must run in CI (install the chromium package)")
	}
	t.Skip("chromium not found; install it (apt-get install chromium) to run the browser test")
	return ""
}

// browser starts a headless Chromium that cannot resolve any host name, so a report
// that needs the network shows it.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 2400))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser; it must not carry a timeout (that would end
	// the browser with it).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// pageResult is what the browser saw of a report.
type pageResult struct {
	instances int
	drawn     bool
	pwned     bool
	text      string
	console   []chromedp.ConsoleMessage
	unitAxis  []string
}

// openReport loads an HTML report from a file in a fresh tab and waits until the
// charts are drawn.
func openReport(t *testing.T, bctx context.Context, html []byte, charts int) pageResult {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, html, 0o644); err != nil {
		t.Fatal(err)
	}
	tab, cancelTab := chromedp.NewContext(bctx)
	defer cancelTab()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var msgs []chromedp.ConsoleMessage
	done := make(chan struct{})
	listen, stopListen := context.WithCancel(tab)
	messages := chromedp.Console(listen)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, m)
			mu.Unlock()
		}
	}()
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	defer cancel()
	u := url.URL{Scheme: "file", Path: file}
	if err := chromedp.Do(ctx, chromedp.Navigate(u.String())); err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	var res pageResult
	var err error
	sel := `document.querySelectorAll('[_echarts_instance_]').length`
	if _, err = chromedp.Run(ctx, chromedp.Poll[bool](sel+` >= `+itoa(int64(charts)), chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Errorf("waiting for %d charts: %v", charts, err)
	}
	// Let the page settle so a late error would still be heard.
	if err := chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if res.instances, err = chromedp.Run(ctx, chromedp.Evaluate[int](sel)); err != nil {
		t.Fatal(err)
	}
	if res.drawn, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`Array.from(document.querySelectorAll('[_echarts_instance_]')).every(function (el) {
		var c = el.querySelector('svg'); return !!c && c.getBoundingClientRect().width > 0 && c.getBoundingClientRect().height > 0 && c.querySelectorAll('path').length > 0; })`)); err != nil {
		t.Fatal(err)
	}
	if res.pwned, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.__pwned !== 'undefined'`)); err != nil {
		t.Fatal(err)
	}
	if res.text, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`)); err != nil {
		t.Fatal(err)
	}
	if res.unitAxis, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`echarts.getInstanceByDom(document.getElementById('chart-units')).getOption().yAxis[0].data`)); err != nil {
		t.Errorf("read the unit chart's labels: %v", err)
	}
	stopListen()
	<-done
	mu.Lock()
	res.console = msgs
	mu.Unlock()
	return res
}

func consoleErrors(msgs []chromedp.ConsoleMessage) []string {
	var out []string
	for _, m := range msgs {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			out = append(out, m.String()+" at "+m.URL)
		}
	}
	return out
}

// TestBrowser starts one Chromium for every browser test of the report (a browser's
// start is much of such a test's cost); each check opens its own tabs.
func TestBrowser(t *testing.T) {
	t.Parallel()
	bctx := browser(t)
	t.Run("Report", func(t *testing.T) {
		t.Parallel()
		browserReport(t, bctx)
	})
	t.Run("Layout", func(t *testing.T) {
		t.Parallel()
		browserLayout(t, bctx)
	})
}

func browserReport(t *testing.T, bctx context.Context) {

	t.Run("draws every chart offline", func(t *testing.T) {
		t.Parallel()
		st := openFixture(t, fixturePosts())
		r := mustAggregate(t, st, fixtureInput("vi"))
		var b bytes.Buffer
		if err := r.RenderHTML(&b); err != nil {
			t.Fatal(err)
		}
		res := openReport(t, bctx, b.Bytes(), 5)
		if res.instances != 5 {
			t.Errorf("%d ECharts instances, want 5 (one per chart)", res.instances)
		}
		if !res.drawn {
			t.Error("a chart container has no drawn SVG")
		}
		if errs := consoleErrors(res.console); len(errs) > 0 {
			t.Errorf("console errors: %v", errs)
		}
		for _, want := range []string{"Huyện Đoàn Krông Pắc", "8 / 6 = 133 %", "+18 so với kỳ trước"} {
			if !strings.Contains(res.text, want) {
				t.Errorf("page text lacks %q", want)
			}
		}
	})

	t.Run("hostile text stays text", func(t *testing.T) {
		t.Parallel()
		payloads := []string{
			`</script><script>window.__pwned=1</script>`,
			`<img src=x onerror="window.__pwned=1">`,
			`__f__function(){window.__pwned=1}__f__`,
		}
		units := collector.Units{
			{ID: "tan-loi", Name: payloads[0]},
			{ID: "y-duoc", Name: payloads[2]},
			{ID: "ea-kar", Name: "Huyện Đoàn Ea Kar"},
			{ID: "krong-pac", Name: payloads[1]},
		}
		posts := fixturePosts()
		for i := range posts {
			posts[i].Title = payloads[i%3]
			posts[i].Author = payloads[(i+1)%3]
		}
		posts[3].Platform = payloads[2] // a platform name reaches the donut and the stack legend
		posts[6].Title = ""             // the author is shown instead
		st := openFixture(t, posts)
		in := fixtureInput("vi")
		in.Units = units
		in.Campaign.Name = payloads[1]
		in.Sources = append(in.Sources, payloads[0])
		r := mustAggregate(t, st, in)
		var b bytes.Buffer
		if err := r.RenderHTML(&b); err != nil {
			t.Fatal(err)
		}
		for _, p := range payloads[:2] {
			if strings.Contains(b.String(), p) {
				t.Errorf("the HTML holds %q unescaped", p)
			}
		}
		res := openReport(t, bctx, b.Bytes(), 5)
		if res.pwned {
			t.Fatal("a payload ran: window.__pwned is set")
		}
		if res.instances != 5 || !res.drawn {
			t.Errorf("%d charts drawn (%v), want 5", res.instances, res.drawn)
		}
		for _, p := range payloads {
			if !strings.Contains(res.text, p) {
				t.Errorf("payload %q is not shown as text", p)
			}
			if !slices.Contains(res.unitAxis, p) && p != payloads[1] {
				t.Errorf("unit chart labels %q lack payload %q as literal text", res.unitAxis, p)
			}
		}
		if errs := consoleErrors(res.console); len(errs) > 0 {
			t.Errorf("console errors: %v", errs)
		}
	})
}
