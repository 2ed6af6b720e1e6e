package synth

import (
	"reflect"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func TestUnits(t *testing.T) {
	us := Units()
	if len(us) != 30 {
		t.Fatalf("%d units, want 30", len(us))
	}
	ids := map[string]bool{}
	for _, u := range us {
		if ids[u.ID] {
			t.Errorf("duplicate unit id %s", u.ID)
		}
		ids[u.ID] = true
	}
	if us[0].ID != "phuong-buon-ma-thuot" || us[0].Name != "Đoàn phường Buôn Ma Thuột" {
		t.Errorf("first unit %+v", us[0])
	}
	if us[7].ID != "thpt-cu-mgar" {
		t.Errorf("unit 7 id %q, want thpt-cu-mgar", us[7].ID)
	}
}

func TestRecords(t *testing.T) {
	for _, tc := range []struct{ n, want int }{{0, 0}, {1, 2}, {5, 6}, {6, 8}, {10_000, 12_000}, {1_000_000, 1_200_000}} {
		if got := Records(tc.n); got != tc.want {
			t.Errorf("Records(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
	g := New(1)
	if got, want := g.Record(10, 10).URL, g.Post(10, 0).URL; got != want {
		t.Errorf("record 10 of 10 is %s, want the update of post 0 (%s)", got, want)
	}
	if got, want := g.Record(10, 11).URL, g.Post(10, 5).URL; got != want {
		t.Errorf("record 11 of 10 is %s, want the update of post 5 (%s)", got, want)
	}
}

// TestPostsAreRealistic checks the properties the benchmarks rely on over 10,000 posts:
// deterministic, normalizable, distinct, every one tagged for the campaign, spread over
// six platforms, thirty units and ninety Vietnamese days, with updates that only grow.
func TestPostsAreRealistic(t *testing.T) {
	g := New(42)
	if !reflect.DeepEqual(g.Post(100, 7), New(42).Post(100, 7)) {
		t.Fatal("same seed and index give different posts")
	}
	if g.Post(100, 7).URL == New(43).Post(100, 7).URL {
		t.Fatal("different seeds give the same link")
	}
	const n = 10_000
	m := g.Campaign().Matcher()
	ids := map[string]bool{}
	platforms := map[string]int{}
	units := map[string]bool{}
	days := map[string]bool{}
	forms := map[string]bool{}
	noMetrics, updated := 0, 0
	first, last := g.Start, g.Start.AddDate(0, 0, Days)
	for i := range n {
		p := g.Post(n, i)
		raw := p.URL
		if !m.Has(p.Text) {
			t.Fatalf("post %d lacks the campaign tag: %q", i, p.Text)
		}
		for _, f := range tagForms {
			if len(p.Text) >= len(f) && p.Text[len(p.Text)-len(f):] == f {
				forms[f] = true
			}
		}
		if err := p.Normalize(); err != nil {
			t.Fatalf("post %d (%s): %v", i, raw, err)
		}
		if ids[p.ID] {
			t.Fatalf("post %d: duplicate id for %s", i, p.URL)
		}
		ids[p.ID] = true
		platforms[p.Platform]++
		units[p.Unit] = true
		if p.PublishedAt.Before(first) || !p.PublishedAt.Before(last) {
			t.Fatalf("post %d published %s, outside the campaign", i, p.PublishedAt)
		}
		days[p.PublishedAt.In(g.Loc).Format("2006-01-02")] = true
		if d := int(p.PublishedAt.Sub(g.Start).Hours()) / 24; d < i*Days/n-1 || d > i*Days/n+1 {
			t.Fatalf("post %d published on day %d, want %d ± 1 (posts arrive in publication order)", i, d, i*Days/n)
		}
		if !p.Metrics.AnyKnown() {
			noMetrics++
		}
		if HasUpdate(i) {
			updated++
			u := g.Update(n, i)
			if err := u.Normalize(); err != nil || u.ID != p.ID {
				t.Fatalf("update of post %d: id %s (want %s), %v", i, u.ID, p.ID, err)
			}
			if !u.ObservedAt.After(p.ObservedAt) {
				t.Fatalf("update of post %d is not later", i)
			}
			for _, c := range [][2]collector.Count{{p.Metrics.Likes, u.Metrics.Likes}, {p.Metrics.Views, u.Metrics.Views}} {
				if c[0].Known && c[1].Known && c[1].N < c[0].N {
					t.Fatalf("update of post %d has fewer likes or views: %v → %v", i, c[0], c[1])
				}
			}
		}
	}
	if len(platforms) != 6 || len(units) != 30 || len(days) != Days || len(forms) != len(tagForms) {
		t.Errorf("spread: %d platforms %v, %d units, %d days, %d tag forms; want 6, 30, %d, %d",
			len(platforms), platforms, len(units), len(days), len(forms), Days, len(tagForms))
	}
	if updated != 2000 {
		t.Errorf("%d updates, want 2000 (20 %%)", updated)
	}
	if noMetrics < 800 || noMetrics > 1200 {
		t.Errorf("%d posts without metrics, want about 1000", noMetrics)
	}
	if platforms["facebook"] < 4800 || platforms["facebook"] > 5600 {
		t.Errorf("%d Facebook posts, want about 5200", platforms["facebook"])
	}
}
