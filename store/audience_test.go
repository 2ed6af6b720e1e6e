package store

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

func TestAudiencesKeepKnownOverUnknown(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "a.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC)
	if err := st.PutAudiences([]collector.Audience{
		{Account: "111", Platform: "facebook", Unit: "tanloi", Followers: collector.Known(5200), At: at},
		{Account: "UCx", Platform: "youtube", Followers: collector.Known(900), At: at},
	}); err != nil {
		t.Fatal(err)
	}
	// A later reading that could not see the count keeps the known one.
	if err := st.PutAudiences([]collector.Audience{{Account: "111", Platform: "facebook", Unit: "tanloi", At: at.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Audiences()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d audiences, want 2", len(got))
	}
	if got[0].Account != "111" || got[0].Followers != collector.Known(5200) || !got[0].At.Equal(at.Add(time.Hour)) {
		t.Errorf("facebook audience = %+v, want 5200 followers read at %v", got[0], at.Add(time.Hour))
	}
	if got[1].Followers != collector.Known(900) {
		t.Errorf("youtube audience = %+v, want 900", got[1])
	}
}
