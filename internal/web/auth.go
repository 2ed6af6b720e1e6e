package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
)

// Staff sessions, passwords and lock-out. Sessions live in the server's memory: a
// restart of the daemon logs everyone out, which staff who run it can live with, and
// nothing secret is ever written to disk.

// Session and lock-out defaults; Options may replace them (tests).
const (
	DefaultSessionTTL  = 12 * time.Hour // a working day
	DefaultMaxFailures = 10             // wrong passwords in a row before the lock
	DefaultLockout     = 15 * time.Minute
	sessionCookie      = "hashtrack_session"
	// bcryptCost is slow enough that a stolen config does not give the passwords away
	// in an afternoon, fast enough for a login on a small server (~50 ms).
	bcryptCost = 11
	// maxPassword is bcrypt's own limit: it ignores bytes past 72.
	maxPassword = 72
)

// ErrPasswordTooLong is a password bcrypt would silently cut.
var ErrPasswordTooLong = fmt.Errorf("web: a password may have at most %d bytes", maxPassword)

// HashPassword is the bcrypt hash `hashtrack staff add` writes into [[staff]].
func HashPassword(password string) (string, error) {
	return hashPassword(password, bcryptCost)
}

// hashPassword is HashPassword at a given cost: tests check what does not depend on
// the cost without paying production's for each hash.
func hashPassword(password string, cost int) (string, error) {
	if len(password) > maxPassword {
		return "", ErrPasswordTooLong
	}
	if len(password) < 8 {
		return "", errors.New("web: a password needs at least 8 characters")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("web: hash password: %w", err)
	}
	return string(h), nil
}

// dummyCost is the bcrypt cost of the hash compared against when a name is unknown:
// the highest cost among the accounts' hashes, so a wrong name costs at least what a
// wrong password costs (at a fixed cost, an account hashed cheaper or dearer would
// stand out by its timing); bcryptCost when there is no account to copy.
func dummyCost(c *config.Config) int {
	cost := 0
	for _, a := range c.Staff {
		if n, err := bcrypt.Cost([]byte(a.PasswordHash)); err == nil && n > cost {
			cost = n
		}
	}
	if cost == 0 {
		return bcryptCost
	}
	return cost
}

// session is one logged-in staff member.
type session struct {
	name    string
	csrf    string
	expires time.Time
}

// lockState counts one account's wrong passwords in a row.
type lockState struct {
	failures int
	until    time.Time
}

// auth holds the sessions and the lock-out counters of one server.
type auth struct {
	mu          sync.Mutex
	sessions    map[string]*session
	locks       map[string]*lockState
	now         func() time.Time
	ttl         time.Duration
	maxFailures int
	lockFor     time.Duration

	// dummyMu guards dummies, apart from mu: making a dummy hash takes as long as a
	// login and must not hold up the session lookups of every page.
	dummyMu sync.Mutex
	dummies map[int][]byte // per bcrypt cost, made on first need
}

func newAuth(now func() time.Time, ttl time.Duration, maxFailures int, lockFor time.Duration) *auth {
	return &auth{sessions: map[string]*session{}, locks: map[string]*lockState{}, now: now, ttl: ttl, maxFailures: maxFailures, lockFor: lockFor,
		dummies: map[int][]byte{}}
}

// hashFor is the hash a login for name is checked against: the account's, or for an
// unknown name a hash of a random password at dummyCost, so a wrong name takes as long
// as a wrong password and names cannot be probed by timing.
func (a *auth) hashFor(c *config.Config, name string) (hash []byte, known bool) {
	if acct, ok := c.StaffByName(name); ok {
		return []byte(acct.PasswordHash), true
	}
	cost := dummyCost(c)
	a.dummyMu.Lock()
	defer a.dummyMu.Unlock()
	h, ok := a.dummies[cost]
	if !ok {
		var err error
		// Only a cost out of bcrypt's range fails, and dummyCost returns costs that
		// parsed from a hash; a nil hash would still refuse every password.
		if h, err = bcrypt.GenerateFromPassword([]byte(randomToken()[:maxPassword/2]), cost); err == nil {
			a.dummies[cost] = h
		}
	}
	return h, false
}

// Login outcomes the login page words differently.
var (
	errBadLogin = errors.New("web: wrong name or password")
	errLocked   = errors.New("web: account locked")
)

// login checks a password and opens a session. A locked account is refused even with
// the right password, so guessing cannot go on during the lock.
func (a *auth) login(c *config.Config, name, password string) (string, *session, error) {
	now := a.now()
	a.mu.Lock()
	if l := a.locks[name]; l != nil && now.Before(l.until) {
		a.mu.Unlock()
		return "", nil, errLocked
	}
	a.mu.Unlock()
	hash, known := a.hashFor(c, name)
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil && known
	a.mu.Lock()
	defer a.mu.Unlock()
	if !ok {
		if known {
			l := a.locks[name]
			if l == nil {
				l = &lockState{}
				a.locks[name] = l
			}
			l.failures++
			if l.failures >= a.maxFailures {
				l.failures, l.until = 0, now.Add(a.lockFor)
				return "", nil, errLocked
			}
		}
		return "", nil, errBadLogin
	}
	delete(a.locks, name)
	a.prune(now)
	s := &session{name: name, csrf: randomToken(), expires: now.Add(a.ttl)}
	id := randomToken()
	a.sessions[id] = s
	return id, s, nil
}

// lookup returns the live session of a cookie value.
func (a *auth) lookup(id string) (*session, bool) {
	if id == "" {
		return nil, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[id]
	if !ok {
		return nil, false
	}
	if !a.now().Before(s.expires) {
		delete(a.sessions, id)
		return nil, false
	}
	return s, true
}

func (a *auth) logout(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, id)
}

// prune drops expired sessions; called under mu at each login.
func (a *auth) prune(now time.Time) {
	for k, s := range a.sessions {
		if !now.Before(s.expires) {
			delete(a.sessions, k)
		}
	}
}

// validCSRF compares a form's token with the session's in constant time.
func (s *session) validCSRF(given string) bool {
	return given != "" && subtle.ConstantTimeCompare([]byte(given), []byte(s.csrf)) == 1
}

// randomToken is 32 random bytes, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ── HTTP ─────────────────────────────────────────────────────────────────────────

// secureCookies: the session cookie is Secure when staff reach the server over https.
func (s *Server) secureCookies() bool {
	return strings.HasPrefix(s.c.Server.PublicURL, "https://")
}

// staffSession is the request's live session, if any.
func (s *Server) staffSession(r *http.Request) (*session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	return s.auth.lookup(ck.Value)
}

// staffOnly sends a request without a session to the login page, then back.
func (s *Server) staffOnly(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.staffSession(r)
		if !ok {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !s.readConsoleForm(w, r) {
			return
		}
		if r.Method == http.MethodPost && !sess.validCSRF(r.PostFormValue("csrf")) {
			s.log.Warn("console: form with a wrong CSRF token refused", slog.String("staff", sess.name), slog.String("path", r.URL.Path))
			s.fail(w, r, http.StatusForbidden, "Yêu cầu bị từ chối",
				"Phiên làm việc của biểu mẫu này không còn hợp lệ. Hãy tải lại trang và làm lại.")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, sess)
	}
}

// readConsoleForm parses a console form, refusing a body over its cap before reading
// it: an export upload may be as large as the sheet reader takes, other forms are small.
func (s *Server) readConsoleForm(w http.ResponseWriter, r *http.Request) bool {
	limit := int64(maxSubmissionBody)
	if r.URL.Path == "/console/import" {
		limit = uploadLimit
	}
	tooLarge := func() {
		s.fail(w, r, http.StatusRequestEntityTooLarge, "Tệp quá lớn",
			fmt.Sprintf("Nội dung gửi lên quá lớn (tối đa %d MiB).", max(1, limit>>20)))
	}
	if r.ContentLength > limit {
		tooLarge()
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20) // larger files go to a temporary file
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
		} else {
			s.fail(w, r, http.StatusBadRequest, "Không đọc được biểu mẫu", "Không đọc được nội dung gửi lên. Hãy tải lại trang và làm lại.")
		}
		return false
	}
	return true
}

// reportsGate guards the reports, the archive and the health details: open when the
// config makes reports public, a staff login otherwise.
func (s *Server) reportsGate(h http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.c.Server.PublicReports {
			if _, ok := s.staffSession(r); !ok {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
		}
		h.ServeHTTP(w, r)
	}
}

// safeNext keeps the redirect after login on this server.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/console/"
	}
	return next
}

type loginPage struct {
	Next, Name, Error, CSRF string
}

// loginCookie carries the login form's CSRF token before there is a session: the form
// must send back what the cookie holds (a page elsewhere can do neither).
const loginCookie = "hashtrack_login"

func (s *Server) loginToken(w http.ResponseWriter) string {
	t := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: t, Path: "/login", HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteStrictMode})
	return t
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.staffSession(r); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "login.html", loginPage{Next: safeNext(r.URL.Query().Get("next")), CSRF: s.loginToken(w)})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	if ok, wait := s.perAddr.allow(addr); !ok {
		s.tooMany(w, r, wait, slog.String("remote", addr))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSubmissionBody)
	name, password := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	if ck, err := r.Cookie(loginCookie); err != nil || !constantEqual(ck.Value, r.PostFormValue("csrf")) || ck.Value == "" {
		s.log.Warn("console: login form without its CSRF token refused", slog.String("remote", addr))
		s.render(w, http.StatusForbidden, "login.html", loginPage{Next: next, Name: name, CSRF: s.loginToken(w),
			Error: "Trang đăng nhập đã cũ. Hãy nhập lại tên và mật khẩu."})
		return
	}
	id, _, err := s.auth.login(s.c, name, password)
	if err != nil {
		page := loginPage{Next: next, Name: name, Error: "Sai tên đăng nhập hoặc mật khẩu.", CSRF: s.loginToken(w)}
		status := http.StatusUnauthorized
		if errors.Is(err, errLocked) {
			page.Error = fmt.Sprintf("Tài khoản tạm khoá sau %d lần nhập sai mật khẩu. Hãy thử lại sau %d phút.", s.auth.maxFailures, int(s.auth.lockFor.Minutes()+0.5))
			status = http.StatusTooManyRequests
		}
		s.log.Warn("console: login refused", slog.String("staff", name), slog.String("remote", addr), slog.Bool("locked", errors.Is(err, errLocked)))
		s.render(w, status, "login.html", page)
		return
	}
	s.log.Info("console: login", slog.String("staff", name), slog.String("remote", addr))
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteStrictMode, MaxAge: int(s.auth.ttl.Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *session) {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		s.auth.logout(ck.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.secureCookies(),
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// allowedHost refuses DNS rebinding: a page on an attacker's name that resolves to
// this server sends its own name as Host. The configured public host, the listen
// address and any address literal (which no DNS answer can stand in for) pass.
func (s *Server) allowedHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.ToLower(strings.Trim(h, "[]"))
	if h == "localhost" || net.ParseIP(h) != nil {
		return true
	}
	if u, err := url.Parse(s.c.Server.PublicURL); err == nil && u.Host != "" && strings.EqualFold(u.Hostname(), h) {
		return true
	}
	if lh, _, err := net.SplitHostPort(s.c.Server.Addr); err == nil && strings.EqualFold(lh, h) {
		return true
	}
	return false
}

func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.allowedHost(r.Host) {
			s.log.Warn("request for a foreign host refused", slog.String("host", r.Host), slog.String("remote", clientAddr(r)))
			http.Error(w, "421 tên máy chủ không đúng (misdirected request)", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}
