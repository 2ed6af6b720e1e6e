// Package ingest is the one way posts get into the store: it runs sources (with their
// schedule, backoff and health), reads the pages of links people submitted, stores
// posts in batches, re-derives posts from kept raw items, imports CSV/XLSX files and
// stores single submissions. The command line, the daemon and the form are faces over
// a Runner; none of them runs a source or stores a post any other way.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/enrich"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// Backoff after consecutive failures: 1 h, 2 h, 4 h … capped at 24 h; a success resets it.
const (
	BackoffBase = time.Hour
	BackoffCap  = 24 * time.Hour
	// MaxRetryAfter caps how long a 429/503 Retry-After can hold a source.
	MaxRetryAfter = 7 * 24 * time.Hour
	// UpsertBatch posts are written per store transaction.
	UpsertBatch = 1000
	// PageTimeout bounds how long the page of one link is read (CheckPending); the
	// post, stored before, then stays as submitted.
	PageTimeout = 15 * time.Second
	// DefaultSourceWorkers sources run at once; DefaultPageWorkers is the least number
	// of pages read at once when the config sets no fetch.global.
	DefaultSourceWorkers = 4
	DefaultPageWorkers   = 4
)

// Step names a long step a Runner reports progress of.
type Step int

const (
	StepPages Step = iota // reading the pages of new links
	StepStore             // writing posts
)

// Runner runs sources and stores posts. Build one per command or daemon from the
// config and the open store; the zero values of the optional fields are the
// production defaults. Its hooks are never called concurrently.
type Runner struct {
	Config *config.Config
	Store  *store.Store
	// Fetcher fetches sources, with the config's allow_networks. The pages of new
	// links (when ReadPages is set) are read with its Public() twin: a link a branch
	// submitted never reaches the networks allowed for configured sources.
	Fetcher *fetch.Client
	Now     func() time.Time // nil = time.Now
	Log     *slog.Logger     // nil = slog.Default(); only used when PageNotRead is nil
	// ReadPages has the page of every new link people submitted (the form, submit,
	// file imports, sources that carry submissions) read after the post is stored: the
	// post is queued for CheckPending. The config's fetch.enrich, off under --dry-run.
	ReadPages bool
	// DryRun skips the commit hooks, so a dry run leaves a source's input (an inbox's
	// files) where it is.
	DryRun bool

	SourceWorkers int           // 0 = DefaultSourceWorkers
	PageWorkers   int           // 0 = the config's fetch.global, else fetch's default
	PageTimeout   time.Duration // 0 = PageTimeout

	// Progress, when set, is told how far a long step has got; done == total ends it.
	Progress func(step Step, done, total int)
	// PageNotRead, when set, is told of a page that could not be read; where is a
	// FILE:LINE or the link. The post is stored all the same.
	PageNotRead func(where string, err error)
	// ReadPage reads a link's page into p (title, date, author, hashtag check); nil =
	// enrich.Post. Tests replace it to count or fail reads without a network.
	ReadPage func(ctx context.Context, f *fetch.Client, p *collector.Post, campaigns []collector.Campaign) error

	hookMu sync.Mutex
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Runner) progress(step Step, done, total int) {
	if r.Progress == nil || total == 0 {
		return
	}
	r.hookMu.Lock()
	defer r.hookMu.Unlock()
	r.Progress(step, done, total)
}

func (r *Runner) pageNotRead(where string, err error) {
	r.hookMu.Lock()
	defer r.hookMu.Unlock()
	if r.PageNotRead != nil {
		r.PageNotRead(where, err)
		return
	}
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	log.Warn("page not read; post kept as submitted", slog.String("where", where), slog.Any("error", err))
}

// ErrUnknownSource is returned (wrapped in *UnknownSourceError) for a name that is not
// a [[source]] of the config.
var ErrUnknownSource = errors.New("no such source")

// UnknownSourceError names the source that is not configured.
type UnknownSourceError struct {
	Name, ConfigPath string
}

func (e *UnknownSourceError) Error() string {
	return fmt.Sprintf("ingest: no source named %q in %s", e.Name, e.ConfigPath)
}

func (e *UnknownSourceError) Unwrap() error { return ErrUnknownSource }

// Selection chooses the sources of one run.
type Selection struct {
	Names []string // only these sources (still subject to backoff unless All)
	All   bool     // every selected source now, ignoring schedules and backoff
	// DueOnly skips sources whose schedule has not come round since their last
	// attempt (`hashtrack collect` with no names; the daemon's ticks).
	DueOnly bool
}

// Outcome is what one source's run did.
type Outcome struct {
	Source      string
	Kind        string
	Skipped     string // why the source did not run (Vietnamese: backoff, schedule), or ""
	NotModified bool
	Seen        int
	Upsert      store.UpsertResult
	Problems    []collector.Problem
	Pages       PageTally // new links queued for a check (Queued)
	Held        Held      // posts held for staff rather than counted
	Err         error
	Health      store.SourceHealth
}

// Backoff is how long a source waits after failures consecutive failures.
func Backoff(failures int) time.Duration {
	d := BackoffBase
	for i := 1; i < failures && d < BackoffCap; i++ {
		d *= 2
	}
	return min(d, BackoffCap)
}

// selectSources returns the configured sources named (all when names is empty).
func (r *Runner) selectSources(names []string) ([]collector.Source, error) {
	var selected []collector.Source
	for _, s := range r.Config.Sources() {
		if len(names) == 0 || slices.Contains(names, s.Name) {
			selected = append(selected, s)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(selected, func(s collector.Source) bool { return s.Name == n }) {
			return nil, &UnknownSourceError{Name: n, ConfigPath: r.Config.Path()}
		}
	}
	return selected, nil
}

// Collect runs the selected sources, a few at a time, and records each one's health.
// One source's failure never stops the others; it is in its outcome. The error is an
// *UnknownSourceError for a name not in the config.
func (r *Runner) Collect(ctx context.Context, sel Selection) ([]Outcome, error) {
	selected, err := r.selectSources(sel.Names)
	if err != nil {
		return nil, err
	}
	workers := r.SourceWorkers
	if workers <= 0 {
		workers = DefaultSourceWorkers
	}
	out := make([]Outcome, len(selected))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, s := range selected {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = r.RunSource(ctx, s, sel)
		}()
	}
	wg.Wait()
	return out, nil
}

// RunSource runs one source and records its health. sel.All ignores backoff and
// schedules; sel.DueOnly skips a source whose next due time has not come (sel.Names
// is not read). A kind that panics is a failed source.
func (r *Runner) RunSource(ctx context.Context, src collector.Source, sel Selection) (o Outcome) {
	c, st := r.Config, r.Store
	force := sel.All
	o = Outcome{Source: src.Name, Kind: src.Kind}
	now := r.now()
	h, _, err := st.Source(src.Name)
	if err != nil {
		o.Err = err
		return o
	}
	h.Name = src.Name
	if why := heldByFault(&h, src, now, c.Location(), force); why != "" {
		o.Skipped, o.Health = why, h
		return o
	}
	if !force && !h.NextAttempt.IsZero() && now.Before(h.NextAttempt) {
		o.Skipped = fmt.Sprintf("chờ đến %s sau %d lần lỗi liên tiếp", h.NextAttempt.In(c.Location()).Format("02/01/2006 15:04"), h.ConsecutiveFailures)
		o.Health = h
		return o
	}
	if !force && sel.DueOnly {
		if due := NextDue(c, src, h); now.Before(due) {
			o.Skipped = "chưa đến lịch, lần tới " + due.In(c.Location()).Format("02/01/2006 15:04")
			o.Health = h
			return o
		}
	}
	defer func() {
		// A panicking kind is a failed source, not a dead run.
		if v := recover(); v != nil {
			o.Err = fmt.Errorf("collector panicked: %v", v)
		}
		h.LastAttempt = now
		switch {
		case o.Err != nil && applyFault(&h, o.Err, src, now, c.Location()):
			// The platform said what is wrong: flagged or waiting, not backing off.
		case o.Err != nil:
			h.Waiting = ""
			h.ConsecutiveFailures++
			h.LastError = o.Err.Error()
			wait := Backoff(h.ConsecutiveFailures)
			var se *fetch.StatusError
			if errors.As(o.Err, &se) && se.RetryAfter > wait {
				// Respect the server, but not a Retry-After that would silence the
				// source for the rest of the campaign.
				wait = min(se.RetryAfter, MaxRetryAfter)
			}
			h.NextAttempt = now.Add(wait)
		default:
			h.LastSuccess = now
			clearFaults(&h)
			h.ConsecutiveFailures = 0
			h.LastError = ""
			h.NextAttempt = time.Time{}
			h.ItemsSeen = o.Seen
			h.ItemsStored = o.Upsert.New + o.Upsert.Updated
		}
		if err := st.PutSource(h); err != nil && o.Err == nil {
			o.Err = err
		}
		o.Health = h
	}()

	col, err := r.collector(src)
	if err != nil {
		o.Err = err
		return o
	}
	res, err := col.Collect(ctx, collector.Request{Source: src, State: h.State, Campaigns: c.SourceCampaigns(src), Units: c.Units(), Fetcher: r.Fetcher, Now: now})
	if err != nil {
		// Calls a failed run made still count against the day's quota.
		if uerr := r.Store.AddUsage(src.Name, now, res.Usage); uerr != nil {
			err = errors.Join(err, uerr)
		}
		o.Err = err
		return o
	}
	if err := r.recordAPI(src, now, res); err != nil {
		o.Err = err
		return o
	}
	o.NotModified = res.NotModified
	o.Seen = res.ItemsSeen
	o.Problems = res.Problems
	h.State = res.State
	if err := st.PutRaw(src.Name, res.Raw); err != nil {
		o.Err = err
	} else {
		posts, problems := r.prepare(src, res.Posts, now, o.Problems)
		o.Problems = problems
		origin := Origin{Submission: collector.CarriesSubmissions(col), Source: src.Name}
		r.screen(posts, origin)
		o.Upsert, o.Pages, o.Err = r.upsert(ctx, posts, r.checksFor(posts, nil, origin))
		o.Held = held(posts, o.Upsert)
	}
	// A kind that must act once its posts are safe (the inbox moves its files to
	// processed/) is told whether they were stored. A dry run leaves the input alone
	// altogether: even the files an inbox could not read stay where they are.
	if res.Commit != nil && !r.DryRun {
		if err := res.Commit(o.Err == nil); err != nil && o.Err == nil {
			o.Err = err
		}
	}
	return o
}

// collector builds a source's collector from the kinds registry.
func (r *Runner) collector(src collector.Source) (collector.Collector, error) {
	newKind, ok := r.Config.Kinds()[src.Kind]
	if !ok {
		return nil, fmt.Errorf("ingest: source %s: unknown kind %q", src.Name, src.Kind)
	}
	return newKind(src)
}

// CarriesSubmissions builds the named source's collector and says whether its posts
// are people's submissions (the sources `import --source` takes). The error is an
// *UnknownSourceError, or the kind's complaint about the source's options.
func (r *Runner) CarriesSubmissions(name string) (collector.Source, bool, error) {
	src, ok := r.Config.SourceByName(name)
	if !ok {
		return src, false, &UnknownSourceError{Name: name, ConfigPath: r.Config.Path()}
	}
	col, err := r.collector(src)
	if err != nil {
		return src, false, err
	}
	return src, collector.CarriesSubmissions(col), nil
}

// prepare fills a source's defaults into its posts and normalizes them.
func (r *Runner) prepare(src collector.Source, posts []collector.Post, now time.Time, problems []collector.Problem) ([]collector.Post, []collector.Problem) {
	out := make([]collector.Post, 0, len(posts))
	for _, p := range posts {
		if p.Unit == "" {
			p.Unit = src.Unit
		}
		if len(p.Campaigns) == 0 {
			p.Campaigns = slices.Clone(src.Campaigns)
		}
		if !slices.Contains(p.Sources, src.Name) {
			p.Sources = append(p.Sources, src.Name)
		}
		if p.FirstSeen.IsZero() {
			p.FirstSeen = now
		}
		if err := p.Normalize(); err != nil {
			problems = append(problems, collector.Problem{Where: p.URL, Reason: err.Error()})
			continue
		}
		out = append(out, p)
	}
	return out, problems
}

// upsert writes posts in batches of UpsertBatch, reporting progress. With checks
// (checksFor), the new posts are queued for a check of their links in the same
// transactions, and counted in the tally's Queued.
func (r *Runner) upsert(ctx context.Context, posts []collector.Post, checks []store.PendingCheck) (store.UpsertResult, PageTally, error) {
	var total store.UpsertResult
	var pages PageTally
	for start := 0; start < len(posts); start += UpsertBatch {
		end := min(start+UpsertBatch, len(posts))
		var res store.UpsertResult
		var err error
		if checks != nil {
			res, err = r.Store.UpsertForCheck(ctx, posts[start:end], checks[start:end])
			pages.Queued += res.New
		} else {
			res, err = r.Store.Upsert(ctx, posts[start:end])
		}
		if err != nil {
			return total, pages, err
		}
		total.Add(res)
		r.progress(StepStore, end, len(posts))
	}
	return total, pages, nil
}

// NextDue is when a source should next run: at once if it never ran; otherwise the
// next time its schedule fires after the last attempt (a source without a schedule
// runs once a day, from the next midnight in the configured time zone); a failing
// source when its backoff or Retry-After ends.
func NextDue(c *config.Config, src collector.Source, h store.SourceHealth) time.Time {
	if h.LastAttempt.IsZero() {
		return h.NextAttempt
	}
	if h.ConsecutiveFailures > 0 && !h.NextAttempt.IsZero() {
		// A failing source is retried on its backoff, not its schedule.
		return h.NextAttempt
	}
	last := h.LastAttempt.In(c.Location())
	var due time.Time
	if src.Schedule == "" {
		y, m, d := last.Date()
		due = time.Date(y, m, d+1, 0, 0, 0, 0, c.Location())
	} else if sched, err := config.CronParser.Parse(src.Schedule); err == nil {
		due = sched.Next(last)
	}
	if h.NextAttempt.After(due) {
		due = h.NextAttempt
	}
	return due
}

// readPage is the configured page reader.
func (r *Runner) readPage(ctx context.Context, p *collector.Post, camps []collector.Campaign) error {
	read := r.ReadPage
	if read == nil {
		read = enrich.Post
	}
	timeout := r.PageTimeout
	if timeout <= 0 {
		timeout = PageTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return read(ctx, r.Fetcher.Public(), p, camps)
}
