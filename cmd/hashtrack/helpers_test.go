package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
)

// testLockTimeout is how long a command under test waits for a database another
// process holds: the tests that hold one want the refusal, not the wait.
const testLockTimeout = 50 * time.Millisecond

// holdFile takes the database file's exclusive lock, as a process does while it writes,
// until release. A store lets go of its file when idle, so an open store holds nothing.
func holdFile(path string) (release func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	return func() { db.Close() }, nil
}

// setTestEnv sets a variable only this test's configuration names (a token_env, which
// config.Load reads), until the test ends. Unlike t.Setenv it lets the test run in
// parallel: no other test reads the variable, so it may be set for the whole process.
func setTestEnv(t *testing.T, name, value string) {
	t.Helper()
	t.Parallel()
	if _, taken := os.LookupEnv(name); taken {
		t.Fatalf("%s is set already: the name must be this test's own", name)
	}
	if err := os.Setenv(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Unsetenv(name) })
}

// The command tests' names for the shared test kit (internal/testkit): a small valid
// configuration, writing it, a [fetch] line, a source of the test kind.
const testConfig = testkit.Config

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	return testkit.WriteConfig(t, text)
}

func withFetch(cfg, lines string) string { return testkit.WithFetch(cfg, lines) }

func testSource(name, mode, schedule, extra string) string {
	return testkit.Source(name, mode, schedule, extra)
}

// testKinds is the default registry plus a test kind of its own: no test changes or
// reads a registry another test sees.
func testKinds() collector.Kinds { return testkit.NewKind().Add(defaultKinds()) }

// runTest is run with the test kinds and a short lock timeout; opts change the env (a
// listening hook for serve, the kinds of a test that reads its testKind's record).
func runTest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...func(*env)) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, kinds: testKinds(), lockTimeout: testLockTimeout}
	for _, o := range opts {
		o(e)
	}
	return e.run(ctx, args)
}

// withKinds runs a command with the registry of k, so the test can read what k's
// collectors did.
func withKinds(k *testkit.Kind) func(*env) {
	return func(e *env) { e.kinds = k.Add(defaultKinds()) }
}

type result struct {
	stdout, stderr string
	code           int
	err            error
}

// runCmd drives the CLI as main does, with buffers for the streams.
func runCmd(t *testing.T, cfg string, args ...string) result {
	t.Helper()
	return runCmdWith(t, nil, cfg, args...)
}

// runCmdWith is runCmd with options on the env (withKinds).
func runCmdWith(t *testing.T, opts []func(*env), cfg string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--config", cfg}, args...)
	err := runTest(context.Background(), full, strings.NewReader(""), &out, &errb, opts...)
	if err != nil && !isSilent(err) {
		errb.WriteString("hashtrack: " + err.Error() + "\n")
	}
	return result{out.String(), errb.String(), exitCode(err), err}
}

func loadConfig(path string) (*config.Config, error) { return config.Load(path, testKinds()) }

func parseConfig(path, text string) (*config.Config, error) {
	return config.Parse(path, text, testKinds())
}

// binary is hashtrack for the tests that need a real process (cron's environment,
// signals, two processes side by side): this test binary itself under the name
// hashtrack, so no second binary is built and linked; TestMain removes its folder.
var binary struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	// Started as hashtrack (binaryPath's link), this binary is the command itself.
	if filepath.Base(os.Args[0]) == "hashtrack" {
		main()
		return
	}
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// buildBinary is the path of a link named hashtrack to this test binary, made the
// first time a test asks: run under that name, TestMain runs main.
func buildBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		self, err := os.Executable()
		if err != nil {
			binary.err = fmt.Errorf("the test binary's path: %w", err)
			return
		}
		if binary.dir, binary.err = os.MkdirTemp("", "hashtrack-bin-"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "hashtrack")
		binary.err = os.Symlink(self, binary.path)
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}
