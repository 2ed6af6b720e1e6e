package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// testKind is a controllable source kind for the tests of `run` and `serve`, with its
// own record of what its collectors did: each test that reads the record makes its
// own, so tests run in parallel. Its options say what a source does: mode = "count"
// (returns one post, the source's URL, with likes = the run number), "slow" (the same
// after sleeping `sleep`), "panic", "fail".
type testKind struct {
	mu     sync.Mutex
	starts map[string]int
}

func newTestKind() *testKind { return &testKind{starts: map[string]int{}} }

// kinds is the default registry plus this test kind, a fresh map per call: no test
// changes a registry another test sees.
func (k *testKind) kinds() collector.Kinds {
	r := defaultKinds()
	r["testkind"] = k.newCollector
	return r
}

func (k *testKind) newCollector(src collector.Source) (collector.Collector, error) {
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

// startsOf is how many times the source called name has been collected.
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
	k.mu.Unlock()
	switch tc.mode {
	case "panic":
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
