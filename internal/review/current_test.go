package review_test

import (
	"context"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
	"github.com/tinhdoandaklak/hashtrack/internal/review"
)

// TestCurrent: the stored post answers for a submission given under a link variant;
// a link nobody stored gives the submission back as it is.
func TestCurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	f.submit(t, manual.Input{URL: "https://www.facebook.com/tanloi/posts/1", Unit: "tan-loi", Likes: "120"})
	asked := collector.Post{URL: "https://m.facebook.com/tanloi/posts/1?fbclid=abc", Unit: "yd"}
	got, err := review.Current(context.Background(), f.st, asked)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != "https://facebook.com/tanloi/posts/1" || got.Unit != "tan-loi" || got.Metrics.Likes != collector.Known(120) {
		t.Errorf("current %q %q %v, want the stored post with 120 likes", got.URL, got.Unit, got.Metrics.Likes)
	}
	other := collector.Post{URL: "https://www.facebook.com/tanloi/posts/2", Unit: "yd"}
	got, err = review.Current(context.Background(), f.st, other)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != other.URL || got.Unit != "yd" {
		t.Errorf("unknown link gave %q %q, want the submission back", got.URL, got.Unit)
	}
}
