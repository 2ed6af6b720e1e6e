package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestStoreFirstChildProcess is `hashtrack` in a process of its own for
// TestImportStoresFirstAndResumes, with loopback treated as the internet: it runs the
// arguments after "--" and exits with the command's code. Run directly, it skips.
func TestStoreFirstChildProcess(t *testing.T) {
	if os.Getenv("HASHTRACK_STOREFIRST_CHILD") != "1" {
		t.Skip("the child process of TestImportStoresFirstAndResumes")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	err := runTest(context.Background(), args, strings.NewReader(""), os.Stdout, os.Stderr, func(e *env) {
		e.fetchAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		e.lockTimeout = time.Minute // the test reads the database while this process works
	})
	if err != nil && !isSilent(err) {
		fmt.Fprintln(os.Stderr, "hashtrack:", err)
	}
	os.Exit(exitCode(err))
}

// slowPages answers each page after delay (until release), carrying the campaign's hashtag. The first
// answer requests get an answer; later ones are held unanswered until release (or
// until their client goes away), so that a run can be killed while pages are in
// flight whose answers it never got. onFirst runs when the first request arrives,
// before anything is answered.
type slowPages struct {
	delay   time.Duration
	onFirst func()

	first    sync.Once
	mu       sync.Mutex
	answer   int            // how many more requests get an answer now
	answered map[string]int // answers given, by path
	inflight int            // requests not yet returned
	released chan struct{}  // closed: every request is answered
}

func (s *slowPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.first.Do(s.onFirst)
	s.mu.Lock()
	s.inflight++
	defer func() { s.mu.Lock(); s.inflight--; s.mu.Unlock() }()
	ok := s.answer > 0
	if ok {
		s.answer--
	}
	released := s.released
	s.mu.Unlock()
	if !ok {
		select {
		case <-released:
		case <-r.Context().Done():
			return // the client was killed: no answer was given
		}
	}
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, `<html><head><title>Bài `+r.URL.Path+`</title></head><body><p>#TuoitreDakLakTienphongChuyendoiso</p></body></html>`)
	s.mu.Lock()
	s.answered[r.URL.Path]++
	s.mu.Unlock()
}

func (s *slowPages) answers() (links, total, most int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.answered {
		links++
		total += n
		most = max(most, n)
	}
	return links, total, most
}

// TestImportStoresFirstAndResumes is issue 18's "done when": an import of 1,000 rows
// whose pages answer after 2 s stores every row before the first page is even asked
// for; killed (SIGKILL) while pages are in flight, a rerun completes the checks
// without any page answered twice, and without a duplicate post.
func TestImportStoresFirstAndResumes(t *testing.T) {
	t.Parallel()
	const rows, firstRun = 1000, 200
	dir := t.TempDir()
	cfg := writeConfig(t, strings.Replace(importConfig, "enrich = false", "enrich = true\nglobal = 1000\nper_host = 1000", 1))
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// count reads the database as another process would, while the child works.
	count := func() (posts, waiting int) {
		st, err := store.Open(c.DatabasePath(), store.Options{ReadOnly: true, LockTimeout: time.Minute})
		if err != nil {
			t.Error(err)
			return -1, -1
		}
		defer st.Close()
		if posts, err = st.Count(); err != nil {
			t.Error(err)
		}
		if waiting, err = st.CountChecks(); err != nil {
			t.Error(err)
		}
		return posts, waiting
	}
	storedAtFirstRequest := -1
	pages := &slowPages{delay: 2 * time.Second, answer: firstRun, answered: map[string]int{}, released: make(chan struct{})}
	pages.onFirst = func() { storedAtFirstRequest, _ = count() }
	srv := httptest.NewServer(pages)
	defer srv.Close()
	defer pages.release()

	var csv bytes.Buffer
	csv.WriteString("Link bài viết\n")
	for i := range rows {
		fmt.Fprintf(&csv, "%s/bai/%04d\n", srv.URL, i)
	}
	file := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(file, csv.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStoreFirstChildProcess$", "-test.count=1", "--", "--config", cfg, "import", file, "--campaign", "cds")
		cmd.Env = append(os.Environ(), "HASHTRACK_STOREFIRST_CHILD=1")
		return cmd
	}

	// First run: killed once the pages that were answered have their results stored;
	// the other requests in flight never got an answer.
	first := child()
	var firstOut bytes.Buffer
	first.Stdout, first.Stderr = &firstOut, &firstOut
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute) // a failsafe, not a measurement
	for {
		if _, total, _ := pages.answers(); total == firstRun {
			if _, waiting := count(); waiting == rows-firstRun {
				break
			}
		}
		if time.Now().After(deadline) {
			first.Process.Kill()
			first.Wait()
			t.Fatalf("the first run did not store %d results:\n%s", firstRun, firstOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	// The held requests of the killed run return once the server sees their client
	// gone; only then are the pages released, so none of them is answered late.
	for pages.busy() {
		if time.Now().After(deadline) {
			t.Fatal("the killed run's requests are still held")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if storedAtFirstRequest != rows {
		t.Fatalf("%d posts stored when the first page was asked for, want all %d", storedAtFirstRequest, rows)
	}
	if posts, waiting := count(); posts != rows || waiting != rows-firstRun {
		t.Fatalf("after the kill: %d posts, %d waiting; want %d and %d", posts, waiting, rows, rows-firstRun)
	}

	// The rerun answers every request: it checks the rest, and nothing twice.
	pages.release()
	out, err := child().CombinedOutput()
	if err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("%d dòng — 0 mới", rows)) ||
		!strings.Contains(string(out), fmt.Sprintf("Kiểm tra hashtag trên trang của %d đường dẫn mới: %d có hashtag", rows-firstRun, rows-firstRun)) {
		t.Errorf("rerun said:\n%s", out)
	}
	links, total, most := pages.answers()
	if links != rows || total != rows || most != 1 {
		t.Errorf("%d pages answered %d times (at most %d times one), want each of %d once", links, total, most, rows)
	}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	verified := 0
	err = st.Posts(context.Background(), store.Query{AnyState: true}, func(p collector.Post) error {
		if p.Verification == collector.Verified && strings.HasPrefix(p.Title, "Bài /bai/") {
			verified++
		}
		return nil
	})
	if n, _ := st.Count(); err != nil || n != rows || verified != rows {
		t.Errorf("%v: %d posts, %d checked; want %d of each", err, n, verified, rows)
	}
	if n, _ := st.CountChecks(); n != 0 {
		t.Errorf("%d still waiting", n)
	}
	if rep, err := st.Check(context.Background()); err != nil || !rep.OK() {
		t.Errorf("check: %v %s", err, rep)
	}
}

// busy reports whether a request is being served.
func (s *slowPages) busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inflight > 0
}

func (s *slowPages) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.released:
	default:
		s.answer = 1 << 30
		// The rerun proves each page is asked for once; the 2 s answer was the first
		// run's (its rows stored before any page answered), so the rest answer at once.
		s.delay = 0
		close(s.released)
	}
}
