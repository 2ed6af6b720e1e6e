package config

import (
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack"
)

// TestExampleReviewKeysValid: the commented review keys of config.example.toml (the
// campaign's policy and the [review] block list) are valid once uncommented.
func TestExampleReviewKeysValid(t *testing.T) {
	s := hashtrack.ExampleConfig
	s = strings.Replace(s, "# review = \"manual\"\n", "review = \"manual\"\n", 1) // the campaign's, the first one
	start := strings.Index(s, "# [review]")
	end := strings.Index(s, "# ── Nguồn thu thập")
	if start < 0 || end < start {
		t.Fatal("example has no commented [review] table")
	}
	var lines []string
	for _, l := range strings.Split(s[start:end], "\n") {
		lines = append(lines, strings.TrimPrefix(strings.TrimPrefix(l, "#"), " "))
	}
	c, err := Parse("config.example.toml", s[:start]+strings.Join(lines, "\n")+s[end:], testKinds())
	if err != nil {
		t.Fatal(err)
	}
	if !c.ManualCampaign("cds2023") || len(c.Review.BlockWords) != 2 || len(c.Review.BlockHosts) != 1 || len(c.Review.BlockAuthors) != 1 {
		t.Fatalf("review %+v, manual %v", c.Review, c.ManualCampaign("cds2023"))
	}
}
