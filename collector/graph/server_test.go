package graph

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/fetch"
	"github.com/tinhdoandaklak/hashtrack/internal/secret"
)

// testToken is the token every test source holds; a test fails if it shows up anywhere
// but the Authorization header.
const testToken = "EAAGm0PX4ZCpsBAtestPageToken0123456789abcdefXYZ"

const (
	pageID   = "104123456789012"
	igUserID = "17841405309211844"
	igTagID  = "17843857450040591"
)

// reply is one answer of the fake Graph: a fixture from testdata ({{BASE}} and
// {{TOKEN}} replaced) with a status and headers.
type reply struct {
	status int
	file   string
	body   []byte // instead of a file
	header map[string]string
}

// fakeGraph answers like graph.facebook.com from the recorded fixtures, and records
// every request.
type fakeGraph struct {
	t        testing.TB
	srv      *httptest.Server
	mu       sync.Mutex
	seen     []string // request URIs
	auth     []string // Authorization headers
	override func(r *http.Request) (reply, bool)
	me       string // fixture for /me
	ids      map[string]json.RawMessage
}

func newFakeGraph(t testing.TB) *fakeGraph {
	g := &fakeGraph{t: t, me: "me_page.json"}
	if err := json.Unmarshal(g.fixture("ids.json"), &g.ids); err != nil {
		t.Fatal(err)
	}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGraph) fixture(name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		g.t.Fatal(err)
	}
	if g.srv != nil {
		b = []byte(strings.ReplaceAll(string(b), "{{BASE}}", g.srv.URL))
	}
	return []byte(strings.ReplaceAll(string(b), "{{TOKEN}}", testToken))
}

func (g *fakeGraph) requests() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.seen...)
}

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.seen = append(g.seen, r.URL.RequestURI())
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	g.mu.Unlock()
	rep := g.route(r)
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		rep = reply{status: 400, file: "error_190_463.json"}
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if rep.status == 0 {
		rep.status = 200
	}
	w.WriteHeader(rep.status)
	if rep.file != "" {
		w.Write(g.fixture(rep.file))
	}
	w.Write(rep.body)
}

func (g *fakeGraph) route(r *http.Request) reply {
	if g.override != nil {
		if rep, ok := g.override(r); ok {
			return rep
		}
	}
	q := r.URL.Query()
	p := r.URL.Path
	switch {
	case p == "/v21.0/"+pageID:
		return reply{file: "page.json"}
	case p == "/v21.0/"+pageID+"/posts" && q.Get("after") == "":
		return reply{file: "posts1.json"}
	case p == "/v21.0/"+pageID+"/posts" && q.Get("after") == "QVFIUmxtYzRfYWZ0ZXIxZAZDZD":
		return reply{file: "posts2.json"}
	case strings.HasSuffix(p, "/insights") && q.Get("metric") == insightMetrics:
		return reply{file: "insights.json"}
	case p == "/v21.0/" && q.Get("fields") == engagementFields:
		if strings.Contains(q.Get("ids"), "870000000000009") {
			return reply{status: 400, file: "error_803.json"}
		}
		return reply{file: "ids.json"}
	case p == "/v21.0/"+pageID+"_870000000000009":
		return reply{status: 400, file: "error_100_33.json"}
	case p == "/v21.0/me":
		return reply{file: g.me}
	case p == "/v21.0/me/permissions":
		if g.me == "me_page.json" {
			return reply{status: 400, file: "error_100_33.json"}
		}
		return reply{file: "permissions.json"}
	case p == "/v21.0/ig_hashtag_search" && q.Get("user_id") == igUserID && q.Get("q") == "TuoitreDakLakTienphongChuyendoiso":
		return reply{file: "ig_search.json"}
	case p == "/v21.0/ig_hashtag_search":
		return reply{body: []byte(`{"data":[]}`)}
	case p == "/v21.0/"+igTagID+"/recent_media" && q.Get("user_id") == igUserID && q.Get("after") == "":
		return reply{file: "ig_recent1.json"}
	case p == "/v21.0/"+igTagID+"/recent_media" && q.Get("after") != "":
		return reply{file: "ig_recent2.json"}
	case p == "/v21.0/"+igUserID:
		return reply{file: "ig_user.json"}
	}
	if id := strings.TrimPrefix(p, "/v21.0/"); g.ids[id] != nil {
		return reply{body: g.ids[id]}
	}
	return reply{status: 404, file: "error_100_33.json"}
}

// testFetcher is the shared fetch client with the loopback allowed, for tests only.
func testFetcher() *fetch.Client {
	return fetch.New(fetch.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
}

var testNow = time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)

func testCampaign() collector.Campaign {
	loc := collector.DefaultLocation()
	return collector.Campaign{ID: "cds", Hashtag: "#TuoitreDakLakTienphongChuyendoiso", Variants: []string{"#TuổiTrẻĐắkLắkTiênPhongChuyểnĐổiSố"},
		Start: time.Date(2026, 11, 1, 0, 0, 0, 0, loc), Location: loc}
}

func fbSource(g *fakeGraph, opts map[string]any) collector.Source {
	o := map[string]any{"page_id": pageID, "api_base": g.srv.URL}
	for k, v := range opts {
		o[k] = v
	}
	return collector.Source{Name: "fb-tinh-doan", Kind: "facebook_page", URL: "https://www.facebook.com/tuoitredaklak", Unit: "tinh-doan",
		Campaigns: []string{"cds"}, Options: o, Token: secret.Secret(testToken), TokenEnv: "FB_PAGE_TOKEN"}
}

func igSource(g *fakeGraph) collector.Source {
	return collector.Source{Name: "ig-tinh-doan", Kind: "instagram_hashtag", URL: "https://www.instagram.com/tuoitredaklak.official", Unit: "tinh-doan",
		Schedule: "0 */4 * * *", Campaigns: []string{"cds"}, Options: map[string]any{"user_id": igUserID, "api_base": g.srv.URL},
		Token: secret.Secret(testToken), TokenEnv: "IG_TOKEN"}
}

func request(src collector.Source, state collector.SourceState) collector.Request {
	return collector.Request{Source: src, State: state, Campaigns: []collector.Campaign{testCampaign()}, Fetcher: testFetcher(), Now: testNow}
}
