package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/deliver"
)

func TestPostSignedReport(t *testing.T) {
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		mu.Unlock()
		w.WriteHeader(status)
	}))
	defer srv.Close()
	now := time.Unix(1680048000, 0)
	ch := New(Settings{URL: srv.URL + "/hook?token=bí-mật-url", Secret: "khóa-chung", Client: srv.Client(), Now: func() time.Time { return now }})
	if r := ch.Recipients("cds"); len(r) != 1 || strings.Contains(r[0], "token") {
		t.Fatalf("recipients %v", r)
	}
	m := deliver.Message{
		Campaign: collector.Campaign{ID: "cds"}, Day: time.Date(2023, 3, 29, 0, 0, 0, 0, time.UTC),
		Subject: "[#TuoitreDakLak] Báo cáo ngày 29/03/2023: 312/300 bài", Text: "Chiến dịch…\n",
		JSON:  []byte(`{"campaign":"cds","posts_total":312}`),
		Files: []deliver.File{{Name: "cds-2023-03-29.png", ContentType: "image/png", Data: []byte("png"), Link: "https://ht.example.org/reports/cds/2023-03-29.png"}},
	}
	if err := ch.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d requests", len(got))
	}
	r, body := got[0], bodies[0]
	ts, _ := strconv.ParseInt(r.Header.Get(TimestampHeader), 10, 64)
	if ts != now.Unix() || !Verify([]byte("khóa-chung"), ts, body, r.Header.Get(SignatureHeader)) {
		t.Fatalf("signature %q ts %d does not verify", r.Header.Get(SignatureHeader), ts)
	}
	if Verify([]byte("khóa-khác"), ts, body, r.Header.Get(SignatureHeader)) {
		t.Fatal("a wrong secret verifies")
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Campaign != "cds" || p.Day != "2023-03-29" || p.Subject != m.Subject || len(p.Files) != 1 ||
		p.Files[0].URL != m.Files[0].Link || p.Files[0].Size != 3 || !strings.Contains(string(p.Report), `"posts_total":312`) {
		t.Errorf("payload %+v", p)
	}

	status = http.StatusBadGateway
	err := ch.Send(context.Background(), m)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 502 {
		t.Fatalf("err %v", err)
	}
	srv.Close()
	err = ch.Send(context.Background(), m)
	if err == nil || strings.Contains(err.Error(), "bí-mật-url") || strings.Contains(err.Error(), "khóa-chung") {
		t.Fatalf("err %v (must not show the token or secret)", err)
	}
}
