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

// A controllable source kind for the tests of `run` and `serve`. Its options say what
// it does: mode = "count" (returns one post, the source's URL, with likes = the run
// number), "slow" (the same after sleeping `sleep`), "panic", "fail".
func newTestKind(src collector.Source) (collector.Collector, error) {
	{
		mode, _ := src.Options["mode"].(string)
		switch mode {
		case "count", "slow", "panic", "fail":
		default:
			return nil, fmt.Errorf("testkind: options.mode %q is not count, slow, panic or fail", mode)
		}
		var sleep time.Duration
		if s, ok := src.Options["sleep"].(string); ok {
			d, err := time.ParseDuration(s)
			if err != nil {
				return nil, fmt.Errorf("testkind: options.sleep: %w", err)
			}
			sleep = d
		}
		return &testCollector{mode: mode, sleep: sleep}, nil
	}
}

type testCollector struct {
	mode  string
	sleep time.Duration
}

// testRuns records what the test collectors did, per source name.
var testRuns = struct {
	sync.Mutex
	starts, running, maxRunning map[string]int
	panics                      map[string]time.Time
}{starts: map[string]int{}, running: map[string]int{}, maxRunning: map[string]int{}, panics: map[string]time.Time{}}

func resetTestRuns() {
	testRuns.Lock()
	defer testRuns.Unlock()
	clear(testRuns.starts)
	clear(testRuns.running)
	clear(testRuns.maxRunning)
	clear(testRuns.panics)
}

func testStarts(name string) int {
	testRuns.Lock()
	defer testRuns.Unlock()
	return testRuns.starts[name]
}

func (tc *testCollector) Collect(ctx context.Context, req collector.Request) (collector.Result, error) {
	name := req.Source.Name
	testRuns.Lock()
	testRuns.starts[name]++
	n := testRuns.starts[name]
	testRuns.running[name]++
	testRuns.maxRunning[name] = max(testRuns.maxRunning[name], testRuns.running[name])
	testRuns.Unlock()
	defer func() {
		testRuns.Lock()
		testRuns.running[name]--
		testRuns.Unlock()
	}()
	switch tc.mode {
	case "panic":
		testRuns.Lock()
		testRuns.panics[name] = time.Now()
		testRuns.Unlock()
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
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
