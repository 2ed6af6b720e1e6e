package collector

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	groupedNumber = regexp.MustCompile(`^\d{1,3}([.,  ]\d{3})+$`)
	plainNumber   = regexp.MustCompile(`^\d+$`)
	decimalNumber = regexp.MustCompile(`^\d+([.,]\d+)?$`)
)

// multipliers are the suffixes people type after a count, in Vietnamese and English,
// compared after lower-casing and removing diacritics.
var multipliers = []struct {
	suffix string
	factor float64
}{
	{"nghin", 1e3}, {"ngan", 1e3}, {"trieu", 1e6}, {"ty", 1e9},
	{"tr", 1e6}, {"k", 1e3}, {"n", 1e3}, {"m", 1e6}, {"b", 1e9},
}

// unknownWords mean "no number" in a sheet cell.
var unknownWords = map[string]bool{"-": true, "—": true, "n/a": true, "na": true, "?": true, "khong ro": true, "khong co": true, "chua ro": true}

// MaxCount is the largest count accepted: more than any post has had, and small enough
// that sums over a campaign's posts cannot overflow.
const MaxCount = 1_000_000_000_000

// ErrTooLarge is a count above MaxCount.
var ErrTooLarge = fmt.Errorf("number too large (more than %d)", int64(MaxCount))

// ParseCount reads a count as people type it: "1234", "1.234" and "1,234" (thousands),
// "1,2K", "1.2k", "3 N", "2 nghìn", "1 Tr", "1,5 triệu". Blank (or "-", "n/a", "không
// rõ") is unknown: ok is false and err nil. Negative numbers and other text are errors.
func ParseCount(s string) (n int64, ok bool, err error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, false, nil
	}
	k := Key(t)
	if unknownWords[k] || unknownWords[strings.ToLower(t)] {
		return 0, false, nil
	}
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "−") {
		return 0, false, fmt.Errorf("%w: %q", ErrNegative, s)
	}
	k = strings.TrimPrefix(k, "+")
	for _, m := range multipliers {
		if rest, found := strings.CutSuffix(k, m.suffix); found {
			num := strings.TrimSpace(rest)
			if !decimalNumber.MatchString(num) {
				continue
			}
			f, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", "."), 64)
			if err != nil {
				return 0, false, fmt.Errorf("%q is not a number", s)
			}
			// Checked as a float: converting an out-of-range float to int64 gives a
			// negative number.
			v := math.Round(f * m.factor)
			if v > MaxCount {
				return 0, false, fmt.Errorf("%w: %q", ErrTooLarge, s)
			}
			return int64(v), true, nil
		}
	}
	switch {
	case plainNumber.MatchString(k):
	case groupedNumber.MatchString(k):
		k = strings.NewReplacer(".", "", ",", "", " ", "", " ", "").Replace(k)
	default:
		return 0, false, fmt.Errorf("%q is not a whole number (write 1234, 1.234 or 1,2K)", s)
	}
	v, err := strconv.ParseInt(k, 10, 64)
	if err != nil || v > MaxCount {
		return 0, false, fmt.Errorf("%w: %q", ErrTooLarge, s)
	}
	return v, true, nil
}

// ParseDay reads a day typed by a person: 2023-03-29, 29/03/2023, 29/3/2023, 29-03-2023.
func ParseDay(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006", "02-01-2006", "2-1-2006"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (write 29/03/2023 or 2023-03-29)", s)
}

// ParseTime reads a moment typed by a person, in loc unless it carries an offset:
// RFC 3339, dates as in ParseDay, with an optional time "8:14", "08:14:05" (the form a
// Google Forms export in Vietnamese writes: "29/03/2023 8:14:05").
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04",
		"2/1/2006 15:04:05", "2/1/2006 15:04", "2-1-2006 15:04:05", "2-1-2006 15:04", "15:04, 2/1/2006", "15:04 2/1/2006"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if t, err := ParseDay(s, loc); err == nil {
		return t, nil
	}
	if t, ok := formsTime(s, loc); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date or time (write 29/03/2023, 29/03/2023 08:14 or 2023-03-29T08:14:00+07:00)", s)
}

// formsStamp is the timestamp of a CSV downloaded straight from Google Forms:
// "2023/03/29 8:14:05 SA GMT+7" (SA/CH are the Vietnamese AM/PM), "2023/03/29 8:14:05 PM GMT+07:00".
var formsStamp = regexp.MustCompile(`^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*(AM|PM|SA|CH|am|pm|sa|ch))?)?(?:\s*GMT([+-])(\d{1,2})(?::?(\d{2}))?)?$`)

func formsTime(s string, loc *time.Location) (time.Time, bool) {
	m := formsStamp.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	num := func(i int) int {
		n, _ := strconv.Atoi(m[i])
		return n
	}
	y, mo, d, h, mi, sec := num(1), num(2), num(3), num(4), num(5), num(6)
	switch strings.ToUpper(m[7]) {
	case "PM", "CH":
		if h < 12 {
			h += 12
		}
	case "AM", "SA":
		if h == 12 {
			h = 0
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	zone := loc
	if m[8] != "" {
		off := (num(9)*60 + num(10)) * 60
		if off > 14*3600 {
			return time.Time{}, false
		}
		if m[8] == "-" {
			off = -off
		}
		zone = time.FixedZone("", off)
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, zone)
	if t.Day() != d {
		return time.Time{}, false // 31/02
	}
	return t.In(loc), true
}
