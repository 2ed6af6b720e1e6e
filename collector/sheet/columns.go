package sheet

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
)

// Fields a column can map to ([import.columns] values): the fields of a submission.
const (
	FieldURL       = manual.FieldURL
	FieldUnit      = manual.FieldUnit
	FieldPlatform  = manual.FieldPlatform
	FieldAuthor    = manual.FieldAuthor
	FieldTitle     = manual.FieldTitle
	FieldText      = manual.FieldText
	FieldPublished = manual.FieldPublished
	FieldLikes     = manual.FieldLikes
	FieldComments  = manual.FieldComments
	FieldShares    = manual.FieldShares
	FieldViews     = manual.FieldViews
	FieldTimestamp = manual.FieldTimestamp
	FieldNote      = manual.FieldNote
	FieldCampaign  = manual.FieldCampaign
)

// Fields lists every field, in the order the documentation shows them.
var Fields = manual.Names()

// KnownHeaders are the column names recognised without configuration, per field: the
// headers of a Google Forms export in Vietnamese and English and the usual wording of
// hand-made sheets. They are compared by HeaderKey (case, diacritics, punctuation and
// anything in parentheses do not matter).
var KnownHeaders = map[string][]string{
	FieldURL: {"Đường dẫn bài viết", "Link bài viết", "Đường dẫn", "Link", "URL", "Liên kết", "Link bài đăng",
		"Đường dẫn bài đăng", "Liên kết bài viết", "Post URL", "Post link", "Link to post"},
	FieldUnit:      {"Đơn vị", "Tên đơn vị", "Đơn vị cơ sở", "Đoàn cơ sở", "Cơ sở Đoàn", "Unit", "Branch"},
	FieldPlatform:  {"Nền tảng", "Mạng xã hội", "Kênh đăng", "Platform", "Network", "Social network"},
	FieldAuthor:    {"Họ và tên", "Họ tên", "Người đăng", "Tác giả", "Tài khoản đăng", "Author", "Name", "Full name"},
	FieldTitle:     {"Tiêu đề", "Title"},
	FieldText:      {"Nội dung", "Nội dung bài viết", "Mô tả", "Text", "Content", "Description"},
	FieldPublished: {"Ngày đăng", "Thời gian đăng", "Ngày đăng bài", "Published", "Date posted", "Publish date", "Posted on"},
	FieldLikes:     {"Lượt thích", "Thích", "Lượt cảm xúc", "Cảm xúc", "Likes", "Like", "Reactions"},
	FieldComments:  {"Bình luận", "Lượt bình luận", "Comments", "Comment"},
	FieldShares:    {"Chia sẻ", "Lượt chia sẻ", "Shares", "Share"},
	FieldViews:     {"Lượt xem", "Xem", "Views", "View"},
	FieldTimestamp: {"Dấu thời gian", "Timestamp", "Thời gian gửi", "Submitted at"},
	FieldNote:      {"Ghi chú", "Note", "Notes"},
	FieldCampaign:  {"Chiến dịch", "Campaign", "Hashtag"},
}

var knownByKey = func() map[string]string {
	m := map[string]string{}
	for f, hs := range KnownHeaders {
		for _, h := range hs {
			m[HeaderKey(h)] = f
		}
	}
	return m
}()

// HeaderKey is how headers are compared: lower case without diacritics, parenthesised
// remarks ("Link bài viết (bắt buộc)") and punctuation ("Đơn vị:*") dropped.
func HeaderKey(h string) string {
	var b strings.Builder
	depth := 0
	for _, r := range h {
		switch {
		case r == '(' || r == '[':
			depth++
			b.WriteByte(' ')
		case r == ')' || r == ']':
			depth = max(0, depth-1)
			b.WriteByte(' ')
		case depth > 0:
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return collector.Key(b.String())
}

// Columns is where each field is in a table's header.
type Columns struct {
	index   map[string]int
	header  []string
	Ignored []string // headers that map to nothing, for a note to the user
}

// MapColumns finds the fields in a header. extra maps further header names to fields
// (the [import.columns] table) and is consulted first. A header without a link column
// is an error listing what was found.
func MapColumns(header []string, extra map[string]string) (*Columns, error) {
	ex := map[string]string{}
	for h, f := range extra {
		ex[HeaderKey(h)] = f
	}
	c := &Columns{index: map[string]int{}, header: header}
	for i, h := range header {
		k := HeaderKey(h)
		f, ok := ex[k]
		if !ok {
			f, ok = knownByKey[k]
		}
		if !ok {
			if k != "" {
				c.Ignored = append(c.Ignored, strings.TrimSpace(h))
			}
			continue
		}
		if _, dup := c.index[f]; !dup {
			c.index[f] = i
		}
	}
	if _, ok := c.index[FieldURL]; !ok {
		names := make([]string, len(header))
		for i, h := range header {
			names[i] = fmt.Sprintf("%q", strings.TrimSpace(h))
		}
		return nil, fmt.Errorf("no link column: the header needs one named \"Đường dẫn bài viết\", \"Link bài viết\" or \"URL\" (or map yours in [import.columns]); found %s", strings.Join(names, ", "))
	}
	return c, nil
}

// Get returns the field's cell of a row, trimmed; "" when absent.
func (c *Columns) Get(cells []string, field string) string {
	i, ok := c.index[field]
	if !ok || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

// Name is the header text of the field's column, for messages.
func (c *Columns) Name(field string) string {
	if i, ok := c.index[field]; ok {
		return strings.TrimSpace(c.header[i])
	}
	return field
}

// Mapped lists "header → field" for every recognised column, sorted by field.
func (c *Columns) Mapped() []string {
	var out []string
	for f, i := range c.index {
		out = append(out, fmt.Sprintf("%s → %s", strings.TrimSpace(c.header[i]), f))
	}
	sort.Strings(out)
	return out
}

// withLink returns the row's cells with the link column replaced by the target of its
// hyperlink when the cell shows text that is not a link.
func (c *Columns) withLink(r Row) []string {
	i, ok := c.index[FieldURL]
	if !ok || r.Links == nil || r.Links[i] == "" {
		return r.Cells
	}
	if i < len(r.Cells) && strings.Contains(r.Cells[i], "://") {
		return r.Cells
	}
	cells := make([]string, max(len(r.Cells), i+1))
	copy(cells, r.Cells)
	cells[i] = r.Links[i]
	return cells
}
