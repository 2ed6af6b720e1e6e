package ingest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/enrich"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// DefaultCheckBudget bounds one run of CheckPending when neither the caller nor the
// config's fetch.check_budget says otherwise.
const DefaultCheckBudget = 10 * time.Minute

// checkBatch caps the results stored in one transaction: results are written as they
// arrive, a few at a time, so a kill loses at most the pages in flight.
const checkBatch = 64

// Checked is what one run of the link checks did.
type Checked struct {
	Pages PageTally // what the pages said
	// Held are the posts a check sent to staff: the page lacks the hashtag, the post
	// is dated outside its campaign, its author is blocked…
	Held Held
	// Waiting are the posts still waiting for a check after the run: not reached
	// within the budget, or the run was stopped.
	Waiting int
}

// CheckPending reads the pages of the posts stored before their links were checked
// (imports, inbox and sheet sources, submit, the form), as many at once as the fetch
// client allows (per host and in all), and stores each result as it arrives through
// the store's merge: title, date and author where the submission left them empty,
// the verification, a short link filed under the post it leads to, and the review
// policy applied again to the post as read. Links on the config's login hosts are
// marked unverifiable without a request. A page that cannot be read is a warning
// (PageNotRead, with the row it came from); the post stays as submitted and is not
// tried again. The run stops after budget (0 = the config's fetch.check_budget); the
// posts not reached stay queued for the next run, of this or any other command, or
// of the daemon. Without ReadPages or a fetcher nothing is read. The error is the
// store's.
func (r *Runner) CheckPending(ctx context.Context, budget time.Duration) (Checked, error) {
	var res Checked
	pending, err := r.Store.PendingChecks(ctx, 0)
	if err != nil {
		return res, err
	}
	if !r.ReadPages || r.Fetcher == nil || len(pending) == 0 {
		res.Waiting = len(pending)
		return res, nil
	}
	if budget <= 0 {
		budget = r.Config.Fetch.CheckBudget.Duration
	}
	if budget <= 0 {
		budget = DefaultCheckBudget
	}
	runCtx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()

	jobs := make(chan store.PendingCheck)
	results := make(chan checkOutcome)
	var wg sync.WaitGroup
	for range r.checkWorkers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pc := range jobs {
				if out, ok := r.checkOne(runCtx, pc); ok {
					results <- out
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, pc := range pending {
			select {
			case jobs <- pc:
			case <-runCtx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	stored := 0
	var storeErr error
	batch := make([]checkOutcome, 0, checkBatch)
	for out := range results {
		batch = append(batch[:0], out)
		// Whatever else has arrived goes into the same transaction.
	more:
		for len(batch) < checkBatch {
			select {
			case o, ok := <-results:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		if storeErr != nil {
			continue // drain the workers
		}
		if err := r.finish(ctx, batch, &res); err != nil {
			storeErr = err
			cancel()
			continue
		}
		stored += len(batch)
		r.progress(StepPages, stored, len(pending))
	}
	if storeErr != nil {
		return res, storeErr
	}
	if res.Waiting, err = r.Store.CountChecks(); err != nil {
		return res, err
	}
	if stored < len(pending) {
		r.progress(StepPages, len(pending), len(pending)) // ends the progress line
	}
	return res, nil
}

// checkOutcome is one page read by a worker, waiting to be stored.
type checkOutcome struct {
	pc     store.PendingCheck
	result store.CheckResult
	err    error // the page could not be read (result.Read is zero)
	where  string
}

// checkWorkers is how many links are checked at once: the fetch client's global
// limit, which the per-host limit narrows for links of one site.
func (r *Runner) checkWorkers() int {
	if r.PageWorkers > 0 {
		return r.PageWorkers
	}
	if g := r.Config.Fetch.Global; g > 0 {
		return g
	}
	return max(fetch.DefaultGlobal, DefaultPageWorkers)
}

// checkOne reads the page of one queued post. ok is false when the run ended before
// the page was read: the post stays queued.
func (r *Runner) checkOne(ctx context.Context, pc store.PendingCheck) (out checkOutcome, ok bool) {
	out = checkOutcome{pc: pc, result: store.CheckResult{Post: pc.Post}, where: pc.Where}
	if ctx.Err() != nil {
		return out, false
	}
	p, found, err := r.Store.Get(pc.Post)
	if err != nil {
		return out, false
	}
	if !found {
		return out, true // the queue entry is dropped
	}
	if out.where == "" {
		out.where = p.URL
	}
	q := p
	if enrich.NeedsLogin(p.URL, r.Config.Fetch.LoginHosts) {
		q.Verification = collector.Unverifiable
	} else if err := r.readOne(ctx, &q); err != nil {
		if ctx.Err() != nil || errors.Is(err, context.Canceled) {
			return out, false // the budget ran out while the page was read: next run
		}
		out.err = err
		return out, true
	}
	// The review policy judges the post as read, as it would have had the page been
	// read before storing; the store applies it only if no one decided since.
	o := Origin{Submission: true, Source: pc.Source}
	if pc.ManualLink {
		o.Token.Review = config.ReviewManual
	}
	batch := []collector.Post{q}
	batch[0].Review, batch[0].Reason = collector.ReviewCounted, ""
	if pc.Review != collector.ReviewCounted && !policyReason(pc.Reason) {
		batch[0].Review, batch[0].Reason = pc.Review, pc.Reason // a state set on purpose
	}
	r.screen(batch, o)
	out.result.Read, out.result.Review, out.result.Reason = q, batch[0].Review, batch[0].Reason
	out.result.Read.Review, out.result.Read.Reason = p.Review, p.Reason
	return out, true
}

// finish stores a batch of results and counts them.
func (r *Runner) finish(ctx context.Context, batch []checkOutcome, res *Checked) error {
	results := make([]store.CheckResult, len(batch))
	for i, o := range batch {
		results[i] = o.result
	}
	done, err := r.Store.FinishChecks(context.WithoutCancel(ctx), results)
	if err != nil {
		return err
	}
	for i, d := range done {
		if !d.Stored {
			continue // another run stored it first
		}
		o := batch[i]
		if o.err != nil {
			res.Pages.NotRead++
			r.pageNotRead(o.where, o.err)
			continue
		}
		if o.result.Read.ID == "" {
			continue
		}
		res.Pages.count(o.result.Read.Verification)
		if d.Held {
			if res.Held.Queued == nil {
				res.Held.Queued = map[string]int{}
			}
			res.Held.Queued[d.Reason]++
		}
	}
	return nil
}

// policyReason says whether reason is one of the review policy's codes (ReasonText
// knows each of them), as opposed to a state a caller set on purpose.
func policyReason(reason string) bool { return review.ReasonText(reason) != reason }
