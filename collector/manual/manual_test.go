package manual

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
)

var (
	observed = time.Date(2023, 4, 1, 7, 0, 0, 0, time.UTC)
	utc7     = time.FixedZone("UTC+7", 7*3600)
	cds      = collector.Campaign{ID: "cds", Name: "Tuổi trẻ Đắk Lắk tiên phong chuyển đổi số", Hashtag: "#TuoitreDakLakTienphongChuyendoiso",
		Variants: []string{"#CDS2023"}, Location: utc7}
	stem  = collector.Campaign{ID: "stem", Name: "Tuổi trẻ sáng tạo", Hashtag: "#TuoitreSangtao", Location: time.UTC}
	units = collector.Units{
		{ID: "tan-loi", Name: "Đoàn phường Tân Lợi", Aliases: []string{"Phường Tân Lợi"}},
		{ID: "krong-bong", Name: "Huyện Đoàn Krông Bông"},
	}
)

func oneCampaign() *Builder { return &Builder{Campaigns: []collector.Campaign{cds}, Units: units} }

func typed(url string) Input {
	return Input{URL: url, Source: "test", ObservedAt: observed}
}

func TestBuildFields(t *testing.T) {
	for _, tc := range []struct {
		name  string
		b     *Builder
		in    Input
		field string // the one wrong field, "" for a good submission
		err   string // its English error
		check func(p collector.Post) string
		want  string
	}{
		{name: "no link", in: typed(" "), field: FieldURL, err: "no link"},
		{name: "javascript link", in: typed("javascript:alert(1)"), field: FieldURL, err: `canon: scheme is not http or https: "javascript"`},
		{name: "link with a password", in: typed("https://u:p@example.vn/a"), field: FieldURL, err: "user"},
		{name: "unknown unit", in: Input{URL: "https://zalo.me/p/1", Unit: "Đoàn phường Tân Lộc"}, field: FieldUnit,
			err: `unknown unit "Đoàn phường Tân Lộc"; closest: Đoàn phường Tân Lợi (tan-loi)`},
		{name: "unknown platform", in: Input{URL: "https://zalo.me/p/1", Platform: "Mạng lạ"}, field: FieldPlatform,
			err: `unknown platform "Mạng lạ" (one of facebook, zalo, instagram, tiktok, youtube, threads, x, web)`},
		{name: "bad published date", in: Input{URL: "https://zalo.me/p/1", Published: "hôm qua"}, field: FieldPublished, err: `"hôm qua" is not a date`},
		{name: "bad timestamp", in: Input{URL: "https://zalo.me/p/1", Timestamp: "32/13/2023"}, field: FieldTimestamp, err: `"32/13/2023" is not a date`},
		{name: "negative likes", in: Input{URL: "https://zalo.me/p/1", Likes: "-5"}, field: FieldLikes, err: `negative number: "-5"`},
		{name: "words for comments", in: Input{URL: "https://zalo.me/p/1", Comments: "nhiều lắm"}, field: FieldComments, err: `"nhiều lắm" is not a whole number`},
		{name: "huge shares", in: Input{URL: "https://zalo.me/p/1", Shares: "99999999999999999999"}, field: FieldShares, err: "number too large"},
		{name: "views in words", in: Input{URL: "https://zalo.me/p/1", Views: "mười"}, field: FieldViews, err: `"mười" is not a whole number`},
		{name: "unknown campaign", in: Input{URL: "https://zalo.me/p/1", Campaign: "#Khac"}, field: FieldCampaign, err: `unknown campaign "#Khac" (known: cds)`},
		{name: "no campaign among several", b: &Builder{Campaigns: []collector.Campaign{cds, stem}}, in: typed("https://zalo.me/p/1"),
			field: FieldCampaign, err: "several campaigns are configured; choose one (cds, stem)"},
		{name: "no campaign configured", b: &Builder{}, in: typed("https://zalo.me/p/1"), field: FieldCampaign, err: "no campaign"},

		{name: "campaign by id", b: &Builder{Campaigns: []collector.Campaign{cds, stem}}, in: Input{URL: "https://zalo.me/p/1", Campaign: " STEM "},
			check: func(p collector.Post) string { return strings.Join(p.Campaigns, ",") }, want: "stem"},
		{name: "campaign by name without accents", b: &Builder{Campaigns: []collector.Campaign{cds, stem}}, in: Input{URL: "https://zalo.me/p/1", Campaign: "tuoi tre sang tao"},
			check: func(p collector.Post) string { return strings.Join(p.Campaigns, ",") }, want: "stem"},
		{name: "campaign by hashtag variant", b: &Builder{Campaigns: []collector.Campaign{cds, stem}}, in: Input{URL: "https://zalo.me/p/1", Campaign: "#cds2023"},
			check: func(p collector.Post) string { return strings.Join(p.Campaigns, ",") }, want: "cds"},
		{name: "several default campaigns", b: &Builder{Campaigns: []collector.Campaign{cds, stem}, Default: []collector.Campaign{stem, cds}}, in: typed("https://zalo.me/p/1"),
			check: func(p collector.Post) string { return strings.Join(p.Campaigns, ",") }, want: "cds,stem"},
		{name: "unit by alias", in: Input{URL: "https://zalo.me/p/1", Unit: "PHUONG TAN LOI"},
			check: func(p collector.Post) string { return p.Unit }, want: "tan-loi"},
		{name: "default unit", b: &Builder{Campaigns: []collector.Campaign{cds}, Units: units, Unit: "krong-bong"}, in: typed("https://zalo.me/p/1"),
			check: func(p collector.Post) string { return p.Unit }, want: "krong-bong"},
		{name: "platform by Vietnamese name", in: Input{URL: "https://zalo.me/p/1", Platform: "Báo điện tử"},
			check: func(p collector.Post) string { return p.Platform }, want: canon.Web},
		{name: "platform from the link", in: typed("https://www.tiktok.com/@a/video/1"),
			check: func(p collector.Post) string { return p.Platform }, want: canon.TikTok},
		{name: "blank counts stay unknown", in: Input{URL: "https://zalo.me/p/1", Likes: "", Comments: "n/a", Shares: "0", Views: "1,2K"},
			check: func(p collector.Post) string {
				m := p.Metrics
				return m.Likes.String() + " " + m.Comments.String() + " " + m.Shares.String() + " " + m.Views.String()
			}, want: "n/a n/a 0 1200"},
		{name: "dates in the campaign's zone", b: &Builder{Campaigns: []collector.Campaign{cds, stem}},
			in: Input{URL: "https://zalo.me/p/1", Campaign: "stem", Published: "29/03/2023 08:14", Timestamp: "30/03/2023 9:00:00"},
			check: func(p collector.Post) string {
				return p.PublishedAt.Format(time.RFC3339) + " " + p.ObservedAt.Format(time.RFC3339) + " " + p.FirstSeen.Format(time.RFC3339) + fmt.Sprint(" ", p.DateOnly)
			}, want: "2023-03-29T08:14:00Z 2023-03-30T09:00:00Z 2023-03-30T09:00:00Z false"},
		{name: "observed when no timestamp", in: Input{URL: "https://zalo.me/p/1", Published: "29/03/2023", ObservedAt: observed},
			check: func(p collector.Post) string {
				return p.PublishedAt.Format(time.RFC3339) + " " + p.ObservedAt.Format(time.RFC3339) + fmt.Sprint(" date only ", p.DateOnly)
			},
			want: "2023-03-29T00:00:00+07:00 2023-04-01T07:00:00Z date only true"},
		{name: "NFD text becomes NFC", in: Input{URL: "https://zalo.me/p/1", Author: "Nguye\u0302\u0303n", Text: "Tuo\u0302\u0309i tre\u0309 #CDS2023"},
			check: func(p collector.Post) string { return p.Author + "|" + p.Text + "|" + strings.Join(p.Hashtags, ",") },
			want:  "Nguyễn|Tuổi trẻ #CDS2023|CDS2023"},
		{name: "link normalized", in: Input{URL: " https://m.facebook.com/permalink.php?id=222&story_fbid=111&utm_source=zalo ", Source: "cli"},
			check: func(p collector.Post) string { return p.URL + " " + p.ID[:3] + " " + strings.Join(p.Sources, ",") },
			want:  "https://facebook.com/permalink.php?id=222&story_fbid=111 " + canon.PostID("https://facebook.com/permalink.php?id=222&story_fbid=111")[:3] + " cli"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.b
			if b == nil {
				b = oneCampaign()
			}
			p, errs := b.Build(tc.in)
			if tc.field != "" {
				if len(errs) != 1 || errs[0].Field != tc.field || !strings.Contains(errs[0].Err.Error(), tc.err) {
					t.Fatalf("errors %v; want one on %s containing %q", errs, tc.field, tc.err)
				}
				if p.URL != "" {
					t.Errorf("a wrong submission still gave a post %+v", p)
				}
				if msg := errs[0].Vietnamese(tc.in); msg == "" || strings.Contains(msg, "không hợp lệ.") && tc.field != FieldURL {
					t.Errorf("no Vietnamese explanation for %s: %q", tc.field, msg)
				}
				return
			}
			if len(errs) != 0 {
				t.Fatalf("errors %v", errs)
			}
			if got := tc.check(p); got != tc.want {
				t.Errorf("got %q; want %q", got, tc.want)
			}
		})
	}
}

func TestBuildEveryWrongFieldAtOnce(t *testing.T) {
	in := Input{URL: "ftp://x.vn/a", Campaign: "nope", Unit: "Tân Lộc", Platform: "Mạng lạ", Published: "hôm qua",
		Likes: "-1", Comments: "nhiều", Shares: "3", Views: "x"}
	_, errs := oneCampaign().Build(in)
	var got []string
	for _, e := range errs {
		got = append(got, e.Field)
	}
	if strings.Join(got, ",") != "url,unit,platform,published,likes,comments,views,campaign" {
		t.Fatalf("fields %v", got)
	}
	if !errors.Is(errs, canon.ErrScheme) || !errors.Is(errs, collector.ErrNegative) {
		t.Errorf("errors.Is does not see the field errors: %v", errs)
	}
	var ue *collector.UnknownUnitError
	if !errors.As(errs, &ue) || ue.Given != "Tân Lộc" {
		t.Errorf("errors.As unit: %v", ue)
	}
	if d := errs.Details(); len(d) != 8 || d["likes"] != `negative number: "-1"` {
		t.Errorf("details %v", d)
	}
	vi := errs.Vietnamese(in)
	for field, want := range map[string]string{
		FieldURL:       "Đường dẫn phải bắt đầu bằng https:// hoặc http://",
		FieldCampaign:  `Không có chiến dịch "nope"`,
		FieldUnit:      `Không có đơn vị "Tân Lộc" trong danh sách. Có phải: Đoàn phường Tân Lợi?`,
		FieldPlatform:  `Nền tảng "Mạng lạ" không có trong danh sách (facebook, zalo,`,
		FieldPublished: `Ngày đăng "hôm qua" không đúng. Ghi theo dạng 29/03/2023`,
		FieldLikes:     `Lượt thích: số liệu không được âm ("-1").`,
		FieldComments:  `Bình luận: "nhiều" không phải là số.`,
		FieldViews:     `Lượt xem: "x" không phải là số.`,
	} {
		if !strings.HasPrefix(vi[field], want) {
			t.Errorf("%s: %q; want prefix %q", field, vi[field], want)
		}
	}
	if len(vi) != 8 {
		t.Errorf("%d messages for 8 wrong fields", len(vi))
	}
	if s := errs.Error(); !strings.HasPrefix(s, `url: canon: scheme is not http or https: "ftp"; unit: unknown unit`) {
		t.Errorf("Error() = %q", s)
	}
}

func TestVietnameseNoCampaignChosen(t *testing.T) {
	in := typed("https://zalo.me/p/1")
	_, errs := (&Builder{Campaigns: []collector.Campaign{cds, stem}}).Build(in)
	if len(errs) != 1 || errs[0].Vietnamese(in) != "Hãy chọn chiến dịch." {
		t.Fatalf("%v", errs)
	}
	in.URL = ""
	_, errs = oneCampaign().Build(in)
	if len(errs) != 1 || errs[0].Vietnamese(in) != "Hãy dán đường dẫn (link) của bài đăng." {
		t.Fatalf("%v", errs)
	}
}

// TestFieldsAreComplete: every text of Input is one field of the list, reached through
// its Value, with a Vietnamese label — what the form, the API, the flags and the sheet
// mapper rely on to need no change when a field is added.
func TestFieldsAreComplete(t *testing.T) {
	var in Input
	seen := map[*string]string{}
	names := map[string]bool{}
	for _, f := range Fields {
		if f.Label == "" || names[f.Name] {
			t.Errorf("field %q: label %q, repeated %v", f.Name, f.Label, names[f.Name])
		}
		names[f.Name] = true
		ptr := f.Value(&in)
		if other, dup := seen[ptr]; dup {
			t.Errorf("fields %s and %s fill the same Input text", f.Name, other)
		}
		seen[ptr] = f.Name
		if got, ok := FieldByName(f.Name); !ok || got.Name != f.Name {
			t.Errorf("FieldByName(%q)", f.Name)
		}
	}
	texts := 0
	rt := reflect.TypeOf(in)
	for i := range rt.NumField() {
		if rt.Field(i).Type.Kind() == reflect.String && rt.Field(i).Name != "Source" {
			texts++
		}
	}
	if texts != len(Fields) {
		t.Errorf("Input has %d typed texts, Fields lists %d", texts, len(Fields))
	}
	// Each field is read by Build: a wrong value in it alone is named (or, for the
	// free-text fields, kept in the post).
	for _, f := range Fields {
		in := typed("https://zalo.me/p/1")
		*f.Value(&in) = "\x00?x-" + f.Name
		p, errs := oneCampaign().Build(in)
		if len(errs) == 1 && errs[0].Field == f.Name {
			continue
		}
		if len(errs) == 0 && strings.Contains(p.Author+p.Title+p.Text+p.Note, "x-"+f.Name) {
			continue
		}
		t.Errorf("field %s: Build ignores it (errors %v)", f.Name, errs)
	}
}
