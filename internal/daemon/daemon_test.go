package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestSchedules starts the daemon with schedules of 50 ms and watches a source
// collected on schedule, a slow one skipped rather than stacked, a panicking one
// recovered while the others keep running, and a clean stop.
func TestSchedules(t *testing.T) {
	t.Parallel()
	k := testkit.NewKind()
	d := start(t, k, testConfig+
		testkit.Source("counter", "count", "@every 50ms", "")+
		testkit.Source("slow", "slow", "@every 50ms", "sleep = \"150ms\"\n")+
		testkit.Source("boom", "panic", "@every 50ms", ""), func(o *Options) { o.JobTimeout = 20 * time.Second })

	testkit.WaitFor(t, "the counter collected three times", func() bool { return k.Starts("counter") >= 3 })
	testkit.WaitFor(t, "the slow source skipped while it runs", func() bool {
		return strings.Contains(d.log.String(), `msg="job still running; this run is skipped" job="source slow"`)
	})
	testkit.WaitFor(t, "the panicking source ran", func() bool { return k.Starts("boom") >= 1 })
	panicked := k.PanickedAt("boom")
	after := k.Starts("counter")
	testkit.WaitFor(t, "the counter still running after the panic", func() bool { return k.Starts("counter") >= after+2 })

	code, h := getHealth(t, d.addr)
	if c := h.Source("counter"); c.Status != "ok" || c.LastSuccess.IsZero() || c.ConsecutiveFailures != 0 {
		t.Errorf("counter health %+v", c)
	}
	if b := h.Source("boom"); b.ConsecutiveFailures != 1 || b.LastError != "collector panicked: testkind: boom" || b.Status != "ok" {
		t.Errorf("boom health %+v", b)
	}
	if code != http.StatusOK || h.Status != "ok" {
		t.Errorf("healthz %d %q", code, h.Status)
	}
	again := !k.PanickedAt("boom").Equal(panicked)
	if again {
		t.Errorf("boom ran again despite its backoff")
	}

	if err := d.stop(); err != nil {
		t.Fatalf("Run returned %v\n%s", err, d.log)
	}
	running, maxSlow := k.Running("slow")
	if maxSlow != 1 {
		t.Errorf("slow source ran %d at once; want 1 (skipped, not stacked)", maxSlow)
	}
	if running != 0 {
		t.Errorf("a slow run was still going after stop")
	}
	if !strings.Contains(d.log.String(), "stopped; database closed") {
		t.Errorf("no clean stop in the log:\n%s", d.log)
	}
	// Closed cleanly: the file opens at once, and holds the counter's post.
	st, err := store.Open(d.cfg.DatabasePath(), store.Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("reopen after stop: %v", err)
	}
	defer st.Close()
	p, ok, err := st.Get(testkit.PostID(t, "https://www.facebook.com/tdtn.daklak/posts/counter"))
	if err != nil || !ok || p.Metrics.Likes.N < 3 {
		t.Errorf("counter's post: %v %v %+v", ok, err, p.Metrics)
	}
	hs, _, _ := st.Source("slow")
	if hs.LastSuccess.IsZero() {
		t.Errorf("slow source never finished a run: %+v", hs)
	}
}

// TestSchedulerRecoversPanics checks the chain order: a job that panics is recovered
// and runs again at its next time (with the chain reversed it would be skipped
// forever), and the other jobs keep their schedule.
func TestSchedulerRecoversPanics(t *testing.T) {
	t.Parallel()
	c, err := config.Parse("t.toml", testConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := &testkit.Buffer{}
	s := newScheduler(context.Background(), Options{Config: c, Log: slog.New(slog.NewTextHandler(log, nil)), JobTimeout: 5 * time.Second, Schedules: testkit.ExactEvery{}})
	var panics, ticks atomic.Int32
	if err := s.add("@every 50ms", "boom", func(context.Context) error { panics.Add(1); panic("boom") }); err != nil {
		t.Fatal(err)
	}
	if err := s.add("@every 50ms", "tick", func(context.Context) error { ticks.Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	s.cron.Start()
	testkit.WaitFor(t, "the panicking job to run three times", func() bool { return panics.Load() >= 3 })
	testkit.WaitFor(t, "the other job to keep running", func() bool { return ticks.Load() >= 3 })
	<-s.cron.Stop().Done()
	if n := strings.Count(log.String(), `msg="job panicked; recovered, other jobs keep running" job=boom error=boom`); n < 3 {
		t.Errorf("%d recovered panics logged; want ≥ 3:\n%s", n, log)
	}
}

func TestScheduleRejectsBadSpec(t *testing.T) {
	t.Parallel()
	c, err := config.Parse("t.toml", testConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := newScheduler(context.Background(), Options{Config: c, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), JobTimeout: time.Second})
	err = s.add("every day", "report", func(context.Context) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `daemon: schedule report "every day"`) {
		t.Fatalf("got %v", err)
	}
}

// TestReportJob: the report job collects the sources without a schedule of their own,
// then calls the report function, logs the files it wrote, then delivers.
func TestReportJob(t *testing.T) {
	t.Parallel()
	k := testkit.NewKind()
	var reports, collectedFirst, delivered, deliveredAfter atomic.Int32
	d := start(t, k, testConfig+"\n[report]\nschedule = \"@every 100ms\"\n"+testkit.Source("daily", "count", "", ""), func(o *Options) {
		o.Report = func(ctx context.Context) ([]string, error) {
			if k.Starts("daily") >= 1 {
				collectedFirst.Add(1)
			}
			reports.Add(1)
			return []string{"reports/cds/latest.html"}, nil
		}
		o.Deliver = func(ctx context.Context) error {
			if delivered.Add(1) <= reports.Load() {
				deliveredAfter.Add(1)
			}
			return nil
		}
	})
	testkit.WaitFor(t, "the report job to finish", func() bool { return strings.Contains(d.log.String(), `msg="job done" job=report`) })
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	l := d.log.String()
	if !strings.Contains(l, `msg="source collected" source=daily seen=1 new=1 updated=0`) || !strings.Contains(l, `msg="report written" file=reports/cds/latest.html`) {
		t.Errorf("log:\n%s", l)
	}
	if n, first := reports.Load(), collectedFirst.Load(); n < 1 || first != n {
		t.Errorf("%d reports, %d of them after the daily source was collected", n, first)
	}
	if n, after := delivered.Load(), deliveredAfter.Load(); n != reports.Load() || after != n {
		t.Errorf("%d deliveries for %d reports, %d of them after their report", n, reports.Load(), after)
	}
}

// TestDeliverFails: a failed delivery fails the report job, named in the log.
func TestDeliverFails(t *testing.T) {
	t.Parallel()
	d := start(t, testkit.NewKind(), testConfig+"\n[report]\nschedule = \"@every 100ms\"\n", func(o *Options) {
		o.Report = func(ctx context.Context) ([]string, error) { return nil, nil }
		o.Deliver = func(ctx context.Context) error { return errors.New("smtp: 535 auth failed") }
	})
	testkit.WaitFor(t, "the report job to fail", func() bool { return strings.Contains(d.log.String(), `msg="job failed" job=report`) })
	if l := d.log.String(); !strings.Contains(l, "daemon: deliver the report: smtp: 535 auth failed") {
		t.Errorf("log:\n%s", l)
	}
}

// TestRefreshAfterChange: a post stored by another process (a second store on the same
// file, as `hashtrack submit` opens) is in the served report after the refresh delay,
// without the daily schedule; reads alone do not refresh it; Now writes at once.
func TestRefreshAfterChange(t *testing.T) {
	t.Parallel()
	var reports atomic.Int32
	var lastCount atomic.Int64
	var st *store.Store
	d := start(t, testkit.NewKind(), testConfig, func(o *Options) {
		st = o.Store
		// Polls every 200 ms, longer than the store's idle release (150 ms): the daemon
		// lets go of the file between polls, so the command below gets it at once
		// instead of after the daemon's MaxHold of a second.
		o.RefreshDelay = 400 * time.Millisecond
		o.Report = func(ctx context.Context) ([]string, error) {
			n, err := st.Count()
			lastCount.Store(int64(n))
			reports.Add(1)
			return []string{"reports/cds/latest.html"}, err
		}
	})
	cmd, err := store.Open(d.cfg.DatabasePath(), store.Options{LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("a command beside the daemon: %v", err)
	}
	p := collector.Post{URL: "https://www.facebook.com/tdtn.daklak/posts/777", Platform: "facebook", Campaigns: []string{"cds"}, Unit: "tan-loi",
		Metrics: collector.Metrics{Likes: collector.Known(7)}, ObservedAt: time.Now(), PublishedAt: time.Now()}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Upsert(context.Background(), []collector.Post{p}); err != nil {
		t.Fatal(err)
	}
	cmd.Close()
	testkit.WaitFor(t, "the served report to show the post", func() bool { return lastCount.Load() == 1 })
	if !strings.Contains(d.log.String(), `msg="report refreshed after changes"`) {
		t.Errorf("log:\n%s", d.log)
	}
	// Reads change nothing: no refresh without a write.
	before := reports.Load()
	for range 5 {
		if _, err := st.Count(); err != nil {
			t.Fatal(err)
		}
	}
	r := newRefresher(st, func(ctx context.Context) ([]string, error) { reports.Add(1); return []string{"x"}, nil }, time.Hour, slog.New(slog.DiscardHandler))
	files, err := r.Now(context.Background())
	if err != nil || len(files) != 1 || reports.Load() != before+1 {
		t.Errorf("Now: %v %v; reports %d, want %d", files, err, reports.Load(), before+1)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	if n := reports.Load(); n != before+1 {
		t.Errorf("%d reports after only reads, want %d", n, before+1)
	}
}

// TestJobDeadline: a run that outlives the job timeout is cancelled and counted as a
// failure of its source; the log is the JSON the daemon was given.
func TestJobDeadline(t *testing.T) {
	t.Parallel()
	k := testkit.NewKind()
	log := &testkit.Buffer{}
	d := start(t, k, testConfig+testkit.Source("stuck", "slow", "@every 100ms", "sleep = \"1h\"\n"), func(o *Options) {
		o.JobTimeout = 200 * time.Millisecond
		o.Log = slog.New(slog.NewJSONHandler(log, nil))
		o.Runner.Log = o.Log
	})
	testkit.WaitFor(t, "the stuck source to hit its deadline", func() bool {
		_, h := getHealth(t, d.addr)
		return h.Source("stuck").ConsecutiveFailures == 1
	})
	_, h := getHealth(t, d.addr)
	if s := h.Source("stuck"); s.LastError != "context deadline exceeded" || !s.LastSuccess.IsZero() || !s.NextDue.After(time.Now().Add(30*time.Minute)) {
		t.Errorf("stuck health %+v", s)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	var sawFailure bool
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		if rec["msg"] == "job failed" && rec["job"] == "source stuck" && rec["error"] == "context deadline exceeded" {
			sawFailure = true
		}
	}
	if !sawFailure {
		t.Errorf("no JSON line for the failed job:\n%s", log)
	}
}

// TestBackup: the daemon makes its own backups (no other process can open the
// database while it runs); each one opens, passes the store's check and holds what
// was submitted through the form's API before it.
func TestBackup(t *testing.T) {
	t.Parallel()
	d := start(t, testkit.NewKind(), testConfig+"\n[backup]\ndir = \"sao-luu\"\nschedule = \"@every 100ms\"\nkeep = 2\n"+testkit.Token)
	resp, err := http.Post("http://"+d.addr+"/api/submit/"+testkit.UnitToken, "application/json",
		strings.NewReader(`{"url":"https://www.facebook.com/tdtn.daklak/posts/777","likes":5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %s", resp.Status)
	}
	testkit.WaitFor(t, "a backup with the submitted post", func() bool {
		return strings.Contains(d.log.String(), `msg="backup written"`) && strings.Contains(d.log.String(), "posts=1 pruned=")
	})
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	dir := d.cfg.BackupPath()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "hashtrack-") {
		t.Fatalf("backup folder: %v %v", entries, err)
	}
	b, err := store.Open(filepath.Join(dir, entries[0].Name()), store.Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, ok, err := b.Get(testkit.PostID(t, "https://www.facebook.com/tdtn.daklak/posts/777"))
	if err != nil || !ok || p.Metrics.Likes != collector.Known(5) {
		t.Errorf("backup lacks the post: %v %v %+v", ok, err, p.Metrics)
	}
	if r, err := b.Check(context.Background()); err != nil || !r.OK() || r.Posts != 1 {
		t.Errorf("check of the daemon's backup: %v %+v", err, r)
	}
}

// TestNotStarted: an address already taken stops the daemon before anything runs,
// and says so with ErrStart.
func TestNotStarted(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	path := filepath.Join(t.TempDir(), "hashtrack.toml")
	os.WriteFile(path, []byte(testConfig), 0o644)
	c, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(c.DatabasePath(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = Run(context.Background(), Options{Config: c, Store: st, Runner: &ingest.Runner{Config: c, Store: st}, Addr: taken.Addr().String(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if !errors.Is(err, ErrStart) || !strings.Contains(err.Error(), "listen on "+taken.Addr().String()) {
		t.Fatalf("got %v", err)
	}
}
