package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// reviewCommand is `hashtrack review`: the queue and staff decisions.
func reviewCommand() *command {
	return &command{
		name: "review",
		usage: "list [--campaign ID] [--json] | approve LINK... | reject --reason LÝ_DO LINK... | restore LINK... | " +
			"assign --unit ĐƠN_VỊ LINK... | correct [--published NGÀY] [--campaign ID,...] [--likes N] [--comments N] [--shares N] [--views N] LINK... | " +
			"history LINK | export [--format csv|json]   (LINK: đường dẫn hoặc mã bài; --from TỆP|- đọc mỗi dòng một đường dẫn)",
		summary: "duyệt bài: danh sách chờ duyệt, duyệt, loại, khôi phục, gán đơn vị, sửa số liệu, lịch sử",
		run:     runReview,
	}
}

// reviewActions maps the subcommands that decide to the store's actions.
var reviewActions = map[string]store.Action{
	"approve": store.ActionApprove, "reject": store.ActionReject, "restore": store.ActionRestore,
	"assign": store.ActionAssign, "correct": store.ActionCorrect,
}

func runReview(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintf(e.stderr, "Cách dùng: hashtrack review %s\n  %s\n", e.cmd.usage, e.cmd.summary)
			return nil
		}
		return usageError("review: name what to do: list, approve, reject, restore, assign, correct, history or export")
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
	if _, ok := reviewActions[sub]; !ok {
		return usageError("review: unknown action %q (list, approve, reject, restore, assign, correct, history, export)", sub)
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
	campaignID := fs.String("campaign", "", "only this campaign `id`")
	asJSON := fs.Bool("json", false, "JSON lines, one post a line")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError("review list takes no links, got %q", pos[0])
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
		fmt.Fprintln(e.stdout, "Không có bài nào chờ duyệt.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Từ ngày\tMã bài\tĐơn vị\tTình trạng\tLý do\tĐường dẫn")
	for _, it := range items {
		state, why := "chờ duyệt", review.ReasonText(it.Reason)
		if it.Review == collector.ReviewCounted {
			state, why = "đang tính", ""
		}
		if len(it.Claims) > 0 {
			claims := make([]string, len(it.Claims))
			for i, u := range it.Claims {
				claims[i] = unitName(c, u)
			}
			why = strings.TrimPrefix(why+"; đơn vị khác cũng gửi: "+strings.Join(claims, ", "), "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", viDateTime(it.Since, c.Location()), it.ID, clip(unitName(c, it.Unit), 32), state, why, it.URL)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d bài chờ duyệt\n", len(items))
	return nil
}

// unitName is a unit's name, or "—" for none; an id no longer configured as is.
func unitName(c *config.Config, id string) string {
	if id == "" {
		return "—"
	}
	if u, ok := c.Units().ByID(id); ok {
		return u.Name
	}
	return id
}

// refsFrom collects the links of a decision: the arguments and, with --from, a file's
// lines (or stdin's for "-").
func refsFrom(e *env, pos []string, from string) ([]string, error) {
	refs := pos
	if from != "" {
		var r io.Reader = e.stdin
		if from != "-" {
			f, err := os.Open(from)
			if err != nil {
				return nil, usageError("--from: %v", err)
			}
			defer f.Close()
			r = f
		}
		more, err := review.ReadRefs(r)
		if err != nil {
			return nil, usageError("--from: %v", err)
		}
		refs = append(refs, more...)
	}
	if len(refs) == 0 {
		return nil, usageError("name at least one post: a link or an id, or --from FILE (- for stdin)")
	}
	return refs, nil
}

func reviewDecide(ctx context.Context, e *env, sub string, args []string) error {
	fs := reviewFlags(e, sub)
	from := fs.String("from", "", "read links from `FILE`, one a line (- = stdin)")
	var reason, unit, published, campaigns, likes, comments, shares, views string
	fs.StringVar(&reason, "reason", "", "why (required to reject)")
	if sub == "assign" {
		fs.StringVar(&unit, "unit", "", "the unit the posts belong to (id, name or alias)")
	}
	if sub == "correct" {
		fs.StringVar(&published, "published", "", "the right publication date (29/03/2023 or 29/03/2023 08:15)")
		fs.StringVar(&campaigns, "campaign", "", "the right campaign `ids`, comma-separated")
		fs.StringVar(&likes, "likes", "", "the right number of likes")
		fs.StringVar(&comments, "comments", "", "the right number of comments")
		fs.StringVar(&shares, "shares", "", "the right number of shares")
		fs.StringVar(&views, "views", "", "the right number of views")
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	d := store.Decision{Action: reviewActions[sub], Reason: reason}
	var bad []string
	switch sub {
	case "reject":
		if strings.TrimSpace(reason) == "" {
			bad = append(bad, "--reason: say why the posts are rejected")
		}
	case "assign":
		u, err := c.Units().Find(unit)
		if err != nil || strings.TrimSpace(unit) == "" {
			bad = append(bad, fmt.Sprintf("--unit: %v", cmpErr(err, "name the unit")))
		} else {
			d.Unit = u.ID
		}
	case "correct":
		bad = append(bad, review.Correction(c.Campaigns(), c.Location(), &d, published, campaigns, map[string]string{"likes": likes, "comments": comments, "shares": shares, "views": views})...)
	}
	if len(bad) > 0 {
		return usageError("%s", strings.Join(bad, "; "))
	}
	refs, err := refsFrom(e, pos, *from)
	if err != nil {
		return err
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
			return usageError("không tìm thấy bài (no such post): %s — không có quyết định nào được ghi", strings.Join(nf.Refs, ", "))
		}
		if errors.Is(err, store.ErrBadDecision) || errors.Is(err, store.ErrUnknownPost) {
			return usageError("%v — không có quyết định nào được ghi", err)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "Đã ghi %d quyết định; %d bài không cần thay đổi.\n", res.Changed, res.Unchanged)
	return nil
}

func cmpErr(err error, msg string) any {
	if err != nil {
		return err
	}
	return msg
}

func reviewHistory(ctx context.Context, e *env, args []string) error {
	fs := reviewFlags(e, "history")
	asJSON := fs.Bool("json", false, "JSON lines, one entry a line")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("need exactly one post (a link or an id), got %d", len(pos))
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	st, err := e.openStore(c, true)
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
			return usageError("không tìm thấy bài (no such post): %s", ref)
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
	fmt.Fprintf(e.stdout, "Bài %s (%s)\n", p.URL, p.ID)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Lúc\tAi\tViệc\tThay đổi\tLý do")
	for _, en := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", viDateTime(en.At, c.Location()), en.Who, en.Action, review.ChangesText(en.Changes), review.ReasonText(en.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d mục\n", len(entries))
	return nil
}

func reviewExport(ctx context.Context, e *env, args []string) error {
	fs := reviewFlags(e, "export")
	format := fs.String("format", "csv", "csv or json (JSON lines)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError("review export takes no links, got %q", pos[0])
	}
	if *format != "csv" && *format != "json" {
		return usageError("--format: %q is not csv or json", *format)
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	st, err := e.openStore(c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	return review.ExportAudit(ctx, st, e.stdout, *format)
}
