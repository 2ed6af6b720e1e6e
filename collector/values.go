package collector

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
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
