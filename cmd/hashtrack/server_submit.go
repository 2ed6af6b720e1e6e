package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// The form and the API submit through the same buildSubmission as `hashtrack submit`;
// this file adds what a person at a form needs on top: every wrong field at once, each
// explained in Vietnamese.

// countNames are the metric fields with their Vietnamese names.
var countNames = []struct{ field, vi string }{
	{"likes", "Lượt thích"}, {"comments", "Bình luận"}, {"shares", "Chia sẻ"}, {"views", "Lượt xem"},
}

// formError is one wrong field: the builder's error (English, for the API and logs)
// and its Vietnamese explanation for the form.
type formError struct {
	*FieldError
	Msg string
}

type formErrors []formError

func (fe formErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.FieldError.Error()
	}
	return strings.Join(parts, "; ")
}

// messages maps each wrong field to its Vietnamese explanation.
func (fe formErrors) messages() map[string]string {
	m := map[string]string{}
	for _, e := range fe {
		m[e.Field] = e.Msg
	}
	return m
}

// details maps each wrong field to the builder's error.
func (fe formErrors) details() map[string]string {
	m := map[string]string{}
	for _, e := range fe {
		m[e.Field] = e.Err.Error()
	}
	return m
}

// buildAll runs buildSubmission until it has found every wrong field: the builder
// stops at the first, so each one found is blanked (unknown) and the build repeated.
// A wrong link or campaign ends the search — nothing after them can be checked.
func buildAll(c *config.Config, in submissionInput) (collector.Post, formErrors) {
	typed := in
	var errs formErrors
	for range 10 {
		p, err := buildSubmission(c, in)
		if err == nil {
			if len(errs) > 0 {
				return collector.Post{}, errs
			}
			return p, nil
		}
		var fe *FieldError
		if !errors.As(err, &fe) {
			fe = &FieldError{Field: "url", Err: err}
		}
		errs = append(errs, formError{fe, viFieldMessage(fe, typed)})
		switch fe.Field {
		case "unit":
			in.Unit = ""
		case "platform":
			in.Platform = ""
		case "published":
			in.Published = ""
		case "likes":
			in.Likes = ""
		case "comments":
			in.Comments = ""
		case "shares":
			in.Shares = ""
		case "views":
			in.Views = ""
		default:
			return collector.Post{}, errs
		}
	}
	return collector.Post{}, errs
}

// viFieldMessage explains a wrong field to a branch secretary, quoting what was typed.
func viFieldMessage(fe *FieldError, typed submissionInput) string {
	for _, cn := range countNames {
		if cn.field != fe.Field {
			continue
		}
		raw := map[string]string{"likes": typed.Likes, "comments": typed.Comments, "shares": typed.Shares, "views": typed.Views}[cn.field]
		if errors.Is(fe.Err, collector.ErrNegative) {
			return fmt.Sprintf("%s: số liệu không được âm (%q).", cn.vi, raw)
		}
		return fmt.Sprintf("%s: %q không phải là số. Ghi số nguyên như 1234, 1.234 hoặc 1,2K; để trống nếu không biết.", cn.vi, raw)
	}
	switch fe.Field {
	case "campaign":
		return "Hãy chọn chiến dịch."
	case "unit":
		msg := fmt.Sprintf("Không có đơn vị %q trong danh sách.", typed.Unit)
		var ue *collector.UnknownUnitError
		if errors.As(fe.Err, &ue) && len(ue.Closest) > 0 {
			names := make([]string, len(ue.Closest))
			for i, u := range ue.Closest {
				names[i] = u.Name
			}
			msg += " Có phải: " + strings.Join(names, ", ") + "?"
		}
		return msg
	case "platform":
		return fmt.Sprintf("Nền tảng %q không có trong danh sách (%s).", typed.Platform, strings.Join(canon.Platforms, ", "))
	case "published":
		return fmt.Sprintf("Ngày đăng %q không đúng. Ghi theo dạng 29/03/2023 hoặc 29/03/2023 08:14.", typed.Published)
	}
	switch {
	case errors.Is(fe.Err, collector.ErrNoURL):
		return "Hãy dán đường dẫn (link) của bài đăng."
	case errors.Is(fe.Err, canon.ErrScheme):
		return "Đường dẫn phải bắt đầu bằng https:// hoặc http:// — hãy sao chép link bài đăng từ nút “Chia sẻ” → “Sao chép liên kết”."
	case errors.Is(fe.Err, canon.ErrCredentials):
		return "Đường dẫn có chứa tên đăng nhập hoặc mật khẩu — không nhận link này."
	}
	return "Đường dẫn không hợp lệ — hãy sao chép lại link bài đăng (ví dụ https://www.facebook.com/…)."
}

// outcomeMessage says what a submission did: the first line of `hashtrack submit`, the
// confirmation of the form, the message of the API.
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
