package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tinhdoandaklak/hashtrack"
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/sheet"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// demoSubmissions is a realistic sample of the campaign's submissions, in the shape of a
// Google Forms export: 338 submissions of 312 posts from 13 of the 15 example units,
// with re-submissions under tracking-parameter and mobile URL variants, NFD-encoded
// text, and posts whose numbers nobody gave.
//
//go:embed demodata/submissions.csv
var demoSubmissions string

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

	posts, rows, err := demoPosts(c)
	if err != nil {
		return err
	}
	var res store.UpsertResult
	// One submission at a time, as they arrive from the branches.
	for _, p := range posts {
		r, err := st.Upsert(ctx, []collector.Post{p})
		if err != nil {
			return err
		}
		res.Add(r)
	}
	n, err := st.Count()
	if err != nil {
		return err
	}
	files, err := writeReports(ctx, e, c, st, reportOptions{})
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

// demoPosts reads the bundled sample as `hashtrack import` reads a Google Forms export:
// the same sheet reader and mapper, so the same rules for every field.
func demoPosts(c *config.Config) ([]collector.Post, int, error) {
	const name = "demodata/submissions.csv"
	t, err := sheet.Read(name, []byte(demoSubmissions), "")
	if err != nil {
		return nil, 0, fmt.Errorf("demo data: %w", err)
	}
	camp, err := c.PickCampaign("")
	if err != nil {
		return nil, 0, fmt.Errorf("demo data: %w", err)
	}
	m := sheet.Mapper{File: name, Source: "demo", Campaigns: []collector.Campaign{camp}, Known: c.Campaigns(), Units: c.Units()}
	entries, problems, err := m.Map(t)
	if err != nil {
		return nil, len(t.Rows), fmt.Errorf("demo data: %w", err)
	}
	if len(problems) > 0 {
		// The sample is ours: a row it cannot use is a bug in the sample.
		return nil, len(t.Rows), fmt.Errorf("demo data: %s", problems[0])
	}
	posts := make([]collector.Post, len(entries))
	for i, en := range entries {
		posts[i] = en.Post
	}
	return posts, len(t.Rows), nil
}
