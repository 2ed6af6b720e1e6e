package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/internal/web/webtest"
	"github.com/tinhdoandaklak/hashtrack/report"
)

// xssPayload would set a marker (and change the title) if it ever ran.
const xssPayload = `<img src=x onerror="window.__xss=1;document.title='pwned'">`

const noScriptRan = `window.__xss === undefined && document.title.indexOf('pwned') < 0 && document.querySelectorAll('main img').length === 0`

// TestInBrowser starts one Chromium for the pages the daemon serves, and goes through
// them in its first tab one after the other: the form, the report, the console and its
// refusals. One tab is one renderer process; a tab of its own for each, at once, cost
// more CPU than the whole wait it saved (measured on the 2-core machine, three runs
// each: 6.6 → 5.7 CPU-s, whole machine, for 0.4 s more). The console and its refusals
// each start with the browser's cookies emptied, so neither sees the other's session.
func TestInBrowser(t *testing.T) {
	t.Parallel()
	tab := webtest.NewBrowser(t)
	t.Run("form", func(t *testing.T) { testForm(t, tab) })
	t.Run("report served", func(t *testing.T) { testReportServed(t, tab) })
	t.Run("console", func(t *testing.T) {
		webtest.ForgetCookies(t, tab)
		testConsole(t, tab)
	})
	t.Run("console refusals", func(t *testing.T) {
		webtest.ForgetCookies(t, tab)
		testConsoleRefusals(t, tab)
	})
}

func testForm(t *testing.T, ctx context.Context) {
	s := newTestServer(t, "")

	t.Run("fill and submit stores the post", func(t *testing.T) {
		link := "https://www.tiktok.com/@doantanloi/video/7215000000000000001?is_from_webapp=1"
		webtest.Within(t, ctx,
			chromedp.Navigate(s.ts.URL+"/submit/"+testkit.UnitToken),
			chromedp.WaitVisible(chromedp.ID("url")),
			webtest.Fill(chromedp.ID("url"), link))
		if got := webtest.Read(t, ctx, chromedp.Value(chromedp.ID("platform"))); got != "tiktok" {
			t.Errorf("platform detected from the link: %q", got)
		}
		if w := webtest.Read(t, ctx, chromedp.Evaluate[float64](`document.getElementById('send').getBoundingClientRect().width`)); w < 300 {
			t.Errorf("send button %.0f px wide on a 390 px phone", w)
		}
		webtest.Within(t, ctx,
			chromedp.SetValue(chromedp.ID("published"), "2023-03-29"),
			webtest.Fill(chromedp.ID("likes"), "1,2K"),
			webtest.Fill(chromedp.ID("comments"), "15"),
			webtest.Fill(chromedp.ID("note"), xssPayload),
			chromedp.Click(chromedp.ID("send")),
			chromedp.WaitVisible(chromedp.ID("outcome")))
		if got := webtest.Read(t, ctx, chromedp.Text(chromedp.ID("outcome"))); got != "Đã ghi nhận bài đăng mới." {
			t.Errorf("outcome %q", got)
		}
		for id, want := range map[string]string{"rec-unit": "Đoàn phường Tân Lợi", "rec-platform": "TikTok", "rec-published": "29/03/2023",
			"rec-likes": "1.200", "rec-shares": "không có số liệu", "rec-note": xssPayload} {
			if got := webtest.Read(t, ctx, chromedp.Text(chromedp.ID(id))); got != want {
				t.Errorf("%s shows %q; want %q", id, got, want)
			}
		}
		if !webtest.Read(t, ctx, chromedp.Evaluate[bool](noScriptRan)) {
			t.Errorf("the note's payload ran in the confirmation page")
		}
		p := s.post(t, link)
		if p.Platform != "tiktok" || p.Unit != "tan-loi" || p.Metrics.Likes != collector.Known(1200) || p.Metrics.Comments != collector.Known(15) ||
			p.Note != xssPayload || p.PublishedAt.In(collector.DefaultLocation()).Format("02/01/2006") != "29/03/2023" {
			t.Errorf("stored %+v", p)
		}
	})

	t.Run("bad link shows the error inline", func(t *testing.T) {
		webtest.Within(t, ctx,
			chromedp.Navigate(s.ts.URL+"/submit/"+campaignToken),
			chromedp.WaitVisible(chromedp.ID("unit")),
			webtest.Fill(chromedp.ID("url"), "facebook com/tdtn.daklak/posts/1"),
			chromedp.SetValue(chromedp.ID("unit"), "dh-y-duoc-bmt"),
			webtest.Fill(chromedp.ID("note"), xssPayload),
			chromedp.Click(chromedp.ID("send")),
			chromedp.WaitVisible(chromedp.ID("error-url")))
		if got := webtest.Read(t, ctx, chromedp.Text(chromedp.ID("error-url"))); !strings.HasPrefix(got, "Đường dẫn không hợp lệ — hãy sao chép lại link bài đăng") {
			t.Errorf("inline error %q", got)
		}
		if got := webtest.Read(t, ctx, chromedp.Value(chromedp.ID("note"))); got != xssPayload {
			t.Errorf("note not kept: %q", got)
		}
		if got := webtest.Read(t, ctx, chromedp.Value(chromedp.ID("unit"))); got != "dh-y-duoc-bmt" {
			t.Errorf("unit not kept: %q", got)
		}
		if got := webtest.Read(t, ctx, chromedp.Evaluate[string](`document.activeElement ? document.getElementById('url').getAttribute('aria-invalid') : ''`)); got != "true" {
			t.Errorf("url field not marked invalid: %q", got)
		}
		if !webtest.Read(t, ctx, chromedp.Evaluate[bool](noScriptRan)) {
			t.Errorf("the note's payload ran in the form")
		}
		if n, _ := s.st.Count(); n != 1 {
			t.Errorf("%d posts; the bad one must not be stored", n)
		}
	})
}

// testReportServed: the day's report, served by the daemon under its own
// Content-Security-Policy, still draws its charts. That the first page links to it is
// an HTTP fact, read from the page here (TestReadingPages reads the link's wording);
// the browser opens the report itself.
func testReportServed(t *testing.T, ctx context.Context) {
	s := newTestServer(t, testkit.PublicReports)
	r := s.postForm(t, testkit.UnitToken, url.Values{"url": {"https://www.facebook.com/tdtn.daklak/posts/1"}, "published": {"2023-03-29"}, "likes": {"12"}})
	if r.status != 200 {
		t.Fatalf("submit: %d", r.status)
	}
	files, err := report.WriteArchive(context.Background(), s.st, report.ArchiveOptions{Dir: s.c.ReportPath(), Campaigns: s.c.Campaigns(),
		Units: s.c.Units(), Lang: "vi", Now: testNow, Location: s.c.Location(), StaleAfter: s.c.Report.StaleAfter.Duration, TopN: s.c.Report.TopN})
	if err != nil || len(files) == 0 {
		t.Fatalf("reports: %v %v", files, err)
	}
	const latest = "/reports/cds/latest.html"
	if page := s.do(t, "GET", "/", "", "", nil).body; !strings.Contains(page, `<a href="`+latest+`">`) {
		t.Fatalf("the first page does not link to %s:\n%s", latest, page)
	}
	webtest.Within(t, ctx,
		chromedp.Navigate(s.ts.URL+latest),
		chromedp.WaitReady(chromedp.CSS("[_echarts_instance_]")))
	if n := webtest.Read(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('[_echarts_instance_]').length`)); n < 1 {
		t.Errorf("%v charts drawn", n)
	}
	if loc := webtest.Read(t, ctx, chromedp.Location()); loc != s.ts.URL+latest {
		t.Errorf("at %s", loc)
	}
}
