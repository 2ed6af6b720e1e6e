package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
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

	"github.com/tinhdoandaklak/hashtrack/deliver/email/smtptest"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// startServe runs `hashtrack serve` in the test's process on a loopback port and
// returns its address, its log, and a stop function that cancels it (as SIGTERM does
// through main's signal.NotifyContext) and returns run's error.
func startServe(t *testing.T, cfg string, opts []func(*env), args ...string) (addr string, log *testkit.Buffer, stop func() error) {
	t.Helper()
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	log = &testkit.Buffer{}
	done := make(chan error, 1)
	full := append([]string{"--config", cfg, "serve", "--addr", "127.0.0.1:0"}, args...)
	go func() {
		done <- runTest(ctx, full, strings.NewReader(""), io.Discard, log, append(opts, func(e *env) { e.onListening = func(a string) { ready <- a }; e.schedules = testkit.ExactEvery{} })...)
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

// TestServeCommand drives `hashtrack serve` as main does, with JSON logs: the form's
// API stores a submission, the CLI is told the daemon holds the database, the report
// job writes the day's report through the same function as `run`, and a stop closes
// the database.
func TestServeCommand(t *testing.T) {
	t.Parallel()
	k := testkit.NewKind()
	cfg := writeConfig(t, strings.Replace(testConfig, "report_dir = \"reports\"\n", "report_dir = \"reports\"\n\n[report]\nschedule = \"@every 250ms\"\n", 1)+
		testSource("daily", "count", "", "")+"\n[[token]]\ntoken = \"tanloi-0123456789abcdef\"\nunit = \"tan-loi\"\n")
	addr, log, stop := startServe(t, cfg, []func(*env){withKinds(k)}, "--job-timeout", "20s", "--log-format", "json")
	resp, err := http.Post("http://"+addr+"/api/submit/tanloi-0123456789abcdef", "application/json",
		strings.NewReader(`{"url":"https://www.facebook.com/tdtn.daklak/posts/555","likes":7}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit through the API: %s", resp.Status)
	}

	// The daemon holds the database only while it works: the CLI submits beside it.
	r := runCmdWith(t, []func(*env){withKinds(k), func(e *env) { e.lockTimeout = cliLockTimeout }}, cfg, "submit", "https://zalo.me/x")
	if r.code != 0 {
		t.Errorf("submit while serving: %+v", r)
	}
	latest := filepath.Join(filepath.Dir(cfg), "reports", "cds", "latest.html")
	testkit.WaitFor(t, "the report job to write latest.html", func() bool { return strings.Contains(log.String(), `"file":"`+latest+`"`) })
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v\n%s", err, log)
	}
	if k.Starts("daily") < 1 {
		t.Errorf("the report job did not collect the source without a schedule")
	}
	var stopped bool
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		stopped = stopped || rec["msg"] == "hashtrack serve: stopped; database closed"
	}
	if !stopped {
		t.Errorf("no clean stop in the log:\n%s", log)
	}
	page, err := os.ReadFile(latest)
	if err != nil || !strings.Contains(string(page), "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số") {
		t.Errorf("the report job's page: %v", err)
	}
	// Closed cleanly: the file opens at once, with the API's post and the source's.
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := (&env{now: time.Now, lockTimeout: testLockTimeout}).openStore(c, true)
	if err != nil {
		t.Fatalf("reopen after stop: %v", err)
	}
	defer st.Close()
	if n, err := st.Count(); err != nil || n != 3 {
		t.Errorf("posts after stop: %d %v, want 3 (the API's, the CLI's, the source's)", n, err)
	}
}

func TestServeFlags(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	if r := runCmd(t, cfg, "serve", "--job-timeout", "0s"); r.code != 2 || !strings.Contains(r.stderr, "--job-timeout: phải lớn hơn 0") {
		t.Errorf("--job-timeout 0s: %+v", r)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	if r := runCmd(t, cfg, "serve", "--addr", taken.Addr().String()); r.code != 2 || !strings.Contains(r.stderr, "listen on "+taken.Addr().String()) {
		t.Errorf("address taken: %+v", r)
	}
}

var listening = regexp.MustCompile(`msg="hashtrack serve: listening" addr=(\S+)`)

// TestServeStopsOnSIGTERM runs the real binary and stops it with SIGTERM.
func TestServeStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
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

func TestBackupConfig(t *testing.T) {
	t.Parallel()
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

// TestServeMailsTheDailyReport: the daemon's report job delivers through the same
// function as `hashtrack run`, after writing the day's archive, and once a day however
// often the job runs.
func TestServeMailsTheDailyReport(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, "baocao", smtpPassword, smtptest.Options{})
	cfg := mailConfig(t, srv, smtpPassword)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\n[report]\nschedule = \"@every 250ms\"\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, log, stop := startServe(t, cfg, nil, "--job-timeout", "20s")
	testkit.WaitFor(t, "the report delivered", func() bool {
		return strings.Contains(log.String(), `msg="report delivered" campaign=cds channel=email`)
	})
	testkit.WaitFor(t, "the report job done twice", func() bool { return strings.Count(log.String(), `msg="job done" job=report`) >= 2 })
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, log)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1 (once a day)", n)
	}
	day := time.Now().In(hcmLoc(t)).Format("2006-01-02")
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "reports", "cds", day+".html")); err != nil {
		t.Errorf("the day's archive: %v", err)
	}
}
