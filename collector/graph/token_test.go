package graph

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/tinhdoandaklak/hashtrack/collector"
)

// The token reaches the API in the Authorization header and nowhere else: not in a
// request address, an error, a Problem, a log line or anything a run returns (which
// the store keeps, raw items included).
func TestTokenAppearsNowhere(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	var texts []string
	record := func(what string, v any, err error) {
		if r, ok := v.(collector.Result); ok {
			// Everything but Commit, a function json cannot encode.
			v = map[string]any{"posts": r.Posts, "raw": r.Raw, "state": r.State, "seen": r.ItemsSeen, "problems": r.Problems, "audiences": r.Audiences, "usage": r.Usage}
		}
		b, jerr := json.Marshal(v)
		if jerr != nil {
			t.Fatal(jerr)
		}
		texts = append(texts, string(b))
		if err != nil {
			texts = append(texts, err.Error())
			log.Error(what, slog.Any("err", err))
		}
		log.Info(what, slog.Any("result", v))
	}

	g := newFakeGraph(t)
	fb := newFB(t, fbSource(g, map[string]any{"insights": true}))
	req := request(fb.src, collector.SourceState{})
	log.Info("run", slog.Any("source", req.Source), slog.Any("request", req))
	res, err := fb.Collect(t.Context(), req)
	record("collect", res, err)
	for _, p := range res.Problems {
		texts = append(texts, p.String())
	}
	ref, err := fb.Refresh(t.Context(), req, []collector.Post{{ID: "x", URL: "https://facebook.com/104123456789012/posts/870000000000009"}, res.Posts[0]})
	record("refresh", ref, err)
	chk, err := fb.Check(t.Context(), req)
	record("check", chk, err)

	ig := newIG(t, igSource(g))
	igRes, err := ig.Collect(t.Context(), request(ig.src, collector.SourceState{}))
	record("instagram", igRes, err)
	for _, p := range igRes.Problems {
		texts = append(texts, p.String())
	}

	// Refusals that quote the token back.
	for _, file := range []string{"error_190_echo.json", "error_100_echo.json"} {
		g.override = func(r *http.Request) (reply, bool) { return reply{status: 400, file: file}, true }
		res, err := fb.Collect(t.Context(), req)
		if err == nil {
			t.Fatalf("%s: no error", file)
		}
		record(file, res, err)
	}

	texts = append(texts, logs.String())
	texts = append(texts, g.requests()...)
	for _, s := range texts {
		if strings.Contains(s, testToken) || strings.Contains(s, testToken[:20]) {
			t.Errorf("token in %.300s", s)
		}
	}
	if !strings.Contains(logs.String(), `[ẩn]`) || !strings.Contains(strings.Join(texts, "\n"), "Param access_token [ẩn] does not belong") {
		t.Errorf("the test saw no hidden token: %.500s", logs.String())
	}
	// And the token did go where it belongs.
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.auth) < 15 {
		t.Fatalf("%d requests", len(g.auth))
	}
	for _, a := range g.auth {
		if a != "Bearer "+testToken {
			t.Fatalf("Authorization %q", a)
		}
	}
}
