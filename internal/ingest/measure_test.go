package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// apiKind is a kind on an official API whose answers each test sets: it measures
// YouTube links (Refresher), checks its token (Checker) and may refuse with a Fault.
type apiKind struct {
	mu       sync.Mutex
	views    map[string]int64 // post URL → views the "API" reports
	gone     map[string]bool  // post URL → deleted on the platform
	fail     error            // returned by Collect, Refresh and Check
	batches  []int            // sizes of the Refresh calls
	tokens   []string         // the token each Collect and Refresh call saw
	collects int
	check    collector.CheckResult
	audience []collector.Audience
}

type apiCollector struct {
	k   *apiKind
	src collector.Source
}

func (a apiCollector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	k := a.k
	k.mu.Lock()
	defer k.mu.Unlock()
	k.collects++
	k.tokens = append(k.tokens, req.Source.Token.Reveal())
	if k.fail != nil {
		return collector.Result{Usage: collector.Usage{Calls: 1, QuotaUnits: 100}}, k.fail
	}
	return collector.Result{Audiences: k.audience, Usage: collector.Usage{Calls: 2, QuotaUnits: 101}}, nil
}

func (a apiCollector) Refreshable(p collector.Post) bool { return p.Platform == "youtube" }

func (a apiCollector) Refresh(ctx context.Context, req collector.Request, posts []collector.Post) (collector.RefreshResult, error) {
	k := a.k
	k.mu.Lock()
	defer k.mu.Unlock()
	k.batches = append(k.batches, len(posts))
	k.tokens = append(k.tokens, req.Source.Token.Reveal())
	res := collector.RefreshResult{Usage: collector.Usage{Calls: 1, QuotaUnits: 1}}
	if k.fail != nil {
		return res, k.fail
	}
	for _, p := range posts {
		rd := collector.Reading{PostID: p.ID, At: req.Now, Gone: k.gone[p.URL]}
		if v, ok := k.views[p.URL]; ok && !rd.Gone {
			rd.Metrics = collector.Metrics{Views: collector.Known(v), From: collector.Measured}
		}
		res.Readings = append(res.Readings, rd)
	}
	return res, nil
}

func (a apiCollector) Check(ctx context.Context, req collector.Request) (collector.CheckResult, error) {
	k := a.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return collector.CheckResult{Usage: collector.Usage{Calls: 1}}, k.fail
	}
	return k.check, nil
}

func (k *apiKind) set(fn func(k *apiKind)) { k.mu.Lock(); fn(k); k.mu.Unlock() }

// newAPIRunner builds a runner whose config has the api kind and the fake kind and the
// given sources, over a fresh database, its clock at 29/03/2023 08:00.
func newAPIRunner(t *testing.T, k *apiKind, sources string) (*Runner, *clock) {
	t.Helper()
	kinds := collector.Kinds{
		"api":  func(src collector.Source) (collector.Collector, error) { return apiCollector{k, src}, nil },
		"fake": func(src collector.Source) (collector.Collector, error) { return fakeCollector{&fakeKind{}}, nil },
	}
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
	return &Runner{Config: c, Store: st, Fetcher: fetch.New(c.FetchOptions()), Now: clk.now}, clk
}

func apiSource(name string) string {
	return fmt.Sprintf("\n[[source]]\nname = %q\nkind = \"api\"\nurl = \"https://api.example/%s\"\ncampaigns = [\"cds\"]\nunit = \"tan-loi\"\n", name, name)
}

// typedPost stores a branch's submission of link with the views it typed, published
// at 10:00 on 29/03/2023.
func typedPost(t *testing.T, r *Runner, link string, views int64) collector.Post {
	t.Helper()
	loc := r.Config.Location()
	p := collector.Post{URL: link, Campaigns: []string{"cds"}, Unit: "tan-loi", Sources: []string{"form"},
		PublishedAt: time.Date(2023, 3, 29, 10, 0, 0, 0, loc), ObservedAt: time.Date(2023, 3, 29, 10, 30, 0, 0, loc),
		Metrics: collector.Metrics{Views: collector.Known(views), From: collector.Typed}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Store.Upsert(context.Background(), []collector.Post{p}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRefreshTypedPostGetsMeasured follows a branch's YouTube link with typed views
// 100 through the refresh schedule: measured 250 on day 1 (the typed 100 stays in the
// history), a smaller measurement 240 replaces it on day 2, nothing is read between
// the checkpoints, and a typed 50 afterwards does not lower the measurement.
func TestRefreshTypedPostGetsMeasured(t *testing.T) {
	t.Parallel()
	const link = "https://www.youtube.com/watch?v=AbCdEfGhIj1"
	k := &apiKind{views: map[string]int64{}}
	r, clk := newAPIRunner(t, k, apiSource("yt")+oneSource("feed"))
	ctx := context.Background()
	p := typedPost(t, r, link, 100)
	typedPost(t, r, "https://zalo.me/p/123", 7) // no source can measure it
	loc := r.Config.Location()
	at := func(day int) time.Time { return time.Date(2023, 3, 29+day, 7, 0, 0, 0, loc) }
	refresh := func(day int, views int64) SourceRefresh {
		t.Helper()
		clk.mu.Lock()
		clk.t = at(day)
		clk.mu.Unlock()
		k.set(func(k *apiKind) { k.views[p.URL] = views })
		o, err := r.Refresh(ctx)
		if err != nil || len(o.Sources) != 1 || o.Sources[0].Err != nil {
			t.Fatalf("day %d: %+v %v", day, o, err)
		}
		return o.Sources[0]
	}
	current := func() collector.Post {
		t.Helper()
		got, ok, err := r.Store.Get(p.ID)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		return got
	}

	if o := refresh(0, 250); o.Due != 0 || len(k.batches) != 0 {
		t.Fatalf("day 0 is not a checkpoint: %+v", o)
	}
	if o := refresh(1, 250); o.Due != 1 || o.Measured != 1 || o.Changed != 1 || o.Usage != (collector.Usage{Calls: 1, QuotaUnits: 1}) {
		t.Fatalf("day 1: %+v", o)
	}
	if got := current(); got.Metrics != (collector.Metrics{Views: collector.Known(250), From: collector.Measured}) ||
		!got.ObservedAt.Equal(at(1)) || got.Unit != "tan-loi" || !slices.Contains(got.Sources, "yt") {
		t.Fatalf("after day 1: %+v", got)
	}
	snaps, err := r.Store.Snapshots(p.ID)
	if err != nil || len(snaps) != 2 || snaps[0].Metrics.Views != collector.Known(100) || snaps[0].Metrics.From != collector.Typed ||
		snaps[1].Metrics.Views != collector.Known(250) || snaps[1].Metrics.From != collector.Measured {
		t.Fatalf("history %+v %v", snaps, err)
	}
	if o := refresh(1, 260); o.Due != 0 {
		t.Fatalf("measured twice on day 1: %+v", o)
	}
	if o := refresh(2, 240); o.Changed != 1 || current().Metrics.Views != collector.Known(240) {
		t.Fatalf("day 2: a smaller measurement must replace the last one: %+v %+v", o, current().Metrics)
	}
	if o := refresh(3, 240); o.Measured != 1 || o.Changed != 0 {
		t.Fatalf("day 3, same number: %+v", o)
	}
	for day := 4; day <= 6; day++ {
		if o := refresh(day, 999); o.Due != 0 {
			t.Fatalf("day %d is between checkpoints: %+v", day, o)
		}
	}
	if o := refresh(7, 300); o.Due != 1 || current().Metrics.Views != collector.Known(300) {
		t.Fatalf("day 7: %+v", o)
	}
	if got := len(k.batches); got != 4 {
		t.Errorf("%d Refresh calls, want 4 (days 1, 2, 3, 7)", got)
	}
	// A branch types 50 again: the measurement stays.
	again := p
	again.Metrics = collector.Metrics{Views: collector.Known(50), From: collector.Typed}
	again.ObservedAt = at(8)
	if _, err := r.Store.Upsert(ctx, []collector.Post{again}); err != nil {
		t.Fatal(err)
	}
	if got := current().Metrics; got != (collector.Metrics{Views: collector.Known(300), From: collector.Measured}) {
		t.Errorf("typed 50 after measured 300: %+v", got)
	}
	if u, err := r.Store.Usage("yt", at(7)); err != nil || u != (collector.Usage{Calls: 1, QuotaUnits: 1}) {
		t.Errorf("usage on day 7: %+v %v", u, err)
	}
}

// TestRefreshSchedule: a post of day 0 measured by a daily run is measured on days 1,
// 2, 3, 7, 14 and 30 and once after its campaign's end, and never in between; one
// never measured before is measured at once, once.
func TestRefreshSchedule(t *testing.T) {
	t.Parallel()
	loc := collector.DefaultLocation()
	published := time.Date(2023, 3, 1, 22, 40, 0, 0, loc)
	end := time.Date(2023, 4, 30, 0, 0, 0, 0, loc) // its last day
	var last time.Time
	var days []int
	for day := 0; day <= 90; day++ {
		now := time.Date(2023, 3, 1+day, 7, 0, 0, 0, loc)
		if refreshDue(published, last, now, end, loc) {
			days = append(days, day)
			last = now
		}
	}
	if want := []int{1, 2, 3, 7, 14, 30, 61}; !slices.Equal(days, want) {
		t.Errorf("measured on days %v, want %v", days, want)
	}
	old := time.Date(2023, 1, 1, 9, 0, 0, 0, loc)
	now := time.Date(2023, 3, 1, 7, 0, 0, 0, loc)
	if !refreshDue(old, time.Time{}, now, time.Time{}, loc) || refreshDue(old, now, now.Add(48*time.Hour), time.Time{}, loc) {
		t.Error("an old post never measured is due once, then not again before the campaign ends")
	}
}

// TestRefreshBatchesGoneAndOneSourcePerPost: 120 due posts are read 50 at a time; a
// post the platform deleted is kept, marked and audited; a post two sources could
// measure is measured by the first only.
func TestRefreshBatchesGoneAndOneSourcePerPost(t *testing.T) {
	t.Parallel()
	k := &apiKind{views: map[string]int64{}, gone: map[string]bool{}}
	r, clk := newAPIRunner(t, k, apiSource("yt1")+apiSource("yt2"))
	ctx := context.Background()
	var links []string
	for i := range 120 {
		p := typedPost(t, r, fmt.Sprintf("https://www.youtube.com/watch?v=vid%08d", i), int64(i))
		links = append(links, p.URL)
		k.views[p.URL] = int64(1000 + i)
	}
	k.gone[links[7]] = true
	clk.add(30 * time.Hour) // 30/03 14:00: day 1
	o, err := r.Refresh(ctx)
	if err != nil || len(o.Sources) != 2 {
		t.Fatal(o, err)
	}
	if s := o.Sources[0]; s.Due != 120 || s.Measured != 120 || s.Changed != 119 || s.Gone != 1 {
		t.Errorf("yt1: %+v", s)
	}
	if s := o.Sources[1]; s.Due != 0 {
		t.Errorf("yt2 measured posts yt1 measures: %+v", s)
	}
	if !slices.Equal(k.batches, []int{50, 50, 20}) {
		t.Errorf("batches %v", k.batches)
	}
	id := collectorID(t, links[7])
	p, _, err := r.Store.Get(id)
	if err != nil || !p.GoneAt.Equal(clk.now()) || p.Metrics.Views != collector.Known(7) {
		t.Fatalf("gone post %+v %v", p, err)
	}
	h, err := r.Store.History(id)
	if err != nil || !slices.ContainsFunc(h, func(e store.AuditEntry) bool { return e.Action == store.ActionGone && e.Who == "yt1" }) {
		t.Errorf("audit %+v %v", h, err)
	}
	// A deleted post is not read again.
	clk.add(24 * time.Hour)
	if o, _ := r.Refresh(ctx); o.Sources[0].Due != 119 {
		t.Errorf("day 2: %+v", o.Sources[0])
	}
}

// TestFaultsByMeaning: a refused token flags the source (no failure counted, no retry
// on its schedule) until the token in the environment changes, a forced run or a
// successful check; throttling waits until the platform's reset without counting as
// a failure; a missing permission is an ordinary failure with its message.
func TestFaultsByMeaning(t *testing.T) {
	t.Parallel()
	k := &apiKind{}
	r, clk := newAPIRunner(t, k, apiSource("fb"))
	ctx := context.Background()
	src, _ := r.Config.SourceByName("fb")
	src.Token = "EAAB-old-token-value"
	start := clk.now()

	k.set(func(k *apiKind) {
		k.fail = fmt.Errorf("graph: %w", &collector.Fault{Kind: collector.FaultToken, Code: 190, Message: "token hết hạn hoặc đã bị thu hồi"})
	})
	o := r.RunSource(ctx, src, Selection{})
	h := o.Health
	if o.Err == nil || h.ConsecutiveFailures != 0 || !h.NeedsToken.Equal(start) || h.TokenPrint != TokenPrint(src.Token) || len(h.TokenPrint) != 8 ||
		!h.NextAttempt.IsZero() || h.LastError != "cần cấp lại token (từ 29/03/2023): token hết hạn hoặc đã bị thu hồi (mã lỗi 190)" {
		t.Fatalf("token refused: %+v", o)
	}
	if u, _ := r.Store.Usage("fb", start); u != (collector.Usage{Calls: 1, QuotaUnits: 100}) {
		t.Errorf("a failed run's calls are not counted: %+v", u)
	}
	if v := h.Verdict(start, 0); v.Condition != store.SourceNeedsToken {
		t.Errorf("verdict %+v", v)
	}
	clk.add(48 * time.Hour)
	if o := r.RunSource(ctx, src, Selection{DueOnly: true}); !strings.Contains(o.Skipped, "cần cấp lại token (từ 29/03/2023)") || k.collects != 1 {
		t.Fatalf("flagged source ran on its schedule: %+v", o)
	}
	// A forced run tries (and is refused again: the flag keeps its first date).
	if o := r.RunSource(ctx, src, Selection{All: true}); k.collects != 2 || !o.Health.NeedsToken.Equal(start) {
		t.Fatalf("forced: %+v", o)
	}
	// A new token in the environment: the source runs by itself.
	k.set(func(k *apiKind) { k.fail = nil })
	renewed := src
	renewed.Token = "EAAB-new-token-value"
	if o := r.RunSource(ctx, renewed, Selection{}); o.Err != nil || k.collects != 3 || !o.Health.NeedsToken.IsZero() || o.Health.TokenPrint != "" {
		t.Fatalf("new token: %+v", o)
	}
	// Neither token is in the database file.
	raw, err := os.ReadFile(r.Config.DatabasePath())
	if err != nil || strings.Contains(string(raw), "old-token") || strings.Contains(string(raw), "new-token") {
		t.Errorf("a token is in the database (%v)", err)
	}

	// Quota spent: wait until the reset, not counted as a failure.
	reset := clk.now().Add(5 * time.Hour)
	k.set(func(k *apiKind) {
		k.fail = &collector.Fault{Kind: collector.FaultQuota, Until: reset, Message: "đã hết hạn mức YouTube Data API hôm nay"}
	})
	o = r.RunSource(ctx, src, Selection{All: true})
	if o.Health.ConsecutiveFailures != 0 || !o.Health.NextAttempt.Equal(reset) || o.Health.Waiting != collector.FaultQuota {
		t.Fatalf("quota: %+v", o.Health)
	}
	// Its schedule (daily, at the next midnight) still applies, but never before the reset.
	if due := NextDue(r.Config, src, o.Health); due.Before(reset) {
		t.Errorf("next due %s, before the reset %s", due, reset)
	}
	clk.add(time.Hour)
	if o := r.RunSource(ctx, src, Selection{}); !strings.Contains(o.Skipped, "hết hạn mức") {
		t.Errorf("waiting: %+v", o)
	}
	// Throttled four times in a row is still not "failing".
	for range 4 {
		k.set(func(k *apiKind) {
			k.fail = &collector.Fault{Kind: collector.FaultThrottled, Code: 4, Until: clk.now().Add(time.Hour), Message: "gọi quá nhiều lần"}
		})
		o = r.RunSource(ctx, src, Selection{All: true})
	}
	if o.Health.Failing() || o.Health.ConsecutiveFailures != 0 || !o.Health.NextAttempt.Equal(clk.now().Add(time.Hour)) {
		t.Errorf("throttled: %+v", o.Health)
	}
	// A missing permission is a failure with its message, backing off as usual.
	k.set(func(k *apiKind) {
		k.fail = &collector.Fault{Kind: collector.FaultPermission, Code: 10, Message: "token thiếu quyền pages_read_engagement"}
	})
	o = r.RunSource(ctx, src, Selection{All: true})
	if o.Health.ConsecutiveFailures != 1 || o.Health.Waiting != "" || !strings.Contains(o.Health.LastError, "thiếu quyền pages_read_engagement") ||
		!o.Health.NextAttempt.Equal(clk.now().Add(BackoffBase)) {
		t.Errorf("permission: %+v", o.Health)
	}
}

// TestCheckSource: a working token clears the flag and reports what it may read; a
// refused one sets it; a kind without a token says so; an unset variable is named.
func TestCheckSource(t *testing.T) {
	t.Parallel()
	k := &apiKind{check: collector.CheckResult{Account: "Đoàn phường Tân Lợi", Can: []string{"bài đăng của trang"}, Usage: collector.Usage{Calls: 1}}}
	r, clk := newAPIRunner(t, k, apiSource("fb")+oneSource("feed")+
		"\n[[source]]\nname = \"unset\"\nkind = \"api\"\nurl = \"https://api.example/u\"\ntoken_env = \"HASHTRACK_TEST_UNSET_TOKEN_9F2\"\n")
	ctx := context.Background()
	if _, err := r.Store.UpdateSource("fb", func(h *store.SourceHealth) { h.NeedsToken, h.LastError = clk.now(), "token hết hạn" }); err != nil {
		t.Fatal(err)
	}
	o, err := r.CheckSource(ctx, "fb")
	if err != nil || o.Err != nil || o.Result.Account != "Đoàn phường Tân Lợi" || !o.Health.NeedsToken.IsZero() || o.Health.LastError != "" {
		t.Fatalf("check: %+v %v", o, err)
	}
	if u, _ := r.Store.Usage("fb", clk.now()); u.Calls != 1 {
		t.Errorf("usage %+v", u)
	}
	k.set(func(k *apiKind) {
		k.fail = &collector.Fault{Kind: collector.FaultToken, Code: 190, Message: "token hết hạn"}
	})
	o, err = r.CheckSource(ctx, "fb")
	var f *collector.Fault
	if err != nil || !errors.As(o.Err, &f) || !o.Health.NeedsToken.Equal(clk.now()) {
		t.Fatalf("refused: %+v %v", o, err)
	}
	if _, err := r.CheckSource(ctx, "feed"); !errors.Is(err, ErrNoToken) {
		t.Errorf("feed: %v", err)
	}
	if o, err := r.CheckSource(ctx, "unset"); err != nil || o.Err == nil || !strings.Contains(o.Err.Error(), "HASHTRACK_TEST_UNSET_TOKEN_9F2") {
		t.Errorf("unset: %+v %v", o, err)
	}
	if _, err := r.CheckSource(ctx, "nope"); !errors.Is(err, ErrUnknownSource) {
		t.Errorf("nope: %v", err)
	}
}

// TestRefreshFaultFlagsSource: a refresh refused for its token flags the source, the
// next refresh leaves it alone, and one with a new token in the environment measures
// and lifts the flag. (Not parallel: it sets an environment variable.)
func TestRefreshFaultFlagsSource(t *testing.T) {
	const env = "HASHTRACK_TEST_REFRESH_TOKEN_7C1"
	t.Setenv(env, "old-token")
	k := &apiKind{views: map[string]int64{}, fail: &collector.Fault{Kind: collector.FaultToken, Code: 190, Message: "token hết hạn"}}
	r, clk := newAPIRunner(t, k, apiSource("yt")+"token_env = \""+env+"\"\n")
	p := typedPost(t, r, "https://www.youtube.com/watch?v=AbCdEfGhIj1", 100)
	clk.add(24 * time.Hour)
	o, err := r.Refresh(context.Background())
	var f *collector.Fault
	if err != nil || !errors.As(o.Sources[0].Err, &f) {
		t.Fatal(o, err)
	}
	h, _, _ := r.Store.Source("yt")
	if !h.NeedsToken.Equal(clk.now()) || h.TokenPrint != TokenPrint("old-token") {
		t.Fatalf("not flagged: %+v", h)
	}
	o, _ = r.Refresh(context.Background())
	if s := o.Sources[0]; !strings.Contains(s.Skipped, "cần cấp lại token") || len(k.batches) != 1 {
		t.Errorf("flagged source refreshed: %+v (%d calls)", s, len(k.batches))
	}
	t.Setenv(env, "new-token")
	k.set(func(k *apiKind) { k.fail, k.views[p.URL] = nil, 250 })
	o, _ = r.Refresh(context.Background())
	if s := o.Sources[0]; s.Measured != 1 || s.Err != nil || !slices.Equal(k.tokens, []string{"old-token", "new-token"}) {
		t.Errorf("new token: %+v (%d calls)", s, len(k.batches))
	}
	if h, _, _ := r.Store.Source("yt"); !h.NeedsToken.IsZero() || h.LastError != "" {
		t.Errorf("flag not lifted: %+v", h)
	}
}

// TestRunSourceKeepsAudiencesAndUsage: a run's audiences are stored under the source's
// unit, its usage added to the day's.
func TestRunSourceKeepsAudiencesAndUsage(t *testing.T) {
	t.Parallel()
	k := &apiKind{audience: []collector.Audience{{Account: "123", Name: "Đoàn phường Tân Lợi", Platform: "facebook", Followers: collector.Known(5400)}}}
	r, clk := newAPIRunner(t, k, apiSource("fb"))
	src, _ := r.Config.SourceByName("fb")
	for range 2 {
		if o := r.RunSource(context.Background(), src, Selection{All: true}); o.Err != nil {
			t.Fatal(o.Err)
		}
	}
	aud, err := r.Store.Audiences()
	if err != nil || len(aud) != 1 || aud[0].Unit != "tan-loi" || aud[0].Followers != collector.Known(5400) || !aud[0].At.Equal(clk.now()) {
		t.Errorf("%+v %v", aud, err)
	}
	rows, err := Statuses(r.Config, r.Store, clk.now())
	if err != nil || rows[0].UsageToday != (collector.Usage{Calls: 4, QuotaUnits: 202}) || rows[0].DailyQuota != 0 {
		t.Errorf("%+v %v", rows, err)
	}
	if q := DailyQuota(collector.Source{Kind: "youtube_search"}); q != 10_000 {
		t.Errorf("youtube quota %d", q)
	}
	if q := DailyQuota(collector.Source{Kind: "youtube_search", Options: map[string]any{"daily_quota": int64(50_000)}}); q != 50_000 {
		t.Errorf("configured quota %d", q)
	}
}
