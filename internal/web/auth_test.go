package web

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tinhdoandaklak/hashtrack/internal/config"
	"github.com/tinhdoandaklak/hashtrack/internal/testkit"
)

const (
	staffName     = "lan"
	staffPassword = "Mật khẩu đúng 2023"
)

// staffConfig is a [[staff]] account with a cheap hash (the cost is in the hash: a
// test need not pay for production's), and accounts named also with the same password.
func staffConfig(t testing.TB, also ...string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(staffPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, name := range append([]string{staffName}, also...) {
		b.WriteString("\n[[staff]]\nname = \"" + name + "\"\npassword_hash = \"" + string(h) + "\"\n")
	}
	return b.String()
}

func loadTestConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	c, err := config.Parse(filepath.Join(t.TempDir(), "hashtrack.toml"), testkit.Config+extra, testkit.IdleKinds())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHashPassword(t *testing.T) {
	t.Parallel()
	// One hash at the production cost proves the cost; what does not depend on the
	// cost (salt, matching) is checked on cheap hashes from the same code.
	h, err := HashPassword(staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$2a$11$") || strings.Contains(h, staffPassword) {
		t.Errorf("hash %q", h)
	}
	cheap, err := hashPassword(staffPassword, bcrypt.MinCost)
	if err != nil || !strings.HasPrefix(cheap, "$2a$04$") {
		t.Fatalf("hash at the minimum cost: %q %v", cheap, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(cheap), []byte(staffPassword)) != nil {
		t.Error("the hash does not match its password")
	}
	if bcrypt.CompareHashAndPassword([]byte(cheap), []byte(staffPassword+" ")) == nil {
		t.Error("the hash matches another password")
	}
	if h2, _ := hashPassword(staffPassword, bcrypt.MinCost); h2 == cheap {
		t.Error("two hashes of one password are equal (no salt)")
	}
	if _, err := HashPassword(strings.Repeat("á", 40)); !errors.Is(err, ErrPasswordTooLong) {
		t.Errorf("80-byte password: %v", err)
	}
	if _, err := HashPassword("ngắn"); err == nil {
		t.Error("a short password accepted")
	}
	// The config takes the hash and refuses a plain password.
	loadTestConfig(t, "\n[[staff]]\nname = \"lan\"\npassword_hash = \""+h+"\"\n")
	if _, err := config.Parse("x.toml", testkit.Config+"\n[[staff]]\nname = \"lan\"\npassword_hash = \"matkhau123\"\n", testkit.IdleKinds()); err == nil || !strings.Contains(err.Error(), "staff[0].password_hash") {
		t.Errorf("plain password in the config: %v", err)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	c := loadTestConfig(t, staffConfig(t))
	now := testNow
	a := newAuth(func() time.Time { return now }, time.Hour, 10, 15*time.Minute)
	id, s, err := a.login(c, staffName, staffPassword)
	if err != nil || s.name != staffName || len(id) < 40 || len(s.csrf) < 40 || id == s.csrf {
		t.Fatalf("login: %q %+v %v", id, s, err)
	}
	id2, _, _ := a.login(c, staffName, staffPassword)
	if id2 == id {
		t.Error("two logins share a session id")
	}
	if got, ok := a.lookup(id); !ok || got != s {
		t.Error("session not found")
	}
	if _, ok := a.lookup(id + "x"); ok {
		t.Error("a wrong id found a session")
	}
	if _, ok := a.lookup(""); ok {
		t.Error("an empty id found a session")
	}
	now = now.Add(59 * time.Minute)
	if _, ok := a.lookup(id); !ok {
		t.Error("session ended before its hour")
	}
	now = now.Add(time.Minute)
	if _, ok := a.lookup(id); ok {
		t.Error("session alive after its hour")
	}
	a.logout(id2)
	if _, ok := a.lookup(id2); ok {
		t.Error("session alive after logout")
	}
	if _, _, err := a.login(c, "minh", staffPassword); !errors.Is(err, errBadLogin) {
		t.Errorf("unknown name: %v", err)
	}
}

// TestUnknownNameCostsAWrongPassword: an unknown name is checked against a hash of the
// accounts' own cost, so it takes as long as a wrong password (the cost is asserted,
// not a time).
func TestUnknownNameCostsAWrongPassword(t *testing.T) {
	t.Parallel()
	costOf := func(h []byte) int {
		t.Helper()
		n, err := bcrypt.Cost(h)
		if err != nil {
			t.Fatalf("hash %q: %v", h, err)
		}
		return n
	}
	a := newAuth(func() time.Time { return testNow }, time.Hour, 10, 15*time.Minute)
	c := loadTestConfig(t, staffConfig(t))
	known, ok := a.hashFor(c, staffName)
	unknown, unknownOK := a.hashFor(c, "minh")
	if !ok || unknownOK || costOf(known) != bcrypt.MinCost || costOf(unknown) != costOf(known) {
		t.Errorf("wrong password checked at cost %d (known %v), wrong name at cost %d (known %v)", costOf(known), ok, costOf(unknown), unknownOK)
	}
	if again, _ := a.hashFor(c, "hoa"); string(again) != string(unknown) {
		t.Error("the dummy hash is made again for each unknown name")
	}
	// Accounts of different costs: the unknown name costs the dearest.
	h6, err := bcrypt.GenerateFromPassword([]byte(staffPassword), 6)
	if err != nil {
		t.Fatal(err)
	}
	c2 := loadTestConfig(t, staffConfig(t)+"\n[[staff]]\nname = \"hoa\"\npassword_hash = \""+string(h6)+"\"\n")
	if h, _ := a.hashFor(c2, "minh"); costOf(h) != 6 {
		t.Errorf("unknown name beside accounts of cost 4 and 6: cost %d", costOf(h))
	}
	// No account at all: the production cost (not made here: it would cost a login).
	if got := dummyCost(loadTestConfig(t, "")); got != bcryptCost {
		t.Errorf("no accounts: dummy cost %d, want %d", got, bcryptCost)
	}
	// And the login itself goes through it: an unknown name is refused like a wrong
	// password.
	if _, _, err := a.login(c, "minh", staffPassword); !errors.Is(err, errBadLogin) {
		t.Errorf("unknown name with the right password of another: %v", err)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	s := &session{csrf: randomToken()}
	for _, tc := range []struct {
		given string
		want  bool
	}{{s.csrf, true}, {"", false}, {s.csrf[:len(s.csrf)-1], false}, {s.csrf + "A", false}, {randomToken(), false}} {
		if got := s.validCSRF(tc.given); got != tc.want {
			t.Errorf("validCSRF(%q) = %v", tc.given, got)
		}
	}
}

func TestLockout(t *testing.T) {
	t.Parallel()
	c := loadTestConfig(t, staffConfig(t))
	now := testNow
	a := newAuth(func() time.Time { return now }, time.Hour, 10, 15*time.Minute)
	for i := 1; i <= 9; i++ {
		if _, _, err := a.login(c, staffName, "sai "+string(rune('0'+i))); !errors.Is(err, errBadLogin) {
			t.Fatalf("wrong password %d: %v", i, err)
		}
	}
	// A right password resets the count.
	if _, _, err := a.login(c, staffName, staffPassword); err != nil {
		t.Fatalf("right password after 9 wrong ones: %v", err)
	}
	for i := 1; i <= 9; i++ {
		a.login(c, staffName, "sai")
	}
	if _, _, err := a.login(c, staffName, "sai"); !errors.Is(err, errLocked) {
		t.Fatalf("tenth wrong password: %v", err)
	}
	if _, _, err := a.login(c, staffName, staffPassword); !errors.Is(err, errLocked) {
		t.Errorf("right password while locked: %v", err)
	}
	now = now.Add(14 * time.Minute)
	if _, _, err := a.login(c, staffName, staffPassword); !errors.Is(err, errLocked) {
		t.Errorf("right password 14 minutes into the lock: %v", err)
	}
	now = now.Add(time.Minute)
	if _, _, err := a.login(c, staffName, staffPassword); err != nil {
		t.Errorf("right password after the lock: %v", err)
	}
	// Unknown names are not counted (nothing to lock, nothing to learn).
	for range 12 {
		if _, _, err := a.login(c, "minh", "sai"); !errors.Is(err, errBadLogin) {
			t.Fatalf("unknown name: %v", err)
		}
	}
}

func TestAllowedHost(t *testing.T) {
	t.Parallel()
	s := &Server{c: loadTestConfig(t, "\n[server]\naddr = \"hashtrack.lan:8080\"\npublic_url = \"https://hashtrack.daklak.vn/\"\n")}
	for host, want := range map[string]bool{
		"hashtrack.daklak.vn": true, "HASHTRACK.daklak.vn:443": true, "hashtrack.lan:8080": true,
		"127.0.0.1:8080": true, "[::1]:8080": true, "localhost:8080": true, "192.168.1.20": true,
		"evil.example": false, "hashtrack.daklak.vn.evil.example": false, "": false, "daklak.vn": false,
	} {
		if got := s.allowedHost(host); got != want {
			t.Errorf("allowedHost(%q) = %v", host, got)
		}
	}
}
