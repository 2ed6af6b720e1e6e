package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// campaignToken is a campaign-wide form token; testTokens configures it beside the
// shared unit token.
const (
	campaignToken = "campaign-0123456789abcdef"
	testTokens    = testkit.Token + `
[[token]]
token = "campaign-0123456789abcdef"
campaign = "cds"
`
)

// testNow is the fixed clock of the server tests: 30/03/2023 09:00 in Đắk Lắk.
var testNow = time.Date(2023, 3, 30, 9, 0, 0, 0, collector.DefaultLocation())

type testServer struct {
	*Server
	ts  *httptest.Server
	cfg string
	log *testkit.Buffer
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
	cfg := testkit.WriteConfig(t, testkit.Config+testTokens+extra)
	c, err := config.Load(cfg, testkit.IdleKinds())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return testNow }
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := &testkit.Buffer{}
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
	var handlers sync.WaitGroup
	h := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		// No handler may run once the store closes; but the connections need not be
		// waited for: net/http keeps one whose body it refused (413) open 500 ms more so
		// the client reads the answer (rstAvoidanceDelay), and httptest's Close waits
		// for every connection, which held each test that sends too much that long.
		handlers.Wait()
		go ts.Close()
	})
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
	p, ok, err := s.st.Get(testkit.PostID(t, link))
	if err != nil || !ok {
		t.Fatalf("post %s: %v %v", link, ok, err)
	}
	return p
}
