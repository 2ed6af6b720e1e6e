package main

import (
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// Run one target for a while with, for example:
//
//	go test ./cmd/hashtrack -run '^$' -fuzz '^FuzzParseTime$' -fuzztime 5m

// FuzzParseTime holds the date and time reader to: no panic; a moment read without an
// offset is in the campaign's zone; written back as dd/mm/yyyy HH:MM:SS it reads as the
// same moment.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"29/03/2023", "29/3/2023 8:14", "29/03/2023 08:14:05", "2023-03-29", "2023-03-29T08:14:00+07:00",
		"2023-03-29T01:14:00Z", "15:04, 2/1/2006", "31/02/2023", "00/00/0000", "29-03-2023", " 1/1/1 ", "hôm qua",
		"2023-03-29T08:14:00+99:00", "9999-12-31T23:59:59Z", "2023-13-01", "29/03/2023\x00", "２９/03/2023"} {
		f.Add(s)
	}
	loc := collector.DefaultLocation()
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s, loc)
		if err != nil {
			if !tm.IsZero() {
				t.Fatalf("ParseTime(%q) = %v with error %v", s, tm, err)
			}
			if !strings.Contains(err.Error(), "is not a date") {
				t.Fatalf("ParseTime(%q): error %q does not say what is wrong", s, err)
			}
			return
		}
		if y := tm.In(loc).Year(); y < 1 || y > 9999 {
			return // time.Format cannot write it back as four digits
		}
		back := tm.In(loc).Format("02/01/2006 15:04:05")
		again, err := ParseTime(back, loc)
		if err != nil || !again.Equal(tm.Truncate(time.Second)) {
			t.Fatalf("ParseTime(%q) = %v, written %q, read back %v %v", s, tm, back, again, err)
		}
	})
}

func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"29/03/2023", "2023-03-29", "29/3/2023", "29-03-2023", "1-1-0001", "31/12/9999", "31/02/2023", "x"} {
		f.Add(s)
	}
	loc := collector.DefaultLocation()
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDay(s, loc)
		if err != nil {
			return
		}
		if h, m, sec := d.Clock(); h != 0 || m != 0 || sec != 0 || d.Location() != loc {
			t.Fatalf("ParseDay(%q) = %v, not midnight in %s", s, d, loc)
		}
		back := d.Format("02/01/2006")
		if again, err := ParseDay(back, loc); err != nil || !again.Equal(d) {
			t.Fatalf("ParseDay(%q) = %v, written %q, read back %v %v", s, d, back, again, err)
		}
	})
}
