package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
)

// TestWrongTokensFromManyAddressesAreCapped: guessing form links from many addresses at
// once (each under its own limit) is capped as one, logged once, and while the cap holds
// no link is looked up — a right one is refused too, so the cap is a real bound on the
// guessing rate; it refills with time.
func TestWrongTokensFromManyAddressesAreCapped(t *testing.T) {
	t.Parallel()
	now := testNow
	s := newTestServer(t, "", func(o *Options) {
		o.AddrLimit = Limit{PerMinute: 1000, Burst: 1000}
		o.TokenLimit = Limit{PerMinute: 1000, Burst: 1000}
		o.GuessLimit = Limit{PerMinute: 6, Burst: 3} // one guess back every 10 s
		o.Now = func() time.Time { return now }
	})
	get := func(addr, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/submit/"+token, nil)
		r.RemoteAddr = addr + ":40000"
		r.Host = "127.0.0.1"
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		return w
	}
	for i := range 3 {
		if w := get(fmt.Sprintf("203.0.113.%d", i+1), fmt.Sprintf("wrong-guess-%016d", i)); w.Code != http.StatusForbidden {
			t.Fatalf("guess %d from its own address: %d, want 403", i, w.Code)
		}
	}
	if w := get("203.0.113.50", "wrong-guess-0000000000000099"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("a fourth guess from a fourth address: %d, want 429", w.Code)
	}
	w := get("198.51.100.7", testkit.UnitToken)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "10" {
		t.Fatalf("a right link while the budget is empty: %d Retry-After %q, want 429 and 10", w.Code, w.Header().Get("Retry-After"))
	}
	get("198.51.100.8", "wrong-guess-0000000000000100")
	if n := strings.Count(s.log.String(), "someone may be guessing tokens"); n != 1 {
		t.Errorf("the exhaustion was logged %d times, want once:\n%s", n, s.log)
	}
	now = now.Add(10 * time.Second)
	if w := get("198.51.100.7", testkit.UnitToken); w.Code != http.StatusOK {
		t.Fatalf("after the refill a right link: %d, want 200", w.Code)
	}
}

// TestLimiterEvictsTheLeastRecentlySeen: a table full of busy addresses drops the
// oldest tenth, not everyone — an address that just spent its burst stays limited.
func TestLimiterEvictsTheLeastRecentlySeen(t *testing.T) {
	t.Parallel()
	now := testNow
	l := newRateLimiter(Limit{PerMinute: 1, Burst: 1}, func() time.Time { return now })
	for i := range maxBuckets {
		now = now.Add(time.Millisecond)
		if ok, _ := l.allow(fmt.Sprint("addr-", i)); !ok {
			t.Fatalf("first request of addr-%d refused", i)
		}
	}
	now = now.Add(time.Millisecond)
	if ok, _ := l.allow("newcomer"); !ok {
		t.Fatal("a new address refused")
	}
	if n := len(l.buckets); n != maxBuckets*9/10+1 {
		t.Fatalf("%d buckets after the eviction, want %d", n, maxBuckets*9/10+1)
	}
	if _, kept := l.buckets["addr-0"]; kept {
		t.Error("the oldest address was kept")
	}
	if ok, _ := l.allow(fmt.Sprint("addr-", maxBuckets-1)); ok {
		t.Error("the most recent address got a fresh burst: the table was forgotten")
	}
}
