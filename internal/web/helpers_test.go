package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// testConfig is a small valid configuration; tests append sources or tokens to it.
const testConfig = `
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

const (
	unitToken     = "tanloi-0123456789abcdef"
	campaignToken = "campaign-0123456789abcdef"
	testTokens    = `
[[token]]
token = "tanloi-0123456789abcdef"
unit = "tan-loi"

[[token]]
token = "campaign-0123456789abcdef"
campaign = "cds"
`
)

// publicReports opens the reports and health details to everyone, as before the console.
const publicReports = "\n[server]\npublic_reports = true\n"

// testNow is the fixed clock of the server tests: 30/03/2023 09:00 in Đắk Lắk.
var testNow = time.Date(2023, 3, 30, 9, 0, 0, 0, collector.DefaultLocation())

// idleKind is a source kind that collects nothing: the server only reads a source's
// health, never runs it.
type idleKind struct{}

func (idleKind) Collect(context.Context, collector.Request) (collector.Result, error) {
	return collector.Result{}, nil
}

var testKinds = collector.Kinds{"idle": func(collector.Source) (collector.Collector, error) { return idleKind{}, nil }}

// testSource is a [[source]] of the idle kind.
func testSource(name string) string {
	return "\n[[source]]\nname = \"" + name + "\"\nkind = \"idle\"\nurl = \"https://www.facebook.com/tdtn.daklak/posts/" + name + "\"\n"
}

type testServer struct {
	*Server
	ts  *httptest.Server
	cfg string
	log *lockedBuffer
}

// unlimited lifts the rate limits: fuzzing and long tables are floods by design.
func unlimited(o *Options) {
	o.AddrLimit = Limit{PerMinute: 1 << 30, Burst: 1 << 30}
	o.TokenLimit = Limit{PerMinute: 1 << 30, Burst: 1 << 30}
	o.GuessLimit = Limit{PerMinute: 1 << 30, Burst: 1 << 30}
}

// readPages turns on reading the pages of new links, with the fetch guard letting
// allow through (loopback fixtures stand in for public sites).
func readPages(allow string) func(*Options) {
	return func(o *Options) {
		o.Runner.Fetcher = fetch.New(o.Config.FetchOptions(netip.MustParsePrefix(allow)))
		o.Runner.ReadPages = true
	}
}

// newTestServer serves the handler on loopback with its own database; opts change the
// options (limits, page reading) before the server is built.
func newTestServer(t testing.TB, extra string, opts ...func(*Options)) *testServer {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "hashtrack.toml")
	if err := os.WriteFile(cfg, []byte(testConfig+testTokens+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(cfg, testKinds)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return testNow }
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := &lockedBuffer{}
	o := Options{Config: c, Store: st, Log: slog.New(slog.NewTextHandler(log, nil)), Now: now}
	o.Runner = &ingest.Runner{Config: c, Store: st, Now: now, Log: o.Log}
	for _, f := range opts {
		f(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &testServer{Server: srv, ts: ts, cfg: cfg, log: log}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (s *testServer) do(t *testing.T, method, path, ctype, body string, header map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return reply{resp.StatusCode, resp.Header, b.String()}
}

func (s *testServer) postForm(t *testing.T, token string, v url.Values) reply {
	t.Helper()
	return s.do(t, "POST", "/submit/"+token, "application/x-www-form-urlencoded", v.Encode(), nil)
}

func (s *testServer) postJSON(t *testing.T, token, body string) reply {
	t.Helper()
	return s.do(t, "POST", "/api/submit/"+token, "application/json", body, nil)
}

func (s *testServer) post(t *testing.T, link string) collector.Post {
	t.Helper()
	p, ok, err := s.st.Get(mustPostID(t, link))
	if err != nil || !ok {
		t.Fatalf("post %s: %v %v", link, ok, err)
	}
	return p
}

func mustPostID(t *testing.T, link string) string {
	t.Helper()
	u, err := canon.URL(link)
	if err != nil {
		t.Fatal(err)
	}
	return canon.PostID(u)
}

// lockedBuffer is a bytes.Buffer safe to write from the server's goroutines while
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

// hostileTexts are what the public may type into a title, an author or a note (the
// same set the command line's tests submit).
var hostileTexts = map[string]string{
	"script":     `</script><script>alert("xss")</script>`,
	"img":        `<img src=x onerror=alert(1)>`,
	"echarts fn": `__f__function(){alert(1)}__f__`,
	"U+2028":     "Dòng một\u2028Dòng hai\u2029",
	"RTL":        "Báo cáo \u202Egnp.exe",
	"NUL":        "a\x00b\xffc",
	"long":       strings.Repeat("Tuổi trẻ Đắk Lắk ", 600), // 10,200 characters
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
