package web

import (
	"math"
	"slices"
	"sync"
	"time"
)

// rateLimiter is a token bucket per key (a form token, a client address): each key
// may spend burst requests at once and gets perMinute back every minute.
type rateLimiter struct {
	mu        sync.Mutex
	perSecond float64
	burst     float64
	buckets   map[string]*bucket
	now       func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the memory a flood of distinct addresses can take; full buckets
// (keys that have been quiet) are dropped first, then the least recently used.
const maxBuckets = 10000

func newRateLimiter(l Limit, now func() time.Time) *rateLimiter {
	if now == nil {
		now = time.Now
	}
	return &rateLimiter{perSecond: float64(l.PerMinute) / 60, burst: float64(l.Burst), buckets: map[string]*bucket{}, now: now}
}

// allow spends one request of key; when none is left it says how long to wait.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSecond)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.perSecond * float64(time.Second))
	return false, wait
}

func (l *rateLimiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.perSecond >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < maxBuckets {
		return
	}
	// Everyone is busy: forget the least recently seen tenth. Forgetting everyone would
	// hand a fresh burst to the very addresses that filled the table.
	keys := make([]string, 0, len(l.buckets))
	for k := range l.buckets {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return l.buckets[a].last.Compare(l.buckets[b].last) })
	for _, k := range keys[:len(keys)-maxBuckets*9/10] {
		delete(l.buckets, k)
	}
}

// retryAfterSeconds is the Retry-After value for a wait: whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
