package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// submission is one post as a person sends it — by `hashtrack submit`, the branches'
// form or the JSON API. All three go through buildSubmission and saveSubmission so a
// link means the same post whichever way it came in.
type submission struct {
	URL, Campaign, Unit, Platform, Published string
	Author, Title, Text, Note                string
	Metrics                                  collector.Metrics
	Source                                   string // "cli", "form", "api"
}

// fieldError says which field of a submission is wrong: Err in English for the CLI
// and logs, Msg in Vietnamese for the person at the form.
type fieldError struct {
	Field string // url, campaign, unit, platform, published, likes, comments, shares, views
	Msg   string
	Err   error
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *fieldError) Unwrap() error { return e.Err }

// fieldErrors are all the problems of one submission, so a form can mark every bad
// field at once.
type fieldErrors []*fieldError

func (fe fieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// byField maps field names to their Vietnamese messages.
func (fe fieldErrors) byField() map[string]string {
	m := map[string]string{}
	for _, e := range fe {
		if _, ok := m[e.Field]; !ok {
			m[e.Field] = e.Msg
		}
	}
	return m
}

// countNames are the metric fields with their Vietnamese names.
var countNames = []struct{ field, vi string }{
	{"likes", "Lượt thích"}, {"comments", "Bình luận"}, {"shares", "Chia sẻ"}, {"views", "Lượt xem"},
}

// parseCountField reads a metric typed into a form; blank is unknown.
func parseCountField(field, vi, s string) (collector.Count, *fieldError) {
	n, ok, err := collector.ParseCount(s)
	if err != nil {
		return collector.Count{}, &fieldError{Field: field, Err: err,
			Msg: fmt.Sprintf("%s: %q không phải là số. Ghi số nguyên không âm như 1234, 1.234 hoặc 1,2K; để trống nếu không biết.", vi, s)}
	}
	if !ok {
		return collector.Count{}, nil
	}
	return collector.Known(n), nil
}

// buildSubmission turns what a person sent into a normalized post, or returns every
// field that is wrong. The campaign must be an id ("" picks the only one).
func buildSubmission(c *Config, s submission, now time.Time) (collector.Post, error) {
	var errs fieldErrors
	camp, ok := c.CampaignByID(s.Campaign)
	if s.Campaign == "" && len(c.Campaigns()) == 1 {
		camp, ok = c.Campaigns()[0], true
	}
	if !ok {
		errs = append(errs, &fieldError{Field: "campaign", Err: fmt.Errorf("no campaign %q (known: %s)", s.Campaign, strings.Join(campaignIDs(c), ", ")),
			Msg: "Hãy chọn chiến dịch."})
	}
	p := collector.Post{URL: strings.TrimSpace(s.URL), Author: s.Author, Title: s.Title, Text: s.Text, Note: s.Note,
		Metrics: s.Metrics, Sources: []string{s.Source}, ObservedAt: now, FirstSeen: now}
	if ok {
		p.Campaigns = []string{camp.ID}
	}
	if strings.TrimSpace(s.Unit) != "" {
		u, err := c.Units().Find(s.Unit)
		if err != nil {
			msg := fmt.Sprintf("Không có đơn vị %q trong danh sách.", s.Unit)
			var ue *collector.UnknownUnitError
			if errors.As(err, &ue) && len(ue.Closest) > 0 {
				names := make([]string, len(ue.Closest))
				for i, u := range ue.Closest {
					names[i] = u.Name
				}
				msg += " Có phải: " + strings.Join(names, ", ") + "?"
			}
			errs = append(errs, &fieldError{Field: "unit", Err: err, Msg: msg})
		} else {
			p.Unit = u.ID
		}
	}
	if strings.TrimSpace(s.Platform) != "" {
		pl, ok := canon.NormalizePlatform(s.Platform)
		if !ok {
			errs = append(errs, &fieldError{Field: "platform",
				Err: fmt.Errorf("unknown platform %q (one of %s)", s.Platform, strings.Join(canon.Platforms, ", ")),
				Msg: fmt.Sprintf("Nền tảng %q không có trong danh sách (%s).", s.Platform, strings.Join(canon.Platforms, ", "))})
		} else {
			p.Platform = pl
		}
	}
	if strings.TrimSpace(s.Published) != "" {
		loc := collector.DefaultLocation()
		if ok {
			loc = camp.Loc()
		}
		t, err := ParseTime(s.Published, loc)
		if err != nil {
			errs = append(errs, &fieldError{Field: "published", Err: err,
				Msg: fmt.Sprintf("Ngày đăng %q không đúng. Ghi theo dạng 29/03/2023 hoặc 29/03/2023 08:14.", s.Published)})
		} else if t.After(now.Add(24 * time.Hour)) {
			errs = append(errs, &fieldError{Field: "published", Err: fmt.Errorf("%s is in the future", t.Format(time.RFC3339)),
				Msg: fmt.Sprintf("Ngày đăng %s ở tương lai — hãy kiểm tra lại.", t.In(loc).Format("02/01/2006"))})
		} else {
			p.PublishedAt = t
		}
	}
	if err := p.Normalize(); err != nil && !errors.Is(err, collector.ErrNoCampaign) {
		errs = append(errs, urlError(s.URL, err))
	}
	if len(errs) > 0 {
		return collector.Post{}, errs
	}
	return p, nil
}

// urlError explains in Vietnamese why a link was refused.
func urlError(raw string, err error) *fieldError {
	fe := &fieldError{Field: "url", Err: err}
	switch {
	case errors.Is(err, collector.ErrNoURL):
		fe.Msg = "Hãy dán đường dẫn (link) của bài đăng."
	case errors.Is(err, canon.ErrScheme):
		fe.Msg = "Đường dẫn phải bắt đầu bằng https:// hoặc http:// — hãy sao chép link bài đăng từ nút “Chia sẻ” → “Sao chép liên kết”."
	case errors.Is(err, canon.ErrCredentials):
		fe.Msg = "Đường dẫn có chứa tên đăng nhập hoặc mật khẩu — không nhận link này."
	case errors.Is(err, collector.ErrNegative):
		fe.Msg = "Số liệu không được âm."
	default:
		fe.Msg = "Đường dẫn không hợp lệ — hãy sao chép lại link bài đăng (ví dụ https://www.facebook.com/…)."
	}
	return fe
}

// saveSubmission stores a built post and returns what the store now holds for it.
func saveSubmission(ctx context.Context, st *store.Store, p collector.Post) (store.Outcome, collector.Post, error) {
	res, err := st.Upsert(ctx, []collector.Post{p})
	if err != nil {
		return 0, collector.Post{}, err
	}
	saved, ok, err := st.Get(p.ID)
	if err != nil {
		return 0, collector.Post{}, err
	}
	if !ok {
		return 0, collector.Post{}, fmt.Errorf("store: post %s missing right after it was stored", p.ID)
	}
	return res.Outcomes[0], saved, nil
}

// outcomeMessage is the Vietnamese sentence that tells a submitter what happened.
func outcomeMessage(out store.Outcome) string {
	switch out {
	case store.New:
		return "Đã ghi nhận bài đăng mới."
	case store.Updated:
		return "Bài này đã được gửi trước đó — đã cập nhật số liệu."
	default:
		return "Bài này đã được gửi trước đó — không có gì thay đổi."
	}
}
