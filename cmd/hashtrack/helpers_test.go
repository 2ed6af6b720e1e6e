package main

import (
	"context"
	"io"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
)

// testKinds is the default registry plus the controllable test kind, a copy per call:
// no test changes a registry another test sees.
func testKinds() collector.Kinds {
	k := defaultKinds()
	k["testkind"] = newTestKind
	return k
}

// runTest is run with the test kinds; opts change the env (a listening hook for serve).
func runTest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...func(*env)) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, kinds: testKinds()}
	for _, o := range opts {
		o(e)
	}
	return e.run(ctx, args)
}

func loadConfig(path string) (*config.Config, error) { return config.Load(path, testKinds()) }

func parseConfig(path, text string) (*config.Config, error) {
	return config.Parse(path, text, testKinds())
}
