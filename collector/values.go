package collector

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"
)

var (
	groupedNumber = regexp.MustCompile(`^\d{1,3}([.,  ]\d{3})+$`)
	plainNumber   = regexp.MustCompile(`^\d+$`)
	// multipliedNumber is a number with a unit word people type after it, and possibly
	// the next digits after the word: "1,2K", "3 N", "1 triệu", "1tr2" (1.2 million),
	// "2 nghìn 5" (2,500), "5 trăm". Compared after folding (lower case, no diacritics);
	// longer words come first so that "trieu" is not read as "tr".
	multipliedNumber = regexp.MustCompile(`^(\d+)(?:[.,](\d+))?\s*(nghin|ngan|trieu|tram|ty|ti|tr|k|n|m|b)\.?\s*(\d+)?$`)
)

// multipliers are the factors of the unit words in multipliedNumber.
var multipliers = map[string]float64{
	"nghin": 1e3, "ngan": 1e3, "k": 1e3, "n": 1e3, "tram": 1e2,
	"trieu": 1e6, "tr": 1e6, "m": 1e6, "ty": 1e9, "ti": 1e9, "b": 1e9,
}

// unknownWords mean "no number" in a sheet cell.
var unknownWords = map[string]bool{"-": true, "—": true, "n/a": true, "na": true, "?": true,
	"khong ro": true, "khong co": true, "chua ro": true, "chua co": true}

// MaxCount is the largest count accepted: more than any post has had, and small enough
// that sums over a campaign's posts cannot overflow.
const MaxCount = 1_000_000_000_000

// ErrTooLarge is a count above MaxCount.
var ErrTooLarge = fmt.Errorf("number too large (more than %d)", int64(MaxCount))

// ValueError is a typed value that is not what was asked for. Want is "number",
// "whole_number", "date" or "time"; the command line translates by it.
type ValueError struct {
	Value, Want string
}

func (e *ValueError) Error() string {
	switch e.Want {
	case "whole_number":
		return fmt.Sprintf("%q is not a whole number (write 1234, 1.234 or 1,2K)", e.Value)
	case "date":
		return fmt.Sprintf("%q is not a date (write 29/03/2023 or 2023-03-29)", e.Value)
	case "time":
		return fmt.Sprintf("%q is not a date or time (write 29/03/2023, 29/03/2023 08:14 or 2023-03-29T08:14:00+07:00)", e.Value)
	}
	return fmt.Sprintf("%q is not a number", e.Value)
}

// ParseCount reads a count as people type it: "1234", "1.234" and "1,234" (thousands),
// "1,2K", "1.2k", "3 N", "2 nghìn", "1 Tr", "1,5 triệu", "5 trăm", "1 tỉ"; a digit after
// the unit word is the next decimal place ("1tr2" = 1,200,000, "2k5" = 2,500, "2 nghìn
// 5" = 2,500); a trailing "+" ("1000+", "1K+": platforms show a lower bound) or "." ("1tr.")
// is ignored; full-width digits are read as digits. Blank (or "-", "n/a", "không rõ",
// "chưa có") is unknown: ok is false and err nil. Negative numbers and other text are errors.
func ParseCount(s string) (n int64, ok bool, err error) {
	t := strings.TrimSpace(width.Narrow.String(s))
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
	k = strings.TrimSpace(strings.TrimSuffix(k, "+"))
	if m := multipliedNumber.FindStringSubmatch(k); m != nil {
		if m[2] != "" && m[4] != "" {
			return 0, false, &ValueError{Value: s, Want: "number"} // "1,2k3"
		}
		f, err := strconv.ParseFloat(m[1]+"."+m[2]+m[4]+"0", 64)
		if err != nil {
			return 0, false, &ValueError{Value: s, Want: "number"}
		}
		// Checked as a float: converting an out-of-range float to int64 gives a
		// negative number.
		v := math.Round(f * multipliers[m[3]])
		if v > MaxCount {
			return 0, false, fmt.Errorf("%w: %q", ErrTooLarge, s)
		}
		return int64(v), true, nil
	}
	k = strings.TrimSuffix(k, ".")
	switch {
	case plainNumber.MatchString(k):
	case groupedNumber.MatchString(k):
		k = strings.NewReplacer(".", "", ",", "", " ", "", " ", "").Replace(k)
	default:
		return 0, false, &ValueError{Value: s, Want: "whole_number"}
	}
	v, err := strconv.ParseInt(k, 10, 64)
	if err != nil || v > MaxCount {
		return 0, false, fmt.Errorf("%w: %q", ErrTooLarge, s)
	}
	return v, true, nil
}

// ParseDay reads a day as people type it: every date form ParseTime reads ("29/03/2023",
// "29/3/23", "29.03.2023", "2023-03-29", "ngày 29 tháng 3 năm 2023", "Thứ Tư,
// 29/03/2023", "29 Mar 2023"…), without a time of day or a zone. The day is midnight in loc.
func ParseDay(s string, loc *time.Location) (time.Time, error) {
	if w, ok := readWritten(s); ok && !w.clock && !w.zoned {
		if t, ok := w.at(loc); ok {
			return t, nil
		}
	}
	return time.Time{}, &ValueError{Value: strings.TrimSpace(s), Want: "date"}
}

// ParseTime reads a moment as people, spreadsheets and news sites write it: RFC 3339; a
// date as in ParseDay with an optional time of day before or after it ("8:14",
// "08:14:05", "20h30", "8:30 CH", "20:30 ngày 29/03/2023", "29/03/2023 lúc 20:30"); an
// optional weekday ("Thứ 5", "T4", "Wed"); and an optional zone ("GMT+7", "GMT+07:00",
// "UTC+7", "+0700", "ICT", "GMT"). A written zone is honoured; without one the moment is
// in loc, the campaign's zone, because that is the clock the writer was looking at.
// Moments read with a zone are returned in loc, except RFC 3339 ones, kept as written.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if w, ok := readWritten(s); ok {
		if t, ok := w.at(loc); ok {
			return t, nil
		}
	}
	return time.Time{}, &ValueError{Value: s, Want: "time"}
}

// WrittenOffset finds a UTC offset or zone name written anywhere in s ("… 20:30 (GMT+7)")
// and returns it in seconds east of UTC. It lets a reader that picks a date out of a
// longer text honour the zone the text names.
func WrittenOffset(s string) (seconds int, ok bool) {
	toks := dateTokens(s)
	for i, tok := range toks {
		if off, n, ok := zoneAt(toks, i); ok && n > 0 {
			return off, true
		} else if m := clockToken.FindStringSubmatch(tok); m != nil && m[6] != "" {
			return offsetOf(m[6])
		}
	}
	return 0, false
}

// written is a date and time as read from text, before it is placed in a zone.
type written struct {
	year, month, day     int
	hour, minute, second int
	clock                bool   // a time of day was written
	meridiem             string // "am" or "pm" (SA/CH in Vietnamese), or ""
	zoned                bool   // an offset or zone name was written
	offset               int    // seconds east of UTC, when zoned
}

var (
	dmyToken = regexp.MustCompile(`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$`)
	ymdToken = regexp.MustCompile(`^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$`)
	isoToken = regexp.MustCompile(`^(\d{4}-\d{1,2}-\d{1,2})t(.+)$`)
	// clockToken is a time of day: 8:14, 08:14:05.123, 20h30, 20h, 8:30pm, 20:30:00+07:00.
	clockToken  = regexp.MustCompile(`^(\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.\d+)?)?|h(\d{2})?)(am|pm|sa|ch)?((z)|[+-]\d{2}:?\d{2})?$`)
	offsetToken = regexp.MustCompile(`^(?:gmt|utc|ut)?([+-])(\d{1,2})(?::?(\d{2}))?$`)
	numberToken = regexp.MustCompile(`^\d{1,4}$`)
)

// monthNames are English month names and abbreviations, as RSS and English-language
// pages write them.
var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
	"sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// weekdayWords are weekday names standing alone: English ones, and the Vietnamese "T2"…
// "T7" and "CN" (Chủ nhật). "Thứ N" takes two words and is read in readWritten.
var weekdayWords = map[string]bool{
	"mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true, "wed": true, "wednesday": true,
	"thur": true, "thurs": true, "thursday": true, "fri": true, "friday": true, "sat": true, "saturday": true,
	"sun": true, "sunday": true, "t2": true, "t3": true, "t4": true, "t5": true, "t6": true, "t7": true, "cn": true,
}

// vietnameseWeekday is what may follow "Thứ" (folded): a digit or the number's name.
var vietnameseWeekday = map[string]bool{"2": true, "3": true, "4": true, "5": true, "6": true, "7": true,
	"hai": true, "ba": true, "tu": true, "nam": true, "sau": true, "bay": true}

// fillerWords carry no part of the moment: "ngày 29/03", "lúc 20:30", "vào", "hồi".
var fillerWords = map[string]bool{"ngay": true, "luc": true, "vao": true, "hoi": true, "-": true, "–": true, "—": true, "|": true, "/": true}

// zoneNames are the zone abbreviations Vietnamese sites write, with their offsets.
var zoneNames = map[string]int{"gmt": 0, "utc": 0, "ut": 0, "z": 0, "ict": 7 * 3600}

// dateTokens folds s (full-width digits to ASCII, lower case, Vietnamese diacritics
// removed) and splits it into words, punctuation that only separates parts removed.
func dateTokens(s string) []string {
	s = Key(width.Narrow.String(s))
	s = strings.NewReplacer(",", " ", "(", " ", ")", " ", "|", " ", "[", " ", "]", " ").Replace(s)
	toks := strings.Fields(s)
	for i, t := range toks {
		if len(t) > 1 {
			toks[i] = strings.TrimSuffix(t, ":")
		}
	}
	return toks
}

// zoneAt reads a zone starting at toks[i]: "gmt+7", "gmt" "+7", "+0700", "ict", "gmt". n is
// the number of tokens used (0 if none).
func zoneAt(toks []string, i int) (offset, n int, ok bool) {
	tok := toks[i]
	if off, known := zoneNames[tok]; known {
		if i+1 < len(toks) && strings.ContainsAny(toks[i+1][:1], "+-") && len(toks[i+1]) > 1 {
			if o, ok := offsetOf(toks[i+1]); ok {
				return o, 2, true
			}
		}
		return off, 1, true
	}
	if strings.HasPrefix(tok, "+") || strings.HasPrefix(tok, "-") || strings.HasPrefix(tok, "gmt") || strings.HasPrefix(tok, "utc") {
		if o, ok := offsetOf(tok); ok {
			return o, 1, true
		}
		if strings.HasPrefix(tok, "gmt") || strings.HasPrefix(tok, "utc") {
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// offsetOf reads "+7", "+07:00", "-0500", "gmt+7", "z" as seconds east of UTC; at most 14 hours.
func offsetOf(s string) (int, bool) {
	if s == "z" {
		return 0, true
	}
	m := offsetToken.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[2])
	mi, _ := strconv.Atoi(m[3])
	off := (h*60 + mi) * 60
	if mi > 59 || off > 14*3600 {
		return 0, false
	}
	if m[1] == "-" {
		off = -off
	}
	return off, true
}

// readWritten reads s word by word; ok is false when a word is not part of a date, a
// time, a weekday or a zone, or when a part is written twice.
func readWritten(s string) (w written, ok bool) {
	toks := dateTokens(s)
	if len(toks) == 0 {
		return w, false
	}
	var (
		haveDate  bool
		monthWord = -1 // index in nums at which a month name or "tháng N" stood
		nums      []int
		numDigits []int
		setClock  = func(m []string) bool {
			if w.clock {
				return false
			}
			w.clock = true
			w.hour, _ = strconv.Atoi(m[1])
			w.minute, _ = strconv.Atoi(m[2] + m[4])
			w.second, _ = strconv.Atoi(m[3])
			w.meridiem = meridiem(m[5])
			if m[6] != "" {
				off, ok := offsetOf(m[6])
				if !ok || w.zoned {
					return false
				}
				w.zoned, w.offset = true, off
			}
			return true
		}
		setDate = func(y, mo, d string) bool {
			if haveDate {
				return false
			}
			haveDate = true
			w.year, _ = strconv.Atoi(y)
			if len(y) == 2 {
				// "29/3/23": people type two-digit years only for this century.
				w.year += 2000
			}
			w.month, _ = strconv.Atoi(mo)
			w.day, _ = strconv.Atoi(d)
			return true
		}
	)
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		switch {
		case fillerWords[tok] || weekdayWords[tok]:
		case tok == "thu" && vietnameseWeekday[next] && monthNames[nextOf(toks, i+2)] == 0:
			i++ // "Thứ 5", "Thứ Tư"; but "Thu 5 Mar" is English
		case tok == "thu" && monthNames[next] == 0 && next != "":
			// English "Thu," before a day: a weekday.
		case tok == "chu" && next == "nhat":
			i++
		case (tok == "thang" || tok == "thg") && numberToken.MatchString(next):
			if monthWord >= 0 {
				return w, false
			}
			w.month, _ = strconv.Atoi(next)
			monthWord = len(nums)
			i++
		case tok == "nam" && numberToken.MatchString(next):
			// "năm 2023": the year follows.
		case monthNames[tok] > 0:
			if monthWord >= 0 {
				return w, false
			}
			w.month = monthNames[tok]
			monthWord = len(nums)
		case dmyToken.MatchString(tok):
			m := dmyToken.FindStringSubmatch(tok)
			if !setDate(m[3], m[2], m[1]) {
				return w, false
			}
		case ymdToken.MatchString(tok):
			m := ymdToken.FindStringSubmatch(tok)
			if !setDate(m[1], m[2], m[3]) {
				return w, false
			}
		case isoToken.MatchString(tok):
			m := isoToken.FindStringSubmatch(tok)
			d := ymdToken.FindStringSubmatch(m[1])
			c := clockToken.FindStringSubmatch(m[2])
			if d == nil || c == nil || !setDate(d[1], d[2], d[3]) || !setClock(c) {
				return w, false
			}
		case clockToken.MatchString(tok) && !numberToken.MatchString(tok):
			if !setClock(clockToken.FindStringSubmatch(tok)) {
				return w, false
			}
		case meridiem(tok) != "":
			if !w.clock || w.meridiem != "" {
				return w, false
			}
			w.meridiem = meridiem(tok)
		case numberToken.MatchString(tok):
			n, _ := strconv.Atoi(tok)
			nums = append(nums, n)
			numDigits = append(numDigits, len(tok))
		default:
			off, n, ok := zoneAt(toks, i)
			if !ok || w.zoned {
				return w, false
			}
			w.zoned, w.offset = true, off
			i += n - 1
		}
	}
	if monthWord >= 0 {
		// "29 tháng 3 năm 2023", "29 Mar 2023", "Mar 29, 2023": a day and a four-digit year.
		if haveDate || len(nums) != 2 || monthWord > 1 || numDigits[1] != 4 || numDigits[0] > 2 {
			return w, false
		}
		haveDate = true
		w.day, w.year = nums[0], nums[1]
	} else if len(nums) > 0 {
		return w, false
	}
	return w, haveDate
}

func nextOf(toks []string, i int) string {
	if i < len(toks) {
		return toks[i]
	}
	return ""
}

// meridiem maps the AM/PM words (SA = sáng, CH = chiều in a Vietnamese Google export)
// to "am" or "pm".
func meridiem(s string) string {
	switch s {
	case "am", "a.m.", "sa", "sang":
		return "am"
	case "pm", "p.m.", "ch", "chieu", "toi":
		return "pm"
	}
	return ""
}

// at places w in loc (or its written zone, converted to loc); ok is false for a day or
// time that does not exist (31/02, 25:00).
func (w written) at(loc *time.Location) (time.Time, bool) {
	h := w.hour
	switch w.meridiem {
	case "pm":
		if h < 12 {
			h += 12
		}
	case "am":
		if h == 12 {
			h = 0
		}
	}
	if w.year < 1 || w.year > 9999 || w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 ||
		h > 23 || w.minute > 59 || w.second > 59 {
		return time.Time{}, false
	}
	zone := loc
	if w.zoned {
		zone = time.FixedZone("", w.offset)
	}
	t := time.Date(w.year, time.Month(w.month), w.day, h, w.minute, w.second, 0, zone)
	if t.Day() != w.day {
		return time.Time{}, false // 31/02
	}
	return t.In(loc), true
}
