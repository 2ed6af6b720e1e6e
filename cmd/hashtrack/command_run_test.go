package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
)

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		config string // "" = no file
		hold   bool   // another process holds the database
		args   []string
		code   int
		stderr string
	}{
		{name: "no config file", code: 2, stderr: "không có tệp; chạy `hashtrack init`"},
		{name: "bad config", config: testConfig + "\n[[source]]\nname = \"x\"\nkind = \"nope\"\nurl = \"https://a.vn\"\n", code: 2, stderr: `source "x".kind: "nope" không phải một trong: facebook_page`},
		{name: "bad flag", config: testConfig, args: []string{"--nope"}, code: 2, stderr: "không có tùy chọn -nope"},
		{name: "database in use", config: testConfig, hold: true, code: 2, stderr: "đang được một tiến trình hashtrack khác dùng"},
		{name: "a source fails", config: testConfig + testSource("ok", "count", "", "") + testSource("bad", "fail", "", ""), code: 1,
			stderr: "hashtrack run: nguồn bad: testkind: the source answered 500\n"},
		{name: "a source panics", config: testConfig + testSource("boom", "panic", "", ""), code: 1,
			stderr: "hashtrack run: nguồn boom: collector panicked: testkind: boom\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "hashtrack.toml")
			if tc.config != "" {
				cfg = writeConfig(t, tc.config)
			}
			if tc.hold {
				c, err := loadConfig(cfg)
				if err != nil {
					t.Fatal(err)
				}
				st, err := (&env{now: time.Now}).openStore(c, false)
				if err != nil {
					t.Fatal(err)
				}
				st.Close()
				release, err := holdFile(c.DatabasePath())
				if err != nil {
					t.Fatal(err)
				}
				defer release()
			}
			r := runCmd(t, cfg, append([]string{"run"}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout without -v: %q", r.stdout)
			}
			if tc.code == 1 && strings.Count(r.stderr, "hashtrack run: nguồn ") != 1 {
				t.Errorf("want exactly one source line on stderr:\n%s", r.stderr)
			}
		})
	}
}

func TestRunTwiceAddsNoDuplicates(t *testing.T) {
	t.Parallel()
	// One test kind for every run: the likes of its post count the runs.
	kinds := []func(*env){withKinds(testkit.NewKind())}
	cfg := writeConfig(t, testConfig+testSource("page", "count", "", ""))
	r := runCmdWith(t, kinds, cfg, "run", "-v")
	if !strings.Contains(r.stdout, "Nguồn page: 1 mục đã đọc, 1 bài mới, 0 cập nhật, 0 không đổi, 0 lỗi\n") {
		t.Fatalf("first run summary:\n%s\n%s", r.stdout, r.stderr)
	}
	reports := func() []string {
		var files []string
		filepath.WalkDir(filepath.Join(filepath.Dir(cfg), "reports"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		return files
	}
	first := reports()
	if !slices.ContainsFunc(first, func(f string) bool { return strings.HasSuffix(f, ".html") }) ||
		!slices.ContainsFunc(first, func(f string) bool { return strings.HasSuffix(f, ".txt") }) {
		t.Fatalf("the day's HTML report and text digest: %v", first)
	}
	// Reports are "Báo cáo", the index and the licence texts are named for what they are.
	if n, idx, lic := strings.Count(r.stdout, "Báo cáo: "), strings.Count(r.stdout, "Mục lục các báo cáo: "), strings.Count(r.stdout, "Giấy phép thư viện biểu đồ: "); n+idx+lic != len(first) || idx != 1 || lic != 2 || n != len(first)-3 {
		t.Errorf("-v lists %d reports, %d index and %d licence files, %d files on disk:\n%s", n, idx, lic, len(first), r.stdout)
	}
	// The same day again: the source is not due (once a day), the report is rewritten.
	r = runCmdWith(t, kinds, cfg, "run", "-v")
	if r.code != 0 || !strings.Contains(r.stdout, "Nguồn page: bỏ qua lần này (chưa đến lịch, lần tới ") {
		t.Fatalf("second run:\n%+v", r)
	}
	r = runCmdWith(t, kinds, cfg, "run", "-v", "--all")
	if !strings.Contains(r.stdout, "Nguồn page: 1 mục đã đọc, 0 bài mới, 1 cập nhật, 0 không đổi, 0 lỗi\n") {
		t.Fatalf("third run (--all) summary:\n%s\n%s", r.stdout, r.stderr)
	}
	if again := reports(); !slices.Equal(first, again) {
		t.Errorf("report files changed: %v then %v", first, again)
	}
	r = runCmd(t, cfg, "posts", "--json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"likes":2`) || !strings.Contains(lines[0], `"sources":["page"]`) {
		t.Fatalf("want one post with the second run's likes, got %d lines:\n%s", len(lines), r.stdout)
	}
}

func TestRunSilentWhenAllIsWell(t *testing.T) {
	t.Parallel()
	k := testkit.NewKind()
	cfg := writeConfig(t, testConfig+testSource("page", "count", "", ""))
	r := runCmdWith(t, []func(*env){withKinds(k)}, cfg, "run")
	if n := k.Starts("page"); n != 1 {
		t.Fatalf("source ran %d times", n)
	}
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("want silence and exit 0, got %+v", r)
	}
}

// TestRunUnderCron runs the binary as cron does: no terminal, an environment with
// HOME only, started from another folder.
func TestRunUnderCron(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	cfg := writeConfig(t, testConfig)
	home := t.TempDir()
	cmd := exec.CommandContext(context.Background(), bin, "--config", cfg, "run")
	cmd.Env = []string{"HOME=" + home}
	cmd.Dir = home
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "data", "test.db")); err != nil {
		t.Errorf("database not beside the config: %v", err)
	}
	r := result{stdout: out.String(), stderr: errb.String(), code: code}
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("under cron: want silence and exit 0, got %+v", r)
	}
	entries, err := os.ReadDir(filepath.Join(filepath.Dir(cfg), "reports"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("no report written: %v", err)
	}
}
