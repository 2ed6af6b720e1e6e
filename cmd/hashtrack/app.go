package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Exit codes, as cron and scripts read them.
const (
	exitOK      = 0
	exitPartial = 1 // some input was rejected or some source failed; the rest was done
	exitUsage   = 2 // bad flags, bad config, database unavailable: nothing was done
)

// exitError carries an exit code with an error.
type exitError struct {
	code int
	err  error
	// silent: the command already printed its problems line by line.
	silent bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError is catalogue message id as an exit-2 error (bad flags or arguments).
func usageError(id string, args ...any) error {
	return &exitError{code: exitUsage, err: msg.Errorf(id, args...)}
}

// asUsage makes err exit 2 (nothing was done) unless it carries its exit code already.
func asUsage(err error) error {
	if _, ok := errors.AsType[*exitError](err); ok {
		return err
	}
	return &exitError{code: exitUsage, err: err}
}

// partialError says some of the work failed; the problems were printed already.
func partialError(id string, args ...any) error {
	return &exitError{code: exitPartial, err: msg.Errorf(id, args...)}
}

// shownError is an error as the user reads it, in their language; it unwraps to the
// error itself for exit codes.
type shownError struct {
	text string
	err  error
}

func (e *shownError) Error() string { return e.text }
func (e *shownError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ce *config.Error
	var ue *ingest.UnknownSourceError
	if errors.As(err, &ce) || errors.As(err, &ue) || errors.Is(err, store.ErrLocked) || errors.Is(err, store.ErrSchema) || errors.Is(err, report.ErrInvalidOptions) {
		return exitUsage
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitPartial
}

func isSilent(err error) bool {
	var ee *exitError
	if errors.Is(err, flag.ErrHelp) {
		return true
	}
	return errors.As(err, &ee) && ee.silent
}

// env is what a command gets: streams, the config (loaded on demand), a logger, a clock.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configPath     string
	logFormat      string
	// lang is --lang; "" means the config's language, or Vietnamese before it is read.
	lang    string
	verbose bool
	log     *slog.Logger
	now     func() time.Time
	cfg     *config.Config
	// kinds is the registry of source kinds, handed to the config and the runner.
	kinds collector.Kinds
	// cmd is the command being run, for its usage line.
	cmd *command
	// fetchAllow adds networks the fetch guard lets through (tests use loopback).
	fetchAllow []netip.Prefix
	// onListening, when set (by tests), is told the address `serve` listens on.
	onListening func(addr string)
	// benchSelf, when set (by tests), is how `bench` starts hashtrack for a child step.
	benchSelf []string
	// lockTimeout, when set (by tests), replaces how long a command waits for a
	// database another process holds (cliLockTimeout).
	lockTimeout time.Duration
	// schedules, when set (by tests), reads the daemon's job schedules
	// (daemon.Options.Schedules), so "@every 200ms" is not rounded up to a second.
	schedules cron.ScheduleParser
}

// command is one subcommand. Each lives in its own command_*.go file; its summary
// and usage line are the catalogue's "cmd.NAME" and "usage.NAME", its options' texts
// "NAME -FLAG" (msg.Printer.Help).
type command struct {
	name string
	run  func(ctx context.Context, e *env, args []string) error
}

// msg is the printer of the user's language: --lang, else the config's language once
// it is read, else Vietnamese.
func (e *env) msg() msg.Printer {
	if e.lang == "" && e.cfg != nil {
		return msg.New(e.cfg.Language)
	}
	return msg.New(e.lang)
}

// say prints message id on stdout, one line.
func (e *env) say(id string, args ...any) { fmt.Fprintln(e.stdout, e.msg().T(id, args...)) }

// warn prints message id on stderr, one line.
func (e *env) warn(id string, args ...any) { fmt.Fprintln(e.stderr, e.msg().T(id, args...)) }

// table starts aligned columns on stdout under the tab-separated header id.
func (e *env) table(header string) *msg.Table { return e.msg().Table(e.stdout, header) }

func (e *env) commonFlags(fs *flag.FlagSet) {
	def := os.Getenv("HASHTRACK_CONFIG")
	if def == "" {
		def = "hashtrack.toml"
	}
	if e.configPath == "" {
		e.configPath = def
	}
	if e.logFormat == "" {
		e.logFormat = "text"
	}
	fs.StringVar(&e.configPath, "config", e.configPath, "")
	fs.StringVar(&e.logFormat, "log-format", e.logFormat, "")
	fs.StringVar(&e.lang, "lang", e.lang, "")
}

func (e *env) setupLog() {
	opts := &slog.HandlerOptions{Level: slog.LevelWarn}
	if e.verbose {
		opts.Level = slog.LevelInfo
	}
	if e.logFormat == "json" {
		e.log = slog.New(slog.NewJSONHandler(e.stderr, opts))
	} else {
		e.log = slog.New(slog.NewTextHandler(e.stderr, opts))
	}
}

// flags returns a FlagSet for the command being run, with the common flags. Its
// options are given no usage text: the help takes them from the catalogue ("NAME
// -FLAG") in the language --lang chose, which may come after them.
func (e *env) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("hashtrack "+e.cmd.name, flag.ContinueOnError)
	// The flag package's own English is replaced by parse's.
	fs.SetOutput(io.Discard)
	e.commonFlags(fs)
	fs.Usage = func() { e.msg().Help(e.stderr, fs, e.cmd.name) }
	return fs
}

// parse parses a command's flags; errors are usage errors (exit 2), --help exits 0.
// Flags may come before or after the positional arguments.
func (e *env) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			fmt.Fprintln(e.stderr, e.msg().FlagError(err))
			return nil, &exitError{code: exitUsage, err: err, silent: true}
		}
		if err := e.checkLang(); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseOnly parses the options of a command that takes no argument; one is refused
// with message id (args, then the argument).
func (e *env) parseOnly(fs *flag.FlagSet, args []string, id string, more ...any) error {
	pos, err := e.parse(fs, args)
	if err == nil && len(pos) > 0 {
		return usageError(id, append(more, pos[0])...)
	}
	return err
}

// checkLang refuses a --lang other than vi or en (in Vietnamese: it is forgotten).
func (e *env) checkLang() error {
	if bad := e.lang; bad != "" && bad != "vi" && bad != "en" {
		e.lang = ""
		return usageError("app.bad_lang", bad)
	}
	return nil
}

// open loads the configuration and opens its database.
func (e *env) open(readOnly bool) (*config.Config, *store.Store, error) {
	c, err := e.config()
	if err != nil {
		return nil, nil, err
	}
	st, err := e.openStore(c, readOnly)
	return c, st, err
}

// config loads the configuration once.
func (e *env) config() (*config.Config, error) {
	if e.cfg != nil {
		return e.cfg, nil
	}
	c, err := config.Load(e.configPath, e.kinds)
	if err != nil {
		return nil, err
	}
	e.cfg = c
	return c, nil
}

// cliLockTimeout is how long a command waits for the file while another process (the
// daemon, another command) is writing. Every process holds the file only while it
// works and lets go at least every store.DefaultMaxHold, so this is many turns.
const cliLockTimeout = 10 * time.Second

// openStore opens the configured database with the campaigns' time zones.
func (e *env) openStore(c *config.Config, readOnly bool) (*store.Store, error) {
	if readOnly {
		// bbolt's message for a missing file is a bare "no such file or directory".
		if _, err := os.Stat(c.DatabasePath()); errors.Is(err, os.ErrNotExist) {
			return nil, &exitError{code: exitUsage, err: msg.Wrap(err, "app.no_database", c.DatabasePath(), c.Path())}
		}
	}
	wait := cmp.Or(e.lockTimeout, cliLockTimeout)
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: c.Locations(), ReadOnly: readOnly, Now: e.now, LockTimeout: wait})
	if errors.Is(err, store.ErrLocked) {
		// The store's sentence names the file and the wait; said whole in the user's words.
		return nil, &exitError{code: exitUsage, err: msg.Wrap(err, "app.locked", c.DatabasePath(), wait)}
	}
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	if r, ok := st.Relinked(); ok && (r.Changed() || len(r.Kept)+len(r.Mixed) > 0) {
		e.warn("app.upgraded", store.SchemaVersion, r.Moved, r.Merged, r.Claims, len(r.Kept), len(r.Mixed))
	}
	return st, nil
}

// fetcher builds the shared HTTP client from the config.
func (e *env) fetcher(c *config.Config) *fetch.Client {
	return fetch.New(c.FetchOptions(e.fetchAllow...))
}

// pickCampaign resolves --campaign: required when more than one campaign is configured.
func pickCampaign(c *config.Config, id string) (collector.Campaign, error) {
	k, err := c.PickCampaign(id)
	if err != nil {
		return k, &exitError{code: exitUsage, err: err}
	}
	return k, nil
}
