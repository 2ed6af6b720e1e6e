package main

import (
	"context"
	"errors"
	"time"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// reportOptions select what writeReports writes.
type reportOptions struct {
	Campaign string    // "" = every campaign
	From, To time.Time // zero = the campaign's start / today
	Format   string    // html, text, csv, json
	Lang     string    // vi, en
	Out      string    // a file, "-" for stdout, "" = the report folder
}

// writeReports writes the reports selected by opts and returns the files written.
// Scaffolding: the report issue replaces this with the real builder.
func writeReports(ctx context.Context, e *env, c *Config, st *store.Store, opts reportOptions) ([]string, error) {
	return nil, errors.New("report: not built yet")
}
