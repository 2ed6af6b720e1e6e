package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/term"
	"github.com/tinhdoandaklak/hashtrack/internal/web"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// submitCommand is `hashtrack submit`.
func submitCommand() *command {
	return &command{
		name:    "submit",
		usage:   "URL [--campaign ID] [--unit ĐƠN_VỊ] [--platform P] [--author A] [--text T] [--published NGÀY] [--likes N] [--comments N] [--shares N] [--views N]",
		summary: "ghi nhận một bài đăng gửi tay (đường dẫn và số liệu)",
		run:     runSubmit,
	}
}

func runSubmit(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	in := manual.Input{Source: "cli", ObservedAt: e.now()}
	for _, f := range manual.Fields {
		if f.Flag != "" {
			fs.StringVar(f.Value(&in), f.Name, "", f.Flag)
		}
	}
	noFetch := fs.Bool("no-fetch", false, "do not read the link's page (title, date, hashtag check)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("need exactly one link (URL), got %d", len(pos))
	}
	in.URL = pos[0]
	c, err := e.config()
	if err != nil {
		return err
	}
	p, errs := submissionBuilder(c).Build(in)
	if len(errs) > 0 {
		return usageError("%s", flagErrors(in, errs))
	}
	st, err := e.openStore(c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	r := e.runner(c, st)
	r.ReadPages = r.ReadPages && !*noFetch
	sub, err := r.Submit(ctx, p, ingest.Origin{})
	if err != nil {
		return err
	}
	if sub.PageErr != nil {
		fmt.Fprintf(e.stderr, "Cảnh báo: không đọc được trang của đường dẫn, bài vẫn được ghi nhận (page not read, submission kept): %s\n", term.Clean(sub.PageErr.Error()))
	}
	saved := sub.Post
	if sub.Outcome == store.Conflict {
		// Staff at the command line may see the owner: `hashtrack review list` shows it.
		fmt.Fprintln(e.stdout, web.OutcomeMessage(sub.Outcome, saved))
		fmt.Fprintf(e.stdout, "  Đường dẫn: %s\n  Xem: hashtrack review list\n", saved.URL)
		return nil
	}
	printSubmission(e, c, sub.Outcome, saved)
	if v := web.VerificationText(saved.Verification); v != "" {
		fmt.Fprintf(e.stdout, "  Hashtag:   %s\n", v)
	}
	return nil
}

// submissionBuilder checks a submission against the configured campaigns and units.
func submissionBuilder(c *config.Config) *manual.Builder {
	return &manual.Builder{Campaigns: c.Campaigns(), Units: c.Units()}
}

// flagErrors names every wrong field by the flag that set it (the link by itself).
func flagErrors(in manual.Input, errs manual.Errors) string {
	parts := make([]string, len(errs))
	for i, fe := range errs {
		if fe.Field == manual.FieldURL {
			parts[i] = fmt.Sprintf("%s: %v", in.URL, fe.Err)
		} else {
			parts[i] = fmt.Sprintf("--%s: %v", fe.Field, fe.Err)
		}
	}
	return strings.Join(parts, "; ")
}

// printSubmission says in Vietnamese what was recorded.
func printSubmission(e *env, c *config.Config, out store.Outcome, p collector.Post) {
	fmt.Fprintln(e.stdout, web.OutcomeMessage(out, p))
	unit := "(chưa rõ đơn vị)"
	if u, ok := c.Units().ByID(p.Unit); ok {
		unit = u.Name
	}
	fmt.Fprintf(e.stdout, "  Đường dẫn: %s\n  Nền tảng:  %s\n  Đơn vị:    %s\n", term.Clean(p.URL), term.Clean(p.Platform), term.Clean(unit))
	fmt.Fprintf(e.stdout, "  Thích %s · Bình luận %s · Chia sẻ %s · Xem %s\n",
		viCount(p.Metrics.Likes), viCount(p.Metrics.Comments), viCount(p.Metrics.Shares), viCount(p.Metrics.Views))
}

// viCount shows a count with Vietnamese thousands separators, or "n/a" when unknown.
func viCount(c collector.Count) string {
	if !c.Known {
		return "n/a"
	}
	return viNumber(c.N)
}

func viNumber(n int64) string { return report.FormatInt(n, "vi") }
