package daemon

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// testConfig is the shared test configuration with /healthz's details open: the
// tests read them without a staff login.
const testConfig = testkit.Config + testkit.PublicReports

// daemonRun is one daemon started by a test.
type daemonRun struct {
	addr string
	log  *testkit.Buffer
	cfg  *config.Config
	stop func() error
}

// start runs the daemon over a fresh database on a loopback port; change edits the
// options first. stop cancels it (as SIGTERM does) and returns Run's error.
func start(t *testing.T, k *testkit.Kind, text string, change ...func(*Options)) *daemonRun {
	t.Helper()
	path := testkit.WriteConfig(t, text)
	c, err := config.Load(path, k.Add(nil))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := &testkit.Buffer{}
	ready := make(chan string, 1)
	o := Options{Config: c, Store: st, Addr: "127.0.0.1:0", Log: slog.New(slog.NewTextHandler(log, nil)),
		OnListening: func(a string) { ready <- a }, Schedules: testkit.ExactEvery{}}
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

func getHealth(t *testing.T, addr string) (int, testkit.Health) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h testkit.Health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, h
}
