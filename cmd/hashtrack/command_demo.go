package main

import (
	"context"
	_ "embed"
	"path/filepath"
	"strings"

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
	c, err := ingest.DemoConfig(dir, e.kinds)
	if err != nil {
		return asUsage(err)
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
