package web

import (
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/report"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// OutcomeMessage says what a submission did: the first line of `hashtrack submit`, the
// confirmation of the form, the message of the API. One wording for every face.
func OutcomeMessage(out store.Outcome) string {
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
