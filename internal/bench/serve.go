package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector/synth"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/web"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// ServeOptions say how to measure the daemon under an evening-deadline burst.
type ServeOptions struct {
	// Branches submit in parallel, each with its own form token (fixing its unit) and
	// its own client address (127.0.0.2, 127.0.0.3, …), so the per-address and
	// per-token rate limits apply per branch as they do in production.
	Branches int
	// PerBranch is how many posts each branch submits, one after another, alternating
	// the JSON API and the form. Past the per-address burst (30) the limiter answers
	// 429, as it would to a real branch.
	PerBranch int
	// Feeds is the collect of feeds that runs during the burst (0 = none).
	Feeds int
	// LinkChecks reads the page of every submitted link (the runner's ReadPages), from
	// a loopback server that answers each page after PageDelay (0 = DefaultPageDelay).
	// Whether a submission waits for its check is the ingest runner's to decide: the
	// figures show what a branch waits for.
	LinkChecks bool
	PageDelay  time.Duration
}

// DefaultServe is the burst the issue describes: 60 branches submitting 25 posts each
// (1,500 submissions) while 200 feeds are collected.
var DefaultServe = ServeOptions{Branches: 60, PerBranch: 25, Feeds: 200}

// RunnerFunc builds the ingest runner the daemon would use over c and st (fetch
// client, hooks); the serve figures submit through it. Link checks are on only with
// ServeOptions.LinkChecks, and then read pages from the bench's own loopback server.
type RunnerFunc func(c *config.Config, st *store.Store) *ingest.Runner

// CheckFunc runs the link checks waiting in the store once, as the daemon does in the
// background (after "store first, check links after"); the bench calls it again and
// again while the burst lasts. nil: no background checks (a runner that checks a link
// before storing it needs none).
type CheckFunc func(ctx context.Context, r *ingest.Runner) error

// ServeResult holds the serve figures (one run; a burst is thousands of samples).
type ServeResult struct {
	Branches, Submissions int
	Accepted              int           // answered 201 or 200
	Elapsed               time.Duration // first request sent to last answer read
	Latencies             []time.Duration
	// Errors counts the answers that were not 200/201, by kind: "429", "HTTP 4xx/5xx
	// <code>", "network".
	Errors     map[string]int
	FirstError string // one example of an error other than a 429
	Stored     int    // posts in the store afterwards, the collect's included
	FormPosts  int    // submissions sent through the form (the rest through the API)
	// Pages are the reads of each of servePages during the burst, by path, with the
	// staff session (the page errors are in Errors too, as "page <path>: <kind>").
	Pages map[string]*PageReads
	// Pending counts the posts in the review queue afterwards: the branches whose link
	// has review = "manual" (every reviewEvery-th) fill it during the burst.
	Pending      int
	CollectTime  time.Duration
	CollectFails int
	CollectErr   string
	// CPU is the time the bench process (server, clients, collect) spent on a CPU
	// during the burst; on a shared machine CPU ÷ Elapsed is the share it got. -1 =
	// unknown.
	CPU time.Duration
	// PagesRead counts the submitted links' pages read during the burst (link checks
	// on); ChecksErr is the first error of the background checks.
	PagesRead int64
	ChecksErr string
	// Transactions counts the store's write transactions during the burst (the
	// collect's included): fewer than the submissions when concurrent ones share one.
	Transactions int
	Err          string // why the serve figures were not measured
}

// CPUPerSubmission is the bench process's CPU time per accepted submission: what the
// burst costs, whatever share of the machine the process got.
func (r *ServeResult) CPUPerSubmission() time.Duration {
	if r.CPU < 0 || r.Accepted == 0 {
		return -1
	}
	return r.CPU / time.Duration(r.Accepted)
}

// PerSecond is accepted submissions per second of the burst.
func (r *ServeResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Accepted) / r.Elapsed.Seconds()
}

// percentile of durations, nearest rank (p in (0, 100]).
func percentile(xs []time.Duration, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// OtherErrors counts the errors that are not the limiter's 429s.
func (r *ServeResult) OtherErrors() int {
	n := 0
	for k, v := range r.Errors {
		if k != "429" {
			n += v
		}
	}
	return n
}

// reviewEvery: the link of every reviewEvery-th branch (the first included) has
// review = "manual", so its posts wait in the review queue staff read.
const reviewEvery = 10

// measureServe starts the daemon's HTTP handler on a loopback listener over a fresh
// store, writes the campaign's report, logs a staff member in, then lets the branches
// submit while the feeds are collected and servePages are read every pageEvery.
func measureServe(ctx context.Context, opts Options, g *synth.Generator) ServeResult {
	so := opts.Serve
	res := ServeResult{Branches: so.Branches, Submissions: so.Branches * so.PerBranch, Errors: map[string]int{}, Pages: map[string]*PageReads{}}
	for _, p := range servePages {
		res.Pages[p.Path] = &PageReads{Errors: map[string]int{}}
	}
	if opts.Runner == nil {
		res.Err = "no ingest runner was given to the bench"
		return res
	}
	if so.Feeds > 0 {
		if _, ok := opts.Kinds["feed"]; !ok {
			res.Err = "the feed collector (kind \"feed\") is not in this build"
			return res
		}
	}
	dir := filepath.Join(opts.Dir, "serve")
	defer os.RemoveAll(dir)
	units := synth.Units()
	var extra strings.Builder
	var feeds *feedServer
	if so.Feeds > 0 {
		feeds = newFeedServer(g, so.Feeds, max(opts.Items, 1), false)
		defer feeds.Close()
		for f := range so.Feeds {
			fmt.Fprintf(&extra, "[[source]]\nname = \"feed-%03d\"\nkind = \"feed\"\nurl = %q\nunit = %q\ncampaigns = [%q]\n\n",
				f, feeds.url(f), units[f%len(units)].ID, synth.CampaignID)
		}
	}
	tokens := make([]string, so.Branches)
	for b := range so.Branches {
		tokens[b] = fmt.Sprintf("branch-%03d-0123456789abcdef", b)
		review := ""
		if b%reviewEvery == 0 {
			review = "review = \"manual\"\n"
		}
		fmt.Fprintf(&extra, "[[token]]\ntoken = %q\nunit = %q\ncampaign = %q\n%s\n", tokens[b], units[b%len(units)].ID, synth.CampaignID, review)
	}
	hash, err := benchHash()
	if err != nil {
		res.Err = err.Error()
		return res
	}
	fmt.Fprintf(&extra, "[[staff]]\nname = %q\npassword_hash = %q\n\n", benchStaff, hash)
	text := configText(g, filepath.Join(dir, "hashtrack.db"), filepath.Join(dir, "reports"), extra.String())
	c, err := config.Parse(filepath.Join(opts.Dir, "serve.toml"), text, opts.Kinds)
	if err != nil {
		res.Err = err.Error()
		return res
	}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations()})
	if err != nil {
		res.Err = err.Error()
		return res
	}
	defer st.Close()
	runner := opts.Runner(c, st)
	runner.ReadPages = so.LinkChecks
	var pages *pageServer
	if so.LinkChecks {
		pages = newPageServer(cmp.Or(so.PageDelay, DefaultPageDelay))
		defer pages.Close()
		runner.ReadPage = pages.readPage
	}
	// The daemon logs every submission: the text is formatted as it would be, then
	// dropped rather than written to the terminal the bench prints to.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(web.Options{Config: c, Store: st, Runner: runner, Log: log})
	if err != nil {
		res.Err = err.Error()
		return res
	}
	defer srv.Close()
	camp := g.Campaign()
	if _, err := report.WriteArchive(ctx, st, report.ArchiveOptions{Dir: c.ReportPath(), Campaigns: c.Campaigns(), Units: c.Units(), To: camp.End, Location: camp.Loc()}); err != nil {
		res.Err = fmt.Sprintf("report: %v", err)
		return res
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		res.Err = err.Error()
		return res
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	staff := staffClient(254)
	if err := staffLogin(ctx, staff, base, benchStaff, cmp.Or(opts.loginPassword, benchPassword)); err != nil {
		res.Err = err.Error()
		return res
	}

	burstCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	if so.Feeds > 0 {
		wg.Go(func() {
			start := time.Now()
			outs, err := runner.Collect(ctx, ingest.Selection{All: true})
			res.CollectTime = time.Since(start)
			for _, o := range outs {
				if o.Err != nil {
					res.CollectFails++
				}
			}
			if err != nil {
				res.CollectErr = err.Error()
			}
		})
	}
	var mu sync.Mutex
	// The burst ends once every page was read at least once: a small burst (a test's)
	// can be over before the reader has gone round.
	pagesDone, pagesRound := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(pagesDone)
		tick := time.NewTicker(pageEvery)
		defer tick.Stop()
		for i := 0; ; i++ {
			p := servePages[i%len(servePages)]
			d, status, err := timedGet(burstCtx, staff, base+p.Path)
			if burstCtx.Err() != nil {
				return
			}
			mu.Lock()
			pr := res.Pages[p.Path]
			if err != nil || status != http.StatusOK {
				k := kindOf(status, err)
				pr.Errors[k]++
				res.Errors[fmt.Sprintf("page %s: %s", p.Path, k)]++
				res.FirstError = cmp.Or(res.FirstError, fmt.Sprintf("GET %s: %s", p.Path, errString(err, status)))
			} else {
				pr.Latencies = append(pr.Latencies, d)
			}
			mu.Unlock()
			if i == len(servePages)-1 {
				close(pagesRound)
			}
			select {
			case <-burstCtx.Done():
				return
			case <-tick.C:
			}
		}
	}()

	if pages != nil && opts.CheckLinks != nil {
		wg.Go(func() {
			for burstCtx.Err() == nil {
				if err := opts.CheckLinks(burstCtx, runner); err != nil && burstCtx.Err() == nil {
					mu.Lock()
					res.ChecksErr = cmp.Or(res.ChecksErr, err.Error())
					mu.Unlock()
				}
				select {
				case <-burstCtx.Done():
				case <-time.After(50 * time.Millisecond):
				}
			}
		})
	}

	changes, _ := st.Changes()
	cpu := processCPU()
	start := time.Now()
	var branches sync.WaitGroup
	for b := range so.Branches {
		branches.Go(func() {
			client := branchClient(2 + b)
			for i := range so.PerBranch {
				form := i%2 == 1
				d, status, err := submit(ctx, client, base, tokens[b], form, submission(g, b, i))
				mu.Lock()
				switch {
				case err == nil && (status == http.StatusCreated || status == http.StatusOK):
					res.Accepted++
					res.Latencies = append(res.Latencies, d)
				default:
					k := kindOf(status, err)
					res.Errors[k]++
					if k != "429" && res.FirstError == "" {
						res.FirstError = fmt.Sprintf("branch %d, submission %d: %s", b, i, errString(err, status))
					}
				}
				if form {
					res.FormPosts++
				}
				mu.Unlock()
			}
		})
	}
	branches.Wait()
	res.Elapsed = time.Since(start)
	res.CPU = -1
	if cpu >= 0 {
		res.CPU = processCPU() - cpu
	}
	if pages != nil {
		res.PagesRead = pages.reads.Load()
	}
	if n, err := st.Changes(); err == nil {
		res.Transactions = int(n - changes)
	}
	select {
	case <-pagesRound:
	case <-pagesDone: // ctx cancelled
	}
	stop()
	<-pagesDone
	wg.Wait()
	if n, err := st.Count(); err == nil {
		res.Stored = n
	}
	if q, err := st.Queue(ctx, ""); err == nil {
		res.Pending = len(q)
	}
	return res
}

// branchClient is an HTTP client whose connections come from 127.0.0.<host>: each
// branch is a distinct client address to the server's per-address limit.
func branchClient(host int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(host))}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2}}
}

// submission is post i of branch b: a TikTok link of its own, dated inside the campaign,
// with a few counts as branches type them.
func submission(g *synth.Generator, b, i int) map[string]string {
	day := g.Start.AddDate(0, 0, (b+i)%synth.Days).Add(time.Duration(8+i%12) * time.Hour)
	return map[string]string{
		"url":       fmt.Sprintf("https://www.tiktok.com/@doan%03d/video/7%018d", b, b*100_000+i),
		"published": day.Format("02/01/2006 15:04"),
		"likes":     fmt.Sprint(10 + i),
		"shares":    "1,2K",
		"note":      "Đợt cao điểm trước hạn nộp buổi tối",
	}
}

// submit sends one submission through the form (urlencoded POST) or the JSON API and
// returns the time until its answer was read.
func submit(ctx context.Context, client *http.Client, base, token string, form bool, fields map[string]string) (time.Duration, int, error) {
	var req *http.Request
	var err error
	if form {
		v := url.Values{}
		for k, f := range fields {
			v.Set(k, f)
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/submit/"+token, strings.NewReader(v.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		body, _ := json.Marshal(fields)
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/submit/"+token, strings.NewReader(string(body)))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(start), resp.StatusCode, err
}

func timedGet(ctx context.Context, client *http.Client, u string) (time.Duration, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(start), resp.StatusCode, err
}

// kindOf names an error for the errors-by-kind count.
func kindOf(status int, err error) string {
	switch {
	case err != nil:
		return "network"
	case status == http.StatusTooManyRequests:
		return "429"
	}
	return fmt.Sprintf("HTTP %d", status)
}

func errString(err error, status int) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("HTTP %d", status)
}

// errorKinds lists the error counts as "429: 12, HTTP 500: 1", or "none".
func (r *ServeResult) errorKinds() string { return listErrors(r.Errors) }

func listErrors(errs map[string]int) string {
	if len(errs) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, errs[k]))
	}
	return strings.Join(parts, ", ")
}
