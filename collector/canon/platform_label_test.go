package canon

import "testing"

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
