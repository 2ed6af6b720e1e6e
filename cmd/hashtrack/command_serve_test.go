package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// startServe runs `hashtrack serve` in the test's process on a loopback port and
// returns its address, its log, and a stop function that cancels it (as SIGTERM does
// through main's signal.NotifyContext) and returns run's error.
func startServe(t *testing.T, cfg string, args ...string) (addr string, log *lockedBuffer, stop func() error) {
	t.Helper()
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	log = &lockedBuffer{}
	done := make(chan error, 1)
	full := append([]string{"--config", cfg, "serve", "--addr", "127.0.0.1:0"}, args...)
	go func() {
		done <- runTest(ctx, full, strings.NewReader(""), io.Discard, log, func(e *env) { e.onListening = func(a string) { ready <- a } })
	}()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve ended before listening: %v\n%s", err, log)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve did not start:\n%s", log)
	}
	var once atomic.Bool
	stop = func() error {
		if !once.CompareAndSwap(false, true) {
			return nil
		}
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(60 * time.Second):
			t.Fatalf("serve did not stop:\n%s", log)
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return addr, log, stop
}

type healthReply struct {
	Status  string                `json:"status"`
	Sources []ingest.SourceStatus `json:"sources"`
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

func (h healthReply) source(name string) ingest.SourceStatus {
	for _, s := range h.Sources {
		if s.Name == name {
			return s
		}
	}
	return ingest.SourceStatus{}
}

// TestServeSchedules starts the daemon with schedules of one second and watches a
// source collected on schedule, a slow one skipped rather than stacked, a panicking
// one recovered while the others keep running, and a clean stop.
func TestServeSchedules(t *testing.T) {
	resetTestRuns()
	cfg := writeConfig(t, testConfig+
		testSource("counter", "count", "@every 1s", "")+
		testSource("slow", "slow", "@every 1s", "sleep = \"2500ms\"\n")+
		testSource("boom", "panic", "@every 1s", ""))
	addr, log, stop := startServe(t, cfg, "--job-timeout", "20s")

	waitFor(t, "the counter collected three times", func() bool { return testStarts("counter") >= 3 })
	waitFor(t, "the slow source skipped while it runs", func() bool {
		return strings.Contains(log.String(), `msg="job still running; this run is skipped" job="source slow"`)
	})
	waitFor(t, "the panicking source ran", func() bool { return testStarts("boom") >= 1 })
	testRuns.Lock()
	panicked := testRuns.panics["boom"]
	testRuns.Unlock()
	after := testStarts("counter")
	waitFor(t, "the counter still running after the panic", func() bool { return testStarts("counter") >= after+2 })

	code, h := getHealth(t, addr)
	if c := h.source("counter"); c.Status != "ok" || c.LastSuccess.IsZero() || c.ConsecutiveFailures != 0 {
		t.Errorf("counter health %+v", c)
	}
	if b := h.source("boom"); b.ConsecutiveFailures != 1 || b.LastError != "collector panicked: testkind: boom" || b.Status != "ok" {
		t.Errorf("boom health %+v", b)
	}
	if code != http.StatusOK || h.Status != "ok" {
		t.Errorf("healthz %d %q", code, h.Status)
	}
	if !testRuns.panics["boom"].Equal(panicked) {
		t.Errorf("boom ran again despite its backoff")
	}

	// The daemon holds the database: the CLI is told to use the form or the API.
	r := runCmd(t, cfg, "submit", "https://zalo.me/x")
	if r.code != 2 || !strings.Contains(r.stderr, "in use by another hashtrack process") || !strings.Contains(r.stderr, "hashtrack serve") {
		t.Errorf("submit while serving: %+v", r)
	}

	if err := stop(); err != nil {
		t.Fatalf("serve returned %v\n%s", err, log)
	}
	testRuns.Lock()
	maxSlow, running := testRuns.maxRunning["slow"], testRuns.running["slow"]
	testRuns.Unlock()
	if maxSlow != 1 {
		t.Errorf("slow source ran %d at once; want 1 (skipped, not stacked)", maxSlow)
	}
	if running != 0 {
		t.Errorf("a slow run was still going after stop")
	}
	if !strings.Contains(log.String(), "stopped; database closed") {
		t.Errorf("no clean stop in the log:\n%s", log)
	}
	// Closed cleanly: the file opens at once, and holds the counter's post.
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := (&env{now: time.Now}).openStore(c, true)
	if err != nil {
		t.Fatalf("reopen after stop: %v", err)
	}
	defer st.Close()
	p, ok, err := st.Get(mustPostID(t, "https://www.facebook.com/tdtn.daklak/posts/counter"))
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
	cfg := writeConfig(t, testConfig)
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := &lockedBuffer{}
	e := &env{stderr: log, now: time.Now, verbose: true}
	e.setupLog()
	st, err := e.openStore(c, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := newDaemon(context.Background(), e, c, st, 5*time.Second)
	var panics, ticks atomic.Int32
	if err := d.add("@every 1s", "boom", func(context.Context) error { panics.Add(1); panic("boom") }); err != nil {
		t.Fatal(err)
	}
	if err := d.add("@every 1s", "tick", func(context.Context) error { ticks.Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	d.cron.Start()
	waitFor(t, "the panicking job to run three times", func() bool { return panics.Load() >= 3 })
	waitFor(t, "the other job to keep running", func() bool { return ticks.Load() >= 3 })
	<-d.cron.Stop().Done()
	if n := strings.Count(log.String(), `msg="job panicked; recovered, other jobs keep running" job=boom error=boom`); n < 3 {
		t.Errorf("%d recovered panics logged; want ≥ 3:\n%s", n, log)
	}
}

func TestScheduleRejectsBadSpec(t *testing.T) {
	cfg := writeConfig(t, testConfig)
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{stderr: io.Discard, now: time.Now}
	e.setupLog()
	d := newDaemon(context.Background(), e, c, nil, time.Second)
	err = d.add("every day", "report", func(context.Context) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `serve: schedule report "every day"`) {
		t.Fatalf("got %v", err)
	}
}

func mustPostID(t *testing.T, link string) string {
	t.Helper()
	u, err := canon.URL(link)
	if err != nil {
		t.Fatal(err)
	}
	return canon.PostID(u)
}

var listening = regexp.MustCompile(`msg="hashtrack serve: listening" addr=(\S+)`)

// TestServeStopsOnSIGTERM runs the real binary and stops it with SIGTERM.
func TestServeStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	cfg := writeConfig(t, testConfig+"\n[[token]]\ntoken = \"tanloi-0123456789abcdef\"\nunit = \"tan-loi\"\n")
	cmd := exec.Command(bin, "--config", cfg, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var addr string
	var logText strings.Builder
	for addr == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited:\n%s", logText.String())
			}
			logText.WriteString(l + "\n")
			if m := listening.FindStringSubmatch(l); m != nil {
				addr = m[1]
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no listening line:\n%s", logText.String())
		}
	}
	resp, err := http.Post("http://"+addr+"/api/submit/tanloi-0123456789abcdef", "application/json",
		strings.NewReader(`{"url":"https://www.facebook.com/tdtn.daklak/posts/555","likes":7}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %s", resp.Status)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		logText.WriteString(l + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, logText.String())
	}
	if !strings.Contains(logText.String(), "stopped; database closed") {
		t.Errorf("log:\n%s", logText.String())
	}
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(c.DatabasePath(), store.Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("database not released: %v", err)
	}
	defer st.Close()
	if n, err := st.Count(); err != nil || n != 1 {
		t.Errorf("posts after stop: %d %v", n, err)
	}
}

// TestServeReportJob: the report job collects the sources without a schedule of their
// own, then writes the report.
func TestServeReportJob(t *testing.T) {
	resetTestRuns()
	cfg := writeConfig(t, strings.Replace(testConfig, "report_dir = \"reports\"\n", "report_dir = \"reports\"\n\n[report]\nschedule = \"@every 1s\"\n", 1)+
		testSource("daily", "count", "", ""))
	_, log, stop := startServe(t, cfg)
	waitFor(t, "the report job to collect the unscheduled source", func() bool { return testStarts("daily") >= 1 })
	waitFor(t, "the report job to finish", func() bool {
		return strings.Contains(log.String(), `job=report`) &&
			(strings.Contains(log.String(), `msg="job done" job=report`) || strings.Contains(log.String(), `msg="job failed" job=report`))
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	l := log.String()
	if !strings.Contains(l, `msg="source collected" source=daily seen=1 new=1 updated=0`) {
		t.Errorf("log:\n%s", l)
	}
	if strings.Contains(l, `msg="job failed" job=report`) && !strings.Contains(l, "not built yet") {
		t.Errorf("report job failed:\n%s", l)
	}
}

// TestServeJobDeadline: a run that outlives --job-timeout is cancelled and counted as
// a failure of its source; the daemon logs JSON with --log-format json.
func TestServeJobDeadline(t *testing.T) {
	resetTestRuns()
	cfg := writeConfig(t, testConfig+testSource("stuck", "slow", "@every 1s", "sleep = \"1h\"\n"))
	addr, log, stop := startServe(t, cfg, "--job-timeout", "1500ms", "--log-format", "json")
	waitFor(t, "the stuck source to hit its deadline", func() bool {
		_, h := getHealth(t, addr)
		return h.source("stuck").ConsecutiveFailures == 1
	})
	_, h := getHealth(t, addr)
	if s := h.source("stuck"); s.LastError != "context deadline exceeded" || !s.LastSuccess.IsZero() || !s.NextDue.After(time.Now().Add(30*time.Minute)) {
		t.Errorf("stuck health %+v", s)
	}
	if err := stop(); err != nil {
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

// TestServeBackup: the daemon makes its own backups (no other process can open the
// database while it runs); each one opens and holds what was submitted before it.
func TestServeBackup(t *testing.T) {
	cfg := writeConfig(t, testConfig+"\n[backup]\ndir = \"sao-luu\"\nschedule = \"@every 1s\"\nkeep = 2\n"+
		"\n[[token]]\ntoken = \"tanloi-0123456789abcdef\"\nunit = \"tan-loi\"\n")
	addr, log, stop := startServe(t, cfg)
	resp, err := http.Post("http://"+addr+"/api/submit/tanloi-0123456789abcdef", "application/json",
		strings.NewReader(`{"url":"https://www.facebook.com/tdtn.daklak/posts/777","likes":5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %s", resp.Status)
	}
	waitFor(t, "a backup with the submitted post", func() bool {
		return strings.Contains(log.String(), `msg="backup written"`) && strings.Contains(log.String(), "posts=1 pruned=")
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(filepath.Dir(cfg), "sao-luu")
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "hashtrack-") {
		t.Fatalf("backup folder: %v %v", entries, err)
	}
	b, err := store.Open(filepath.Join(dir, entries[0].Name()), store.Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, ok, err := b.Get(mustPostID(t, "https://www.facebook.com/tdtn.daklak/posts/777"))
	if err != nil || !ok || p.Metrics.Likes != collector.Known(5) {
		t.Errorf("backup lacks the post: %v %v %+v", ok, err, p.Metrics)
	}
	b.Close()
	// The copy taken while the daemon ran passes `hashtrack check`.
	backupCfg := filepath.Join(filepath.Dir(cfg), "backup.toml")
	text := strings.Replace(testConfig, `database = "data/test.db"`, `database = "sao-luu/`+entries[0].Name()+`"`, 1)
	if !strings.Contains(text, "sao-luu/hashtrack-") {
		t.Fatal("test config still names the daemon's database")
	}
	os.WriteFile(backupCfg, []byte(text), 0o644)
	if r := runCmd(t, backupCfg, "check"); r.code != 0 {
		t.Errorf("check of the daemon's backup: %+v", r)
	}
}

func TestBackupConfig(t *testing.T) {
	c, err := parseConfig("t.toml", testConfig)
	if err != nil || c.BackupPath() != "" || c.Backup.Schedule != "30 2 * * *" || c.Backup.Keep != 30 {
		t.Fatalf("defaults: %+v %v", c.Backup, err)
	}
	for _, tc := range []struct{ table, want string }{
		{"[backup]\ndir = \"b\"\nschedule = \"mỗi đêm\"\n", `backup.schedule: "mỗi đêm"`},
		{"[backup]\ndir = \"b\"\nkeep = -1\n", "backup.keep: must not be negative"},
	} {
		_, err := parseConfig("t.toml", testConfig+"\n"+tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v; want %s", tc.table, err, tc.want)
		}
	}
}
