package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// The tests here run a second hashtrack process: the test binary re-executes itself
// with HASHTRACK_HELPER set and TestHelperProcess does the work (as os/exec's tests do).

// TestHelperProcess is not a test: it is the other process of the tests below.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("HASHTRACK_HELPER")
	if mode == "" {
		return
	}
	cfg := os.Getenv("HASHTRACK_HELPER_CONFIG")
	code := 0
	switch mode {
	case "hold":
		// Hold the database, as a process in the middle of writing does, until the
		// parent closes stdin.
		c, err := loadConfig(cfg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		release, err := holdFile(c.DatabasePath())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Println("holding")
		io.Copy(io.Discard, os.Stdin)
		release()
	case "fsize":
		// The disk fills up: no file may grow past the limit.
		limit, _ := strconv.ParseUint(os.Getenv("HASHTRACK_HELPER_LIMIT"), 10, 64)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if a := os.Getenv("HASHTRACK_HELPER_ARGS"); a != "" {
			code = helperRun(cfg, strings.Split(a, "\x1f"))
			break
		}
		code = helperSubmitUntilFailure(cfg)
	case "smallfs":
		// The database lives on a small file system that fills up (a tmpfs of its own,
		// in a mount namespace of this process only). It is gone when this process
		// ends, so the checks after the failure run here too.
		dir := os.Getenv("HASHTRACK_HELPER_DIR")
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			fmt.Println("no-mount", err)
			os.Exit(0)
		}
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+os.Getenv("HASHTRACK_HELPER_SIZE")); err != nil {
			fmt.Println("no-mount", err)
			os.Exit(0)
		}
		fmt.Printf("failcode %d\n", helperSubmitUntilFailure(cfg))
		for _, args := range [][]string{{"check"}, {"posts", "--json"}, {"submit", "https://www.youtube.com/watch?v=tiny"}} {
			var out, errb bytes.Buffer
			err := runTest(context.Background(), append([]string{"--config", cfg}, args...), strings.NewReader(""), &out, &errb)
			fmt.Printf("%s: code %d\n", args[0], exitCode(err))
			if args[0] == "posts" {
				fmt.Printf("posts: %d lines\n", strings.Count(out.String(), "\n"))
			} else {
				fmt.Print(out.String())
			}
			fmt.Fprint(os.Stderr, errb.String())
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}
	case "rofs":
		// The database folder is on a read-only file system (a remounted disk).
		dir := os.Getenv("HASHTRACK_HELPER_DIR")
		for _, m := range []struct {
			src   string
			flags uintptr
		}{{"", syscall.MS_REC | syscall.MS_PRIVATE}, {dir, syscall.MS_BIND}, {"", syscall.MS_BIND | syscall.MS_REMOUNT | syscall.MS_RDONLY}} {
			target := dir
			if m.flags&syscall.MS_PRIVATE != 0 {
				target = "/"
			}
			if err := syscall.Mount(m.src, target, "", m.flags, ""); err != nil {
				fmt.Println("no-mount", err)
				os.Exit(0)
			}
		}
		code = helperRun(cfg, strings.Split(os.Getenv("HASHTRACK_HELPER_ARGS"), "\x1f"))
	}
	os.Exit(code)
}

// helperRun runs one command as main does and returns its exit code.
func helperRun(cfg string, args []string) int {
	var out, errb bytes.Buffer
	err := runTest(context.Background(), append([]string{"--config", cfg}, args...), strings.NewReader(""), &out, &errb)
	os.Stdout.Write(out.Bytes())
	if err != nil && !isSilent(err) {
		fmt.Fprintln(os.Stderr, "hashtrack:", err)
	}
	os.Stderr.Write(errb.Bytes())
	return exitCode(err)
}

// helperSubmitUntilFailure submits long posts until one fails, printing the link of
// each one stored, then the failure on stderr; it exits with the command's code.
func helperSubmitUntilFailure(cfg string) int {
	text := strings.Repeat("Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số. ", 450) // ~20,000 characters
	for i := range 10000 {
		url := fmt.Sprintf("https://www.youtube.com/watch?v=full%05d", i)
		var out, errb bytes.Buffer
		err := runTest(context.Background(), []string{"--config", cfg, "submit", url, "--text", text, "--likes", strconv.Itoa(i)}, strings.NewReader(""), &out, &errb)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hashtrack:", err)
			return exitCode(err)
		}
		fmt.Println(url)
	}
	return 0
}

func helperCommand(t *testing.T, mode, cfg string, extraEnv ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{"HASHTRACK_HELPER=" + mode, "HASHTRACK_HELPER_CONFIG=" + cfg}, extraEnv...)...)
	return cmd
}

// holdDatabase starts a second process that opens the database for writing, as the
// daemon does, and keeps it until the test ends.
func holdDatabase(t *testing.T, cfg string) {
	t.Helper()
	cmd := helperCommand(t, "hold", cfg)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "holding\n" {
		t.Fatalf("holder process: %q %v %s", line, err, stderr.String())
	}
}

// lockArgs are the arguments each command that opens the database is run with while
// another process holds it. A command added later that opens the database must be
// added here (the test below fails until it is); noDatabase lists those that do not.
var lockArgs = map[string][][]string{
	"init":    {{}},
	"submit":  {{"https://www.tiktok.com/@doantanloi/video/1", "--likes", "3"}},
	"posts":   {{}, {"--json"}},
	"check":   {{}, {"--repair"}},
	"backup":  {{"BACKUP"}},
	"report":  {{}},
	"import":  {{"testdata/google_forms.csv"}},
	"collect": {{}},
	"sources": {{}},
	"remap":   {{}},
	"review":  {{"list"}, {"approve", "https://zalo.me/p/1"}, {"export"}},
}

// lockConfig has a source and a webhook, so that `collect` and `send` get as far as
// opening the database.
const lockConfig = testConfig + `
[[source]]
name = "tinh-doan-rss"
kind = "feed"
url = "https://tinhdoandaklak.vn/feed/"

# A delivery channel, so that send gets as far as opening the database.
[webhook]
url = "https://bot.example.vn/hook"
secret = "khoa-chung-cua-bai-kiem-tra"
`

var noDatabase = map[string]bool{
	"demo":    true, // its own scratch database in --out, never the configured one
	"tokens":  true, // prints form links from the configuration only
	"staff":   true, // writes a [[staff]] block to the configuration only
	"bench":   true, // synthetic databases in its own --dir, never the configured one
	"version": true, // prints the binary's build information only
}

func TestEveryCommandFailsFastWhenDatabaseInUse(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, lockConfig)
	if r := runCmd(t, cfg, "submit", "https://zalo.me/p/1"); r.code != 0 {
		t.Fatalf("setup: %+v", r)
	}
	dbPath := filepath.Join(filepath.Dir(cfg), "data", "test.db")
	holdDatabase(t, cfg)
	before, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands() {
		name := c.name
		if noDatabase[name] {
			continue
		}
		argSets, known := lockArgs[name]
		if !known {
			argSets = [][]string{{}}
		}
		for _, args := range argSets {
			t.Run(strings.Join(append([]string{name}, args...), " "), func(t *testing.T) {
				t.Parallel()
				args := append([]string{name}, args...)
				for i, a := range args {
					if a == "BACKUP" {
						args[i] = filepath.Join(t.TempDir(), "backup.db")
					}
				}
				start := time.Now()
				r := runCmd(t, cfg, args...)
				took := time.Since(start)
				if !known && !strings.Contains(r.stderr, "đang được một tiến trình hashtrack khác dùng") {
					t.Fatalf("command %q is not in lockArgs (nor in noDatabase); add it. With no arguments it gave code %d, stderr %q", name, r.code, r.stderr)
				}
				if r.code != exitUsage || !errors.Is(r.err, store.ErrLocked) {
					t.Errorf("code %d, err %v; want %d and ErrLocked", r.code, r.err, exitUsage)
				}
				for _, want := range []string{"đang được một tiến trình hashtrack khác dùng", dbPath, "hashtrack serve"} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("stderr %q lacks %q", r.stderr, want)
					}
				}
				if took > 5*time.Second {
					t.Errorf("gave up after %s; must be within 5 s", took)
				}
			})
		}
	}
	t.Cleanup(func() {
		// Nothing was written while the other process held the file, and once it let
		// go the database is whole.
		after, err := os.ReadFile(dbPath)
		if err != nil || !bytes.Equal(before, after) {
			t.Errorf("database changed while held (%v)", err)
		}
	})
}

func TestFullDiskLeavesDatabaseUsable(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	if r := runCmd(t, cfg, "init"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	dbPath := filepath.Join(filepath.Dir(cfg), "data", "test.db")
	fi, err := os.Stat(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	limit := fi.Size() + 256<<10
	cmd := helperCommand(t, "fsize", cfg, "HASHTRACK_HELPER_LIMIT="+strconv.FormatInt(limit, 10))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
		t.Fatalf("submitting onto a full disk: %v; want exit %d\nstderr: %s", err, exitUsage, stderr.String())
	}
	msg := stderr.String()
	for _, want := range []string{"Ổ đĩa đã đầy", dbPath, "hashtrack check"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	stored := strings.Fields(stdout.String())
	if len(stored) < 3 {
		t.Fatalf("only %d posts stored before the disk filled; the limit is too small to test anything", len(stored))
	}
	t.Logf("%d posts stored before the disk filled: %s", len(stored), strings.TrimSpace(msg))
	// With space again, the file is consistent, everything reported stored is there,
	// and the next submission works.
	r := runCmd(t, cfg, "check")
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("%d bài đăng", len(stored))) {
		t.Fatalf("check after the disk filled: %+v", r)
	}
	r = runCmd(t, cfg, "posts", "--json")
	for _, url := range stored {
		if !strings.Contains(r.stdout, strings.TrimPrefix(url, "https://www.")) {
			t.Errorf("post %s reported stored is missing", url)
		}
	}
	if r := runCmd(t, cfg, "submit", "https://www.youtube.com/watch?v=after"); r.code != 0 {
		t.Errorf("submit after space returned: %+v", r)
	}
}

// TestBackupOntoFullDiskKeepsOldBackup: a backup that does not fit fails clearly and
// leaves the previous backup whole, with no temporary file behind.
func TestBackupOntoFullDiskKeepsOldBackup(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	submitN(t, cfg, 2)
	dir := t.TempDir()
	dest := filepath.Join(dir, "sao-luu.db")
	if r := runCmd(t, cfg, "backup", dest); r.code != 0 {
		t.Fatalf("first backup: %+v", r)
	}
	old, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	// More posts, so the next backup is larger than the limit the helper sets.
	text := strings.Repeat("Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số. ", 450)
	for i := range 20 {
		if r := runCmd(t, cfg, "submit", fmt.Sprintf("https://zalo.me/p/big%d", i), "--text", text); r.code != 0 {
			t.Fatal(r)
		}
	}
	cmd := helperCommand(t, "fsize", cfg, "HASHTRACK_HELPER_LIMIT="+strconv.Itoa(len(old)), "HASHTRACK_HELPER_ARGS=backup\x1f"+dest)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(stderr.String(), "Ổ đĩa đã đầy") || !strings.Contains(stderr.String(), dest) {
		t.Fatalf("backup onto a full disk: %v\nstdout %s\nstderr %s", err, stdout.String(), stderr.String())
	}
	now, err := os.ReadFile(dest)
	if err != nil || !bytes.Equal(old, now) {
		t.Errorf("the previous backup changed (%v)", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left in the backup folder: %v", entries)
	}
}

// TestSmallFileSystemFillsUp fills a real (tmpfs) file system, where the failure comes
// from writing pages rather than from growing the file.
func TestSmallFileSystemFillsUp(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system needs root; TestFullDiskLeavesDatabaseUsable covers the size limit")
	}
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, strings.Replace(testConfig, `database = "data/test.db"`, `database = "`+filepath.Join(dir, "test.db")+`"`, 1))
	cmd := helperCommand(t, "smallfs", cfg, "HASHTRACK_HELPER_DIR="+dir, "HASHTRACK_HELPER_SIZE=400k")
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := stdout.String()
	if strings.HasPrefix(out, "no-mount") || (err != nil && strings.Contains(err.Error(), "operation not permitted")) {
		t.Skipf("cannot mount a file system here: %s %v", out, err)
	}
	if err != nil {
		t.Fatalf("helper: %v\n%s\n%s", err, out, stderr.String())
	}
	stored := strings.Count(out, "https://")
	t.Logf("%d posts stored before the file system filled; stderr:\n%s", stored, stderr.String())
	for _, want := range []string{
		"failcode 2\n",
		"check: code 0\n",
		fmt.Sprintf("tốt (phiên bản 3, %d bài đăng", stored),
		fmt.Sprintf("posts: %d lines\n", stored),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if stored < 3 || !strings.Contains(stderr.String(), "Ổ đĩa đã đầy") {
		t.Errorf("stored %d; stderr %s", stored, stderr.String())
	}
}

func TestMissingDatabase(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, strings.Replace(testConfig, `database = "data/test.db"`, `database = "khong-co/thu-muc/test.db"`, 1))
	dbPath := filepath.Join(filepath.Dir(cfg), "khong-co", "thu-muc", "test.db")
	for _, args := range [][]string{{"posts"}, {"check"}, {"backup", filepath.Join(t.TempDir(), "b.db")}} {
		r := runCmd(t, cfg, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "chưa có cơ sở dữ liệu "+dbPath+": chạy `hashtrack init`") {
			t.Errorf("%v: code %d stderr %q", args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Dir(dbPath)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only command created the folder: %v", err)
	}
	// A writing command creates the folder.
	if r := runCmd(t, cfg, "submit", "https://zalo.me/p/9"); r.code != 0 {
		t.Fatalf("submit: %+v", r)
	}
	if r := runCmd(t, cfg, "check"); r.code != 0 || !strings.Contains(r.stdout, "1 bài đăng") {
		t.Errorf("check: %+v", r)
	}
}

func TestReadOnlyDatabaseFolder(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, testConfig)
	dir := filepath.Dir(cfg)
	if r := runCmd(t, cfg, "submit", "https://zalo.me/p/1", "--likes", "4"); r.code != 0 {
		t.Fatalf("setup: %+v", r)
	}
	dataDir := filepath.Join(dir, "data")
	dbPath := filepath.Join(dataDir, "test.db")
	before, _ := os.ReadFile(dbPath)
	if os.Geteuid() != 0 {
		// Folder permissions hold for an ordinary user: a database that cannot be
		// created there is a clear error.
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		cfg2 := writeConfig(t, strings.Replace(testConfig, `database = "data/test.db"`, `database = "`+filepath.Join(ro, "data", "test.db")+`"`, 1))
		r := runCmd(t, cfg2, "init")
		if r.code != exitUsage || !strings.Contains(r.stderr, filepath.Join(ro, "data")) || !strings.Contains(r.stderr, "permission denied") {
			t.Errorf("init under a read-only folder: %+v", r)
		}
		return
	}
	// root writes through permissions: make the folder a read-only mount in a mount
	// namespace of the child's own, so nothing leaks to the machine.
	runRO := func(args ...string) (string, string, int) {
		cmd := helperCommand(t, "rofs", cfg, "HASHTRACK_HELPER_DIR="+dataDir, "HASHTRACK_HELPER_ARGS="+strings.Join(args, "\x1f"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if strings.HasPrefix(stdout.String(), "no-mount") || (err != nil && strings.Contains(err.Error(), "operation not permitted")) {
			t.Skipf("cannot make a read-only mount here: %s %v", stdout.String(), err)
		}
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}
	_, stderr, code := runRO("submit", "https://zalo.me/p/2")
	if code != exitUsage || !strings.Contains(stderr, dbPath) || !strings.Contains(stderr, "read-only file system") {
		t.Errorf("submit on a read-only folder: code %d, stderr %q", code, stderr)
	}
	// Reading still works there.
	stdout, stderr, code := runRO("posts", "--json")
	if code != 0 || !strings.Contains(stdout, `"likes":4`) {
		t.Errorf("posts on a read-only folder: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stdout, _, code = runRO("check")
	if code != 0 || !strings.Contains(stdout, "tốt") {
		t.Errorf("check on a read-only folder: code %d, %q", code, stdout)
	}
	after, _ := os.ReadFile(dbPath)
	if !bytes.Equal(before, after) {
		t.Error("the database changed")
	}
	if r := runCmd(t, cfg, "submit", "https://zalo.me/p/3"); r.code != 0 {
		t.Errorf("submit once writable again: %+v", r)
	}
}
