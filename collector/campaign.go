package collector

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector/hashtag"
)

// DefaultTimeZone is where the campaigns this tool was built for take place.
const DefaultTimeZone = "Asia/Ho_Chi_Minh"

// Campaign is a hashtag campaign: what to look for, when, and how many posts are wanted.
type Campaign struct {
	ID       string
	Name     string
	Hashtag  string    // the primary tag, with '#'
	Variants []string  // other accepted spellings
	Start    time.Time // midnight of the first day, in Location
	End      time.Time // midnight of the last day, in Location; zero = open-ended
	Target   int       // wanted number of posts; 0 = none
	Location *time.Location
}

// Tags returns the primary tag followed by the variants.
func (c Campaign) Tags() []string { return append([]string{c.Hashtag}, c.Variants...) }

// Matcher returns a matcher for the campaign's tags.
func (c Campaign) Matcher() *hashtag.Matcher { return hashtag.NewMatcher(c.Tags()...) }

// Loc is the campaign's time zone, never nil.
func (c Campaign) Loc() *time.Location {
	if c.Location == nil {
		return DefaultLocation()
	}
	return c.Location
}

// DefaultLocation returns Asia/Ho_Chi_Minh (the binary embeds tzdata), or a fixed
// UTC+7 zone if it cannot be loaded.
func DefaultLocation() *time.Location { return defaultLocation() }

// defaultLocation loads the zone once: time.LoadLocation reads and parses it on every
// call (about 20 µs, a quarter of mapping an imported row to a post). A *time.Location
// is safe to share.
var defaultLocation = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
})

// Unit is a grassroots branch (Đoàn cơ sở) that posts for a campaign.
type Unit struct {
	ID      string
	Name    string
	Aliases []string
	// Audience is the followers of the unit's accounts that are not connected to an
	// official API (`audience` in its [[unit]]); unknown when not configured. The report
	// adds the connected accounts' audiences to it for the potential reach.
	Audience Count
}

// Units is the configured list of units.
type Units []Unit

// UnknownUnitError is returned for a unit nobody configured, or for a short name that
// several units end with. Closest carries the closest known units, or every candidate
// when Ambiguous, so the person who typed it can correct it.
type UnknownUnitError struct {
	Given     string
	Closest   []Unit
	Ambiguous bool // several units match Given; Closest lists them all
}

func (e *UnknownUnitError) Error() string {
	if len(e.Closest) == 0 {
		return fmt.Sprintf("unknown unit %q", e.Given)
	}
	names := make([]string, len(e.Closest))
	for i, u := range e.Closest {
		names[i] = fmt.Sprintf("%s (%s)", u.Name, u.ID)
	}
	if e.Ambiguous {
		return fmt.Sprintf("unit %q matches several units: %s", e.Given, strings.Join(names, ", "))
	}
	return fmt.Sprintf("unknown unit %q; closest: %s", e.Given, strings.Join(names, ", "))
}

// Key is how unit names are compared: case, spacing and diacritics do not matter.
func Key(s string) string {
	var b strings.Builder
	for _, f := range strings.Fields(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hashtag.Key(f))
	}
	return b.String()
}

// Find returns the unit whose id, name or one of whose aliases equals s (compared by
// Key). Failing that, it accepts the name without its kind — the last words of a name
// or alias, as people say "Ea Kar" for Huyện Đoàn Ea Kar or "Krong Pac" for Huyện Đoàn
// Krông Pắc — when exactly one unit ends so; several such units give an
// *UnknownUnitError with Ambiguous set listing them all, none one listing up to three
// closest units.
func (us Units) Find(s string) (Unit, error) {
	k := Key(s)
	if k == "" {
		return Unit{}, &UnknownUnitError{Given: s}
	}
	for _, u := range us {
		if Key(u.ID) == k || Key(u.Name) == k {
			return u, nil
		}
		for _, a := range u.Aliases {
			if Key(a) == k {
				return u, nil
			}
		}
	}
	var cands []Unit
	for _, u := range us {
		for _, name := range append([]string{u.Name}, u.Aliases...) {
			// Whole trailing words only: "ea kar" ends "huyen doan ea kar", "a kar"
			// does not.
			if strings.HasSuffix(Key(name), " "+k) {
				cands = append(cands, u)
				break
			}
		}
	}
	switch len(cands) {
	case 0:
		return Unit{}, &UnknownUnitError{Given: s, Closest: us.closest(k, 3)}
	case 1:
		return cands[0], nil
	}
	return Unit{}, &UnknownUnitError{Given: s, Closest: cands, Ambiguous: true}
}

// ByID returns the unit with that id.
func (us Units) ByID(id string) (Unit, bool) {
	i := slices.IndexFunc(us, func(u Unit) bool { return u.ID == id })
	if i < 0 {
		return Unit{}, false
	}
	return us[i], true
}

// closest ranks units by the smallest edit distance between k and any of their keys,
// favouring names that contain k.
func (us Units) closest(k string, n int) []Unit {
	type scored struct {
		u Unit
		d int
	}
	var all []scored
	for _, u := range us {
		best := -1
		for _, cand := range append([]string{u.ID, u.Name}, u.Aliases...) {
			ck := Key(cand)
			d := distance(k, ck)
			if strings.Contains(ck, k) || strings.Contains(k, ck) {
				d = min(d, abs(len(ck)-len(k))/4)
			}
			if best < 0 || d < best {
				best = d
			}
		}
		all = append(all, scored{u, best})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].d < all[j].d })
	var out []Unit
	limit := max(3, len(k)/2)
	for _, s := range all {
		if len(out) == n || s.d > limit {
			break
		}
		out = append(out, s.u)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// distance is the Levenshtein distance between a and b, by runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// MatchCampaigns returns the ids of the campaigns whose tags occur in any of texts (a
// title, a body with HTML already stripped, a feed item's categories).
func MatchCampaigns(campaigns []Campaign, texts ...string) []string {
	var ids []string
	for _, c := range campaigns {
		m := c.Matcher()
		for _, t := range texts {
			if m.Has(t) || m.MatchTags([]string{t}) {
				ids = append(ids, c.ID)
				break
			}
		}
	}
	return ids
}
