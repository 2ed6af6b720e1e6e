package main

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tinhdoandaklak/hashtrack/internal/web/webtest"
)

// TestDemoReportOffline opens the report `hashtrack demo` writes, from the file, in a
// browser that can resolve no host: every chart of the sample campaign is drawn.
func TestDemoReportOffline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if r := runCmd(t, filepath.Join(dir, "absent.toml"), "demo", "--out", dir); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	ctx := webtest.NewBrowser(t)
	page := url.URL{Scheme: "file", Path: filepath.Join(dir, "reports", "cds2023", "latest.html")}
	webtest.Within(t, ctx, chromedp.EmulateViewport(390, 800), chromedp.Navigate(page.String()), chromedp.WaitReady(chromedp.CSS("[_echarts_instance_]")))
	// The answer on a phone's first screen: progress to the target and who has not posted.
	for _, id := range []string{"answer-progress", "answer-without"} {
		bottom := webtest.Read(t, ctx, chromedp.Evaluate[float64](`document.getElementById('`+id+`').getBoundingClientRect().bottom + window.scrollY`))
		if bottom <= 0 || bottom > 800 {
			t.Errorf("#%s ends at %.0f px on a 390 × 800 phone, want within the first screen", id, bottom)
		}
	}
	charts := webtest.Read(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('[_echarts_instance_]').length`))
	drawn := webtest.Read(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('[_echarts_instance_] svg').length`))
	if charts != 5 || drawn < 5 {
		t.Errorf("%v charts with %v SVG drawings, want 5", charts, drawn)
	}
	text := webtest.Read(t, ctx, chromedp.Evaluate[string](`document.body.innerText`))
	for _, want := range []string{"312 / 300 = 104 %", "13 / 15", "Huyện Đoàn Krông Bông"} {
		if !strings.Contains(text, want) {
			t.Errorf("report text lacks %q", want)
		}
	}
}
