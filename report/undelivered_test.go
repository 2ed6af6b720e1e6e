package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/store"
)

// TestUndeliveredReportIsNoted: a report the last delivery could not send is named in
// the next report's digest and data notes — with the day, the channel, the recipients,
// the attempts and the error — and disappears once a later one is sent.
func TestUndeliveredReportIsNoted(t *testing.T) {
	t.Parallel()
	st := openFixture(t, fixturePosts())
	day := time.Date(2023, 3, 6, 0, 0, 0, 0, hcm)
	failed := store.Delivery{Campaign: "cds", Day: day, Channel: "email", To: []string{"lanhdao@tinhdoan.vn"},
		Attempts: 3, LastAttempt: day.Add(7 * time.Hour), LastError: "535 authentication failed"}
	if err := st.PutDelivery(failed); err != nil {
		t.Fatal(err)
	}
	digest := func() string {
		var b bytes.Buffer
		if err := mustAggregate(t, st, fixtureInput("vi")).RenderText(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	want := "• Báo cáo ngày 06/03/2023 chưa gửi được qua email đến lanhdao@tinhdoan.vn sau 3 lần thử: 535 authentication failed."
	if got := digest(); !strings.Contains(got, want) {
		t.Fatalf("digest lacks %q:\n%s", want, got)
	}
	var page bytes.Buffer
	if err := mustAggregate(t, st, fixtureInput("vi")).RenderHTML(&page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "chưa gửi được qua email") {
		t.Error("the data notes do not name the undelivered report")
	}
	sent := failed
	sent.Day, sent.SentAt, sent.LastError, sent.Attempts = day.AddDate(0, 0, 1), day.AddDate(0, 0, 1).Add(7*time.Hour), "", 1
	if err := st.PutDelivery(sent); err != nil {
		t.Fatal(err)
	}
	if got := digest(); strings.Contains(got, "chưa gửi được") {
		t.Errorf("a later delivery went through, the note stays:\n%s", got)
	}
}
