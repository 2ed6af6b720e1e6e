package main

import (
	"context"
	_ "embed"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/tinhdoandaklak/hashtrack"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/report"
)

// demoCommand is `hashtrack demo`.
func demoCommand() *command { return &command{name: "demo", run: runDemo} }

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	out := fs.String("out", "demo", "")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	dir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	// The demo never reads the user's configuration: it runs the example one, with its
	// files inside the demo folder.
	c, err := config.Parse(filepath.Join(dir, "hashtrack.toml"), hashtrack.ExampleConfig, e.kinds)
	if err != nil {
		return err
	}
	c.Database = "demo.db"
	c.ReportDir = "reports"
	// A scratch database: start from nothing so two runs show the same numbers.
	if err := os.Remove(c.DatabasePath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return &exitError{code: exitUsage, err: err}
	}
	e.cfg = c
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()

	rows, res, err := ingest.LoadDemo(ctx, st, c)
	if err != nil {
		return err
	}
	n, err := st.Count()
	if err != nil {
		return err
	}
	files, err := report.WriteArchive(ctx, st, c.ArchiveOptions(e.now()))
	if err != nil {
		return err
	}
	e.say("demo.loaded", rows, res.New, res.Updated, res.Unchanged)
	e.say("demo.database", c.DatabasePath(), n)
	for _, f := range files {
		if strings.HasSuffix(f, "latest.html") {
			e.say("demo.report", f)
		}
	}
	return nil
}
