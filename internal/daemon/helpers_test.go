package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// testConfig is a small valid configuration; tests append sources, tokens or tables.
const testConfig = `
database = "data/test.db"
report_dir = "reports"

[[campaign]]
id = "cds"
name = "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số"
hashtag = "#TuoitreDakLakTienphongChuyendoiso"
start = 2023-03-01
end = 2023-12-31

[fetch]
enrich = false

# The tests read /healthz's details without a staff login.
[server]
public_reports = true

[[unit]]
id = "tan-loi"
name = "Đoàn phường Tân Lợi"
`

const unitToken = "tanloi-0123456789abcdef"

const testToken = "\n[[token]]\ntoken = \"" + unitToken + "\"\nunit = \"tan-loi\"\n"

// testSource is a [[source]] of the test kind.
func testSource(name, mode, schedule, extra string) string {
	s := fmt.Sprintf("\n[[source]]\nname = %q\nkind = \"testkind\"\nurl = \"https://www.facebook.com/tdtn.daklak/posts/%s\"\n", name, name)
	if schedule != "" {
		s += fmt.Sprintf("schedule = %q\n", schedule)
	}
	return s + fmt.Sprintf("[source.options]\nmode = %q\n%s", mode, extra)
}

// testKind is a controllable source kind that records what its collectors did. Each
// test makes its own, so tests run in parallel without sharing counters. Its options
// say what a source does: mode = "count" (one post, the source's URL, with likes =
// the run number), "slow" (the same after sleeping `sleep`), "panic", "fail".
type testKind struct {
	mu                          sync.Mutex
	starts, running, maxRunning map[string]int
	panics                      map[string]time.Time
}

func newTestKind() *testKind {
	return &testKind{starts: map[string]int{}, running: map[string]int{}, maxRunning: map[string]int{}, panics: map[string]time.Time{}}
}

func (k *testKind) kinds() collector.Kinds {
	return collector.Kinds{"testkind": func(src collector.Source) (collector.Collector, error) {
		mode, _ := src.Options["mode"].(string)
		switch mode {
		case "count", "slow", "panic", "fail":
		default:
			return nil, fmt.Errorf("testkind: options.mode %q is not count, slow, panic or fail", mode)
		}
		c := &testCollector{k: k, mode: mode}
		if s, ok := src.Options["sleep"].(string); ok {
			d, err := time.ParseDuration(s)
			if err != nil {
				return nil, fmt.Errorf("testkind: options.sleep: %w", err)
			}
			c.sleep = d
		}
		return c, nil
	}}
}

func (k *testKind) startsOf(name string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.starts[name]
}

type testCollector struct {
	k     *testKind
	mode  string
	sleep time.Duration
}

func (tc *testCollector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	k, name := tc.k, req.Source.Name
	k.mu.Lock()
	k.starts[name]++
	n := k.starts[name]
	k.running[name]++
	k.maxRunning[name] = max(k.maxRunning[name], k.running[name])
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.running[name]--
		k.mu.Unlock()
	}()
	switch tc.mode {
	case "panic":
		k.mu.Lock()
		k.panics[name] = time.Now()
		k.mu.Unlock()
		panic("testkind: boom")
	case "fail":
		return collector.Result{}, errors.New("testkind: the source answered 500")
	case "slow":
		select {
		case <-time.After(tc.sleep):
		case <-ctx.Done():
			return collector.Result{}, ctx.Err()
		}
	}
	p := collector.Post{URL: req.Source.URL, Title: "Bài của nguồn " + name, Metrics: collector.Metrics{Likes: collector.Known(int64(n))},
		PublishedAt: time.Date(2023, 3, 29, 8, 14, 0, 0, collector.DefaultLocation()), ObservedAt: req.Now}
	return collector.Result{Posts: []collector.Post{p}, ItemsSeen: 1}, nil
}

// daemonRun is one daemon started by a test.
type daemonRun struct {
	addr string
	log  *lockedBuffer
	cfg  *config.Config
	stop func() error
}

// start runs the daemon over a fresh database on a loopback port; change edits the
// options first. stop cancels it (as SIGTERM does) and returns Run's error.
func start(t *testing.T, k *testKind, text string, change ...func(*Options)) *daemonRun {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hashtrack.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path, k.kinds())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := &lockedBuffer{}
	ready := make(chan string, 1)
	o := Options{Config: c, Store: st, Addr: "127.0.0.1:0", Log: slog.New(slog.NewTextHandler(log, nil)),
		OnListening: func(a string) { ready <- a }}
	o.Runner = &ingest.Runner{Config: c, Store: st, Log: o.Log}
	for _, f := range change {
		f(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o) }()
	d := &daemonRun{log: log, cfg: c}
	select {
	case d.addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("the daemon ended before listening: %v\n%s", err, log)
	}
	var once atomic.Bool
	d.stop = func() error {
		if !once.CompareAndSwap(false, true) {
			return nil
		}
		cancel()
		return <-done
	}
	t.Cleanup(func() { d.stop() })
	return d
}

type healthReply struct {
	Status  string                `json:"status"`
	Sources []ingest.SourceStatus `json:"sources"`
}

func (h healthReply) source(name string) ingest.SourceStatus {
	for _, s := range h.Sources {
		if s.Name == name {
			return s
		}
	}
	return ingest.SourceStatus{}
}

func getHealth(t *testing.T, addr string) (int, healthReply) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h healthReply
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, h
}

func mustPostID(t *testing.T, link string) string {
	t.Helper()
	u, err := canon.URL(link)
	if err != nil {
		t.Fatal(err)
	}
	return canon.PostID(u)
}

// lockedBuffer is a bytes.Buffer safe to write from the daemon's goroutines while
// the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor polls cond until it holds; the limit is only there so a broken daemon fails
// the test instead of hanging it.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
