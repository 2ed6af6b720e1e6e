package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/tinhdoandaklak/hashtrack/internal/daemon"
)

// serveCommand is `hashtrack serve`.
func serveCommand() *command {
	return &command{
		name:    "serve",
		usage:   "[--addr HOST:PORT] [--job-timeout 15m] [--refresh-delay 30s] [--log-format json]",
		summary: "chạy thường trực: thu thập theo lịch, viết báo cáo hằng ngày, nhận bài gửi từ các đơn vị",
		run:     runServe,
	}
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var addr string
	jobTimeout := daemon.DefaultJobTimeout
	fs.StringVar(&addr, "addr", "", "listen on `HOST:PORT` (default [server] addr, 127.0.0.1:8080)")
	fs.DurationVar(&jobTimeout, "job-timeout", jobTimeout, "deadline of one scheduled job (a collection or the report)")
	refreshDelay := daemon.DefaultRefreshDelay
	fs.DurationVar(&refreshDelay, "refresh-delay", refreshDelay, "least time between two refreshes of the served report after changes")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if jobTimeout <= 0 {
		return usageError("--job-timeout: must be positive")
	}
	if refreshDelay <= 0 {
		return usageError("--refresh-delay: must be positive")
	}
	// A daemon's log is its only voice: info level, to stderr (journald keeps it).
	e.verbose = true
	e.setupLog()
	c, err := e.config()
	if err != nil {
		return err
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	o := daemon.Options{
		Config: c, Store: st, Runner: e.runner(c, st), Addr: addr, JobTimeout: jobTimeout, RefreshDelay: refreshDelay,
		Report: func(ctx context.Context) ([]string, error) { return writeDailyReports(ctx, e, c, st) },
		Log:    e.log, Now: e.now, OnListening: e.onListening,
	}
	if c.DeliveryConfigured() {
		// The same delivery as `hashtrack run`: once a day per channel, as the log says.
		o.Deliver = func(ctx context.Context) error {
			outcomes, err := deliverReports(ctx, e, c, st, reportOptions{}, false)
			for _, out := range outcomes {
				d := out.Delivery
				if out.Err == nil && !out.Skipped {
					e.log.Info("report delivered", slog.String("campaign", d.Campaign), slog.String("channel", d.Channel), slog.Int("attempts", d.Attempts))
				}
			}
			return err
		}
	}
	err = daemon.Run(ctx, o)
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
