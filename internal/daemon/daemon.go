// Package daemon is `hashtrack serve`: the scheduled jobs (each source on its own
// schedule; the daily report and its delivery, after the sources without one; the
// nightly backup), the served report kept fresh after changes by any process, and the
// web server (internal/web), run together over one store until the context ends, then
// stopped in order. The store holds its file only while it works, so the command line
// runs beside the daemon. Every job is a call into the ingest runner, the report
// function, the delivery function or the store it is given: the daemon only decides when.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/web"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// DefaultJobTimeout is the deadline of one scheduled job (a collection, the report, a
// backup) when Options.JobTimeout is zero.
const DefaultJobTimeout = 15 * time.Minute

// Server timeouts: a phone on a slow 4G link still fits, a client that sends its
// headers a byte a minute does not hold a connection.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 30 * time.Second
)

// ErrStart wraps what kept the daemon from starting (the report folder, a schedule,
// the listening address): nothing ran. ErrServe wraps the web server stopping by
// itself; the daemon then stopped its jobs and closed the store as on a signal.
var (
	ErrStart = errors.New("daemon: not started")
	ErrServe = errors.New("daemon: the web server stopped")
)

// Options are what Run needs, all built by its caller.
type Options struct {
	Config *config.Config
	// Store is open for writing; Run closes it last, after the jobs and requests.
	Store *store.Store
	// Runner runs the sources and stores the form's submissions: the same runner,
	// backoff, health and enrichment as `collect` and `submit`.
	Runner *ingest.Runner
	// Report writes the day's reports and returns the files written; the report job
	// calls it after collecting the sources that have no schedule of their own.
	// It also refreshes the served report after changes (see Refresher).
	Report func(ctx context.Context) ([]string, error)
	// Deliver, when set, delivers the day's report (deliver.Send, as `hashtrack run`
	// does); the report job calls it after Report wrote the archive.
	Deliver func(ctx context.Context) error
	// RefreshDelay is the least time between two refreshes of the served report after
	// changes; 0 = DefaultRefreshDelay.
	RefreshDelay time.Duration
	// Addr is where the web server listens; "" = the config's [server] addr.
	Addr       string
	JobTimeout time.Duration    // 0 = DefaultJobTimeout
	Log        *slog.Logger     // nil = slog.Default()
	Now        func() time.Time // nil = time.Now; names the backups, clocks the form
	// OnListening, when set, is told the address the web server listens on (tests
	// listen on port 0).
	OnListening func(addr string)
	// CheckPoll is how often posts waiting for a link check are looked for; 0 =
	// DefaultCheckPoll.
	CheckPoll time.Duration
	// Schedules reads the jobs' schedules; nil = config.CronParser. robfig/cron rounds
	// "@every" up to whole seconds, so tests give a parser that keeps "@every 100ms"
	// exact and watch several runs without waiting seconds for each.
	Schedules cron.ScheduleParser
}

// Run starts the jobs and the web server and runs until ctx ends or the web server
// stops. Then it stops in order: no new jobs; requests in flight finish; running jobs
// finish or hit their deadline; the store is closed.
func Run(ctx context.Context, o Options) error {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = DefaultJobTimeout
	}
	c, st, log := o.Config, o.Store, o.Log
	addr := o.Addr
	if addr == "" {
		addr = c.Server.Addr
	}
	fresh := newRefresher(st, o.Report, o.RefreshDelay, log)
	srv, err := web.New(web.Options{Config: c, Store: st, Runner: o.Runner, Log: log, Now: o.Now, MakeReport: fresh.Now})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStart, err)
	}
	defer srv.Close()
	s := newScheduler(ctx, o)
	s.fresh = fresh
	if err := s.schedule(); err != nil {
		return fmt.Errorf("%w: %w", ErrStart, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%w: listen on %s: %w", ErrStart, addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	s.cron.Start()
	refreshCtx, stopRefresh := context.WithCancel(ctx)
	refreshDone := make(chan struct{})
	go func() { defer close(refreshDone); fresh.loop(refreshCtx, o.JobTimeout) }()
	checksDone := make(chan struct{})
	go func() { defer close(checksDone); checkLoop(refreshCtx, o.Runner, o.CheckPoll, log) }()
	log.Info("hashtrack serve: listening", slog.String("addr", ln.Addr().String()), slog.Int("jobs", len(s.cron.Entries())),
		slog.String("timezone", c.Location().String()), slog.String("database", st.Path()))
	if o.OnListening != nil {
		o.OnListening(ln.Addr().String())
	}

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("hashtrack serve: stopping; no new jobs, waiting for running ones")
	case serveErr = <-served:
		log.Error("hashtrack serve: the web server stopped", slog.Any("error", serveErr))
	}
	// Stop in order: no new jobs; let submissions in flight finish; let running jobs
	// finish or hit their deadline; then the database is closed.
	jobsDone := s.cron.Stop()
	stopRefresh()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("hashtrack serve: web server shutdown", slog.Any("error", err))
	}
	<-jobsDone.Done()
	<-refreshDone
	<-checksDone
	if err := st.Close(); err != nil {
		return err
	}
	log.Info("hashtrack serve: stopped; database closed")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("%w: %w", ErrServe, serveErr)
	}
	return nil
}

// scheduler runs the scheduled jobs: each source on its own schedule, and the daily
// report (with the sources that have no schedule of their own) on [report] schedule.
type scheduler struct {
	o   Options
	log *slog.Logger
	// base is the parent of every job's context. It keeps the daemon's values but not
	// its cancellation, so a stop lets running jobs finish within their deadline.
	base  context.Context
	cron  *cron.Cron
	fresh *Refresher
}

func newScheduler(ctx context.Context, o Options) *scheduler {
	var parser cron.ScheduleParser = config.CronParser
	if o.Schedules != nil {
		parser = o.Schedules
	}
	return &scheduler{o: o, log: o.Log, base: context.WithoutCancel(ctx),
		cron: cron.New(cron.WithLocation(o.Config.Location()), cron.WithParser(parser), cron.WithLogger(cronLogger{log: o.Log}))}
}

// schedule adds every job.
func (s *scheduler) schedule() error {
	c := s.o.Config
	var daily []string
	for _, src := range c.Sources() {
		if src.Schedule == "" {
			daily = append(daily, src.Name)
			continue
		}
		if err := s.add(src.Schedule, "source "+src.Name, func(ctx context.Context) error { return s.collect(ctx, src) }); err != nil {
			return err
		}
	}
	if err := s.add(c.Report.Schedule, "report", func(ctx context.Context) error { return s.report(ctx, daily) }); err != nil {
		return err
	}
	if c.BackupPath() != "" {
		return s.add(c.Backup.Schedule, "backup", s.backup)
	}
	return nil
}

// add schedules fn under name. Each job gets its own chain so the logs name it:
// SkipIfStillRunning first, then Recover — the other order would leave a job that
// panicked once skipped forever (its "running" flag never released).
func (s *scheduler) add(spec, name string, fn func(ctx context.Context) error) error {
	l := cronLogger{log: s.log, job: name}
	job := cron.NewChain(cron.SkipIfStillRunning(l), cron.Recover(l)).Then(cron.FuncJob(func() {
		ctx, cancel := context.WithTimeout(s.base, s.o.JobTimeout)
		defer cancel()
		start := time.Now()
		err := fn(ctx)
		took := slog.Duration("took", time.Since(start).Round(time.Millisecond))
		if err != nil {
			s.log.Warn("job failed", slog.String("job", name), took, slog.Any("error", err))
			return
		}
		s.log.Info("job done", slog.String("job", name), took)
	}))
	if _, err := s.cron.AddJob(spec, job); err != nil {
		return fmt.Errorf("daemon: schedule %s %q: %w", name, spec, err)
	}
	return nil
}

// collect runs one source, with backoff, and logs its problems one by one.
func (s *scheduler) collect(ctx context.Context, src collector.Source) error {
	o := s.o.Runner.RunSource(ctx, src, ingest.Selection{})
	s.logOutcome(o)
	return o.Err
}

func (s *scheduler) logOutcome(o ingest.Outcome) {
	for _, p := range o.Problems {
		s.log.Warn("item not used", slog.String("source", o.Source), slog.String("where", p.Where), slog.String("reason", p.Reason))
	}
	switch {
	case o.Skipped != "":
		s.log.Info("source skipped", slog.String("source", o.Source), slog.String("reason", o.Skipped))
	case o.Err == nil:
		s.log.Info("source collected", slog.String("source", o.Source), slog.Int("seen", o.Seen), slog.Int("new", o.Upsert.New),
			slog.Int("updated", o.Upsert.Updated), slog.Bool("not_modified", o.NotModified), slog.Int("links_queued", o.Pages.Queued))
	}
}

// report collects the sources without a schedule of their own, measures again the
// known posts whose turn has come, then writes the reports.
func (s *scheduler) report(ctx context.Context, daily []string) error {
	if len(daily) > 0 {
		outs, err := s.o.Runner.Collect(ctx, ingest.Selection{Names: daily, DueOnly: true})
		if err != nil {
			return err
		}
		for _, o := range outs {
			s.logOutcome(o)
			if o.Err != nil {
				s.log.Warn("source failed", slog.String("source", o.Source), slog.Any("error", o.Err))
			}
		}
	}
	s.refresh(ctx)
	if s.o.Report == nil {
		return nil
	}
	files, err := s.fresh.run(ctx, s.o.Report)
	if err != nil {
		return err
	}
	for _, f := range files {
		s.log.Info("report written", slog.String("file", f))
	}
	if s.o.Deliver != nil {
		if err := s.o.Deliver(ctx); err != nil {
			return fmt.Errorf("daemon: deliver the report: %w", err)
		}
	}
	return nil
}

// backup copies the database into the backup folder while the daemon goes on
// writing, checks that the copy opens and reads, and keeps the newest ones.
func (s *scheduler) backup(ctx context.Context) error {
	c := s.o.Config
	dir := c.BackupPath()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("daemon: backup: %w", err)
	}
	dest := filepath.Join(dir, store.BackupName(s.o.Now().In(c.Location())))
	n, err := s.o.Store.BackupFile(dest)
	if err != nil {
		return fmt.Errorf("daemon: backup: %w", err)
	}
	r, err := store.CheckBackup(ctx, dest, c.Locations())
	if err != nil {
		return fmt.Errorf("daemon: backup: %w", err)
	}
	if !r.OK() {
		// One line, so the log keeps one record per failure.
		return fmt.Errorf("daemon: backup: %s fails its check (so does the database; run `hashtrack check` after stopping the daemon): %s",
			dest, strings.Join(strings.Fields(r.String()), " "))
	}
	removed, err := store.PruneBackups(dir, c.Backup.Keep)
	if err != nil {
		return err
	}
	s.log.Info("backup written", slog.String("file", dest), slog.Int64("bytes", n), slog.Int("posts", r.Posts), slog.Int("pruned", len(removed)))
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
