package report

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/web/webtest"
)

// browser returns the context of a headless Chromium that cannot resolve any host
// name, so a report that needs the network shows it. The browser is not started yet:
// the first run on the context starts it, and must not carry a timeout (that would end
// the browser with it).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := webtest.Chromium(t)
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		webtest.Interpreted(),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// browserTabs is how many pages the browser tests load at once. One: every page then
// loads in the same renderer, whose V8 compiled ECharts at the first, and no second
// renderer starts. Measured on the 2-core machine (TestBrowser, three runs each, whole
// machine, Chromium included): two tabs 7.9–8.4 CPU-s in 4.2–4.5 s, one tab 6.6–7.5
// CPU-s in 5.0–5.7 s. The whole suite is short of CPU, not of wall time, on two cores.
const browserTabs = 1

// tabs lends the browser's tabs to the browser subtests, browserTabs at most at once,
// and reuses a tab from one page to the next: its renderer keeps V8's compiled ECharts
// (a megabyte of script), which a fresh tab compiles again, and opening a tab costs
// almost as much as that. Each page is still a fresh load of its file.
type tabs struct {
	browser  context.Context
	started  chan struct{} // closed when the browser has started, or failed to
	startErr error
	idle     chan *tab // nil: a tab not opened yet, or closed after a failed test
}

type tab struct {
	ctx   context.Context
	close func()
}

// newTabs starts the browser of bctx in the background, so the subtests build their
// reports meanwhile. The browser's first tab is lent too.
func newTabs(t *testing.T, bctx context.Context) *tabs {
	p := &tabs{browser: bctx, started: make(chan struct{}), idle: make(chan *tab, browserTabs)}
	go func() {
		defer close(p.started)
		p.startErr = chromedp.Do(bctx)
	}()
	p.idle <- &tab{ctx: bctx, close: func() {}} // closing it would end the browser
	for range browserTabs - 1 {
		p.idle <- nil
	}
	t.Cleanup(func() {
		<-p.started
		for range browserTabs {
			if tb := <-p.idle; tb != nil {
				tb.close()
			}
		}
	})
	return p
}

// take waits for a tab, blank and cleared of what the last page set (viewport, print
// media), and gives it back when t ends. The tab of a failed test is not lent again:
// its page may be stuck (a dialog, a renderer gone). What t does in the tab has two
// minutes.
func (p *tabs) take(t *testing.T) context.Context {
	t.Helper()
	<-p.started
	if p.startErr != nil {
		t.Fatalf("start chromium: %v", p.startErr)
	}
	tb := <-p.idle
	if tb == nil {
		ctx, cancel := chromedp.NewContext(p.browser)
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			p.idle <- nil
			t.Fatalf("open a tab: %v", err)
		}
		tb = &tab{ctx: ctx, close: cancel}
	}
	t.Cleanup(func() {
		if t.Failed() {
			tb.close()
			tb = nil
		}
		p.idle <- tb
	})
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Minute)
	t.Cleanup(cancel)
	// The last page goes first: under it, the resets below and the next page's viewport
	// would be two resizes of a drawn report, each redrawing its charts for nothing.
	// Measured on the 2-core machine (TestBrowser, three runs each): 6.6–6.7 → 5.9–6.4
	// CPU-s, whole machine.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("leave the last page: %v", err)
	}
	if _, err := chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// chartsDrawnJS waits in the page until at least %d charts are drawn (each an SVG with
// paths and a size) and their sizes stay the same over two animation frames. The report
// turns ECharts' animation off, so a chart is whole once setOption returns; the frames
// let a resize the first layout caused be drawn too.
const chartsDrawnJS = `new Promise(function (resolve) {
  var want = %d, last = '';
  function sizes() {
    var els = document.querySelectorAll('[_echarts_instance_]');
    if (els.length < want) { return ''; }
    var out = [];
    for (var i = 0; i < els.length; i++) {
      var svg = els[i].querySelector('svg'), r = svg && svg.getBoundingClientRect();
      if (!svg || !r.width || !r.height || !svg.querySelector('path')) { return ''; }
      out.push(r.width + 'x' + r.height);
    }
    return out.join(' ');
  }
  function frame() {
    var s = sizes();
    if (s !== '' && s === last) { resolve(true); return; }
    last = s;
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})`

// navigate opens file in the tab, at width × height unless width is 0 (the tab's own
// size).
func navigate(t *testing.T, ctx context.Context, file string, width, height int64) {
	t.Helper()
	if width > 0 {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
			t.Fatal(err)
		}
	}
	u := url.URL{Scheme: "file", Path: file}
	if err := chromedp.Do(ctx, chromedp.Navigate(u.String())); err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
}

// chartsDrawn waits until at least charts charts are drawn (see chartsDrawnJS).
func chartsDrawn(ctx context.Context, charts int) error {
	wait, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := chromedp.Run(wait, chromedp.Evaluate[bool](fmt.Sprintf(chartsDrawnJS, charts), chromedp.EvalAwaitPromise)); err != nil {
		return fmt.Errorf("waiting for %d charts: %w", charts, err)
	}
	return nil
}

// load opens file in the tab at width × height and waits until at least charts charts
// are drawn.
func load(t *testing.T, ctx context.Context, file string, width, height int64, charts int) {
	t.Helper()
	navigate(t, ctx, file, width, height)
	if err := chartsDrawn(ctx, charts); err != nil {
		t.Fatalf("%d px: %v", width, err)
	}
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

// endOfPage is written to the console after the checks: the console's messages come
// in order, so once it is read every message the page wrote before it has been.
const endOfPage = "hashtrack test: end of page"

// openReport loads an HTML report from a file in a tab and waits until the charts are
// drawn, listening to the console from before the load to after the checks.
func openReport(t *testing.T, tabs *tabs, html []byte, charts int) pageResult {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, html, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := tabs.take(t)
	var msgs []chromedp.ConsoleMessage
	done := make(chan struct{})
	listen, stopListen := context.WithCancel(ctx)
	defer stopListen()
	messages := chromedp.Console(listen)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil || m.Type == chromedp.ConsoleDebug && m.Text == endOfPage {
				return
			}
			msgs = append(msgs, m)
		}
	}()
	navigate(t, ctx, file, 0, 0)
	// Not fatal: the checks below, the console's errors among them, tell why.
	if err := chartsDrawn(ctx, charts); err != nil {
		t.Error(err)
	}
	var res pageResult
	var err error
	sel := `document.querySelectorAll('[_echarts_instance_]')`
	if res.instances, err = chromedp.Run(ctx, chromedp.Evaluate[int](sel+`.length`)); err != nil {
		t.Fatal(err)
	}
	if res.drawn, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`Array.from(`+sel+`).every(function (el) {
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
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`console.debug(`+strconv.Quote(endOfPage)+`), true`)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("the console never said %q: %v", endOfPage, ctx.Err())
	}
	res.console = msgs
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
// start is much of such a test's cost); the checks share its tabs (see tabs). It starts
// before t.Parallel, so the browser comes up while the package's serial tests run.
func TestBrowser(t *testing.T) {
	tabs := newTabs(t, browser(t))
	t.Parallel()
	t.Run("Report", func(t *testing.T) {
		t.Parallel()
		browserReport(t, tabs)
	})
	t.Run("Layout", func(t *testing.T) {
		t.Parallel()
		browserLayout(t, tabs)
	})
}

func browserReport(t *testing.T, tabs *tabs) {
	// One page shows both: the fixture's report, with hostile text in every name and
	// title, draws its five charts in a browser that can resolve no host, shows the
	// fixture's figures, runs none of the text and logs no error.
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
		res := openReport(t, tabs, b.Bytes(), 5)
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
		for _, want := range []string{"Huyện Đoàn Ea Kar", "8 / 6 = 133 %", "+18 so với kỳ trước"} {
			if !strings.Contains(res.text, want) {
				t.Errorf("page text lacks %q", want)
			}
		}
	})
}
