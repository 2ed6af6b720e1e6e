package card

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/tinhdoandaklak/hashtrack"
	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/report"
)

var writeCard = flag.String("write-card", "", "also write the sample card to this file (to look at it)")

// exampleNames returns the campaign and unit names of config.example.toml.
func exampleNames(t *testing.T) (campaigns []string, units collector.Units) {
	t.Helper()
	var doc struct {
		Campaign []struct{ Name, Hashtag string }
		Unit     []struct{ ID, Name string }
	}
	if _, err := toml.Decode(hashtrack.ExampleConfig, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range doc.Campaign {
		campaigns = append(campaigns, k.Name, k.Hashtag)
	}
	for _, u := range doc.Unit {
		units = append(units, collector.Unit{ID: u.ID, Name: u.Name})
	}
	if len(units) < 10 || len(campaigns) == 0 {
		t.Fatalf("example config: %d units, %d campaigns", len(units), len(campaigns))
	}
	return campaigns, units
}

// sampleReport is a report of the example campaign: every example unit either leads
// or has no post, so the card draws every unit name at some point of the test.
func sampleReport(t *testing.T, lang string, leaders collector.Units, without collector.Units) *report.Report {
	t.Helper()
	loc := collector.DefaultLocation()
	camps, _ := exampleNames(t)
	r := &report.Report{
		Campaign: collector.Campaign{ID: "cds2023", Name: camps[0], Hashtag: camps[1], Target: 300},
		Lang:     lang, To: time.Date(2023, 3, 29, 0, 0, 0, 0, loc), Target: 300,
		PostsTotal: 312, TargetPercent: 104, TargetReached: time.Date(2023, 3, 28, 0, 0, 0, 0, loc),
		UnitsTotal: 15, UnitsActive: 13, UnitsWithoutPosts: without,
	}
	for i := range 29 {
		r.Daily = append(r.Daily, report.Day{Date: time.Date(2023, 3, 1+i, 0, 0, 0, 0, loc), Posts: int64((i*7)%13 + 1)})
	}
	for i, u := range leaders {
		r.ByUnit = append(r.ByUnit, report.UnitStat{ID: u.ID, Name: u.Name, Configured: true, Posts: int64(40 - i)})
	}
	return r
}

// TestEveryGlyphDrawn: every character the card may draw — the example config's
// campaign and unit names, the labels in both languages — has a glyph in both
// embedded faces, and every string a rendering drew does too.
func TestEveryGlyphDrawn(t *testing.T) {
	camps, units := exampleNames(t)
	texts := append([]string{}, camps...)
	for _, u := range units {
		texts = append(texts, u.Name, strings.ToUpper(u.Name))
	}
	for _, l := range []labels{vi, en} {
		texts = append(texts, l.ReportOf, strings.ToUpper(l.ReportOf), l.Progress, l.Posts, l.Reached, l.NotReached,
			l.NoTarget, l.Today, l.Total, l.UnitsPosted, l.Leaders, l.NoLeaders, l.WithoutPosts, l.Units, l.AllPosted,
			l.More, l.Daily, l.Peak)
	}
	texts = append(texts, "0123456789 / % + … , . ( ) hashtrack #TuoitreDakLak")
	for _, s := range texts {
		miss, err := Missing(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(miss) > 0 {
			t.Errorf("%q: no glyph for %q", s, string(miss))
		}
	}

	// Render with every unit named once: three at a time lead, the rest have no post.
	// In Vietnamese for every group; in English for the first only: its other groups
	// would draw the same names (whole or cut with "…") beside the same labels, whose
	// characters are all checked above, and a rendering costs a fifth of the test.
	var drawn []string
	for i := 0; i < len(units); i += 3 {
		lead := units[i:min(i+3, len(units))]
		var without collector.Units
		for _, u := range units {
			if !strings.Contains(u.ID, "\x00") && !containsUnit(lead, u) {
				without = append(without, u)
			}
		}
		langs := []string{"vi"}
		if i == 0 {
			langs = append(langs, "en")
		}
		for _, lang := range langs {
			var b bytes.Buffer
			if err := render(sampleReport(t, lang, lead, without), &b, func(s string) { drawn = append(drawn, s) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	all := strings.Join(drawn, "\n")
	for _, u := range units {
		if !strings.Contains(all, u.Name) {
			t.Errorf("unit %q never drawn whole", u.Name)
		}
	}
	for _, s := range drawn {
		if miss, _ := Missing(s); len(miss) > 0 {
			t.Errorf("drawn %q: no glyph for %q", s, string(miss))
		}
	}
}

func containsUnit(us collector.Units, u collector.Unit) bool {
	for _, x := range us {
		if x.ID == u.ID {
			return true
		}
	}
	return false
}

// TestCardDeterministic: the same report gives the same bytes, a phone-portrait PNG.
func TestCardDeterministic(t *testing.T) {
	_, units := exampleNames(t)
	r := sampleReport(t, "vi", units[:3], units[13:])
	var a, b bytes.Buffer
	if err := Render(r, &a); err != nil {
		t.Fatal(err)
	}
	if err := Render(r, &b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two renderings of one report differ")
	}
	img, err := png.Decode(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if sz := img.Bounds().Size(); sz.X != Width || sz.Y != Height || sz.Y <= sz.X {
		t.Fatalf("size %v", sz)
	}
	if *writeCard != "" {
		os.WriteFile(*writeCard, a.Bytes(), 0o644)
	}
}
