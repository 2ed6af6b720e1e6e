// Package review is what staff do with posts that wait for them: the reasons a post
// is held (one table of stable codes and their Vietnamese wording), finding posts by
// any link variant or id, and applying decisions through store.Decide. The command
// line, the form and the staff console are faces over these functions.
package review

// Reason codes the ingest runner gives a new post it holds for staff. They are stored
// on the post and in the audit trail and group the report's notes, so they never
// change; the wording shown to people is ReasonText's.
const (
	ReasonManualCampaign  = "manual_campaign"   // the campaign is reviewed by hand
	ReasonManualSource    = "manual_source"     // the [[source]] is reviewed by hand
	ReasonManualLink      = "manual_link"       // the form link ([[token]]) is reviewed by hand
	ReasonBlockedWord     = "blocked_word"      // title, text or note has a word of [review] block_words
	ReasonBlockedAuthor   = "blocked_author"    // the author is in [review] block_authors
	ReasonBlockedHost     = "blocked_host"      // the link's host is in [review] block_hosts
	ReasonOutsideDates    = "outside_dates"     // published before the campaign or after its end
	ReasonNoUnit          = "no_unit"           // a submission without a unit
	ReasonHashtagNotFound = "hashtag_not_found" // the page was read and the hashtag is not on it
)

var reasonTexts = map[string]string{
	ReasonManualCampaign:  "chiến dịch duyệt thủ công",
	ReasonManualSource:    "nguồn này được duyệt thủ công",
	ReasonManualLink:      "đường dẫn biểu mẫu này được duyệt thủ công",
	ReasonBlockedWord:     "có từ nằm trong danh sách chặn",
	ReasonBlockedAuthor:   "tác giả nằm trong danh sách chặn",
	ReasonBlockedHost:     "trang web nằm trong danh sách chặn",
	ReasonOutsideDates:    "ngày đăng ngoài thời gian chiến dịch",
	ReasonNoUnit:          "chưa rõ đơn vị",
	ReasonHashtagNotFound: "không thấy hashtag của chiến dịch trên trang",
}

// ReasonText is a reason in Vietnamese for people to read. A reason staff typed when
// rejecting a post is not a code and is shown as written.
func ReasonText(reason string) string {
	if t, ok := reasonTexts[reason]; ok {
		return t
	}
	return reason
}
