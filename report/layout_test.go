package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
)

// layoutProbe measures a drawn report in the page itself, with getBoundingClientRect:
// where the first-screen blocks end, words that do not fit their table cell (broken
// over lines or sticking out), elements sticking out of their card (header or section),
// chart text outside its chart, chart texts drawn over each other, and every chart's
// numeric axis labels.
const layoutProbe = `(function () {
  var out = {firstScreen: {}, narrowCells: [], overflow: [], clipped: [], overlaps: [], axisLabels: {}, cells: 0, words: 0};
  ['answer', 'answer-progress', 'answer-without', 'answer-queue'].forEach(function (id) {
    var el = document.getElementById(id);
    out.firstScreen[id] = el ? Math.round(el.getBoundingClientRect().bottom + window.scrollY) : -1;
  });
  function box(el) { var r = el.getBoundingClientRect(); return {l: r.left, r: r.right, t: r.top, b: r.bottom, w: r.width, h: r.height}; }
  function name(el) { return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + el.className : '') + ' "' + (el.textContent || '').trim().slice(0, 50) + '"'; }
  document.querySelectorAll('td, th').forEach(function (cell) {
    var c = box(cell);
    if (c.w === 0) { return; }
    out.cells++;
    var cs = getComputedStyle(cell);
    var left = c.l + parseFloat(cs.paddingLeft) - 1, right = c.r - parseFloat(cs.paddingRight) + 1;
    var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      var re = /[^\s\u200b]+/g, m;
      while ((m = re.exec(n.data))) {
        out.words++;
        var range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        var rects = Array.from(range.getClientRects()).filter(function (r) { return r.width > 0; });
        if (rects.length !== 1 || rects[0].left < left || rects[0].right > right) {
          out.narrowCells.push('"' + m[0] + '" over ' + rects.length + ' line(s) in a cell ' + Math.round(right - left) + ' px wide: ' + name(cell));
        }
      }
    }
  });
  document.querySelectorAll('header, section').forEach(function (card) {
    var c = box(card);
    card.querySelectorAll('*').forEach(function (el) {
      if (el.closest('svg') || el.closest('[_echarts_instance_] > div:not(:first-child)')) { return; } // charts: below
      var r = box(el);
      if (r.w === 0 || r.h === 0) { return; }
      if (r.l < c.l - 1 || r.r > c.r + 1) {
        out.overflow.push(name(el) + ' spans ' + Math.round(r.l) + '–' + Math.round(r.r) + ' in a card ' + Math.round(c.l) + '–' + Math.round(c.r));
      }
    });
  });
  document.querySelectorAll('[_echarts_instance_]').forEach(function (chart) {
    var c = box(chart);
    var texts = Array.from(chart.querySelectorAll('svg text')).filter(function (t) { var b = box(t); return b.w > 0 && t.textContent.trim() !== ''; });
    var labels = [];
    texts.forEach(function (t) {
      var b = box(t);
      if (b.l < c.l - 1 || b.r > c.r + 1 || b.t < c.t - 1 || b.b > c.b + 1) {
        out.clipped.push(chart.id + ': "' + t.textContent + '" at ' + Math.round(b.l - c.l) + ',' + Math.round(b.t - c.t) + ' in ' + Math.round(c.w) + '×' + Math.round(c.h));
      }
      if (/^-?[0-9][0-9.,]*$/.test(t.textContent.trim())) { labels.push(t.textContent.trim()); }
    });
    out.axisLabels[chart.id] = labels;
    for (var i = 0; i < texts.length; i++) {
      for (var j = i + 1; j < texts.length; j++) {
        var a = box(texts[i]), b = box(texts[j]);
        var w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
        if (w > 1 && h > 1) {
          out.overlaps.push(chart.id + ': "' + texts[i].textContent + '" and "' + texts[j].textContent + '"');
        }
      }
    }
  });
  return JSON.stringify(out);
})()`

type layout struct {
	FirstScreen map[string]float64  `json:"firstScreen"`
	NarrowCells []string            `json:"narrowCells"`
	Overflow    []string            `json:"overflow"`
	Clipped     []string            `json:"clipped"`
	Overlaps    []string            `json:"overlaps"`
	AxisLabels  map[string][]string `json:"axisLabels"`
	Cells       int                 `json:"cells"`
	Words       int                 `json:"words"`
}

// shotDir is where the screenshots and the PDF go: HASHTRACK_SCREENSHOTS names it
// (the README's pictures come from there). Unset, none is taken: nothing checks them,
// and a full-page screenshot costs as much as loading the page.
func shotDir(t *testing.T) string {
	d := os.Getenv("HASHTRACK_SCREENSHOTS")
	if d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// screenshot writes a full-page PNG of the tab to dir/name, when dir is set.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// probe measures the report drawn in the tab (see layoutProbe).
func probe(t *testing.T, ctx context.Context) layout {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](layoutProbe))
	if err != nil {
		t.Fatal(err)
	}
	var l layout
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// watchRedrawJS makes the page note when the report has handled a change of its
// viewport or media. These listeners were added after the report's own, so when one
// runs the report has already resized its charts; it then waits for each chart's
// 'finished', which ECharts sends once it has drawn the new size. Run once per page
// before each change: it clears what the last change noted.
const watchRedrawJS = `(function () {
  var w = window.__redraw;
  if (w) { w.seen = {}; w.finished = []; return true; }
  w = window.__redraw = {seen: {}, finished: []};
  var charts = Array.from(document.querySelectorAll('[_echarts_instance_]'), function (el) { return echarts.getInstanceByDom(el); });
  function handled(kind) { w.seen[kind] = true; w.finished = charts.map(function () { return false; }); }
  charts.forEach(function (c, i) { c.on('finished', function () { w.finished[i] = true; }); });
  window.addEventListener('resize', function () { handled('resize'); });
  window.matchMedia('print').addEventListener('change', function () { handled('print'); });
  return true;
})()`

// redrawnJS waits in the page until the report has handled a %q event and every chart
// has been drawn since.
const redrawnJS = `new Promise(function (resolve) {
  (function frame() {
    var w = window.__redraw;
    if (w.seen[%q] && w.finished.length > 0 && w.finished.every(Boolean)) { resolve(true); return; }
    requestAnimationFrame(frame);
  })();
})`

// redraw applies change to the tab and waits until the report has redrawn its charts
// for the event it causes ("resize" or "print").
func redraw(t *testing.T, ctx context.Context, event string, change chromedp.Action[chromedp.Void]) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](watchRedrawJS)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, change); err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := chromedp.Run(wait, chromedp.Evaluate[bool](fmt.Sprintf(redrawnJS, event), chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("charts not redrawn after the %s event: %v", event, err)
	}
}

// printMedia switches the tab to print media, as printing does; the report then sizes
// its charts for the paper.
var printMedia = chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	return err
})

// A4 inside the report's 12 mm margins is 186 × 273 mm: 703 × 1032 CSS pixels.
const a4Width, a4Height = 703, 1032

// demoPending holds every 50th post for staff, as a month of form submissions does:
// the report's first screen then has a review-queue line.
func demoPending(posts []collector.Post) []collector.Post {
	for i := 0; i < len(posts); i += 50 {
		posts[i].Review, posts[i].Reason = collector.ReviewPending, review.ReasonManualSource
	}
	return posts
}

// demoReportFile writes the HTML report of the documentation's demo month (many units,
// long names, four-digit numbers) in lang and returns its path.
func demoReportFile(t *testing.T, lang string) string {
	t.Helper()
	in := demoInput()
	in.Lang = lang
	st := openFixtureAt(t, demoPending(demoPosts(600)), in.Now)
	r := mustAggregate(t, st, in)
	var b bytes.Buffer
	if err := r.RenderHTML(&b); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "report-"+lang+".html")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

var (
	viThousands = regexp.MustCompile(`^-?\d{1,3}(\.\d{3})+$`)
	enThousands = regexp.MustCompile(`^-?\d{1,3}(,\d{3})+$`)
)

// checkViLayout asserts what the Vietnamese demo report must be at any width: the
// answer within the first height px, tables and cards that fit, chart text neither
// clipped nor overlapping, and "." thousands on every value axis.
func checkViLayout(t *testing.T, l layout, height int64) {
	t.Helper()
	// The answer: target progress and the units to remind on the first screen
	// (the top of page 1 on paper: 273 mm of A4 inside its margins is 1032 px).
	for _, id := range []string{"answer-progress", "answer-without", "answer-queue"} {
		if b := l.FirstScreen[id]; b <= 0 || b > float64(height) {
			t.Errorf("#%s ends at %.0f px, want within the first %d px", id, b, height)
		}
	}
	if l.Cells < 40 || l.Words < 200 {
		t.Errorf("probed %d cells and %d words: the tables are missing", l.Cells, l.Words)
	}
	for _, list := range []struct {
		what  string
		items []string
	}{{"table cell narrower than its longest word", l.NarrowCells}, {"text outside its card", l.Overflow},
		{"chart text clipped", l.Clipped}, {"chart texts overlap", l.Overlaps}} {
		for i, s := range list.items {
			if i == 8 {
				t.Errorf("… and %d more", len(list.items)-i)
				break
			}
			t.Errorf("%s: %s", list.what, s)
		}
	}
	// Every chart with a value axis labels it with "." thousands.
	big := 0
	for _, id := range []string{"chart-daily", "chart-units", "chart-engagement"} {
		labels := l.AxisLabels[id]
		if len(labels) < 3 {
			t.Errorf("%s: numeric labels %q, want its value axes", id, labels)
		}
		for _, s := range labels {
			if strings.Contains(s, ",") {
				t.Errorf("%s: label %q uses the English separator", id, s)
			}
			if digits := strings.Count(s, "") - 1 - strings.Count(s, "."); digits >= 4 {
				big++
				if !viThousands.MatchString(s) {
					t.Errorf("%s: label %q is not written 1.234", id, s)
				}
			}
		}
	}
	if big == 0 {
		t.Errorf("no axis label of four digits or more (%v): the test cannot see the separator", l.AxisLabels)
	}
}

// browserLayout (TestBrowser/Layout): the demo report on a 390 px phone, a 1280 px desktop and A4 paper
// puts the answer on the first screen, fits its tables and cards, writes numbers the
// Vietnamese way on every chart, and prints to a PDF.
func browserLayout(t *testing.T, tabs *tabs) {
	dir := shotDir(t)
	vi := demoReportFile(t, "vi")

	// The desk, then paper, in one load, as a leader prints the report from a desktop
	// browser: the report's own resize and print handling redraws the charts. (Loaded
	// at 703 px instead, the charts get the same options: a chart is narrower than
	// 640 px, where the report shortens unit names, at neither width.)
	t.Run("desktop 1280 px", func(t *testing.T) {
		t.Parallel()
		ctx := tabs.take(t)
		load(t, ctx, vi, 1280, 900, 5)
		checkViLayout(t, probe(t, ctx), 900)
		screenshot(t, ctx, dir, "report-desktop.png")

		t.Run("A4 print width", func(t *testing.T) {
			redraw(t, ctx, "resize", chromedp.EmulateViewport(a4Width, a4Height))
			redraw(t, ctx, "print", printMedia)
			checkViLayout(t, probe(t, ctx), a4Height)
		})

		t.Run("A4 PDF", func(t *testing.T) {
			pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
			if err != nil {
				t.Fatal(err)
			}
			if dir != "" {
				if err := os.WriteFile(filepath.Join(dir, "report-a4.pdf"), pdf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) || pages < 2 || pages > 12 {
				t.Errorf("PDF of %d bytes, %d pages; want an A4 document of 2–12 pages", len(pdf), pages)
			}
			// A4 is 595 × 842 points (Chromium writes 594.96 × 841.92).
			boxes := regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]`).FindAllSubmatch(pdf, -1)
			if len(boxes) != pages {
				t.Errorf("%d page sizes for %d pages", len(boxes), pages)
			}
			for _, b := range boxes {
				w, _ := strconv.ParseFloat(string(b[1]), 64)
				h, _ := strconv.ParseFloat(string(b[2]), 64)
				if math.Abs(w-595) > 1 || math.Abs(h-842) > 1 {
					t.Errorf("a page of %s × %s points, want A4 (595 × 842)", b[1], b[2])
				}
			}
		})
	})

	// A phone loads the report at its own width: a fresh load, not a resize.
	t.Run("phone 390 px", func(t *testing.T) {
		t.Parallel()
		ctx := tabs.take(t)
		load(t, ctx, vi, 390, 800, 5)
		checkViLayout(t, probe(t, ctx), 800)
		screenshot(t, ctx, dir, "report-phone.png")
	})

	t.Run("potential reach", func(t *testing.T) {
		t.Parallel()
		checkReachLayout(t, tabs, dir)
	})

	t.Run("English keeps English numbers", func(t *testing.T) {
		t.Parallel()
		en := demoReportFile(t, "en")
		ctx := tabs.take(t)
		load(t, ctx, en, 1280, 900, 5)
		l := probe(t, ctx)
		big := 0
		for id, labels := range l.AxisLabels {
			for _, s := range labels {
				if len(s) >= 5 && !enThousands.MatchString(s) {
					t.Errorf("%s: label %q is not written 1,234", id, s)
				}
				if enThousands.MatchString(s) {
					big++
				}
			}
		}
		if big == 0 {
			t.Errorf("no English thousands label: %v", l.AxisLabels)
		}
	})
}
