package collector

import "testing"

func TestOverKeepsMeasuredNumbers(t *testing.T) {
	t.Parallel()
	k := Known
	for _, tc := range []struct {
		name       string
		old, newer Metrics
		want       Metrics
	}{
		{"a measurement replaces a typed number and makes it measured",
			Metrics{Views: k(100), Likes: k(9), From: Typed}, Metrics{Views: k(250), From: Measured},
			Metrics{Views: k(250), Likes: k(9), From: Measured}},
		{"a smaller measurement replaces a measurement",
			Metrics{Views: k(250), From: Measured}, Metrics{Views: k(240), From: Measured},
			Metrics{Views: k(240), From: Measured}},
		{"a smaller typed number does not lower a measured one",
			Metrics{Views: k(250), From: Measured}, Metrics{Views: k(50), From: Typed},
			Metrics{Views: k(250), From: Measured}},
		{"a page read does not lower a measured one either",
			Metrics{Views: k(250), From: Measured}, Metrics{Views: k(60), From: PageRead},
			Metrics{Views: k(250), From: Measured}},
		{"a typed number fills a counter the measurement did not know",
			Metrics{Views: k(250), From: Measured}, Metrics{Views: k(50), Shares: k(4), From: Typed},
			Metrics{Views: k(250), Shares: k(4), From: Measured}},
		{"a measurement confirming a typed number makes it measured",
			Metrics{Views: k(100), From: Typed}, Metrics{Views: k(100), From: Measured},
			Metrics{Views: k(100), From: Measured}},
		{"typed over typed: the newer wins, as before",
			Metrics{Likes: k(10), From: Typed}, Metrics{Likes: k(4), From: Typed},
			Metrics{Likes: k(4), From: Typed}},
		{"numbers of before provenance read as typed and stay unmarked when equal",
			Metrics{Likes: k(10)}, Metrics{Likes: k(10), From: Typed},
			Metrics{Likes: k(10)}},
		{"a page read over unknown provenance",
			Metrics{Likes: k(10)}, Metrics{Views: k(700), From: PageRead},
			Metrics{Likes: k(10), Views: k(700), From: PageRead}},
		{"an observation knowing nothing changes nothing",
			Metrics{Views: k(250), From: Measured}, Metrics{From: Typed},
			Metrics{Views: k(250), From: Measured}},
		{"reach and impressions follow the same rule",
			Metrics{Reach: k(900), Impressions: k(1500), From: Measured}, Metrics{Reach: k(1000), From: Measured},
			Metrics{Reach: k(1000), Impressions: k(1500), From: Measured}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.old.Over(tc.newer); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCorrectedByStaffIsTyped(t *testing.T) {
	t.Parallel()
	m := Metrics{Views: Known(250), Likes: Known(30), From: Measured}
	if got := m.Corrected(Metrics{Views: Known(200)}); got != (Metrics{Views: Known(200), Likes: Known(30), From: Typed}) {
		t.Errorf("correction: %+v", got)
	}
	if got := m.Corrected(Metrics{Views: Known(250)}); got != m {
		t.Errorf("a correction to the same number changes nothing: %+v", got)
	}
}

func TestValidateReachAndImpressions(t *testing.T) {
	t.Parallel()
	if err := (Metrics{Reach: Known(-1)}).Validate(); err == nil {
		t.Error("negative reach accepted")
	}
	if err := (Metrics{Impressions: Known(MaxCount + 1)}).Validate(); err == nil {
		t.Error("impressions above MaxCount accepted")
	}
}
