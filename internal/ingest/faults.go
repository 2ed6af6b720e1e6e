package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/secret"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// DefaultWait is how long a source waits after the platform said "too many calls"
// without saying until when.
const DefaultWait = time.Hour

// TokenPrint is a short fingerprint of a token: enough to notice that the environment
// now holds another one, too short to help anyone guess it. "" for no token.
func TokenPrint(tok secret.Secret) string {
	if tok == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(tok.Reveal()))
	return hex.EncodeToString(sum[:4])
}

// heldByFault says why a source the platform refused must not run now ("" when it may):
// its token was refused and is still the same one, or the platform asked it to wait.
// A token changed in the environment clears the flag, so the run tries it; a forced
// run (collect --all) tries anyway.
func heldByFault(h *store.SourceHealth, src collector.Source, now time.Time, loc *time.Location, force bool) string {
	if !h.NeedsToken.IsZero() && TokenPrint(src.Token) != h.TokenPrint {
		h.NeedsToken, h.TokenPrint = time.Time{}, ""
	}
	if force {
		return ""
	}
	if !h.NeedsToken.IsZero() {
		return NeedsTokenText(h.NeedsToken, loc) + "; sau khi cấp lại, chạy hashtrack sources --check " + src.Name
	}
	if h.Waiting != "" && now.Before(h.NextAttempt) {
		return WaitingText(h.Waiting, h.NextAttempt, loc)
	}
	return ""
}

// NeedsTokenText is how `sources`, `collect` and the report name a refused token.
func NeedsTokenText(since time.Time, loc *time.Location) string {
	return "cần cấp lại token (từ " + since.In(loc).Format("02/01/2006") + ")"
}

// WaitingText says until when a source waits at the platform's request.
func WaitingText(kind collector.FaultKind, until time.Time, loc *time.Location) string {
	why := "nền tảng báo gọi quá nhiều lần"
	if kind == collector.FaultQuota {
		why = "đã hết hạn mức gọi API trong ngày"
	}
	return fmt.Sprintf("chờ đến %s: %s", until.In(loc).Format("02/01/2006 15:04"), why)
}

// applyFault records in h a refusal the platform classified, and reports whether it
// did; other errors (FaultPermission included) are ordinary failures with backoff.
// A refused token flags the source and is not a failure: retrying it every hour would
// only be refused again. Throttling waits until the platform's reset and does not
// count toward "failing" either: the source did nothing wrong.
// The last error of a flagged source says "cần cấp lại token (từ dd/mm/yyyy)" first:
// `sources` and the report's table of sources show it as it is.
func applyFault(h *store.SourceHealth, err error, src collector.Source, now time.Time, loc *time.Location) bool {
	var f *collector.Fault
	if !errors.As(err, &f) {
		return false
	}
	switch f.Kind {
	case collector.FaultToken:
		if h.NeedsToken.IsZero() {
			h.NeedsToken = now
		}
		h.TokenPrint = TokenPrint(src.Token)
		h.LastError = NeedsTokenText(h.NeedsToken, loc) + ": " + f.Error()
		h.NextAttempt, h.Waiting = time.Time{}, ""
		return true
	case collector.FaultThrottled, collector.FaultQuota:
		until := f.Until
		if !until.After(now) {
			until = now.Add(DefaultWait)
		}
		if limit := now.Add(MaxRetryAfter); until.After(limit) {
			until = limit
		}
		h.NextAttempt = until
		h.Waiting = f.Kind
		h.LastError = f.Error()
		return true
	}
	return false
}

// tokenWorks lifts a source's "cần cấp lại token" flag after a call with its token
// worked (a check, a refresh); a wait the platform asked for stays.
func tokenWorks(h *store.SourceHealth) {
	if !h.NeedsToken.IsZero() {
		h.NeedsToken, h.TokenPrint, h.LastError = time.Time{}, "", ""
	}
}

// clearFaults forgets the platform's refusals after a call that worked.
func clearFaults(h *store.SourceHealth) {
	h.NeedsToken, h.TokenPrint, h.Waiting = time.Time{}, "", ""
}

// ErrNoToken is returned by CheckSource for a source whose kind holds no token or key
// (it implements no collector.Checker).
var ErrNoToken = errors.New("ingest: the source's kind uses no token")

// CheckOutcome is what checking a source's token found.
type CheckOutcome struct {
	Source string
	Result collector.CheckResult
	// Err is why the token does not work: unset in the environment, or the platform's
	// refusal (a *collector.Fault says it in Vietnamese). Nil: it works.
	Err    error
	Health store.SourceHealth
}

// CheckSource makes the named source's kind spend one cheap call to say whether its
// token works, whose it is and what it may read (`hashtrack sources --check NAME`). A
// token that works clears the source's "cần cấp lại token" flag, so it runs on its
// schedule again; one refused as expired sets it. The error is an
// *UnknownSourceError, ErrNoToken, the kind's complaint about the source's options or
// the store's.
func (r *Runner) CheckSource(ctx context.Context, name string) (CheckOutcome, error) {
	c, st := r.Config, r.Store
	src, ok := c.SourceByName(name)
	if !ok {
		return CheckOutcome{}, &UnknownSourceError{Name: name, ConfigPath: c.Path()}
	}
	col, err := r.collector(src)
	if err != nil {
		return CheckOutcome{}, err
	}
	checker, ok := col.(collector.Checker)
	if !ok {
		return CheckOutcome{}, ErrNoToken
	}
	o := CheckOutcome{Source: name}
	if src.TokenEnv != "" && src.Token == "" {
		o.Err = fmt.Errorf("biến môi trường %s chưa được đặt (chưa có token)", src.TokenEnv)
		o.Health, _, err = st.Source(name)
		return o, err
	}
	now := r.now()
	o.Result, o.Err = checker.Check(ctx, collector.Request{Source: src, Campaigns: c.SourceCampaigns(src), Units: c.Units(), Fetcher: r.Fetcher, Now: now})
	if err := st.AddUsage(name, now, o.Result.Usage); err != nil {
		return o, err
	}
	o.Health, err = st.UpdateSource(name, func(h *store.SourceHealth) {
		if o.Err == nil {
			tokenWorks(h)
			return
		}
		var f *collector.Fault
		if errors.As(o.Err, &f) && f.Kind == collector.FaultToken {
			applyFault(h, o.Err, src, now, c.Location())
		}
	})
	return o, err
}
