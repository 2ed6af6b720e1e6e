// Package web is the daemon's HTTP face: the branches' submission form
// (/submit/{token}), its JSON twin (/api/submit/{token}), the campaign index, the report
// files, the health check, the form's static files and the staff console (/console/…,
// behind /login), with per-address and per-token rate limits, security headers,
// cross-origin protection and a Host check. A submission goes through the one builder
// (collector/manual) and the ingest runner it is given; the console's actions call the
// same library functions as the command line (review decisions, ingest.Runner, the
// daemon's report function). The server never stores a post any other way.
package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tinhdoandaklak/hashtrack/collector"
	"github.com/tinhdoandaklak/hashtrack/collector/canon"
	"github.com/tinhdoandaklak/hashtrack/collector/manual"
	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/ingest"
	"github.com/tinhdoandaklak/hashtrack/store"
)

//go:embed assets
var assets embed.FS

var pages = template.Must(template.New("").ParseFS(assets, "assets/*.html"))

// maxSubmissionBody is the most a form post or API call may send.
const maxSubmissionBody = 64 << 10

// Default rate limits. Many phones in Việt Nam share one carrier address, and a
// campaign token is shared by every branch, so they are generous; they are there to
// stop a script, not a busy morning.
const (
	addrPerMinute, addrBurst   = 60, 30
	tokenPerMinute, tokenBurst = 120, 120
	// A branch mistyping its link now and then is far below this; only many
	// addresses guessing together reach it.
	guessPerMinute, guessBurst = 60, 120
)

// allAddresses is the one key of the wrong-token budget.
const allAddresses = "*"

// Limit is a rate limit: Burst requests at once, PerMinute more every minute.
type Limit struct {
	PerMinute, Burst int
}

// Options are what a Server needs, all handed in by its caller (the daemon).
type Options struct {
	Config *config.Config
	// Store is the daemon's, open for the server's lifetime.
	Store *store.Store
	// Runner stores submissions at once, a new link queued for a check of its page
	// when its ReadPages is set (the daemon reads it): the same runner the jobs use.
	Runner *ingest.Runner
	Log    *slog.Logger     // nil = slog.Default()
	Now    func() time.Time // nil = time.Now
	// AddrLimit and TokenLimit replace the default rate limits per client address and
	// per form token (tests, a fuzzer); the zero Limit is the default.
	AddrLimit, TokenLimit Limit
	// GuessLimit replaces the default cap on wrong form tokens from all addresses
	// together; the zero Limit is the default.
	GuessLimit Limit
	// MakeReport writes today's reports now (the console's "make it now"): the
	// daemon's report function, report.WriteArchive underneath. nil hides the button.
	MakeReport func(ctx context.Context) ([]string, error)
	// SessionTTL, MaxFailures and Lockout replace the staff login defaults
	// (DefaultSessionTTL, DefaultMaxFailures, DefaultLockout) when not zero.
	SessionTTL  time.Duration
	MaxFailures int
	Lockout     time.Duration
}

// Server answers the daemon's pages. Build it with New; Close releases the report folder.
type Server struct {
	c       *config.Config
	st      *store.Store
	log     *slog.Logger
	now     func() time.Time
	perAddr *rateLimiter
	perTok  *rateLimiter
	// guesses is one bucket for every wrong token from anywhere: many addresses
	// guessing together are capped as one. While it is empty no token is looked up.
	guesses      *rateLimiter
	guessTripped bool // logged once per exhaustion, guarded by guesses.mu
	reports      *os.Root
	ingest       *ingest.Runner
	builder      *manual.Builder
	handler      http.Handler
	// The staff console.
	auth       *auth
	review     reviewDesk
	uploads    *uploads
	makeReport func(ctx context.Context) ([]string, error)
}

// New checks the options and opens the report folder (creating it) for /reports/.
func New(o Options) (*Server, error) {
	if o.Config == nil || o.Store == nil || o.Runner == nil {
		return nil, errors.New("web: Options need a Config, a Store and a Runner")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AddrLimit == (Limit{}) {
		o.AddrLimit = Limit{PerMinute: addrPerMinute, Burst: addrBurst}
	}
	if o.TokenLimit == (Limit{}) {
		o.TokenLimit = Limit{PerMinute: tokenPerMinute, Burst: tokenBurst}
	}
	if o.GuessLimit == (Limit{}) {
		o.GuessLimit = Limit{PerMinute: guessPerMinute, Burst: guessBurst}
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = DefaultMaxFailures
	}
	if o.Lockout <= 0 {
		o.Lockout = DefaultLockout
	}
	c := o.Config
	dir := c.ReportPath()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("web: report folder: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("web: report folder: %w", err)
	}
	s := &Server{c: c, st: o.Store, log: o.Log, now: o.Now, reports: root, ingest: o.Runner,
		builder: &manual.Builder{Campaigns: c.Campaigns(), Units: c.Units()},
		perAddr: newRateLimiter(o.AddrLimit, o.Now),
		perTok:  newRateLimiter(o.TokenLimit, o.Now),
		guesses: newRateLimiter(o.GuessLimit, o.Now),
		auth:    newAuth(o.Now, o.SessionTTL, o.MaxFailures, o.Lockout),
		review:  reviewDesk{st: o.Store}, uploads: &uploads{files: map[string]upload{}}, makeReport: o.MakeReport}
	s.handler = s.routes()
	return s, nil
}

// Close releases the report folder and deletes uploads never imported. The store is
// the caller's to close.
func (s *Server) Close() error {
	s.uploads.removeAll()
	return s.reports.Close()
}

// Handler is every page, wrapped in the protections every page gets.
func (s *Server) Handler() http.Handler { return s.handler }

// routes routes the requests and wraps them in the protections every page gets.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	// os.Root keeps every path, symlinks included, inside the report folder.
	mux.Handle("GET /reports/", s.reportsGate(http.StripPrefix("/reports", http.FileServerFS(s.reports.FS()))))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /static/{file}", s.static)
	mux.HandleFunc("GET /submit/{token}", s.withToken(s.form))
	mux.HandleFunc("POST /submit/{token}", s.withToken(s.submitForm))
	mux.HandleFunc("POST /api/submit/{token}", s.withToken(s.submitAPI))
	// A link without its token is refused like a wrong one.
	for _, p := range []string{"/submit", "/submit/{$}", "/api/submit", "/api/submit/{$}"} {
		mux.HandleFunc(p, s.withToken(nil))
	}
	s.consoleRoutes(mux)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("cross-origin request refused", slog.String("path", redactToken(r.URL.Path)), slog.String("origin", r.Header.Get("Origin")), slog.String("remote", clientAddr(r)))
		s.fail(w, r, http.StatusForbidden, "Yêu cầu bị từ chối",
			"Biểu mẫu chỉ nhận bài gửi từ chính trang của hashtrack. Hãy mở lại đường dẫn được chia sẻ và gửi lại.")
	}))
	return securityHeaders(s.checkHost(cop.Handler(mux)))
}

// securityHeaders: nothing on our pages runs inline, so the policy is 'self' only.
// Report files carry their charts inline (built with escaped data by the report
// package) and get a policy of their own that still forbids anything from elsewhere.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if strings.HasPrefix(r.URL.Path, "/reports/") {
			h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		} else {
			h.Set("Content-Security-Policy", "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer") // the form's URL carries its token
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// clientAddr is the address a request came from, without the port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// redactToken keeps form tokens out of the logs: /submit/SECRET becomes /submit/….
func redactToken(p string) string {
	for _, prefix := range []string{"/submit/", "/api/submit/"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok && rest != "" {
			return prefix + "…"
		}
	}
	return p
}

// lookupToken finds a form token, the config's or one made in the console (and not
// revoked), comparing every one in constant time.
func (s *Server) lookupToken(given string) (config.TokenConfig, bool) {
	var found config.TokenConfig
	ok := false
	if given == "" {
		return found, false
	}
	for _, t := range s.c.Token {
		if constantEqual(given, t.Token) {
			found, ok = t, true
		}
	}
	if ok {
		return found, true
	}
	return s.storedToken(given)
}

func constantEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// withToken applies the per-address limit, refuses a wrong token, then applies the
// per-token limit, in that order so guessing tokens is slowed down too.
func (s *Server) withToken(h func(http.ResponseWriter, *http.Request, config.TokenConfig)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddr(r)
		if ok, wait := s.perAddr.allow(addr); !ok {
			s.tooMany(w, r, wait, slog.String("remote", addr))
			return
		}
		if wait, empty := s.guessBudgetEmpty(); empty {
			// Too many wrong tokens from everywhere: answer no token, right or wrong,
			// until the budget refills, so guessing cannot go faster than the cap.
			s.tooMany(w, r, wait, slog.String("remote", addr), slog.String("reason", "too many wrong form links from all addresses"))
			return
		}
		tok, ok := s.lookupToken(r.PathValue("token"))
		if !ok {
			s.spendGuess()
			s.log.Warn("submission with an unknown token refused", slog.String("remote", addr), slog.String("path", redactToken(r.URL.Path)))
			s.fail(w, r, http.StatusForbidden, "Đường dẫn không hợp lệ",
				"Đường dẫn gửi bài này không đúng hoặc đã hết hiệu lực. Hãy dùng đúng đường dẫn mà Tỉnh Đoàn đã chia sẻ trong nhóm Zalo.")
			return
		}
		if ok, wait := s.perTok.allow(tok.Token); !ok {
			s.tooMany(w, r, wait, slog.String("unit", tok.Unit), slog.String("campaign", tok.Campaign))
			return
		}
		h(w, r, tok)
	}
}

// guessBudgetEmpty says whether the wrong-token budget of all addresses is spent, and
// how long until one guess is allowed again. The first request to find it spent logs
// an error once, until it refills.
func (s *Server) guessBudgetEmpty() (time.Duration, bool) {
	l := s.guesses
	l.mu.Lock()
	b, ok := l.buckets[allAddresses]
	tokens := l.burst
	if ok {
		tokens = math.Min(l.burst, b.tokens+l.now().Sub(b.last).Seconds()*l.perSecond)
	}
	if tokens >= 1 {
		s.guessTripped = false
		l.mu.Unlock()
		return 0, false
	}
	first := !s.guessTripped
	s.guessTripped = true
	l.mu.Unlock()
	if first {
		s.log.Error("many wrong form links from all addresses together: no form link is accepted until the limit refills; someone may be guessing tokens",
			slog.Int("per_minute", int(l.perSecond*60+0.5)))
	}
	return time.Duration((1 - tokens) / l.perSecond * float64(time.Second)), true
}

// spendGuess counts one wrong token against the budget of all addresses.
func (s *Server) spendGuess() { s.guesses.allow(allAddresses) }

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, attrs ...any) {
	secs := retryAfterSeconds(wait)
	s.log.Warn("rate limit: request refused", append(attrs, slog.Int("retry_after", secs))...)
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	s.fail(w, r, http.StatusTooManyRequests, "Gửi quá nhanh",
		fmt.Sprintf("Có quá nhiều lượt gửi trong thời gian ngắn. Hãy thử lại sau %d giây.", secs))
}

// fail answers an error: JSON for the API, a small Vietnamese page otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, status, map[string]any{"error": msg})
		return
	}
	s.render(w, status, "message.html", map[string]string{"Title": title, "Message": msg})
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("page template failed", slog.String("page", name), slog.Any("error", err))
		http.Error(w, "lỗi máy chủ", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	var ctype string
	switch path.Ext(name) {
	case ".css":
		ctype = "text/css; charset=utf-8"
	case ".js":
		ctype = "text/javascript; charset=utf-8"
	default:
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}

// ── the form ─────────────────────────────────────────────────────────────────────

type option struct{ ID, Name string }

type countField struct {
	Field, Label, Value, Error string
}

type formPage struct {
	Token     string
	Campaign  collector.Campaign   // shown at the top
	Campaigns []collector.Campaign // a choice, when the token does not fix one
	FixedUnit *collector.Unit
	Units     collector.Units
	Platforms []option
	Counts    []countField
	V         manual.Input // as typed, shown back after an error
	Errors    map[string]string
	Failure   string
}

func (s *Server) formPage(tok config.TokenConfig, v manual.Input, errs map[string]string) formPage {
	p := formPage{Token: tok.Token, Units: s.c.Units(), V: v, Errors: errs}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	if k, ok := s.c.CampaignByID(tok.Campaign); ok {
		p.Campaign = k
	} else {
		all := s.c.Campaigns()
		p.Campaign = all[0]
		if k, ok := s.c.CampaignByID(v.Campaign); ok {
			p.Campaign = k
		}
		if len(all) > 1 {
			p.Campaigns = all
		}
	}
	if u, ok := s.c.Units().ByID(tok.Unit); ok {
		p.FixedUnit = &u
	}
	for _, pl := range canon.Platforms {
		p.Platforms = append(p.Platforms, option{pl, canon.LongLabel(pl, "vi")})
	}
	for _, f := range manual.Fields {
		if f.Count {
			p.Counts = append(p.Counts, countField{Field: f.Name, Label: f.Label, Value: *f.Value(&v), Error: p.Errors[f.Name]})
		}
	}
	return p
}

func (s *Server) form(w http.ResponseWriter, r *http.Request, tok config.TokenConfig) {
	s.render(w, http.StatusOK, "form.html", s.formPage(tok, manual.Input{}, nil))
}

// tooLarge answers 413 when err says the body went over the cap, and says so.
func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request, err error) bool {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.log.Warn("submission body too large", slog.String("remote", clientAddr(r)), slog.Int64("limit", mbe.Limit))
		s.fail(w, r, http.StatusRequestEntityTooLarge, "Nội dung quá lớn",
			fmt.Sprintf("Nội dung gửi lên quá lớn (tối đa %d KiB). Hãy rút gọn phần ghi chú.", maxSubmissionBody>>10))
		return true
	}
	return false
}

func (s *Server) submitForm(w http.ResponseWriter, r *http.Request, tok config.TokenConfig) {
	if r.ContentLength > maxSubmissionBody {
		s.tooLarge(w, r, &http.MaxBytesError{Limit: maxSubmissionBody})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSubmissionBody)
	if err := r.ParseForm(); err != nil {
		if !s.tooLarge(w, r, err) {
			s.fail(w, r, http.StatusBadRequest, "Không đọc được biểu mẫu", "Không đọc được nội dung gửi lên. Hãy tải lại trang và gửi lại.")
		}
		return
	}
	var v manual.Input
	for _, f := range manual.Fields {
		if f.Public {
			*f.Value(&v) = r.PostFormValue(f.Name)
		}
	}
	in := s.submissionFrom(tok, v, "form")
	out, saved, errs, err := s.accept(r.Context(), tok, in)
	if err != nil {
		s.log.Error("form submission not stored", slog.Any("error", err))
		page := s.formPage(tok, v, nil)
		page.Failure = "Máy chủ chưa lưu được bài này. Hãy thử gửi lại sau ít phút."
		s.render(w, http.StatusInternalServerError, "form.html", page)
		return
	}
	if len(errs) > 0 {
		s.render(w, http.StatusUnprocessableEntity, "form.html", s.formPage(tok, v, fieldMessages(errs, in)))
		return
	}
	s.render(w, http.StatusOK, "done.html", s.donePage(tok, out, saved))
}

// submissionFrom fixes the unit and campaign the token allows.
func (s *Server) submissionFrom(tok config.TokenConfig, in manual.Input, source string) manual.Input {
	in.Source, in.ObservedAt = source, s.now()
	if tok.Campaign != "" {
		in.Campaign = tok.Campaign
	}
	if tok.Unit != "" {
		in.Unit = tok.Unit
	}
	return in
}

// errNoUnit: a campaign-wide form link (a token without a unit) needs the submitter
// to choose one, so that no post arrives for no unit.
var errNoUnit = errors.New("choose a unit: this form link is shared by every unit")

// fieldMessages are the Vietnamese explanations of errs, by field.
func fieldMessages(errs manual.Errors, in manual.Input) map[string]string {
	m := errs.Vietnamese(in)
	for _, e := range errs {
		if errors.Is(e, errNoUnit) {
			m[e.Field] = "Hãy chọn đơn vị của bạn."
		}
	}
	return m
}

// accept builds, enriches and stores a submission. Wrong fields come back in errs;
// err is a failure of the server itself.
func (s *Server) accept(ctx context.Context, tok config.TokenConfig, in manual.Input) (store.Outcome, collector.Post, manual.Errors, error) {
	p, errs := s.builder.Build(in)
	if tok.Unit == "" && strings.TrimSpace(in.Unit) == "" {
		errs = append(errs, &manual.FieldError{Field: manual.FieldUnit, Err: errNoUnit})
	}
	if len(errs) > 0 {
		return 0, collector.Post{}, errs, nil
	}
	sub, err := s.ingest.Submit(ctx, p, ingest.Origin{Token: tok})
	if err != nil {
		return 0, collector.Post{}, nil, err
	}
	out, saved := sub.Outcome, sub.Post
	s.log.Info("submission stored", slog.String("outcome", out.String()), slog.String("url", saved.URL),
		slog.String("unit", saved.Unit), slog.String("source", in.Source), slog.String("review", saved.Review.String()))
	return out, saved, nil, nil
}

type donePage struct {
	Token, Message, CampaignName, UnitName, Published string
	Verification                                      string // what the page check found, "" if not checked
	Platform                                          string
	Likes, Comments, Shares, Views                    string
	New                                               bool
	// Claim: the post is another unit's; only the message and the link are shown.
	Claim bool
	Post  collector.Post
}

func (s *Server) donePage(tok config.TokenConfig, out store.Outcome, p collector.Post) donePage {
	if out == store.Conflict {
		return donePage{Token: tok.Token, Message: OutcomeMessage(out, p), Claim: true, Post: collector.Post{URL: p.URL}}
	}
	d := donePage{Token: tok.Token, Message: OutcomeMessage(out, p), New: out == store.New, Post: p,
		UnitName: "(chưa rõ đơn vị)", Published: "(chưa rõ)",
		Likes: countLong(p.Metrics.Likes), Comments: countLong(p.Metrics.Comments),
		Shares: countLong(p.Metrics.Shares), Views: countLong(p.Metrics.Views)}
	var names []string
	for _, id := range p.Campaigns {
		if k, ok := s.c.CampaignByID(id); ok {
			names = append(names, k.Name)
		}
	}
	d.CampaignName = strings.Join(names, ", ")
	d.Verification = VerificationText(p.Verification)
	d.Platform = canon.LongLabel(p.Platform, "vi")
	if u, ok := s.c.Units().ByID(p.Unit); ok {
		d.UnitName = u.Name
	}
	if !p.PublishedAt.IsZero() {
		loc := s.c.Location()
		if len(p.Campaigns) > 0 {
			if k, ok := s.c.CampaignByID(p.Campaigns[0]); ok {
				loc = k.Loc()
			}
		}
		t := p.PublishedAt.In(loc)
		d.Published = t.Format("02/01/2006")
		if t.Hour() != 0 || t.Minute() != 0 {
			d.Published = t.Format("02/01/2006 15:04")
		}
	}
	return d
}

// ── the JSON API ─────────────────────────────────────────────────────────────────

// apiSubmission reads the body of POST /api/submit/{token}: a JSON object whose keys
// are the public fields of a submission. Counts may be numbers, strings as people type
// them ("1,2K"), or null/absent for unknown; the other fields are strings or null.
func apiSubmission(body []byte) (manual.Input, error) {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return manual.Input{}, err
	}
	var in manual.Input
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		f, ok := manual.FieldByName(k)
		if !ok || !f.Public {
			return manual.Input{}, fmt.Errorf("json: unknown field %q", k)
		}
		switch v := obj[k].(type) {
		case nil:
		case string:
			*f.Value(&in) = v
		case json.Number:
			if !f.Count {
				return manual.Input{}, fmt.Errorf("json: field %q must be a string", k)
			}
			*f.Value(&in) = v.String()
		default:
			if f.Count {
				return manual.Input{}, fmt.Errorf("json: field %q must be a number or a string", k)
			}
			return manual.Input{}, fmt.Errorf("json: field %q must be a string", k)
		}
	}
	return in, nil
}

func (s *Server) submitAPI(w http.ResponseWriter, r *http.Request, tok config.TokenConfig) {
	if r.ContentLength > maxSubmissionBody {
		s.tooLarge(w, r, &http.MaxBytesError{Limit: maxSubmissionBody})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSubmissionBody))
	if err != nil {
		if !s.tooLarge(w, r, err) {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "cannot read the body: " + err.Error()})
		}
		return
	}
	v, err := apiSubmission(body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "body is not a submission: " + err.Error()})
		return
	}
	in := s.submissionFrom(tok, v, "api")
	out, saved, errs, err := s.accept(r.Context(), tok, in)
	if err != nil {
		s.log.Error("api submission not stored", slog.Any("error", err))
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "the server could not store the post; try again later"})
		return
	}
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": errs.Error(), "fields": errs.Details(), "messages": fieldMessages(errs, in)})
		return
	}
	status := http.StatusOK
	if out == store.New {
		status = http.StatusCreated
	}
	if out == store.Conflict {
		// The owner's post is not the submitter's to read: the link they sent only.
		writeJSON(w, status, map[string]any{"outcome": out.String(), "message": OutcomeMessage(out, saved), "url": saved.URL})
		return
	}
	reply := map[string]any{"outcome": out.String(), "message": OutcomeMessage(out, saved), "post": saved}
	if saved.Review != collector.ReviewCounted {
		reply["review"] = saved.Review.String() // "pending" or "rejected": not counted
	}
	writeJSON(w, status, reply)
}

// ── reading pages ────────────────────────────────────────────────────────────────

type campaignCard struct {
	Name, Hashtag, Period, Latest, LatestTime string
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	reports := s.reportFiles()
	var cards []campaignCard
	for _, k := range s.c.Campaigns() {
		card := campaignCard{Name: k.Name, Hashtag: k.Hashtag, Period: "từ " + k.Start.Format("02/01/2006")}
		if !k.End.IsZero() {
			card.Period += " đến " + k.End.Format("02/01/2006")
		}
		best := latestReport(reports, k.ID, len(s.c.Campaigns()) == 1)
		if best != nil {
			card.Latest = "/reports/" + best.path
			card.LatestTime = best.mod.In(k.Loc()).Format("02/01/2006 15:04")
		}
		cards = append(cards, card)
	}
	s.render(w, http.StatusOK, "index.html", map[string]any{"Campaigns": cards})
}

// latestReport picks a campaign's newest report: the report package's
// <campaign>/latest.html when there is one, else the newest HTML file that names the
// campaign (any report but the archive index when there is a single campaign).
func latestReport(files []reportFile, id string, only bool) *reportFile {
	var best *reportFile
	for i, f := range files {
		if f.path == id+"/latest.html" {
			return &files[i]
		}
		if path.Base(f.path) == "index.html" || !(strings.Contains(f.path, id) || only) {
			continue
		}
		if best == nil || f.mod.After(best.mod) {
			best = &files[i]
		}
	}
	return best
}

type reportFile struct {
	path string
	mod  time.Time
}

// reportFiles lists the HTML reports in the report folder (two levels deep at most).
func (s *Server) reportFiles() []reportFile {
	var out []reportFile
	fsys := s.reports.FS()
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if strings.Count(p, "/") >= 2 {
				return fs.SkipDir
			}
			return nil
		}
		if path.Ext(p) != ".html" {
			return nil
		}
		if info, err := d.Info(); err == nil {
			out = append(out, reportFile{path: p, mod: info.ModTime()})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b reportFile) int { return strings.Compare(a.path, b.path) })
	return out
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	rows, err := ingest.Statuses(s.c, s.st, now)
	if err != nil {
		s.log.Error("healthz: read source health", slog.Any("error", err))
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "error", "error": err.Error()})
		return
	}
	status := http.StatusOK
	list := []ingest.SourceStatus{}
	for _, row := range rows {
		if row.Status.Degraded() {
			status = http.StatusServiceUnavailable
		}
		list = append(list, row)
	}
	overall := "ok"
	if status != http.StatusOK {
		overall = "degraded"
	}
	// The overall state is for a monitor; the sources' details (addresses such as a
	// published sheet's) are staff's unless reports are public.
	if _, staff := s.staffSession(r); !staff && !s.c.Server.PublicReports {
		writeJSON(w, status, map[string]any{"status": overall, "time": now})
		return
	}
	writeJSON(w, status, map[string]any{"status": overall, "time": now, "sources": list})
}
