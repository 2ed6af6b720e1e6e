package bench

import (
	"testing"
	"time"
)

func TestParseSizes(t *testing.T) {
	got, err := ParseSizes("100k, 10K,1m,10k,2500")
	if err != nil {
		t.Fatal(err)
	}
	want := []int{2500, 10_000, 100_000, 1_000_000}
	if len(got) != len(want) {
		t.Fatalf("%v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
	for _, bad := range []string{"10x", "20m", "0", "", "-5k"} {
		if _, err := ParseSizes(bad); err == nil {
			t.Errorf("ParseSizes(%q) accepted", bad)
		}
	}
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{thousands(0), "0"},
		{thousands(999), "999"},
		{thousands(1000), "1,000"},
		{thousands(1234567), "1,234,567"},
		{thousands(-12345), "-12,345"},
		{human(10_000), "10k"},
		{human(1_000_000), "1M"},
		{human(2500), "2500"},
		{dur(1500 * time.Microsecond), "1.5 ms"},
		{dur(2346 * time.Millisecond), "2.35 s"},
		{dur(12345 * time.Millisecond), "12.3 s"},
		{ratio(time.Second, 4*time.Second), "0.25"},
		{ratio(time.Second, 0), "n/a"},
		{mib(3 << 19), "1.5 MiB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if m := median([]time.Duration{5, 1, 3}); m != 3 {
		t.Errorf("median of 5,1,3 = %d", m)
	}
	if m := median([]int64{4, 1, 3, 2}); m != 2 {
		t.Errorf("median of 4,1,3,2 = %d", m)
	}
}

// TestTargets checks the verdicts against hand-made figures, including a miss.
func TestTargets(t *testing.T) {
	s := time.Second
	r := &Report{Sizes: []*SizeResult{
		{N: 10_000, Ingest: []time.Duration{2 * s}, Bare: []time.Duration{s}, Reingest: []time.Duration{s / 2},
			ReportHTML: []time.Duration{s}, ReportJSON: []time.Duration{s}, HTMLBytes: 1000, JSONBytes: 500, ReportRSS: []int64{30 << 20}},
		{N: 1_000_000, Ingest: []time.Duration{3 * s}, Bare: []time.Duration{s}, Reingest: []time.Duration{2 * s}, ReWritten: 4,
			ReportHTML: []time.Duration{3 * s}, ReportJSON: []time.Duration{s}, HTMLBytes: 1050, JSONBytes: 560, ReportRSS: []int64{120 << 20}},
	}, Collect: CollectResult{Feeds: 200, SecondParsed: 0, BareParse: []time.Duration{s}, CollectorParse: []time.Duration{s + s/4}}}
	want := map[string][2]string{
		"ingest ≥ 0.5 × bare bbolt Put":                          {"0.50 at 10k, 0.33 at 1M", "**not met**"},
		"re-ingest of unchanged data: 0 posts written":           {"0 at 10k, 4 at 1M", "**not met**"},
		"re-ingest ≤ 0.5 × first ingest":                         {"0.25 at 10k, 0.67 at 1M", "**not met**"},
		"report at 1M ≤ 1.5 × report at 10k (HTML and JSON)":     {"HTML 3.00, JSON 1.00", "**not met**"},
		"report peak memory ≤ 100 MiB at 1M":                     {"120.0 MiB", "**not met**"},
		"report size at 1M within 10 % of 10k":                   {"HTML +5.0 %, JSON +12.0 %", "**not met**"},
		"second collect of 200 unchanged feeds: 0 bodies parsed": {"0 parsed", "met"},
		"collect overhead ≤ 1.5 × bare gofeed parse":             {"1.25", "met"},
	}
	got := r.targets()
	if len(got) != len(want) {
		t.Fatalf("%d targets, want %d", len(got), len(want))
	}
	for _, tg := range got {
		w, ok := want[tg.name]
		if !ok {
			t.Errorf("unexpected target %q", tg.name)
			continue
		}
		if tg.measured != w[0] || tg.verdict() != w[1] {
			t.Errorf("%s: %q %q, want %q %q", tg.name, tg.measured, tg.verdict(), w[0], w[1])
		}
	}
}
