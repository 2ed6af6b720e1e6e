package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/store"
)

func submitN(t *testing.T, cfg string, n int) {
	t.Helper()
	for i := range n {
		r := runCmd(t, cfg, "submit", fmt.Sprintf("https://www.tiktok.com/@doantanloi/video/%d", 100+i), "--likes", fmt.Sprint(i), "--unit", "tan-loi")
		if r.code != 0 {
			t.Fatalf("submit %d: %+v", i, r)
		}
	}
}

func TestBackupThenRestore(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	submitN(t, cfg, 3)
	dest := filepath.Join(t.TempDir(), "sao-luu.db")
	r := runCmd(t, cfg, "backup", dest)
	if r.code != 0 {
		t.Fatalf("backup: %+v", r)
	}
	if !strings.Contains(r.stdout, "3 bài đăng") || !strings.Contains(r.stdout, "Kiểm tra bản sao: tốt.") || !strings.Contains(r.stdout, dest) {
		t.Errorf("backup said:\n%s", r.stdout)
	}
	// Posts after the backup are not in it…
	submitN(t, cfg, 5)
	if r := runCmd(t, cfg, "posts", "--json"); strings.Count(r.stdout, "\n") != 5 {
		t.Fatalf("%d posts before restore", strings.Count(r.stdout, "\n"))
	}
	// …and restoring as the docs say (stop the daemon, copy the backup over the
	// database, run check) brings back exactly the three.
	db := filepath.Join(filepath.Dir(cfg), "data", "test.db")
	b, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, cfg, "check"); r.code != 0 || !strings.Contains(r.stdout, "tốt (phiên bản 3, 3 bài đăng, 3 lần ghi số liệu)") {
		t.Errorf("check after restore: %+v", r)
	}
	r = runCmd(t, cfg, "posts", "--json")
	if n := strings.Count(r.stdout, "\n"); n != 3 || !strings.Contains(r.stdout, `"likes":2`) {
		t.Errorf("%d posts after restore:\n%s", n, r.stdout)
	}
}

func TestBackupIntoFolderNamesFileByTime(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	submitN(t, cfg, 1)
	dir := t.TempDir()
	if r := runCmd(t, cfg, "backup", dir); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || !regexp.MustCompile(`^hashtrack-\d{4}-\d\d-\d\d-\d{4}\.db$`).MatchString(entries[0].Name()) {
		t.Fatalf("folder holds %v", entries)
	}
}

func TestBackupKeepPrunesOldBackups(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	submitN(t, cfg, 1)
	dir := t.TempDir()
	for _, old := range []string{"hashtrack-2000-01-01-0230.db", "hashtrack-2000-01-02-0230.db", "hashtrack-2000-01-03-0230.db", "ghi-chu.txt"} {
		if err := os.WriteFile(filepath.Join(dir, old), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := runCmd(t, cfg, "backup", dir, "--keep", "2")
	if r.code != 0 || !strings.Contains(r.stdout, "Đã xoá 2 bản sao lưu cũ, giữ 2 bản mới nhất") {
		t.Fatalf("%+v", r)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 || entries[0].Name() != "ghi-chu.txt" || entries[1].Name() != "hashtrack-2000-01-03-0230.db" {
		t.Errorf("left %v", entries)
	}
	if r := runCmd(t, cfg, "backup", filepath.Join(dir, "x.db"), "--keep", "2"); r.code != exitUsage || !strings.Contains(r.stderr, "--keep cần một thư mục") {
		t.Errorf("--keep with a file: %+v", r)
	}
}

func TestBackupErrors(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	submitN(t, cfg, 1)
	db := filepath.Join(filepath.Dir(cfg), "data", "test.db")
	missing := filepath.Join(t.TempDir(), "khong-co", "b.db")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"backup"}, "cần đúng một tệp hoặc thư mục sao lưu, nhận được 0"},
		{"two files", []string{"backup", "a.db", "b.db"}, "nhận được 2"},
		{"missing folder", []string{"backup", missing}, "backup to " + missing},
		{"onto the database", []string{"backup", db}, "the backup file is the database itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, cfg, tc.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("code %d stderr %q; want 2 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
	if r := runCmd(t, cfg, "check"); r.code != 0 {
		t.Errorf("database hurt: %+v", r)
	}
}

// TestBackupWhileDaemonWrites takes a backup through the open store while posts keep
// arriving, as `serve` does, backs up with the CLI beside the open store, and checks
// the copy with the CLI.
func TestBackupWhileDaemonWrites(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	c, err := loadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := (&env{now: time.Now}).openStore(c, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	// The backup starts once posts are arriving, and they keep arriving while it runs.
	writing, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer wg.Done()
		defer close(stopped)
		for i := 0; ctx.Err() == nil; i++ {
			if i == 10 {
				close(writing)
			}
			p := collector.Post{URL: fmt.Sprintf("https://zalo.me/p/%d", i), Campaigns: []string{"cds"}, Metrics: collector.Metrics{Views: collector.Known(int64(i))}}
			if err := p.Normalize(); err != nil {
				t.Error(err)
				return
			}
			if _, err := st.Upsert(context.Background(), []collector.Post{p}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	select {
	case <-writing:
	case <-stopped: // the writer failed; its error fails the test
	}
	dest := filepath.Join(t.TempDir(), "daemon-backup.db")
	if _, err := st.BackupFile(dest); err != nil {
		t.Fatal(err)
	}
	cancel()
	wg.Wait()
	// The daemon's store is open but idle: the CLI backs up beside it. The store lets
	// go of the file after 150 ms of quiet; on a loaded machine that moment can come
	// late, so this call waits as long as a real command does (not the tests' 200 ms).
	patient := []func(*env){func(e *env) { e.lockTimeout = 0 }}
	r := runCmdWith(t, patient, cfg, "backup", filepath.Join(t.TempDir(), "x.db"))
	if r.code != 0 || !strings.Contains(r.stdout, "Kiểm tra bản sao: tốt.") {
		t.Errorf("CLI backup beside the open store: %+v", r)
	}
	// A process that keeps writing without a break: the CLI says why and what to do.
	release, err := holdFile(c.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, cfg, "backup", filepath.Join(t.TempDir(), "x.db"))
	release()
	if r.code != exitUsage || !strings.Contains(r.stderr, "Tiến trình kia ghi suốt thời gian chờ") {
		t.Errorf("CLI backup while held: %+v", r)
	}
	cfg2 := writeConfig(t, strings.Replace(testConfig, `database = "data/test.db"`, `database = "`+dest+`"`, 1))
	r = runCmd(t, cfg2, "check")
	if r.code != 0 || !strings.Contains(r.stdout, "tốt") {
		t.Fatalf("check of the backup: %+v", r)
	}
	b, err := store.Open(dest, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	n, _ := b.Count()
	total, _ := st.Count()
	if n == 0 || n > total {
		t.Errorf("backup holds %d posts, store %d", n, total)
	}
}
