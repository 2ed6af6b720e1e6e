package web

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/internal/web/webtest"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// testDemoReport opens the report `hashtrack demo` writes — the same three library
// calls runDemo makes (ingest.DemoConfig, ingest.LoadDemo, report.WriteArchive) —
// from its file, on a 390 px phone, in this package's browser, which can resolve no
// host: every chart of the sample campaign is drawn and the answer is on the first
// screen. (cmd/hashtrack's TestDemoCommandTwice checks that the command writes that
// file; this check lives here to share the one browser these tests start.)
func testDemoReport(t *testing.T, ctx context.Context) {
	dir := t.TempDir()
	c, err := ingest.DemoConfig(dir, testkit.IdleKinds())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := ingest.LoadDemo(context.Background(), st, c); err != nil {
		t.Fatal(err)
	}
	if _, err := report.WriteArchive(context.Background(), st, c.ArchiveOptions(time.Now())); err != nil {
		t.Fatal(err)
	}
	page := url.URL{Scheme: "file", Path: filepath.Join(dir, "reports", "cds2023", "latest.html")}
	webtest.Within(t, ctx, chromedp.EmulateViewport(390, 800), chromedp.Navigate(page.String()), chromedp.WaitReady(chromedp.CSS("[_echarts_instance_]")))
	// The answer on a phone's first screen: progress to the target and who has not posted.
	for _, id := range []string{"answer-progress", "answer-without"} {
		bottom := webtest.Read(t, ctx, chromedp.Evaluate[float64](`document.getElementById('`+id+`').getBoundingClientRect().bottom + window.scrollY`))
		if bottom <= 0 || bottom > 800 {
			t.Errorf("#%s ends at %.0f px on a 390 × 800 phone, want within the first screen", id, bottom)
		}
	}
	webtest.Read(t, ctx, chromedp.Poll[bool](`document.querySelectorAll('[_echarts_instance_] svg').length >= 5`, chromedp.WithPollingTimeout(time.Minute)))
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
