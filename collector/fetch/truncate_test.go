package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// TestTruncate: a capped body either fails (the default, for feeds that must be whole)
// or, with Request.Truncate, is cut at the cap (pages whose head is all that is needed).
func TestTruncate(t *testing.T) {
	page := strings.Repeat("a", 3000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(page)) }))
	defer srv.Close()
	c := New(Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if _, err := c.Get(context.Background(), Request{URL: srv.URL, MaxBody: 1000}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("without Truncate: %v; want ErrTooLarge", err)
	}
	r, err := c.Get(context.Background(), Request{URL: srv.URL, MaxBody: 1000, Truncate: true})
	if err != nil || len(r.Body) != 1000 || !r.Truncated {
		t.Fatalf("with Truncate: %v, %d bytes, truncated %v", err, len(r.Body), r != nil && r.Truncated)
	}
	r, err = c.Get(context.Background(), Request{URL: srv.URL, MaxBody: 3000, Truncate: true})
	if err != nil || len(r.Body) != 3000 || r.Truncated {
		t.Fatalf("exactly at the cap: %v, %d bytes, truncated %v", err, len(r.Body), r.Truncated)
	}
}
