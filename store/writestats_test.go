package store

import (
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// TestWriteStats: a new post costs page writes, the same post again costs none, and a
// changed metric costs some again.
func TestWriteStats(t *testing.T) {
	t.Parallel()
	now := time.Date(2023, 4, 1, 9, 0, 0, 0, hcm)
	s := mustOpen(t, &now)
	url := "https://www.facebook.com/permalink.php?story_fbid=123&id=456"
	p := post(t, url, collector.Metrics{Likes: collector.Known(10)}, nil)

	before := s.WriteStats()
	upsert(t, s, p)
	first := s.WriteStats()
	if first.PageWrites <= before.PageWrites || first.AllocBytes <= before.AllocBytes {
		t.Fatalf("a new post: %+v then %+v, want more pages written and allocated", before, first)
	}
	upsert(t, s, p)
	if again := s.WriteStats(); again.PageWrites != first.PageWrites {
		t.Errorf("the same post again wrote %d pages, want 0", again.PageWrites-first.PageWrites)
	}
	upsert(t, s, post(t, url, collector.Metrics{Likes: collector.Known(11)}, nil))
	if changed := s.WriteStats(); changed.PageWrites <= first.PageWrites {
		t.Errorf("a changed metric wrote %d pages, want some", changed.PageWrites-first.PageWrites)
	}
}
