package report

import (
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
	"github.com/tinhdoandaklak/hashtrack/store"
)

// The report says what its totals leave out (store.LeftOut): posts waiting for staff,
// rejected posts, and posts another unit also claimed. One data note, one digest line
// and one JSON object, so a leader asking "why 8 and not 11" finds the answer.

// leftOutNote is the data note, "" when nothing is left out.
func (r *Report) leftOutNote() string {
	lo := r.LeftOut
	if lo.Pending+lo.Rejected+lo.Conflicts == 0 {
		return ""
	}
	n := func(x int64) string { return formatInt(x, r.Lang) }
	var why []string
	for _, rc := range lo.Reasons {
		why = append(why, fmt.Sprintf("%s %s", n(rc.Posts), reasonFor(rc.Reason, r.Lang)))
	}
	if r.Lang == "en" {
		s := fmt.Sprintf("Not counted: %s pending review, %s rejected", n(lo.Pending), n(lo.Rejected))
		if len(why) > 0 {
			s += " (" + strings.Join(why, "; ") + ")"
		}
		return s + fmt.Sprintf("; %s counted for their first unit while another unit's claim waits for staff.", n(lo.Conflicts))
	}
	s := fmt.Sprintf("Chưa tính: %s bài chờ duyệt, %s bài bị loại", n(lo.Pending), n(lo.Rejected))
	if len(why) > 0 {
		s += " (" + strings.Join(why, "; ") + ")"
	}
	return s + fmt.Sprintf("; %s bài đang tính cho đơn vị gửi trước, có đơn vị khác cùng gửi, chờ ban tổ chức xem xét.", n(lo.Conflicts))
}

// reasonFor is a reason for the report's language: the codes' wording is Vietnamese,
// English readers get the code.
func reasonFor(reason, lang string) string {
	if lang == "en" {
		return strings.ReplaceAll(reason, "_", " ")
	}
	return review.ReasonText(reason)
}

// leftOutDigest is the digest's line, "" when the queue is empty.
func (r *Report) leftOutDigest() string {
	lo := r.LeftOut
	if lo.Pending+lo.Conflicts == 0 {
		return ""
	}
	n := func(x int64) string { return formatInt(x, r.Lang) }
	if r.Lang == "en" {
		return fmt.Sprintf("• %s awaiting review, %s claimed by two units.", plural(lo.Pending, "post", r.Lang), n(lo.Conflicts))
	}
	return fmt.Sprintf("• %s bài chờ duyệt, %s bài có hai đơn vị cùng gửi.", n(lo.Pending), n(lo.Conflicts))
}

type jsonLeftOut struct {
	Pending   int64         `json:"pending"`
	Rejected  int64         `json:"rejected"`
	Conflicts int64         `json:"conflicts"`
	Reasons   []jsonLeftWhy `json:"reasons"`
}

type jsonLeftWhy struct {
	State      collector.ReviewState `json:"state"`
	Reason     string                `json:"reason"`
	ReasonText string                `json:"reason_text"`
	Posts      int64                 `json:"posts"`
}

func leftOutJSON(lo store.LeftOut) jsonLeftOut {
	j := jsonLeftOut{Pending: lo.Pending, Rejected: lo.Rejected, Conflicts: lo.Conflicts, Reasons: []jsonLeftWhy{}}
	for _, rc := range lo.Reasons {
		j.Reasons = append(j.Reasons, jsonLeftWhy{State: rc.State, Reason: rc.Reason, ReasonText: review.ReasonText(rc.Reason), Posts: rc.Posts})
	}
	return j
}
