package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
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

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// partialError says some of the work failed; the problems were printed already.
func partialError(format string, args ...any) error {
	return &exitError{code: exitPartial, err: fmt.Errorf(format, args...)}
}

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ce *ConfigError
	if errors.As(err, &ce) || errors.Is(err, store.ErrLocked) || errors.Is(err, store.ErrSchema) {
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
	verbose        bool
	log            *slog.Logger
	now            func() time.Time
	cfg            *Config
	// fetchAllow adds networks the fetch guard lets through (tests use loopback).
	fetchAllow []string
}

// command is one subcommand. Each lives in its own command_*.go file.
type command struct {
	name    string
	summary string // Vietnamese, one line, for `hashtrack help`
	usage   string // arguments after the name
	run     func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
	global := flag.NewFlagSet("hashtrack", flag.ContinueOnError)
	global.SetOutput(stderr)
	e.commonFlags(global)
	global.Usage = func() { printHelp(stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: exitUsage, err: err, silent: true}
	}
	rest := global.Args()
	if len(rest) == 0 {
		printHelp(stderr)
		return &exitError{code: exitUsage, err: errors.New("no command"), silent: true}
	}
	name := rest[0]
	if name == "help" || name == "-h" || name == "--help" {
		if len(rest) > 1 {
			if c, ok := commands[rest[1]]; ok {
				return c.run(ctx, e, []string{"--help"})
			}
		}
		printHelp(stdout)
		return nil
	}
	c, ok := commands[name]
	if !ok {
		return usageError("unknown command %q; run `hashtrack help` for the list", name)
	}
	e.setupLog()
	err := c.run(ctx, e, rest[1:])
	if diskFull(err) {
		err = &exitError{code: exitUsage, err: fmt.Errorf("%w\nthe disk is full (or a file size limit was reached): the failed step was not saved and the database keeps everything saved before; free some space, then run `hashtrack check`", err)}
	}
	if err != nil && !isSilent(err) {
		// Prefix with the command so the one line on stderr says where it came from.
		var ee *exitError
		if errors.As(err, &ee) {
			return &exitError{code: ee.code, err: fmt.Errorf("%s: %w", name, ee.err), silent: ee.silent}
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return err
}

// diskFull reports whether err comes from a full disk or a file size limit. bbolt
// formats some file errors with %s, so the text is checked too.
func diskFull(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{syscall.ENOSPC.Error(), syscall.EFBIG.Error(), syscall.EDQUOT.Error()} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

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
	fs.StringVar(&e.configPath, "config", e.configPath, "configuration `file` (default hashtrack.toml, or $HASHTRACK_CONFIG)")
	fs.StringVar(&e.logFormat, "log-format", e.logFormat, "log format: text or json")
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

// flags returns a FlagSet for a command, with the common flags and a Vietnamese usage line.
func (e *env) flags(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("hashtrack "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	e.commonFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Cách dùng: hashtrack %s %s\n  %s\n\nTùy chọn:\n", c.name, c.usage, c.summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses a command's flags; errors are usage errors (exit 2), --help exits 0.
// Flags may come before or after the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &exitError{code: exitUsage, err: err, silent: true}
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

// config loads the configuration once.
func (e *env) config() (*Config, error) {
	if e.cfg != nil {
		return e.cfg, nil
	}
	c, err := loadConfig(e.configPath)
	if err != nil {
		return nil, err
	}
	e.cfg = c
	return c, nil
}

// openStore opens the configured database with the campaigns' time zones.
func (e *env) openStore(c *Config, readOnly bool) (*store.Store, error) {
	locs := map[string]*time.Location{}
	for _, k := range c.Campaigns() {
		locs[k.ID] = k.Loc()
	}
	if readOnly {
		// bbolt's message for a missing file is a bare "no such file or directory".
		if _, err := os.Stat(c.DatabasePath()); errors.Is(err, os.ErrNotExist) {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("store: open %s: the database does not exist yet: run `hashtrack init`, or check `database` in %s: %w", c.DatabasePath(), c.path, err)}
		}
	}
	st, err := store.Open(c.DatabasePath(), store.Options{Locations: locs, ReadOnly: readOnly, Now: e.now})
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	return st, nil
}

// fetcher builds the shared HTTP client from the config.
func (e *env) fetcher(c *Config) *fetch.Client {
	allow := c.AllowedNetworks()
	for _, n := range e.fetchAllow {
		if p, err := netip.ParsePrefix(n); err == nil {
			allow = append(allow, p)
		}
	}
	return fetch.New(fetch.Options{UserAgent: c.Fetch.UserAgent, Timeout: c.Fetch.Timeout.Duration, MaxBody: c.Fetch.MaxBody, Allow: allow})
}

// pickCampaign resolves --campaign: required when more than one campaign is configured.
func pickCampaign(c *Config, id string) (collector.Campaign, error) {
	if id == "" {
		if len(c.Campaigns()) == 1 {
			return c.Campaigns()[0], nil
		}
		return collector.Campaign{}, usageError("several campaigns are configured; choose one with --campaign (%s)", strings.Join(campaignIDs(c), ", "))
	}
	k, ok := c.CampaignByID(id)
	if !ok {
		return collector.Campaign{}, usageError("no campaign %q in %s (known: %s)", id, c.path, strings.Join(campaignIDs(c), ", "))
	}
	return k, nil
}

func campaignIDs(c *Config) []string {
	var ids []string
	for _, k := range c.Campaigns() {
		ids = append(ids, k.ID)
	}
	return ids
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "hashtrack — theo dõi bài đăng của chiến dịch hashtag (Tỉnh Đoàn Đắk Lắk)")
	fmt.Fprintln(w, "\nCách dùng: hashtrack [--config FILE] LỆNH [tùy chọn]\n\nCác lệnh:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\n`hashtrack LỆNH --help` cho chi tiết từng lệnh.")
}

func kindNames() []string {
	var out []string
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
