package canon

import (
	"strings"
	"testing"
)

func TestPlatformLabels(t *testing.T) {
	for _, tc := range []struct {
		p, short, vi, en string
	}{
		{Facebook, "Facebook", "Facebook", "Facebook"},
		{X, "X", "X (Twitter)", "X (Twitter)"},
		{Web, "Web", "Trang web / báo điện tử", "Website / online news"},
		{"mastodon", "mastodon", "mastodon", "mastodon"},
		{"", "?", "?", "?"},
	} {
		if got := Label(tc.p); got != tc.short {
			t.Errorf("Label(%q) = %q, want %q", tc.p, got, tc.short)
		}
		if got := LongLabel(tc.p, "vi"); got != tc.vi {
			t.Errorf("LongLabel(%q, vi) = %q, want %q", tc.p, got, tc.vi)
		}
		if got := LongLabel(tc.p, "en"); got != tc.en {
			t.Errorf("LongLabel(%q, en) = %q, want %q", tc.p, got, tc.en)
		}
	}
	// A platform added to Platforms without a label would show its raw id in the form.
	for _, p := range Platforms {
		if _, ok := platformLabels[p]; !ok {
			t.Errorf("platform %q has no label", p)
		}
	}
	if len(platformLabels) != len(Platforms) {
		t.Errorf("%d labels for %d platforms", len(platformLabels), len(Platforms))
	}
}

// TestPlatformColors: every platform has its own colour, a valid #rrggbb, and an
// unknown platform gets the shared other colour.
func TestPlatformColors(t *testing.T) {
	seen := map[string]string{}
	for _, p := range Platforms {
		c := Color(p)
		if len(c) != 7 || c[0] != '#' || strings.Trim(c[1:], "0123456789abcdef") != "" {
			t.Errorf("Color(%q) = %q, want #rrggbb in lower case", p, c)
		}
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s share colour %s", p, other, c)
		}
		seen[c] = p
	}
	if _, ok := seen[OtherColor]; ok {
		t.Errorf("OtherColor %s is also a platform's colour", OtherColor)
	}
	if got := Color("mastodon"); got != OtherColor {
		t.Errorf("Color(mastodon) = %q, want OtherColor", got)
	}
	if Color(TikTok) != "#161823" || Color(Zalo) != "#00a88f" {
		t.Errorf("TikTok %s, Zalo %s: colours changed — every past report reads them as before", Color(TikTok), Color(Zalo))
	}
}
