package store

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestDeliveryLog(t *testing.T) {
	s := mustOpen(t, nil)
	day1 := time.Date(2023, 3, 28, 0, 0, 0, 0, hcm)
	day2 := day1.AddDate(0, 0, 1)

	// A fresh database has no log bucket: reading it is an empty log, not an error.
	if _, ok, err := s.Delivery("cds", day1, "email"); err != nil || ok {
		t.Fatalf("empty log: ok %v err %v", ok, err)
	}
	if got, err := s.FailedDeliveries("cds"); err != nil || len(got) != 0 {
		t.Fatalf("empty log: failed %v err %v", got, err)
	}

	sent := time.Date(2023, 3, 28, 7, 1, 0, 0, hcm)
	entries := []Delivery{
		{Campaign: "cds", Day: day1, Channel: "email", To: []string{"a@example.org"}, Attempts: 1, LastAttempt: sent, SentAt: sent},
		{Campaign: "cds", Day: day1, Channel: "webhook", To: []string{"https://hook.example.org/x"}, Attempts: 4, LastAttempt: sent, LastError: "503"},
		{Campaign: "cds", Day: day2, Channel: "email", Attempts: 4, LastAttempt: sent.AddDate(0, 0, 1), LastError: "auth"},
		{Campaign: "other", Day: day2, Channel: "email", Attempts: 1, LastError: "x"},
	}
	for _, d := range entries {
		if err := s.PutDelivery(d); err != nil {
			t.Fatal(err)
		}
	}
	d, ok, err := s.Delivery("cds", day1, "email")
	if err != nil || !ok || !d.Sent() || !d.SentAt.Equal(sent) || !slices.Equal(d.To, []string{"a@example.org"}) {
		t.Fatalf("delivery %+v ok %v err %v", d, ok, err)
	}
	if _, ok, _ := s.Delivery("cds", day1.AddDate(0, 0, -1), "email"); ok {
		t.Error("a day never sent is logged")
	}
	all, err := s.Deliveries("cds")
	if err != nil || len(all) != 3 {
		t.Fatalf("deliveries %d err %v, want 3 of cds only", len(all), err)
	}
	if !all[0].Day.Equal(day1) || all[2].Day.Format("2006-01-02") != "2023-03-29" {
		t.Errorf("order %v %v", all[0].Day, all[2].Day)
	}
	failed, err := s.FailedDeliveries("cds")
	if err != nil {
		t.Fatal(err)
	}
	// email's newest (day 2) failed; webhook's newest (day 1) failed too.
	if len(failed) != 2 || failed[0].Channel != "email" || failed[0].LastError != "auth" || failed[1].Channel != "webhook" {
		t.Fatalf("failed %+v", failed)
	}
	// A later success clears the channel.
	ok2 := entries[2]
	ok2.SentAt, ok2.LastError = sent.AddDate(0, 0, 1), ""
	if err := s.PutDelivery(ok2); err != nil {
		t.Fatal(err)
	}
	if failed, _ = s.FailedDeliveries("cds"); len(failed) != 1 || failed[0].Channel != "webhook" {
		t.Fatalf("after resend: failed %+v", failed)
	}
}

// TestDeliveryLogReadOnly: a read-only store (as `sources` opens it) reads a database
// that never logged a delivery.
func TestDeliveryLogReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got, err := ro.FailedDeliveries("cds"); err != nil || got != nil {
		t.Fatalf("got %v err %v", got, err)
	}
}
