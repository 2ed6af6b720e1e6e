package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
	"github.com/tinhdoandaklak/hashtrack/store"
)

const ydToken = "ydbmt-0123456789abcdef"

// claimTokens gives the second unit a form link of its own.
const claimTokens = `
[[token]]
token = "ydbmt-0123456789abcdef"
unit = "dh-y-duoc-bmt"
`

// claim is one submission of a post; reply is what the submitter was shown.
type claim struct{ unit, link, author, note string }

// channels are the four ways a post reaches the store: the command line's library
// call (what `hashtrack submit` runs), a sheet import, the form and the API.
var channels = map[string]func(t *testing.T, s *testServer, c claim) (reply string){
	"cli": func(t *testing.T, s *testServer, c claim) string {
		p, errs := s.builder.Build(manual.Input{URL: c.link, Unit: c.unit, Author: c.author, Note: c.note, Source: "cli", ObservedAt: testNow})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		sub, err := s.ingest.Submit(context.Background(), p, ingest.Origin{})
		if err != nil {
			t.Fatal(err)
		}
		return OutcomeMessage(sub.Outcome, sub.Post)
	},
	"sheet": func(t *testing.T, s *testServer, c claim) string {
		path := filepath.Join(t.TempDir(), "gui-bai.csv")
		body := "url,unit,author,note\n" + c.link + "," + c.unit + "," + c.author + "," + c.note + "\n"
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		k, _ := s.c.CampaignByID("cds")
		res, err := s.ingest.ImportFile(context.Background(), path, ingest.FileOptions{Campaign: k})
		if err != nil || res.ReadErr != nil || len(res.Problems) > 0 {
			t.Fatalf("import: %v %v %v", err, res.ReadErr, res.Problems)
		}
		b, _ := json.Marshal(res.Held)
		return string(b)
	},
	"form": func(t *testing.T, s *testServer, c claim) string {
		tok := testkit.UnitToken
		if c.unit == "dh-y-duoc-bmt" {
			tok = ydToken
		}
		r := s.postForm(t, tok, url.Values{"url": {c.link}, "author": {c.author}, "note": {c.note}})
		if r.status != http.StatusOK {
			t.Fatalf("form: %d\n%s", r.status, r.body)
		}
		return r.body
	},
	"api": func(t *testing.T, s *testServer, c claim) string {
		tok := testkit.UnitToken
		if c.unit == "dh-y-duoc-bmt" {
			tok = ydToken
		}
		b, _ := json.Marshal(map[string]string{"url": c.link, "author": c.author, "note": c.note})
		r := s.postJSON(t, tok, string(b))
		if r.status != http.StatusOK && r.status != http.StatusCreated {
			t.Fatalf("api: %d\n%s", r.status, r.body)
		}
		return r.body
	},
}

// TestClaimThroughEveryPairOfChannels: a post recorded by Tân Lợi and then sent by
// another unit, under another link variant, through every pair of channels, keeps its
// owner and the owner's fields; the claim is recorded once; the second submitter is
// told another unit holds the post and is shown none of the owner's fields.
func TestClaimThroughEveryPairOfChannels(t *testing.T) {
	t.Parallel()
	owner := claim{unit: "tan-loi", link: "https://www.facebook.com/permalink.php?story_fbid=111&id=222",
		author: "TacGiaChuSoHuu", note: "GhiChuRiengCuaTanLoi"}
	other := claim{unit: "dh-y-duoc-bmt", link: "https://m.facebook.com/permalink.php?id=222&story_fbid=111&fbclid=IwAR0abc",
		author: "NguoiKhac", note: "GhiChuCuaTruongYDuoc"}
	for _, first := range []string{"cli", "sheet", "form", "api"} {
		for _, second := range []string{"cli", "sheet", "form", "api"} {
			t.Run(first+"→"+second, func(t *testing.T) {
				s := newTestServer(t, claimTokens)
				channels[first](t, s, owner)
				reply := channels[second](t, s, other)
				st := s.st
				ps := allPosts(t, st)
				if len(ps) != 1 {
					t.Fatalf("%d posts; want 1", len(ps))
				}
				p := ps[0]
				if p.Unit != "tan-loi" || p.Author != owner.author || p.Note != owner.note || p.Review != collector.ReviewCounted {
					t.Errorf("owner's post changed: unit %q author %q note %q review %q", p.Unit, p.Author, p.Note, p.Review)
				}
				if p.OpenConflicts() != 1 || p.Conflicts[0].Unit != "dh-y-duoc-bmt" {
					t.Errorf("conflicts %+v; want one open claim of dh-y-duoc-bmt", p.Conflicts)
				}
				lo, err := st.LeftOut("cds")
				if err != nil || lo.Conflicts != 1 || lo.Pending != 0 {
					t.Errorf("left out %+v %v; want 1 conflict, 0 pending", lo, err)
				}
				hist, _ := st.History(p.ID)
				claims := 0
				for _, e := range hist {
					if e.Action == store.ActionClaim {
						claims++
					}
				}
				if claims != 1 {
					t.Errorf("%d claims in the audit trail; want 1", claims)
				}
				for _, leak := range []string{owner.author, owner.note, "Tân Lợi", "tan-loi"} {
					if strings.Contains(reply, leak) {
						t.Errorf("the other unit was shown %q:\n%s", leak, reply)
					}
				}
				switch second {
				case "sheet":
					if !strings.Contains(reply, `"Conflicts":1`) {
						t.Errorf("import does not count the claim: %s", reply)
					}
				default:
					if !strings.Contains(reply, "đã được một đơn vị khác ghi nhận trước") {
						t.Errorf("the submitter is not told another unit holds the post:\n%s", reply)
					}
				}
			})
		}
	}
}

func allPosts(t *testing.T, st *store.Store) []collector.Post {
	t.Helper()
	var out []collector.Post
	if err := st.Posts(context.Background(), store.Query{AnyState: true}, func(p collector.Post) error {
		out = append(out, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestResubmittedRejectedPostStaysRejected: staff rejected a post; the same unit
// sends it again by the form and the API: it stays rejected and uncounted, and the
// submitter is told it is under review, not that it was accepted.
func TestResubmittedRejectedPostStaysRejected(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, "")
	link := "https://zalo.me/p/tu-choi"
	if r := s.postForm(t, testkit.UnitToken, url.Values{"url": {link}}); r.status != 200 {
		t.Fatalf("first: %d", r.status)
	}
	p := s.post(t, link)
	if _, err := s.st.Decide(context.Background(), "can-bo", []store.Decision{{Post: p.ID, Action: store.ActionReject, Reason: "không phải bài của chiến dịch"}}); err != nil {
		t.Fatal(err)
	}
	r := s.postForm(t, testkit.UnitToken, url.Values{"url": {link + "?utm_source=zalo"}, "likes": {"50"}})
	if r.status != 200 || !strings.Contains(r.body, "đang được ban tổ chức xem xét — chưa được tính") || strings.Contains(r.body, "Đã ghi nhận bài đăng mới") {
		t.Errorf("form re-submission: %d\n%s", r.status, r.body)
	}
	r = s.postJSON(t, testkit.UnitToken, `{"url":"`+link+`"}`)
	var api struct{ Outcome, Message, Review string }
	if err := json.Unmarshal([]byte(r.body), &api); err != nil || r.status != 200 || api.Review != "rejected" ||
		!strings.Contains(api.Message, "đang được ban tổ chức xem xét") {
		t.Errorf("api re-submission: %d %+v\n%s", r.status, api, r.body)
	}
	if p := s.post(t, link); p.Review != collector.ReviewRejected {
		t.Errorf("re-submitted post is %q; want rejected", p.Review)
	}
	lo, _ := s.st.LeftOut("cds")
	if lo.Rejected != 1 {
		t.Errorf("left out %+v; want 1 rejected", lo)
	}
}
