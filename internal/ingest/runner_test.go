package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/feed"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/collector/inbox"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

const baseConfig = `
database = "data/test.db"

[[campaign]]
id = "cds"
name = "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số"
hashtag = "#TuoitreDakLakTienphongChuyendoiso"
start = 2023-03-01
end = 2023-12-31

[fetch]
enrich = false

[[unit]]
id = "tan-loi"
name = "Đoàn phường Tân Lợi"
aliases = ["Tân Lợi"]
`

// fakeKind is a source kind whose behaviour each test sets; it lives in the test's
// own registry, so tests run in parallel without sharing anything.
type fakeKind struct {
	mu          sync.Mutex
	err         error    // returned by Collect
	panics      bool     // Collect panics
	posts       []string // links returned
	submissions bool     // declares collector.Submissions
	runs        int
	commits     []bool
	// onCommit runs inside the commit hook (to look at the store then).
	onCommit func()
}

type fakeCollector struct{ k *fakeKind }

func (f fakeCollector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	k := f.k
	k.mu.Lock()
	k.runs++
	err, panics, links := k.err, k.panics, k.posts
	k.mu.Unlock()
	if panics {
		panic("fake: boom")
	}
	if err != nil {
		return collector.Result{}, err
	}
	var posts []collector.Post
	for _, l := range links {
		posts = append(posts, collector.Post{URL: l, ObservedAt: req.Now, Metrics: collector.Metrics{Likes: collector.Known(3)}})
	}
	return collector.Result{Posts: posts, ItemsSeen: len(posts), Commit: func(stored bool) error {
		k.mu.Lock()
		k.commits = append(k.commits, stored)
		hook := k.onCommit
		k.mu.Unlock()
		if hook != nil {
			hook()
		}
		return nil
	}}, nil
}

type fakeSubmissions struct{ fakeCollector }

func (fakeSubmissions) CarriesSubmissions() bool { return true }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// pageReads counts the pages a runner read and what each read found.
type pageReads struct {
	mu    sync.Mutex
	links []string
}

func (p *pageReads) read(ctx context.Context, f *fetch.Client, post *collector.Post, camps []collector.Campaign) error {
	p.mu.Lock()
	p.links = append(p.links, post.URL)
	p.mu.Unlock()
	if len(camps) != 1 || camps[0].ID != "cds" {
		return fmt.Errorf("read with campaigns %v", camps)
	}
	switch {
	case strings.Contains(post.URL, "gone"):
		return errors.New("HTTP 404")
	case strings.Contains(post.URL, "login"):
		post.Verification = collector.Unverifiable
	case strings.Contains(post.URL, "tagged"):
		post.Verification, post.Title = collector.Verified, "Trang có hashtag"
	default:
		post.Verification = collector.NotFound
	}
	return nil
}

func (p *pageReads) count() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.links) }

// newRunner builds a runner over a fresh database with the fake kind registered and
// the given [[source]] tables.
func newRunner(t *testing.T, k *fakeKind, sources string) (*Runner, *clock, *pageReads) {
	t.Helper()
	kinds := collector.Kinds{"fake": func(src collector.Source) (collector.Collector, error) {
		if k.submissions {
			return fakeSubmissions{fakeCollector{k}}, nil
		}
		return fakeCollector{k}, nil
	}}
	dir := t.TempDir()
	c, err := config.Parse(filepath.Join(dir, "hashtrack.toml"), baseConfig+sources, kinds)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2023, 3, 29, 8, 0, 0, 0, c.Location())}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations(), Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reads := &pageReads{}
	r := &Runner{Config: c, Store: st, Fetcher: fetch.New(c.FetchOptions()), Now: clk.now, ReadPages: true, ReadPage: reads.read,
		PageNotRead: func(string, error) {}}
	return r, clk, reads
}

func oneSource(name string) string {
	return fmt.Sprintf("\n[[source]]\nname = %q\nkind = \"fake\"\nurl = \"https://x.vn/%s\"\ncampaigns = [\"cds\"]\nunit = \"tan-loi\"\n", name, name)
}

func TestBackoffAndNextDue(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]time.Duration{1: time.Hour, 2: 2 * time.Hour, 3: 4 * time.Hour, 5: 16 * time.Hour, 6: 24 * time.Hour, 40: 24 * time.Hour} {
		if got := Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
	c, err := config.Parse("t.toml", baseConfig, collector.Kinds{})
	if err != nil {
		t.Fatal(err)
	}
	hcm := c.Location()
	last := time.Date(2023, 3, 29, 23, 50, 0, 0, hcm)
	for _, tc := range []struct {
		name     string
		schedule string
		h        store.SourceHealth
		want     time.Time
	}{
		{"never ran", "", store.SourceHealth{}, time.Time{}},
		{"daily: next Vietnamese midnight", "", store.SourceHealth{LastAttempt: last}, time.Date(2023, 3, 30, 0, 0, 0, 0, hcm)},
		{"cron in the configured zone", "0 7 * * *", store.SourceHealth{LastAttempt: last}, time.Date(2023, 3, 30, 7, 0, 0, 0, hcm)},
		{"every", "@every 2h", store.SourceHealth{LastAttempt: last}, last.Add(2 * time.Hour)},
		{"failing: backoff, not schedule", "@every 10m", store.SourceHealth{LastAttempt: last, ConsecutiveFailures: 2, NextAttempt: last.Add(2 * time.Hour)}, last.Add(2 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NextDue(c, collector.Source{Schedule: tc.schedule}, tc.h); !got.Equal(tc.want) {
				t.Errorf("%s, want %s", got, tc.want)
			}
		})
	}
}

// TestRunSourceHealthAndBackoff follows one source through failures (backoff 1 h, 2 h;
// a forced run ignores it; a panic is a failure; Retry-After is respected up to its
// cap) and a success that resets everything.
func TestRunSourceHealthAndBackoff(t *testing.T) {
	t.Parallel()
	k := &fakeKind{err: errors.New("HTTP 500"), posts: []string{"https://x.vn/a"}}
	r, clk, _ := newRunner(t, k, oneSource("s"))
	ctx := context.Background()
	src, _ := r.Config.SourceByName("s")
	start := clk.now()

	o := r.RunSource(ctx, src, Selection{})
	if o.Err == nil || o.Health.ConsecutiveFailures != 1 || !o.Health.NextAttempt.Equal(start.Add(time.Hour)) || o.Health.LastError != "HTTP 500" {
		t.Fatalf("first failure: %+v", o)
	}
	clk.add(30 * time.Minute)
	if o := r.RunSource(ctx, src, Selection{}); o.Skipped == "" || k.runs != 1 || !strings.Contains(o.Skipped, "sau 1 lần lỗi liên tiếp") {
		t.Fatalf("backoff not kept: %+v (runs %d)", o, k.runs)
	}
	o = r.RunSource(ctx, src, Selection{All: true})
	if k.runs != 2 || o.Health.ConsecutiveFailures != 2 || !o.Health.NextAttempt.Equal(clk.now().Add(2*time.Hour)) {
		t.Fatalf("forced run: %+v (runs %d)", o, k.runs)
	}
	k.mu.Lock()
	k.err, k.panics = nil, true
	k.mu.Unlock()
	o = r.RunSource(ctx, src, Selection{All: true})
	if o.Err == nil || !strings.Contains(o.Err.Error(), "panicked") || o.Health.ConsecutiveFailures != 3 || !o.Health.Failing() {
		t.Fatalf("panic: %+v", o)
	}
	for _, tc := range []struct {
		retryAfter, want time.Duration
	}{{48 * time.Hour, 48 * time.Hour}, {30 * 24 * time.Hour, MaxRetryAfter}} {
		k.mu.Lock()
		k.panics, k.err = false, fmt.Errorf("mastodon: %w", &fetch.StatusError{StatusCode: 429, RetryAfter: tc.retryAfter})
		k.mu.Unlock()
		o = r.RunSource(ctx, src, Selection{All: true})
		if got := o.Health.NextAttempt.Sub(clk.now()); got != tc.want {
			t.Errorf("Retry-After %s: waits %s, want %s", tc.retryAfter, got, tc.want)
		}
	}
	k.mu.Lock()
	k.err = nil
	k.mu.Unlock()
	o = r.RunSource(ctx, src, Selection{All: true})
	h, _, _ := r.Store.Source("s")
	if o.Err != nil || o.Upsert.New != 1 || h.ConsecutiveFailures != 0 || !h.NextAttempt.IsZero() || h.LastError != "" ||
		!h.LastSuccess.Equal(clk.now()) || h.ItemsSeen != 1 || h.ItemsStored != 1 {
		t.Fatalf("success: %+v, health %+v", o, h)
	}
	p, ok, _ := r.Store.Get(collectorID(t, "https://x.vn/a"))
	if !ok || p.Unit != "tan-loi" || len(p.Campaigns) != 1 || p.Campaigns[0] != "cds" || p.Sources[0] != "s" {
		t.Errorf("stored post does not carry the source's unit, campaign and name: %+v", p)
	}
}

func collectorID(t *testing.T, link string) string {
	t.Helper()
	p := collector.Post{URL: link, Campaigns: []string{"cds"}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestCollectSelection: DueOnly skips a source that ran today; names must exist; one
// failing source does not stop the others.
func TestCollectSelection(t *testing.T) {
	t.Parallel()
	k := &fakeKind{posts: []string{"https://x.vn/a"}}
	r, clk, _ := newRunner(t, k, oneSource("s1")+oneSource("s2"))
	ctx := context.Background()
	outs, err := r.Collect(ctx, Selection{DueOnly: true})
	if err != nil || len(outs) != 2 || k.runs != 2 {
		t.Fatalf("%v %+v runs %d", err, outs, k.runs)
	}
	clk.add(time.Hour)
	outs, _ = r.Collect(ctx, Selection{DueOnly: true})
	if k.runs != 2 || !strings.HasPrefix(outs[0].Skipped, "chưa đến lịch") {
		t.Fatalf("a source that ran today was not skipped: %+v", outs)
	}
	outs, _ = r.Collect(ctx, Selection{Names: []string{"s2"}})
	if k.runs != 3 || len(outs) != 1 || outs[0].Source != "s2" || outs[0].Upsert.Unchanged != 1 {
		t.Fatalf("named run: %+v", outs)
	}
	_, err = r.Collect(ctx, Selection{Names: []string{"nope"}})
	var ue *UnknownSourceError
	if !errors.As(err, &ue) || ue.Name != "nope" || !errors.Is(err, ErrUnknownSource) {
		t.Errorf("unknown source: %v", err)
	}
}

// TestCommitHookAfterStoring: the commit hook runs once, after the posts are in the
// store, and told they were stored; a dry run does not call it.
func TestCommitHookAfterStoring(t *testing.T) {
	t.Parallel()
	k := &fakeKind{posts: []string{"https://x.vn/a", "https://x.vn/b"}}
	r, _, _ := newRunner(t, k, oneSource("s"))
	stored := -1
	k.onCommit = func() {
		stored = 0
		for _, l := range []string{"https://x.vn/a", "https://x.vn/b"} {
			if _, ok, _ := r.Store.Get(collectorID(t, l)); ok {
				stored++
			}
		}
	}
	src, _ := r.Config.SourceByName("s")
	if o := r.RunSource(context.Background(), src, Selection{All: true}); o.Err != nil {
		t.Fatal(o.Err)
	}
	if len(k.commits) != 1 || !k.commits[0] || stored != 2 {
		t.Fatalf("commits %v, %d posts stored when committing; want [true] and 2", k.commits, stored)
	}
	r.DryRun = true
	r.RunSource(context.Background(), src, Selection{All: true})
	if len(k.commits) != 1 {
		t.Errorf("a dry run committed: %v", k.commits)
	}
}

// TestSourcesOfSubmissionsAreEnriched: a kind that declares collector.Submissions has
// the pages of its new links read, once; other kinds never; nor with ReadPages off.
func TestSourcesOfSubmissionsAreEnriched(t *testing.T) {
	t.Parallel()
	links := []string{"https://x.vn/tagged", "https://x.vn/plain", "https://x.vn/login", "https://x.vn/gone"}
	for _, tc := range []struct {
		name        string
		submissions bool
		readPages   bool
		reads       int
	}{
		{"submissions", true, true, 4},
		{"platform posts", false, true, 0},
		{"enrichment off", true, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := &fakeKind{posts: links, submissions: tc.submissions}
			r, _, reads := newRunner(t, k, oneSource("s"))
			r.ReadPages = tc.readPages
			var warned []string
			r.PageNotRead = func(where string, err error) { warned = append(warned, where+": "+err.Error()) }
			src, _ := r.Config.SourceByName("s")
			o := r.RunSource(context.Background(), src, Selection{All: true})
			// Stored at once, every new link waiting for its check; none read yet.
			if o.Err != nil || o.Upsert.New != 4 || reads.count() != 0 || o.Pages.Queued != tc.reads {
				t.Fatalf("%+v; %d pages read before storing", o, reads.count())
			}
			checked, err := r.CheckPending(context.Background(), 0)
			if err != nil || reads.count() != tc.reads {
				t.Fatalf("%v; %d pages read, want %d", err, reads.count(), tc.reads)
			}
			if tc.reads == 0 {
				if checked.Pages != (PageTally{}) {
					t.Errorf("pages %+v", checked.Pages)
				}
				return
			}
			if checked.Pages != (PageTally{Verified: 1, NotFound: 1, Unverifiable: 1, NotRead: 1}) || checked.Waiting != 0 {
				t.Errorf("pages %+v", checked)
			}
			// The page without the hashtag sends its post to staff, as when pages were
			// read before storing.
			if checked.Held.Queued["hashtag_not_found"] != 1 {
				t.Errorf("held %+v", checked.Held)
			}
			if p, _, _ := r.Store.Get(collectorID(t, "https://x.vn/plain")); p.Review != collector.ReviewPending || p.Reason != "hashtag_not_found" {
				t.Errorf("post without the hashtag: %s %q", p.Review, p.Reason)
			}
			if len(warned) != 1 || warned[0] != "https://x.vn/gone: HTTP 404" {
				t.Errorf("warnings %q", warned)
			}
			p, _, _ := r.Store.Get(collectorID(t, "https://x.vn/tagged"))
			if p.Verification != collector.Verified || p.Title != "Trang có hashtag" {
				t.Errorf("enriched post %+v", p)
			}
			o = r.RunSource(context.Background(), src, Selection{All: true})
			checked, err = r.CheckPending(context.Background(), 0)
			if reads.count() != tc.reads || o.Pages.Queued != 0 || checked.Pages.Checked() != 0 || o.Upsert.Unchanged != 4 || err != nil {
				t.Errorf("known links read again: %d reads, %+v %+v", reads.count(), o, checked)
			}
		})
	}
}

// TestImportFileTally: rows, rejected rows with their line, new/updated/unchanged and
// what the pages said, for one file; a second import changes nothing and reads nothing.
func TestImportFileTally(t *testing.T) {
	t.Parallel()
	r, _, reads := newRunner(t, &fakeKind{}, "")
	var progress []string
	r.Progress = func(step Step, done, total int) {
		progress = append(progress, fmt.Sprintf("%d:%d/%d", step, done, total))
	}
	var warned []string
	r.PageNotRead = func(where string, err error) { warned = append(warned, where) }
	file := filepath.Join(t.TempDir(), "links.csv")
	csv := "Link bài viết,Đơn vị,Lượt thích\nhttps://x.vn/tagged,Tân Lợi,5\nhttps://x.vn/gone,Tân Lợi,\n,Tân Lợi,3\nhttps://x.vn/plain,Không có,1\nhttps://x.vn/tagged?utm_source=zalo,Tân Lợi,5\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	camp, _ := r.Config.CampaignByID("cds")
	res, err := r.ImportFile(context.Background(), file, FileOptions{Campaign: camp})
	if err != nil || res.ReadErr != nil {
		t.Fatal(err, res.ReadErr)
	}
	if res.Rows != 5 || len(res.Problems) != 2 || res.Upsert.New != 2 || res.Upsert.Unchanged != 1 {
		t.Errorf("tally %+v", res)
	}
	if !strings.HasPrefix(res.Problems[0].Where, file+":4") || !strings.HasPrefix(res.Problems[1].Where, file+":5") {
		t.Errorf("problems %+v", res.Problems)
	}
	if res.Pages != (PageTally{Queued: 2}) || reads.count() != 0 {
		t.Errorf("pages %+v, %d reads before storing", res.Pages, reads.count())
	}
	if last := progress[len(progress)-1]; last != fmt.Sprintf("%d:3/3", StepStore) {
		t.Errorf("progress %q", progress)
	}
	checked, err := r.CheckPending(context.Background(), 0)
	if err != nil || checked.Pages != (PageTally{Verified: 1, NotRead: 1}) || reads.count() != 2 {
		t.Errorf("pages %+v, %d reads", checked.Pages, reads.count())
	}
	if len(warned) != 1 || warned[0] != file+":3" {
		t.Errorf("warnings %q", warned)
	}
	if last := progress[len(progress)-1]; last != fmt.Sprintf("%d:2/2", StepPages) {
		t.Errorf("progress %q", progress)
	}
	again, err := r.ImportFile(context.Background(), file, FileOptions{Campaign: camp})
	if err != nil || again.Upsert.Unchanged != 3 || again.Pages.Queued != 0 {
		t.Errorf("second import %+v", again)
	}
	if checked, err := r.CheckPending(context.Background(), 0); err != nil || checked.Pages.Checked() != 0 || reads.count() != 2 {
		t.Errorf("second import's checks %+v, %d reads", checked, reads.count())
	}
	missing, err := r.ImportFile(context.Background(), file+".nope", FileOptions{Campaign: camp})
	if err != nil || !errors.Is(missing.ReadErr, os.ErrNotExist) {
		t.Errorf("missing file: %v %+v", err, missing)
	}
}

// TestSubmit: a new link's page is read, the post stored and read back; the same link
// again is not read and changes nothing; a page that cannot be read keeps the post.
func TestSubmit(t *testing.T) {
	t.Parallel()
	r, _, reads := newRunner(t, &fakeKind{}, "")
	post := func(link string, likes int64) collector.Post {
		p := collector.Post{URL: link, Campaigns: []string{"cds"}, Unit: "tan-loi", Sources: []string{"cli"}, ObservedAt: time.Date(2023, 3, 29, 9, 0, 0, 0, r.Config.Location()),
			Metrics: collector.Metrics{Likes: collector.Known(likes)}}
		if err := p.Normalize(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctx := context.Background()
	sub, err := r.Submit(ctx, post("https://x.vn/tagged", 5), Origin{})
	if err != nil || sub.Outcome != store.New || !sub.Queued || sub.Post.Verification != collector.Unverified || reads.count() != 0 {
		t.Fatalf("stored before its page is read: %v %+v, %d reads", err, sub, reads.count())
	}
	if checked, err := r.CheckPending(ctx, 0); err != nil || checked.Pages != (PageTally{Verified: 1}) {
		t.Fatalf("check: %v %+v", err, checked)
	}
	sub, err = r.Submit(ctx, post("https://x.vn/tagged", 5), Origin{})
	if err != nil || sub.Outcome != store.Unchanged || sub.Queued || reads.count() != 1 || sub.Post.Title != "Trang có hashtag" || sub.Post.Verification != collector.Verified {
		t.Errorf("repeat: %v %+v, %d reads", err, sub, reads.count())
	}
	var warned []string
	r.PageNotRead = func(where string, err error) { warned = append(warned, where) }
	sub, err = r.Submit(ctx, post("https://x.vn/gone", 1), Origin{})
	checked, cerr := r.CheckPending(ctx, 0)
	if err != nil || cerr != nil || sub.Outcome != store.New || checked.Pages != (PageTally{NotRead: 1}) || len(warned) != 1 || warned[0] != "https://x.vn/gone" {
		t.Errorf("unreadable page: %v %v %+v %+v %q", err, cerr, sub, checked, warned)
	}
	if p, _, _ := r.Store.Get(sub.Post.ID); p.Verification != collector.Unverified {
		t.Errorf("unreadable page: post %+v", p)
	}
	if checked, _ := r.CheckPending(ctx, 0); reads.count() != 2 || checked.Pages.Checked() != 0 {
		t.Errorf("an unreadable page is read again: %d reads", reads.count())
	}
	r.ReadPages = false
	if sub, _ = r.Submit(ctx, post("https://x.vn/tagged-2", 1), Origin{}); reads.count() != 2 || sub.Queued || sub.Post.Verification != collector.Unverified {
		t.Errorf("ReadPages off: %d reads, %+v", reads.count(), sub)
	}
	if n, _ := r.Store.CountChecks(); n != 0 {
		t.Errorf("ReadPages off: %d posts queued", n)
	}
}

// TestOpenScratch: a dry run's copy holds what the database holds, and writes to it
// leave the database alone.
func TestOpenScratch(t *testing.T) {
	t.Parallel()
	r, _, _ := newRunner(t, &fakeKind{}, "")
	r.ReadPages = false
	p := collector.Post{URL: "https://x.vn/a", Campaigns: []string{"cds"}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Submit(context.Background(), p, Origin{}); err != nil {
		t.Fatal(err)
	}
	scratch, cleanup, err := OpenScratch(r.Store, store.Options{Locations: r.Config.Locations()})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if _, ok, _ := scratch.Get(p.ID); !ok {
		t.Error("the copy lacks the database's post")
	}
	q := collector.Post{URL: "https://x.vn/b", Campaigns: []string{"cds"}}
	q.Normalize()
	if _, err := scratch.Upsert(context.Background(), []collector.Post{q}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := r.Store.Get(q.ID); ok {
		t.Error("a write to the copy reached the database")
	}
	empty, cleanup2, err := OpenScratch(nil, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup2()
	if _, ok, _ := empty.Get(p.ID); ok {
		t.Error("a scratch database without an original is not empty")
	}
}

// TestStatuses: the rows of `hashtrack sources` and /healthz carry the store's verdict.
func TestStatuses(t *testing.T) {
	t.Parallel()
	k := &fakeKind{posts: []string{"https://x.vn/a"}}
	r, clk, _ := newRunner(t, k, oneSource("ok")+oneSource("never"))
	src, _ := r.Config.SourceByName("ok")
	r.RunSource(context.Background(), src, Selection{All: true})
	rows, err := Statuses(r.Config, r.Store, clk.now())
	if err != nil || len(rows) != 2 {
		t.Fatal(err, rows)
	}
	if rows[0].Status != store.SourceOK || rows[0].NeverRun || rows[0].ItemsStored != 1 || rows[1].Status != store.SourcePending || !rows[1].NeverRun {
		t.Errorf("%+v", rows)
	}
	later := clk.now().Add(49 * time.Hour)
	rows, _ = Statuses(r.Config, r.Store, later)
	if rows[0].Status != store.SourceStale || !rows[0].NextDue.Equal(later) {
		t.Errorf("after 49 h: %+v", rows[0])
	}
	rows, _ = Statuses(r.Config, nil, clk.now())
	if rows[0].Status != store.SourcePending {
		t.Errorf("no database: %+v", rows[0])
	}
}

// TestWhichKindsCarrySubmissions: the inbox and the published sheet declare that their
// posts are people's submissions (pages read, `import --source` accepted); a feed does
// not. No kind name is checked anywhere.
func TestWhichKindsCarrySubmissions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		kind func(collector.Source) (collector.Collector, error)
		src  collector.Source
		want bool
	}{
		{inbox.New, collector.Source{Name: "i", URL: dir}, true},
		{sheet.New, collector.Source{Name: "s", URL: "https://x.vn/a.csv"}, true},
		{feed.New, collector.Source{Name: "f", URL: "https://x.vn/feed"}, false},
	} {
		col, err := tc.kind(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := collector.CarriesSubmissions(col); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.src.Name, got, tc.want)
		}
	}
	k := &fakeKind{submissions: false}
	r, _, _ := newRunner(t, k, oneSource("s"))
	if _, ok, err := r.CarriesSubmissions("s"); ok || err != nil {
		t.Errorf("fake kind: %v %v", ok, err)
	}
	if _, _, err := r.CarriesSubmissions("nope"); !errors.Is(err, ErrUnknownSource) {
		t.Errorf("unknown source: %v", err)
	}
}
