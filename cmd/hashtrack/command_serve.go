package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// serveCommand is `hashtrack serve`.
func serveCommand() *command {
	return &command{
		name:    "serve",
		usage:   "[--addr HOST:PORT] [--job-timeout 15m] [--log-format json]",
		summary: "chạy thường trực: thu thập theo lịch, viết báo cáo hằng ngày, nhận bài gửi từ các đơn vị",
		run:     runServe,
	}
}

// Server timeouts: a phone on a slow 4G link still fits, a client that sends its
// headers a byte a minute does not hold a connection.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 30 * time.Second
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var addr string
	jobTimeout := 15 * time.Minute
	fs.StringVar(&addr, "addr", "", "listen on `HOST:PORT` (default [server] addr, 127.0.0.1:8080)")
	fs.DurationVar(&jobTimeout, "job-timeout", jobTimeout, "deadline of one scheduled job (a collection or the report)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if jobTimeout <= 0 {
		return usageError("--job-timeout: must be positive")
	}
	// A daemon's log is its only voice: info level, to stderr (journald keeps it).
	e.verbose = true
	e.setupLog()
	c, err := e.config()
	if err != nil {
		return err
	}
	if addr == "" {
		addr = c.Server.Addr
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()

	srv, err := newServer(c, st, e.log, e.now)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer srv.Close()
	if c.EnrichEnabled() {
		srv.ingest.Fetcher, srv.ingest.ReadPages = e.fetcher(c), true
	}
	d := newDaemon(ctx, e, c, st, jobTimeout)
	if err := d.schedule(); err != nil {
		return &exitError{code: exitUsage, err: err}
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("listen on %s: %w", addr, err)}
	}
	hs := &http.Server{
		Handler:           srv.handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	d.cron.Start()
	e.log.Info("hashtrack serve: listening", slog.String("addr", ln.Addr().String()), slog.Int("jobs", len(d.cron.Entries())),
		slog.String("timezone", c.Location().String()), slog.String("database", st.Path()))
	if e.onListening != nil {
		e.onListening(ln.Addr().String())
	}

	var serveErr error
	select {
	case <-ctx.Done():
		e.log.Info("hashtrack serve: stopping; no new jobs, waiting for running ones")
	case serveErr = <-served:
		e.log.Error("hashtrack serve: the web server stopped", slog.Any("error", serveErr))
	}
	// Stop in order: no new jobs; let submissions in flight finish; let running jobs
	// finish or hit their deadline; then the database is closed.
	jobsDone := d.cron.Stop()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		e.log.Warn("hashtrack serve: web server shutdown", slog.Any("error", err))
	}
	<-jobsDone.Done()
	if err := st.Close(); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	e.log.Info("hashtrack serve: stopped; database closed")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return &exitError{code: exitPartial, err: serveErr}
	}
	return nil
}

// daemon runs the scheduled jobs: each source on its own schedule, and the daily
// report (with the sources that have no schedule of their own) on [report] schedule.
type daemon struct {
	e  *env
	c  *config.Config
	st *store.Store
	// ingest runs the sources: the same runner, backoff and health as `collect`.
	ingest *ingest.Runner
	log    *slog.Logger
	// base is the parent of every job's context. It keeps the daemon's values but not
	// its cancellation, so a stop lets running jobs finish within their deadline.
	base       context.Context
	jobTimeout time.Duration
	cron       *cron.Cron
}

func newDaemon(ctx context.Context, e *env, c *config.Config, st *store.Store, jobTimeout time.Duration) *daemon {
	return &daemon{e: e, c: c, st: st, ingest: e.runner(c, st), log: e.log, base: context.WithoutCancel(ctx), jobTimeout: jobTimeout,
		cron: cron.New(cron.WithLocation(c.Location()), cron.WithParser(config.CronParser), cron.WithLogger(cronLogger{log: e.log}))}
}

// schedule adds every job.
func (d *daemon) schedule() error {
	var daily []string
	for _, src := range d.c.Sources() {
		if src.Schedule == "" {
			daily = append(daily, src.Name)
			continue
		}
		if err := d.add(src.Schedule, "source "+src.Name, func(ctx context.Context) error { return d.collect(ctx, src) }); err != nil {
			return err
		}
	}
	if err := d.add(d.c.Report.Schedule, "report", func(ctx context.Context) error { return d.report(ctx, daily) }); err != nil {
		return err
	}
	if d.c.BackupPath() != "" {
		return d.add(d.c.Backup.Schedule, "backup", d.backup)
	}
	return nil
}

// backup copies the database into the backup folder while the daemon goes on
// writing, checks that the copy opens and reads, and keeps the newest ones.
func (d *daemon) backup(ctx context.Context) error {
	dir := d.c.BackupPath()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	dest := filepath.Join(dir, store.BackupName(d.e.now().In(d.c.Location())))
	n, err := d.st.BackupFile(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	b, err := store.Open(dest, store.Options{ReadOnly: true, Locations: d.c.Locations()})
	if err != nil {
		return fmt.Errorf("backup: the copy %s does not open: %w", dest, err)
	}
	r, err := b.Check(ctx)
	b.Close()
	if err != nil {
		return fmt.Errorf("backup: check %s: %w", dest, err)
	}
	if !r.OK() {
		return fmt.Errorf("backup: %s fails its check (so does the database; run `hashtrack check` after stopping the daemon): %s", dest, oneLine(r.String()))
	}
	removed, err := store.PruneBackups(dir, d.c.Backup.Keep)
	if err != nil {
		return err
	}
	d.log.Info("backup written", slog.String("file", dest), slog.Int64("bytes", n), slog.Int("posts", r.Posts), slog.Int("pruned", len(removed)))
	return nil
}

// add schedules fn under name. Each job gets its own chain so the logs name it:
// SkipIfStillRunning first, then Recover — the other order would leave a job that
// panicked once skipped forever (its "running" flag never released).
func (d *daemon) add(spec, name string, fn func(ctx context.Context) error) error {
	l := cronLogger{log: d.log, job: name}
	job := cron.NewChain(cron.SkipIfStillRunning(l), cron.Recover(l)).Then(cron.FuncJob(func() {
		ctx, cancel := context.WithTimeout(d.base, d.jobTimeout)
		defer cancel()
		start := time.Now()
		err := fn(ctx)
		took := slog.Duration("took", time.Since(start).Round(time.Millisecond))
		if err != nil {
			d.log.Warn("job failed", slog.String("job", name), took, slog.Any("error", err))
			return
		}
		d.log.Info("job done", slog.String("job", name), took)
	}))
	if _, err := d.cron.AddJob(spec, job); err != nil {
		return fmt.Errorf("serve: schedule %s %q: %w", name, spec, err)
	}
	return nil
}

// collect runs one source, with backoff, and logs its problems one by one.
func (d *daemon) collect(ctx context.Context, src collector.Source) error {
	o := d.ingest.RunSource(ctx, src, ingest.Selection{})
	d.logOutcome(o)
	if o.Err != nil {
		return o.Err
	}
	return nil
}

func (d *daemon) logOutcome(o ingest.Outcome) {
	for _, p := range o.Problems {
		d.log.Warn("item not used", slog.String("source", o.Source), slog.String("where", p.Where), slog.String("reason", p.Reason))
	}
	switch {
	case o.Skipped != "":
		d.log.Info("source skipped", slog.String("source", o.Source), slog.String("reason", o.Skipped))
	case o.Err == nil:
		d.log.Info("source collected", slog.String("source", o.Source), slog.Int("seen", o.Seen), slog.Int("new", o.Upsert.New),
			slog.Int("updated", o.Upsert.Updated), slog.Bool("not_modified", o.NotModified), slog.Int("pages_checked", o.Pages.Checked()))
	}
}

// report collects the sources without a schedule of their own, then writes the reports.
func (d *daemon) report(ctx context.Context, daily []string) error {
	if len(daily) > 0 {
		outs, err := d.ingest.Collect(ctx, ingest.Selection{Names: daily, DueOnly: true})
		if err != nil {
			return err
		}
		for _, o := range outs {
			d.logOutcome(o)
			if o.Err != nil {
				d.log.Warn("source failed", slog.String("source", o.Source), slog.Any("error", o.Err))
			}
		}
	}
	files, err := writeDailyReports(ctx, d.e, d.c, d.st)
	if err != nil {
		return err
	}
	for _, f := range files {
		d.log.Info("report written", slog.String("file", f))
	}
	return nil
}

// cronLogger passes robfig/cron's messages to slog: its scheduling chatter at debug
// level, skips and panics as warnings and errors with the job's name.
type cronLogger struct {
	log *slog.Logger
	job string
}

func (l cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.log.Warn("job still running; this run is skipped", slog.String("job", l.job))
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	if msg == "panic" {
		l.log.Error("job panicked; recovered, other jobs keep running", append([]any{slog.String("job", l.job), slog.Any("error", err)}, kv...)...)
		return
	}
	l.log.Error("cron: "+msg, append([]any{slog.String("job", l.job), slog.Any("error", err)}, kv...)...)
}
