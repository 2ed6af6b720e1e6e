package main

import (
	"context"
	"errors"

	"github.com/tinhdoandaklak/hashtrack/internal/daemon"
)

// serveCommand is `hashtrack serve`.
func serveCommand() *command { return &command{name: "serve", run: runServe} }

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var addr string
	jobTimeout := daemon.DefaultJobTimeout
	fs.StringVar(&addr, "addr", "", "")
	fs.DurationVar(&jobTimeout, "job-timeout", jobTimeout, "")
	refreshDelay := daemon.DefaultRefreshDelay
	fs.DurationVar(&refreshDelay, "refresh-delay", refreshDelay, "")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	if jobTimeout <= 0 {
		return usageError("serve.positive", "--job-timeout")
	}
	if refreshDelay <= 0 {
		return usageError("serve.positive", "--refresh-delay")
	}
	// A daemon's log is its only voice: info level, to stderr (journald keeps it).
	e.verbose = true
	e.setupLog()
	c, st, err := e.open(false)
	if err != nil {
		return err
	}
	defer st.Close()
	err = daemon.Run(ctx, daemon.Options{
		Config: c, Store: st, Runner: e.runner(c, st), Addr: addr, JobTimeout: jobTimeout, RefreshDelay: refreshDelay,
		Report: daemon.WriteReports(c, st, e.now), Deliver: daemon.DeliverReports(c, st, e.now, e.log),
		Log: e.log, Now: e.now, OnListening: e.onListening, Schedules: e.schedules,
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, daemon.ErrServe):
		return &exitError{code: exitPartial, err: err}
	default:
		// Not started, or the store did not close cleanly.
		return &exitError{code: exitUsage, err: err}
	}
}
