package collector

import (
	"fmt"
	"strconv"
)

// Count is a number that may be unknown: one metric of a post, a sum over posts, the
// change against the previous period. A platform that does not show a number leaves it
// unknown, and unknown is kept apart from zero all the way to the report's JSON (null).
type Count struct {
	N     int64
	Known bool
}

// Known returns a known count.
func Known(n int64) Count { return Count{N: n, Known: true} }

// KnownIf returns n as a known count when ok, else unknown; it reads the (n, ok) pairs
// of Metrics.Engagement and of the store's sums with their tallies of known posts.
func KnownIf(n int64, ok bool) Count {
	if !ok {
		return Count{}
	}
	return Known(n)
}

// Plus adds o to c. A sum over posts is known as soon as one post showed the number and
// stays unknown (not 0) while none did, so one unknown term does not hide the others.
func (c Count) Plus(o Count) Count {
	switch {
	case !o.Known:
		return c
	case !c.Known:
		return o
	}
	return Known(c.N + o.N)
}

// Minus is the change from o to c. It is unknown when either side is: a change against
// an unknown period is not a change against zero.
func (c Count) Minus(o Count) Count {
	if !c.Known || !o.Known {
		return Count{}
	}
	return Known(c.N - o.N)
}

// MarshalJSON writes the number, or null when unknown.
func (c Count) MarshalJSON() ([]byte, error) {
	if !c.Known {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, c.N, 10), nil
}

// UnmarshalJSON reads a number or null.
func (c *Count) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*c = Count{}
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("collector: count %s: %w", b, err)
	}
	*c = Known(n)
	return nil
}

// String shows the number, or "n/a" when unknown.
func (c Count) String() string {
	if !c.Known {
		return "n/a"
	}
	return strconv.FormatInt(c.N, 10)
}
