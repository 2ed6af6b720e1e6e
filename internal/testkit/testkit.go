// Package testkit is what the tests of the command line, the daemon and the web server
// share: a small valid configuration, a source kind whose collectors a test controls
// and reads back, and the waiting and logging helpers goroutine-heavy tests need. It
// is imported only from _test.go files. Every record lives on a value a test makes
// (NewKind), so tests run in parallel without seeing each other's counters.
package testkit

import (
	"bytes"
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
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
)

// Config is a small valid configuration; tests append sources, tokens or tables to it.
const Config = `
database = "data/test.db"
report_dir = "reports"

[[campaign]]
id = "cds"
name = "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số"
hashtag = "#TuoitreDakLakTienphongChuyendoiso"
start = 2023-03-01
end = 2023-12-31
target = 300

# Tests never touch the internet: no page is read for submitted links unless a test
# turns enrichment on against its own loopback server.
[fetch]
enrich = false

[[unit]]
id = "tan-loi"
name = "Đoàn phường Tân Lợi"
aliases = ["Tân Lợi"]

[[unit]]
id = "dh-y-duoc-bmt"
name = "Trường Đại học Y Dược Buôn Ma Thuột"
`

// PublicReports opens the reports and /healthz's details to everyone (no staff login).
const PublicReports = "\n[server]\npublic_reports = true\n"

// UnitToken is the form token of Tân Lợi that Token configures.
const UnitToken = "tanloi-0123456789abcdef"

// Token is a [[token]] table for UnitToken.
const Token = "\n[[token]]\ntoken = \"" + UnitToken + "\"\nunit = \"tan-loi\"\n"

// WithFetch adds lines to the [fetch] table of a configuration (TOML allows a table
// to be written once).
func WithFetch(cfg, lines string) string {
	return strings.Replace(cfg, "[fetch]\n", "[fetch]\n"+lines+"\n", 1)
}

// WriteConfig writes a config file into a fresh folder and returns its path.
func WriteConfig(t testing.TB, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hashtrack.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Source is a [[source]] of the test kind: mode is what it does (see Kind), schedule
// may be empty, extra is more lines of its options ("sleep = \"2s\"\n").
func Source(name, mode, schedule, extra string) string {
	s := fmt.Sprintf("\n[[source]]\nname = %q\nkind = \"testkind\"\nurl = \"https://www.facebook.com/tdtn.daklak/posts/%s\"\n", name, name)
	if schedule != "" {
		s += fmt.Sprintf("schedule = %q\n", schedule)
	}
	return s + fmt.Sprintf("[source.options]\nmode = %q\n%s", mode, extra)
}

// Kind is a controllable source kind, "testkind", that records what its collectors
// did. Its options say what a source does: mode = "count" (one post, the source's URL,
// with likes = the run number), "slow" (the same after sleeping `sleep`), "panic",
// "fail" (an error as from a server answering 500).
type Kind struct {
	mu                          sync.Mutex
	starts, running, maxRunning map[string]int
	panics                      map[string]time.Time
}

// NewKind is a Kind with an empty record.
func NewKind() *Kind {
	return &Kind{starts: map[string]int{}, running: map[string]int{}, maxRunning: map[string]int{}, panics: map[string]time.Time{}}
}

// Add is a copy of base with this kind added as "testkind": no test changes a
// registry another test sees. base may be nil.
func (k *Kind) Add(base collector.Kinds) collector.Kinds {
	r := collector.Kinds{}
	for name, f := range base {
		r[name] = f
	}
	r["testkind"] = k.New
	return r
}

// New makes a collector for src, refusing options the kind does not know.
func (k *Kind) New(src collector.Source) (collector.Collector, error) {
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
}

// Starts is how many times the source called name has been collected.
func (k *Kind) Starts(name string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.starts[name]
}

// Running is how many collections of the source are under way now, and MaxRunning
// the most there ever were at once.
func (k *Kind) Running(name string) (now, most int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.running[name], k.maxRunning[name]
}

// PanickedAt is when the source last panicked (zero if never).
func (k *Kind) PanickedAt(name string) time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.panics[name]
}

type testCollector struct {
	k     *Kind
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

// IdleKinds is a registry with one kind, "idle", that collects nothing: for servers
// that only read a source's health, never run it.
func IdleKinds() collector.Kinds {
	return collector.Kinds{"idle": func(collector.Source) (collector.Collector, error) { return idle{}, nil }}
}

// IdleSource is a [[source]] of the idle kind.
func IdleSource(name string) string {
	return "\n[[source]]\nname = \"" + name + "\"\nkind = \"idle\"\nurl = \"https://www.facebook.com/tdtn.daklak/posts/" + name + "\"\n"
}

type idle struct{}

func (idle) Collect(context.Context, collector.Request) (collector.Result, error) {
	return collector.Result{}, nil
}

// Buffer is a bytes.Buffer safe to write from a server's goroutines while the test
// reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WaitFor polls cond until it holds; the limit is only there so a broken daemon fails
// the test instead of hanging it.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PostID is the store's id of the post at link.
func PostID(t testing.TB, link string) string {
	t.Helper()
	u, err := canon.URL(link)
	if err != nil {
		t.Fatal(err)
	}
	return canon.PostID(u)
}

// Health is /healthz's reply.
type Health struct {
	Status  string                `json:"status"`
	Sources []ingest.SourceStatus `json:"sources"`
}

// Source is the status of the source called name (zero if it is not listed).
func (h Health) Source(name string) ingest.SourceStatus {
	for _, s := range h.Sources {
		if s.Name == name {
			return s
		}
	}
	return ingest.SourceStatus{}
}

// HostileTexts are what the public may type into a title, an author or a note: markup,
// a chart-library function, line and direction controls, bytes that are not UTF-8,
// and 10,200 characters. A fresh map each call.
func HostileTexts() map[string]string {
	return map[string]string{
		"script":     `</script><script>alert("xss")</script>`,
		"img":        `<img src=x onerror=alert(1)>`,
		"echarts fn": `__f__function(){alert(1)}__f__`,
		"U+2028":     "Dòng một\u2028Dòng hai\u2029",
		"RTL":        "Báo cáo \u202Egnp.exe",
		"NUL":        "a\x00b\xffc",
		"long":       strings.Repeat("Tuổi trẻ Đắk Lắk ", 600), // 10,200 characters
	}
}
