package feed

import (
	"slices"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func TestCollapseSpace(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"a b", "a b"},
		{"  Tuổi  trẻ\t\n#Tag\u00a0x\u2003 ", "Tuổi trẻ #Tag x"},
		{"a\xffb  \xfe", "a\xffb \xfe"},
		{"a \tb", "a b"},
	} {
		if got := collapseSpace(tc.in); got != tc.want {
			t.Errorf("collapseSpace(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzCollapseSpace(f *testing.F) {
	for _, s := range []string{"", " a  b ", "a\u00a0\u0085b", "x\xffy\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapseSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzMatch checks that the mapper's matching (matchers built once, texts without '#'
// not scanned) finds exactly the campaigns collector.MatchCampaigns finds.
func FuzzMatch(f *testing.F) {
	f.Add("Tin #TuoitreDakLakTienphongChuyendoiso", "", "", "")
	f.Add("a", "b #tuoitredaklaktienphongchuyendoiso", "c", "")
	f.Add("a", "b", "", "TuoitreDakLakTienphongChuyendoiso")
	f.Add(" #TuoitreDakLakTienphongChuyendoiso ", "x", "https://x.vn/#TuoitreDakLakTienphongChuyendoiso", "#tag")
	req := request(false)
	second := campaign()
	second.ID, second.Hashtag, second.Variants = "other", "#ThanhNienTinhNguyen", nil
	req.Campaigns = append(req.Campaigns, second)
	// A tag with a space in its key turns off the mapper's shortcut for texts with one.
	spaced := req
	third := campaign()
	third.ID, third.Hashtag, third.Variants = "spaced", "Tuổi trẻ", nil
	spaced.Campaigns = append(slices.Clone(req.Campaigns), third)
	f.Add("Tuổi trẻ", "", "", " tuoi  tre ")
	f.Fuzz(func(t *testing.T, title, desc, content, cat string) {
		for _, r := range []collector.Request{req, spaced} {
			got := newMapper(r).match(title, desc, content, []string{cat})
			want := collector.MatchCampaigns(r.Campaigns, title, desc, content, cat)
			if !slices.Equal(got, want) {
				t.Fatalf("match(%q, %q, %q, %q) = %v, want %v", title, desc, content, cat, got, want)
			}
		}
	})
}

func TestMatchSpacedTag(t *testing.T) {
	req := request(false)
	c := campaign()
	c.ID, c.Hashtag, c.Variants = "spaced", "Tuổi trẻ", nil
	req.Campaigns = append(req.Campaigns, c)
	m := newMapper(req)
	if got := m.match("x", " tuoi tre ", "", nil); !slices.Equal(got, []string{"spaced"}) {
		t.Fatalf("got %v, want [spaced]", got)
	}
	if got := newMapper(request(false)).match("#TuoitreDakLakTienphongChuyendoiso nay", "", "", []string{"tuoi tre"}); !slices.Equal(got, []string{"cds"}) {
		t.Fatalf("got %v, want [cds]", got)
	}
}
