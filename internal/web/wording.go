package web

import (
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// OutcomeMessage says what a submission did: the first line of `hashtrack submit`, the
// confirmation of the form, the message of the API. One wording for every face. p is
// the post as stored; for a Conflict it is the owner's, and only the fact that another
// unit holds it is said — never its fields.
func OutcomeMessage(out store.Outcome, p collector.Post) string {
	switch {
	case out == store.Conflict:
		return "Bài này đã được một đơn vị khác ghi nhận trước — bài chưa được tính cho đơn vị của bạn; ban tổ chức sẽ xem xét và quyết định."
	case out == store.New && p.Review != collector.ReviewCounted:
		return "Đã ghi nhận bài đăng, nhưng bài chờ ban tổ chức duyệt trước khi được tính (lý do: " + review.ReasonText(p.Reason) + ")."
	case p.Review != collector.ReviewCounted:
		return "Bài này đã được gửi trước đó và đang được ban tổ chức xem xét — chưa được tính."
	}
	switch out {
	case store.New:
		return "Đã ghi nhận bài đăng mới."
	case store.Updated:
		return "Bài này đã được gửi trước đó — đã cập nhật số liệu."
	default:
		return "Bài này đã được gửi trước đó — không có gì thay đổi."
	}
}

// VerificationText says in Vietnamese what the check of a link's page found, for the
// form's confirmation and `hashtrack submit`; "" when the page was not checked.
func VerificationText(v collector.Verification) string {
	switch v {
	case collector.Verified:
		return "đã thấy hashtag của chiến dịch trên trang (verified)"
	case collector.NotFound:
		return "không thấy hashtag của chiến dịch trên trang (not found)"
	case collector.Unverifiable:
		return "không kiểm tra được — trang yêu cầu đăng nhập (unverifiable)"
	}
	return ""
}

// countLong shows a count for people reading the form: unknown is spelled out.
func countLong(c collector.Count) string {
	if !c.Known {
		return "không có số liệu"
	}
	return report.FormatInt(c.N, "vi")
}
