package report

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/url"
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

// shotDir is where the screenshots and the PDF go: HASHTRACK_SCREENSHOTS to keep them
// (the README's pictures come from there), else a temporary folder.
func shotDir(t *testing.T) string {
	if d := os.Getenv("HASHTRACK_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// measure opens file in a new tab of width × height (print media when print is set),
// waits for the five charts, takes a full-page screenshot to shot (unless "") and
// returns the probe's findings.
func measure(t *testing.T, bctx context.Context, file string, width, height int64, print bool, shot string) layout {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(bctx)
	defer cancelTab()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	defer cancel()
	u := url.URL{Scheme: "file", Path: file}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(u.String())); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('[_echarts_instance_] svg').length >= 5`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Fatalf("charts not drawn at %d px: %v", width, err)
	}
	if print {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
	}
	// Let a resize (the print width) settle: ECharts redraws on the next frames.
	if err := chromedp.Do(ctx, chromedp.Sleep(400*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](layoutProbe))
	if err != nil {
		t.Fatal(err)
	}
	var l layout
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		t.Fatal(err)
	}
	if shot != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

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

// browserLayout (TestBrowser/Layout): the demo report on a 390 px phone, a 1280 px desktop and A4 paper
// puts the answer on the first screen, fits its tables and cards, writes numbers the
// Vietnamese way on every chart, and prints to a PDF.
func browserLayout(t *testing.T, bctx context.Context) {
	dir := shotDir(t)
	vi := demoReportFile(t, "vi")

	for _, tc := range []struct {
		name          string
		width, height int64
		print         bool
		shot          string
	}{
		{"phone 390 px", 390, 800, false, "report-phone.png"},
		{"desktop 1280 px", 1280, 900, false, "report-desktop.png"},
		{"A4 print width", 703, 1032, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each measurement has its own tab
			shot := ""
			if tc.shot != "" {
				shot = filepath.Join(dir, tc.shot)
			}
			l := measure(t, bctx, vi, tc.width, tc.height, tc.print, shot)
			// The answer: target progress and the units to remind on the first screen
			// (the top of page 1 on paper: 273 mm of A4 inside its margins is 1032 px).
			for _, id := range []string{"answer-progress", "answer-without", "answer-queue"} {
				if b := l.FirstScreen[id]; b <= 0 || b > float64(tc.height) {
					t.Errorf("#%s ends at %.0f px, want within the first %d px", id, b, tc.height)
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
		})
	}

	// Not parallel: it runs (two tabs) before the measurements above start, so the
	// browser never holds more tabs at once than it did without it.
	t.Run("potential reach", func(t *testing.T) {
		checkReachLayout(t, bctx, dir)
	})

	t.Run("English keeps English numbers", func(t *testing.T) {
		t.Parallel()
		l := measure(t, bctx, demoReportFile(t, "en"), 1280, 900, false, "")
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

	t.Run("A4 PDF", func(t *testing.T) {
		t.Parallel()
		tab, cancelTab := chromedp.NewContext(bctx)
		defer cancelTab()
		if err := chromedp.Do(tab); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
		defer cancel()
		u := url.URL{Scheme: "file", Path: vi}
		if err := chromedp.Do(ctx, chromedp.Navigate(u.String())); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('[_echarts_instance_] svg').length >= 5`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
			t.Fatal(err)
		}
		pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "report-a4.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
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
}
