// Package memtest measures the peak memory of one operation in a child process, for
// tests that promise a memory bound (SECURITY.md's "memory stays bounded" rows). A
// test binary runs itself again with only a child test selected and an environment
// variable naming the case; the child does the one operation and prints its own peak
// resident memory (VmHWM: on Linux the rusage of a child started with vfork can report
// the parent's). The parent kills a child whose resident memory passes a ceiling, so a
// regression fails the test instead of the machine.
package memtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// EnvCase names the case a child runs.
const EnvCase = "HASHTRACK_MEMTEST_CASE"

// marker starts the line a child prints its figures on.
const marker = "memtest: "

// Case returns the case this process was started to run, or "" in the parent.
func Case() string { return os.Getenv(EnvCase) }

// Report prints this process's peak resident memory and a result line for the
// parent; the child calls it once the operation is done.
func Report(result string) {
	fmt.Printf("%speak=%d result=%s\n", marker, PeakRSS(), strconv.Quote(result))
}

// PeakRSS is this process's peak resident memory (VmHWM) in bytes; 0 where the system
// does not say.
func PeakRSS() int64 { return statusField("/proc/self/status", "VmHWM:") }

// statusField reads a "kB" field of a /proc status file, in bytes.
func statusField(path, name string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) == 3 && f[0] == name && f[2] == "kB" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Run starts this test binary again running only the test named test, with
// EnvCase=name and env added, and returns the child's peak resident memory and the
// result it reported. A child whose resident memory passes ceiling is killed and the
// test fails there. Without /proc (no VmHWM) the test is skipped.
func Run(t testing.TB, test, name string, ceiling int64, env ...string) (peak int64, result string) {
	t.Helper()
	if PeakRSS() == 0 {
		t.Skip("memtest: this system does not report a process's peak memory")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Env = append(append(os.Environ(), EnvCase+"="+name), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	var killed int64
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-tick.C:
			if rss := statusField(status, "VmRSS:"); rss > ceiling && killed == 0 {
				killed = rss
				cmd.Process.Kill()
			}
		}
	}
	if killed > 0 {
		t.Fatalf("memtest: %s: the child passed %d MiB of resident memory (%d MiB) and was stopped", name, ceiling>>20, killed>>20)
	}
	if err != nil {
		t.Fatalf("memtest: %s: %v\n%s%s", name, err, out.String(), errb.String())
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), marker)
		if !ok {
			continue
		}
		var q string
		if _, err := fmt.Sscanf(line, "peak=%d result=%s", &peak, &q); err != nil {
			t.Fatalf("memtest: %s: child printed %q: %v", name, line, err)
		}
		_, rest, _ := strings.Cut(line, "result=")
		if result, err = strconv.Unquote(rest); err != nil {
			t.Fatalf("memtest: %s: child printed %q: %v", name, line, err)
		}
		return peak, result
	}
	t.Fatalf("memtest: %s: the child reported nothing:\n%s%s", name, out.String(), errb.String())
	return 0, ""
}
