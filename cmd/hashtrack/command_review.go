package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"slices"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/msg"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// reviewCommand is `hashtrack review`: the queue and staff decisions.
func reviewCommand() *command { return &command{name: "review", run: runReview} }

// reviewActions are the subcommands that decide, named as the store's actions.
var reviewActions = []store.Action{store.ActionApprove, store.ActionReject, store.ActionRestore, store.ActionAssign, store.ActionCorrect}

func runReview(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			e.warn("help.usage", "review "+e.msg().T("usage.review"), e.msg().T("cmd.review"))
			return nil
		}
		return usageError("review.what")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "list":
		return reviewList(ctx, e, args)
	case "history":
		return reviewHistory(ctx, e, args)
	case "export":
		return reviewExport(ctx, e, args)
	}
	if !slices.Contains(reviewActions, store.Action(sub)) {
		return usageError("review.unknown", sub)
	}
	return reviewDecide(ctx, e, sub, args)
}

// reviewFlags is a FlagSet named after the subcommand.
func reviewFlags(e *env, sub string) *flag.FlagSet {
	fs := e.flags()
	fs.Init("hashtrack review "+sub, flag.ContinueOnError)
	return fs
}

func reviewList(ctx context.Context, e *env, args []string) error {
	fs := reviewFlags(e, "list")
	campaignID := fs.String("campaign", "", "")
	asJSON := fs.Bool("json", false, "")
	if err := e.parseOnly(fs, args, "review.no_links", "list"); err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if *campaignID != "" {
		if _, err := pickCampaign(c, *campaignID); err != nil {
			return err
		}
	}
	st, err := e.openStore(c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	items, err := review.Queue(ctx, st, *campaignID)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, it := range items {
			if err := enc.Encode(it); err != nil {
				return err
			}
		}
		return nil
	}
	if len(items) == 0 {
		e.say("review.empty")
		return nil
	}
	m := e.msg()
	tab := e.table("review.header")
	for _, it := range items {
		state, why := m.T("review.pending"), review.ReasonText(it.Reason)
		if it.Review == collector.ReviewCounted {
			state, why = m.T("review.counting"), ""
		}
		if len(it.Claims) > 0 {
			claims := make([]string, len(it.Claims))
			for i, u := range it.Claims {
				claims[i] = cmp.Or(c.UnitName(u), "—")
			}
			why = strings.TrimPrefix(why+"; "+m.T("review.claims", strings.Join(claims, ", ")), "; ")
		}
		tab.Row(m.Time(it.Since, c.Location()), it.ID, msg.Clip(cmp.Or(c.UnitName(it.Unit), "—"), 32), state, why, it.URL)
	}
	if err := tab.Flush(); err != nil {
		return err
	}
	e.say("review.count", len(items))
	return nil
}

func reviewDecide(ctx context.Context, e *env, sub string, args []string) error {
	fs := reviewFlags(e, sub)
	from := fs.String("from", "", "")
	var reason, unit, published, campaigns, likes, comments, shares, views string
	fs.StringVar(&reason, "reason", "", "")
	if sub == "assign" {
		fs.StringVar(&unit, "unit", "", "")
	}
	if sub == "correct" {
		fs.StringVar(&published, "published", "", "")
		fs.StringVar(&campaigns, "campaign", "", "")
		fs.StringVar(&likes, "likes", "", "")
		fs.StringVar(&comments, "comments", "", "")
		fs.StringVar(&shares, "shares", "", "")
		fs.StringVar(&views, "views", "", "")
	}
	pos, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	counts := map[string]string{"likes": likes, "comments": comments, "shares": shares, "views": views}
	typed := review.Typed{Action: store.Action(sub), Reason: reason, Unit: unit, Published: published, Campaigns: campaigns, Counts: counts}
	d, bad := typed.Decision(c.Units(), c.Campaigns(), c.Location())
	if len(bad) > 0 {
		return &exitError{code: exitUsage, err: msg.Join(bad)}
	}
	refs, err := review.RefsFrom(pos, *from, e.stdin)
	switch {
	case errors.Is(err, review.ErrNoRefs):
		return usageError("review.no_refs")
	case err != nil:
		return usageError("app.flag_error", "--from", err)
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := review.Apply(ctx, st, review.OSUser(), refs, d)
	if err != nil {
		var nf *review.NotFoundError
		if errors.As(err, &nf) {
			return usageError("review.not_found_none", strings.Join(nf.Refs, ", "))
		}
		if errors.Is(err, store.ErrBadDecision) || errors.Is(err, store.ErrUnknownPost) {
			return usageError("review.bad_none", err)
		}
		return err
	}
	e.say("review.decided", res.Changed, res.Unchanged)
	return nil
}

func reviewHistory(ctx context.Context, e *env, args []string) error {
	fs := reviewFlags(e, "history")
	asJSON := fs.Bool("json", false, "")
	pos, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("review.need_one", len(pos))
	}
	c, st, err := e.open(true)
	if err != nil {
		return err
	}
	defer st.Close()
	return printHistory(ctx, e, c, st, pos[0], *asJSON)
}

// printHistory shows a post's audit trail (`review history`, `posts --history`).
func printHistory(ctx context.Context, e *env, c *config.Config, st *store.Store, ref string, asJSON bool) error {
	p, entries, err := review.History(ctx, st, ref)
	if err != nil {
		var nf *review.NotFoundError
		if errors.As(err, &nf) {
			return usageError("review.not_found", ref)
		}
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, en := range entries {
			if err := enc.Encode(en); err != nil {
				return err
			}
		}
		return nil
	}
	e.say("review.post", term.Clean(p.URL), p.ID)
	tab := e.table("review.history_header")
	for _, en := range entries {
		tab.Row(e.msg().Time(en.At, c.Location()), en.Who, en.Action, review.ChangesText(en.Changes), review.ReasonText(en.Reason))
	}
	if err := tab.Flush(); err != nil {
		return err
	}
	e.say("review.entries", len(entries))
	return nil
}

func reviewExport(ctx context.Context, e *env, args []string) error {
	fs := reviewFlags(e, "export")
	format := fs.String("format", "csv", "")
	if err := e.parseOnly(fs, args, "review.no_links", "export"); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return usageError("review.format", *format)
	}
	_, st, err := e.open(true)
	if err != nil {
		return err
	}
	defer st.Close()
	return review.ExportAudit(ctx, st, e.stdout, *format)
}
