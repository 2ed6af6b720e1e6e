package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

func testIngestRunner(c *config.Config, st *store.Store) *ingest.Runner {
	return &ingest.Runner{Config: c, Store: st, Fetcher: fetch.New(c.FetchOptions())}
}

// TestServe runs a small burst: 4 branches × 6 submissions (within the per-address
// burst of 30, so none is refused) through the real handler while 3 feeds of 2 items
// are collected. Every submission is stored as a new post, half through the form; the
// first branch's link has review = "manual", so its 6 posts wait in the queue. A staff
// member logged in through the login form reads every page, the console's included,
// and each read is the page itself (200, redirects not followed).
func TestServe(t *testing.T) {
	t.Parallel()
	rep, err := Run(context.Background(), Options{Runs: 1, Items: 2, Seed: 2023, Dir: t.TempDir(), Kinds: testKinds,
		Serve: ServeOptions{Branches: 4, PerBranch: 6, Feeds: 3}, Runner: testIngestRunner})
	if err != nil {
		t.Fatal(err)
	}
	v := rep.Serve
	if v.Err != "" {
		t.Fatalf("serve not measured: %s", v.Err)
	}
	if v.Submissions != 24 || v.Accepted != 24 || len(v.Latencies) != 24 || v.FormPosts != 12 {
		t.Errorf("sent %d, accepted %d, %d latencies, %d by form; want 24, 24, 24, 12", v.Submissions, v.Accepted, len(v.Latencies), v.FormPosts)
	}
	if len(v.Errors) != 0 || v.FirstError != "" {
		t.Errorf("errors %v (%s)", v.Errors, v.FirstError)
	}
	// 24 submitted links + 3 feeds × 2 items.
	if v.Stored != 30 || v.CollectFails != 0 || v.CollectErr != "" {
		t.Errorf("stored %d posts, %d sources failed (%s); want 30 and 0", v.Stored, v.CollectFails, v.CollectErr)
	}
	if v.Pending != 6 {
		t.Errorf("%d posts wait in the review queue, want 6 (the first branch's)", v.Pending)
	}
	md := markdown(rep)
	consoles := 0
	for _, p := range servePages {
		pr := v.Pages[p.Path]
		if pr == nil || len(pr.Latencies) == 0 || len(pr.Errors) != 0 {
			t.Errorf("%s: %+v; want reads answered 200 and no error", p.Path, pr)
			continue
		}
		if slices.Min(pr.Latencies) <= 0 {
			t.Errorf("%s: a read took %v", p.Path, slices.Min(pr.Latencies))
		}
		if p.isConsole() {
			consoles++
		}
		got := cell(t, md, fmt.Sprintf("%s `%s`", p.Kind, p.Path))
		if got[0] != fmt.Sprint(len(pr.Latencies)) || got[4] != "none" {
			t.Errorf("%s row %v, want %d reads and no error", p.Path, got, len(pr.Latencies))
		}
	}
	if testing.Verbose() {
		t.Logf("\n%s", md)
	}
	if consoles != 3 {
		t.Errorf("%d console pages read, want 3 (home, review queue, posts list)", consoles)
	}
	for _, name := range []string{"burst: index and report pages answer in ≤ 200 ms (p99)", "burst: console pages (home, review queue, posts list) answer in ≤ 200 ms (p99)"} {
		// Each target names its own pages: the console's in the console's only.
		if got := cell(t, md, name); got[1] == "not measured" || strings.Contains(got[0], "/console/") != strings.Contains(name, "console") {
			t.Errorf("%s: %v", name, got)
		}
	}
	if got := cell(t, md, "posts in the store afterwards"); got[0] != "30" {
		t.Errorf("stored row %v", got)
	}
	if got := cell(t, md, `of them waiting in the review queue (every 10th branch's link has review = "manual")`); got[0] != "6" {
		t.Errorf("queue row %v", got)
	}
	if got := cell(t, md, "accepted (201 or 200)"); got[0] != "24" {
		t.Errorf("accepted row %v", got)
	}
	if got := cell(t, md, "submissions sent (JSON API / form)"); got[0] != "24 (12 / 12)" {
		t.Errorf("sent row %v", got)
	}
	if got := cell(t, md, "burst: 0 errors other than the limiter's 429s"); got[0] != "none" || got[1] != "met" {
		t.Errorf("errors target %v", got)
	}
	if strings.Contains(md, "## Store and report") || strings.Contains(md, "## Collect") {
		t.Errorf("a serve-only run prints the other tables:\n%s", md)
	}
	if !strings.Contains(md, "bench --serve-only --feeds 3 --branches 4 --per-branch 6") {
		t.Errorf("command line not shown:\n%s", md)
	}
}

// TestServeLoginRefused: when the staff login fails the console cannot be read, and the
// serve figures say why instead of timing the login page.
func TestServeLoginRefused(t *testing.T) {
	t.Parallel()
	rep, err := Run(context.Background(), Options{Runs: 1, Seed: 2023, Dir: t.TempDir(), Kinds: testKinds,
		Serve: ServeOptions{Branches: 1, PerBranch: 1}, Runner: testIngestRunner, loginPassword: "sai-mat-khau"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "bench: staff login: POST /login answered 401"; !strings.HasPrefix(rep.Serve.Err, want) {
		t.Errorf("serve error %q, want %q…", rep.Serve.Err, want)
	}
	if got := cell(t, markdown(rep), "burst: console pages (home, review queue, posts list) answer in ≤ 200 ms (p99)"); got[1] != "not measured" {
		t.Errorf("console target %v", got)
	}
}

// TestStaffClient: a page that sends the reader elsewhere (to the login page, when the
// session is not accepted) is counted with its own status, never as the page it
// redirects to; the client keeps the cookies the server sets.
func TestStaffClient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.SetCookie(w, &http.Cookie{Name: "s", Value: "1", Path: "/"})
			fmt.Fprint(w, "<form>đăng nhập</form>")
		case "/console/":
			if ck, err := r.Cookie("s"); err == nil && ck.Value == "1" {
				fmt.Fprint(w, "hôm nay")
				return
			}
			http.Redirect(w, r, "/login?next=%2Fconsole%2F", http.StatusSeeOther)
		}
	}))
	defer srv.Close()
	c := staffClient(1) // 127.0.0.1: httptest listens there
	for i, want := range []int{http.StatusSeeOther, http.StatusOK} {
		if i == 1 {
			if _, status, err := timedGet(context.Background(), c, srv.URL+"/login"); err != nil || status != http.StatusOK {
				t.Fatalf("GET /login: %d %v", status, err)
			}
		}
		d, status, err := timedGet(context.Background(), c, srv.URL+"/console/")
		if err != nil || status != want || d <= 0 {
			t.Errorf("read %d: status %d, %v, took %v; want %d", i, status, err, d, want)
		}
	}
	if got := kindOf(http.StatusSeeOther, nil); got != "HTTP 303" {
		t.Errorf("kind %q", got)
	}
}

func TestServeNotMeasured(t *testing.T) {
	t.Parallel()
	rep, err := Run(context.Background(), Options{Runs: 1, Dir: t.TempDir(), Kinds: testKinds, Serve: ServeOptions{Branches: 1, PerBranch: 1}})
	if err != nil {
		t.Fatal(err)
	}
	md := markdown(rep)
	if !strings.Contains(md, "Not measured: no ingest runner was given to the bench") {
		t.Errorf("no reason given:\n%s", md)
	}
	if got := cell(t, md, "burst: ≥ 900 submissions/s (link checks off)"); got[1] != "not measured" {
		t.Errorf("target %v", got)
	}
}

// TestServeTargets checks the serve verdicts and the error kinds against hand-made
// figures: 429s are allowed, anything else fails the target.
func TestServeTargets(t *testing.T) {
	ms := time.Millisecond
	lat := make([]time.Duration, 100)
	for i := range lat {
		lat[i] = time.Duration(i+1) * ms // p50 50 ms, p99 99 ms
	}
	const console = "burst: console pages (home, review queue, posts list) answer in ≤ 200 ms (p99)"
	posts := servePages[4].Path
	for _, tc := range []struct {
		name      string
		accepted  int
		elapsed   time.Duration
		errs      map[string]int
		page      time.Duration
		queueErrs map[string]int // errors of the review queue's reads
		want      map[string][2]string
	}{
		{"met", 1000, time.Second, map[string]int{kindOf(http.StatusTooManyRequests, nil): 7}, 150 * ms, nil, map[string][2]string{
			"burst: ≥ 900 submissions/s (link checks off)":           {"1000/s", "met"},
			"burst: p99 latency ≤ 100 ms":                            {"99.0 ms", "met"},
			"burst: 0 errors other than the limiter's 429s":          {"429: 7", "met"},
			"burst: index and report pages answer in ≤ 200 ms (p99)": {"/ 150.0 ms, /reports/cds/latest.html 150.0 ms", "met"},
			console: {"/console/ 150.0 ms, /console/queue 150.0 ms, " + posts + " 150.0 ms", "met"},
		}},
		{"missed", 850, time.Second, map[string]int{"429": 2, kindOf(500, nil): 1, kindOf(0, errors.New("reset")): 3}, 250 * ms, nil, map[string][2]string{
			"burst: ≥ 900 submissions/s (link checks off)":           {"850/s", "**not met**"},
			"burst: p99 latency ≤ 100 ms":                            {"99.0 ms", "met"},
			"burst: 0 errors other than the limiter's 429s":          {"429: 2, HTTP 500: 1, network: 3", "**not met**"},
			"burst: index and report pages answer in ≤ 200 ms (p99)": {"/ 250.0 ms, /reports/cds/latest.html 250.0 ms", "**not met**"},
			console: {"/console/ 250.0 ms, /console/queue 250.0 ms, " + posts + " 250.0 ms", "**not met**"},
		}},
		// Fast, but the queue was refused twice (rate-limited away): the console fails.
		{"console refused", 1000, time.Second, nil, 150 * ms, map[string]int{"429": 2}, map[string][2]string{
			"burst: ≥ 900 submissions/s (link checks off)":           {"1000/s", "met"},
			"burst: p99 latency ≤ 100 ms":                            {"99.0 ms", "met"},
			"burst: 0 errors other than the limiter's 429s":          {"none", "met"},
			"burst: index and report pages answer in ≤ 200 ms (p99)": {"/ 150.0 ms, /reports/cds/latest.html 150.0 ms", "met"},
			console: {"/console/ 150.0 ms, /console/queue 150.0 ms (2 errors), " + posts + " 150.0 ms", "**not met**"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pages := map[string]*PageReads{}
			for _, p := range servePages {
				pages[p.Path] = &PageReads{Latencies: []time.Duration{ms, tc.page}}
			}
			pages["/console/queue"].Errors = tc.queueErrs
			r := &Report{Options: Options{Serve: ServeOptions{Branches: 60, PerBranch: 25}},
				Serve: ServeResult{Accepted: tc.accepted, Elapsed: tc.elapsed, Latencies: lat, Errors: tc.errs, Pages: pages}}
			got := r.targets()
			if len(got) != len(tc.want) {
				t.Fatalf("%d targets, want %d: %+v", len(got), len(tc.want), got)
			}
			for _, tg := range got {
				w, ok := tc.want[tg.name]
				if !ok {
					t.Errorf("unexpected target %q", tg.name)
					continue
				}
				if tg.measured != w[0] || tg.verdict() != w[1] {
					t.Errorf("%s: %q %q, want %q %q", tg.name, tg.measured, tg.verdict(), w[0], w[1])
				}
			}
		})
	}
	if p := percentile(lat, 50); p != 50*ms {
		t.Errorf("p50 %v", p)
	}
	if p := percentile(nil, 99); p != 0 {
		t.Errorf("p99 of nothing %v", p)
	}
}

// TestServeLinkChecks runs a burst with link checks on: every submitted link's page is
// read once from the bench's loopback page server (never from the platform), and every
// submission is still accepted.
func TestServeLinkChecks(t *testing.T) {
	t.Parallel()
	rep, err := Run(context.Background(), Options{Runs: 1, Seed: 2023, Dir: t.TempDir(), Kinds: testKinds,
		Serve: ServeOptions{Branches: 3, PerBranch: 4, LinkChecks: true, PageDelay: time.Millisecond}, Runner: testIngestRunner})
	if err != nil {
		t.Fatal(err)
	}
	v := rep.Serve
	if v.Err != "" || v.FirstError != "" || v.ChecksErr != "" {
		t.Fatalf("serve: %q %q %q", v.Err, v.FirstError, v.ChecksErr)
	}
	if v.Accepted != 12 || v.Stored != 12 {
		t.Errorf("accepted %d, stored %d; want 12 and 12", v.Accepted, v.Stored)
	}
	// Links are stored first and their checks left to CheckLinks, which this test
	// does not give the bench: no page is read during the burst.
	if v.PagesRead != 0 {
		t.Errorf("%d pages read, want 0: links are stored first and wait for a check, and this bench has no CheckLinks", v.PagesRead)
	}
	// Each submission wrote: as many transactions as submissions at most (fewer when
	// some shared one).
	if v.Transactions < 1 || v.Transactions > 12 {
		t.Errorf("%d write transactions for 12 submissions", v.Transactions)
	}
	if v.CPU <= 0 || v.CPUPerSubmission() <= 0 {
		t.Errorf("CPU %v, per submission %v: not measured", v.CPU, v.CPUPerSubmission())
	}
	md := markdown(rep)
	if got := cell(t, md, "burst: ≥ 900 submissions/s (link checks on)"); got[1] == "not measured" {
		t.Errorf("link-checks target %v", got)
	}
	if got := cell(t, md, "link checks: pages read during the burst (each answers after 1ms)"); got[0] != fmt.Sprint(v.PagesRead) {
		t.Errorf("pages row %v", got)
	}
	if !strings.Contains(md, "--link-checks --page-delay 1ms") {
		t.Errorf("command line without --link-checks:\n%s", md)
	}
}
