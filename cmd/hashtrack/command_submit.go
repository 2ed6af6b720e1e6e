package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
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
	noFetch := fs.Bool("no-fetch", false, "store the link without reading its page now (it waits for a check by the daemon or the next import/submit)")
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
	sub, err := r.Submit(ctx, p, ingest.Origin{})
	if err != nil {
		return err
	}
	saved := sub.Post
	if r.ReadPages && !*noFetch {
		// The post is stored; now its page (and any other link still waiting) is read.
		prog := term.NewProgress(e.stderr)
		r.Progress = func(_ ingest.Step, done, total int) {
			prog.Show("Đang kiểm tra đường dẫn", done, total)
			if done == total {
				prog.Done()
			}
		}
		r.PageNotRead = func(where string, err error) {
			prog.Done()
			fmt.Fprintf(e.stderr, "Cảnh báo: không đọc được trang của %s, bài vẫn được ghi nhận (page not read, submission kept): %s\n", term.Clean(where), term.Clean(err.Error()))
		}
		checked, err := r.CheckPending(ctx, 0)
		if err != nil {
			return err
		}
		if saved, err = reread(ctx, st, saved); err != nil {
			return err
		}
		if checked.Waiting > 0 {
			fmt.Fprintln(e.stdout, waitingLine(checked.Waiting))
		}
	} else if sub.Queued {
		fmt.Fprintln(e.stdout, waitingLine(1))
	}
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

// reread returns what the store holds for p after its link was checked: the post
// itself, or the one its short link led to.
func reread(ctx context.Context, st *store.Store, p collector.Post) (collector.Post, error) {
	ids, err := review.Resolve(ctx, st, []string{p.URL})
	if err != nil {
		if errors.Is(err, review.ErrNotFound) {
			return p, nil
		}
		return p, err
	}
	got, _, err := st.Get(ids[0])
	return got, err
}

// waitingLine says that links wait for a check, and who will do it.
func waitingLine(n int) string {
	return fmt.Sprintf("%d bài còn chờ kiểm tra đường dẫn (tiêu đề, ngày đăng, hashtag): hashtrack serve hoặc lần import/submit sau sẽ kiểm tra.", n)
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
