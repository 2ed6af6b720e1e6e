package manual

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

// Field names: the form's input names, the JSON API's keys, the command line's flags
// and the fields a sheet column maps to ([import.columns] values).
const (
	FieldURL       = "url"
	FieldUnit      = "unit"
	FieldPlatform  = "platform"
	FieldAuthor    = "author"
	FieldTitle     = "title"
	FieldText      = "text"
	FieldPublished = "published"
	FieldLikes     = "likes"
	FieldComments  = "comments"
	FieldShares    = "shares"
	FieldViews     = "views"
	FieldTimestamp = "timestamp"
	FieldNote      = "note"
	FieldCampaign  = "campaign"
)

// Field is one field of a submission: how every channel names it, and how a wrong
// value is explained to the person who typed it.
type Field struct {
	Name string
	// Label is the Vietnamese name shown beside the field and in messages.
	Label string
	// Public fields are accepted from the branches' form and the JSON API; the others
	// come only from the command line or a sheet.
	Public bool
	// Flag is the help of the `hashtrack submit` flag; "" = no flag (the link is the
	// command's argument, a form's timestamp is not typed at a terminal).
	Flag string
	// Count fields hold a number that may be unknown (blank).
	Count bool
	// Date fields hold a date; a workbook may store them as serial day numbers.
	Date bool
	// Value points at the field's text in an Input.
	Value func(*Input) *string
	// vi explains err for the field in Vietnamese, quoting what was typed.
	vi func(f Field, err error, typed string) string
}

// Fields lists every field in the order the documentation shows them. A new field is
// added here, then to the form template (if the form shows it) and to the sheet's
// KnownHeaders (the column names it is recognised by); nothing else changes.
var Fields = []Field{
	{Name: FieldURL, Label: "Đường dẫn bài đăng", Public: true, Value: func(in *Input) *string { return &in.URL }, vi: viLink},
	{Name: FieldUnit, Label: "Đơn vị", Public: true, Flag: "unit (đơn vị): id, name or alias", Value: func(in *Input) *string { return &in.Unit }, vi: viUnit},
	{Name: FieldPlatform, Label: "Nền tảng", Public: true, Flag: "platform (detected from the link when left out)", Value: func(in *Input) *string { return &in.Platform }, vi: viPlatform},
	{Name: FieldAuthor, Label: "Người đăng", Public: true, Flag: "author / page name", Value: func(in *Input) *string { return &in.Author }},
	{Name: FieldTitle, Label: "Tiêu đề", Public: true, Flag: "title", Value: func(in *Input) *string { return &in.Title }},
	{Name: FieldText, Label: "Nội dung", Flag: "post text", Value: func(in *Input) *string { return &in.Text }},
	{Name: FieldPublished, Label: "Ngày đăng", Public: true, Date: true, Flag: "publication `date`: 29/03/2023, 29/03/2023 08:14 or RFC 3339",
		Value: func(in *Input) *string { return &in.Published }, vi: viDate},
	{Name: FieldLikes, Label: "Lượt thích", Public: true, Count: true, Flag: "likes (lượt thích); left out = unknown", Value: func(in *Input) *string { return &in.Likes }, vi: viCount},
	{Name: FieldComments, Label: "Bình luận", Public: true, Count: true, Flag: "comments (bình luận)", Value: func(in *Input) *string { return &in.Comments }, vi: viCount},
	{Name: FieldShares, Label: "Chia sẻ", Public: true, Count: true, Flag: "shares (chia sẻ)", Value: func(in *Input) *string { return &in.Shares }, vi: viCount},
	{Name: FieldViews, Label: "Lượt xem", Public: true, Count: true, Flag: "views (lượt xem)", Value: func(in *Input) *string { return &in.Views }, vi: viCount},
	{Name: FieldTimestamp, Label: "Dấu thời gian", Date: true, Value: func(in *Input) *string { return &in.Timestamp }, vi: viDate},
	{Name: FieldNote, Label: "Ghi chú", Public: true, Flag: "note", Value: func(in *Input) *string { return &in.Note }},
	{Name: FieldCampaign, Label: "Chiến dịch", Public: true, Flag: "campaign `id`, name or hashtag (may be left out when only one is configured)",
		Value: func(in *Input) *string { return &in.Campaign }, vi: viCampaign},
}

// FieldByName returns the field with that name.
func FieldByName(name string) (Field, bool) {
	for _, f := range Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Names lists the field names in the order of Fields.
func Names() []string {
	names := make([]string, len(Fields))
	for i, f := range Fields {
		names[i] = f.Name
	}
	return names
}

// FieldError is one wrong field of a submission: Err is in English (for the API, logs
// and sheet problems), Vietnamese explains it to the person at the form.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Vietnamese explains the error to a branch secretary, quoting what was typed in in.
func (e *FieldError) Vietnamese(in Input) string {
	f, ok := FieldByName(e.Field)
	if !ok || f.vi == nil {
		return fmt.Sprintf("%s: giá trị không hợp lệ.", e.Field)
	}
	return f.vi(f, e.Err, *f.Value(&in))
}

// Errors are every wrong field of one submission, in the order of Fields. Build
// returns nil when the submission is good; test it with len, not against nil error.
type Errors []*FieldError

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap lets errors.Is and errors.As see each field's error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Details maps each wrong field to its English error.
func (es Errors) Details() map[string]string {
	m := make(map[string]string, len(es))
	for _, e := range es {
		m[e.Field] = e.Err.Error()
	}
	return m
}

// Vietnamese maps each wrong field to its Vietnamese explanation.
func (es Errors) Vietnamese(in Input) map[string]string {
	m := make(map[string]string, len(es))
	for _, e := range es {
		m[e.Field] = e.Vietnamese(in)
	}
	return m
}

func viLink(_ Field, err error, _ string) string {
	switch {
	case errors.Is(err, collector.ErrNoURL):
		return "Hãy dán đường dẫn (link) của bài đăng."
	case errors.Is(err, canon.ErrScheme):
		return "Đường dẫn phải bắt đầu bằng https:// hoặc http:// — hãy sao chép link bài đăng từ nút “Chia sẻ” → “Sao chép liên kết”."
	case errors.Is(err, canon.ErrCredentials):
		return "Đường dẫn có chứa tên đăng nhập hoặc mật khẩu — không nhận link này."
	}
	return "Đường dẫn không hợp lệ — hãy sao chép lại link bài đăng (ví dụ https://www.facebook.com/…)."
}

func viCampaign(_ Field, _ error, typed string) string {
	if strings.TrimSpace(typed) == "" {
		return "Hãy chọn chiến dịch."
	}
	return fmt.Sprintf("Không có chiến dịch %q — hãy chọn chiến dịch trong danh sách.", typed)
}

func viUnit(_ Field, err error, typed string) string {
	msg := fmt.Sprintf("Không có đơn vị %q trong danh sách.", typed)
	var ue *collector.UnknownUnitError
	if errors.As(err, &ue) && ue.Ambiguous {
		names := make([]string, len(ue.Closest))
		for i, u := range ue.Closest {
			names[i] = u.Name
		}
		return fmt.Sprintf("Có nhiều đơn vị ứng với %q: %s — hãy ghi đầy đủ tên đơn vị.", typed, strings.Join(names, ", "))
	}
	if errors.As(err, &ue) && len(ue.Closest) > 0 {
		names := make([]string, len(ue.Closest))
		for i, u := range ue.Closest {
			names[i] = u.Name
		}
		msg += " Có phải: " + strings.Join(names, ", ") + "?"
	}
	return msg
}

func viPlatform(_ Field, _ error, typed string) string {
	return fmt.Sprintf("Nền tảng %q không có trong danh sách (%s).", typed, strings.Join(canon.Platforms, ", "))
}

func viDate(f Field, _ error, typed string) string {
	return fmt.Sprintf("%s %q không đúng. Ghi theo dạng 29/03/2023 hoặc 29/03/2023 08:14.", f.Label, typed)
}

func viCount(f Field, err error, typed string) string {
	if errors.Is(err, collector.ErrNegative) {
		return fmt.Sprintf("%s: số liệu không được âm (%q).", f.Label, typed)
	}
	if errors.Is(err, collector.ErrTooLarge) {
		return fmt.Sprintf("%s: %q lớn quá mức có thể (hơn 1.000.000.000.000) — hãy kiểm tra lại.", f.Label, typed)
	}
	return fmt.Sprintf("%s: %q không phải là số. Ghi số nguyên như 1234, 1.234 hoặc 1,2K; để trống nếu không biết.", f.Label, typed)
}
