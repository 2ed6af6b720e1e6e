// Package smtptest runs a real SMTP server in-process for tests (the server side of
// github.com/emersion/go-smtp), as net/http/httptest runs an HTTP one: on loopback,
// with a certificate made for the test so STARTTLS and implicit TLS are real, a user
// and password it checks, and switches to refuse a login or drop the connection the
// next times. Received messages are kept and can be taken apart into their subject,
// text and HTML bodies and attachments.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is a running test SMTP server.
type Server struct {
	Host string // 127.0.0.1
	Port int
	// RootCAs trusts the server's certificate; CertPEM is the same certificate as PEM,
	// for a configuration's ca_file.
	RootCAs *x509.CertPool
	CertPEM []byte
	User    string
	Pass    string

	mu       sync.Mutex
	received []Received
	refuse   int // logins to refuse
	drop     int // DATA commands to answer by closing the connection
	logins   int
	attempts int
}

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string
	Data []byte // as sent, headers and body
}

// Options choose how the server listens.
type Options struct {
	ImplicitTLS bool // TLS from the first byte (port 465 style) instead of STARTTLS
}

// Start runs a server until the test ends. It accepts user/pass logins only after
// TLS, as a real server does.
func Start(t testing.TB, user, pass string, o Options) *Server {
	t.Helper()
	certPEM, cert, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	s := &Server{Host: "127.0.0.1", RootCAs: pool, CertPEM: certPEM, User: user, Pass: pass}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	// Dropped connections and refused handshakes are what tests make happen.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 20 << 20
	var l net.Listener
	if o.ImplicitTLS {
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// RefuseLogins makes the server refuse the next n logins (535).
func (s *Server) RefuseLogins(n int) { s.mu.Lock(); s.refuse = n; s.mu.Unlock() }

// DropData makes the server close the connection at the next n DATA commands.
func (s *Server) DropData(n int) { s.mu.Lock(); s.drop = n; s.mu.Unlock() }

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Logins counts login attempts, refused ones included.
func (s *Server) Logins() int { s.mu.Lock(); defer s.mu.Unlock(); return s.logins }

// Transactions counts messages begun (MAIL FROM), dropped ones included.
func (s *Server) Transactions() int { s.mu.Lock(); defer s.mu.Unlock(); return s.attempts }

type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s := ss.s
		s.mu.Lock()
		defer s.mu.Unlock()
		s.logins++
		if s.refuse > 0 {
			s.refuse--
			return smtp.ErrAuthFailed
		}
		if username != s.User || password != s.Pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.User != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.s.mu.Lock()
	ss.s.attempts++
	ss.s.mu.Unlock()
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "refused") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.s.mu.Lock()
	drop := ss.s.drop > 0
	if drop {
		ss.s.drop--
	}
	ss.s.mu.Unlock()
	if drop {
		ss.conn.Conn().Close()
		return errors.New("dropped")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.received = append(ss.s.received, Received{From: ss.from, To: ss.to, Data: b})
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost that is its own CA.
func selfSigned() ([]byte, tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hashtrack test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	return certPEM, cert, err
}

// crlf undoes mail's line endings in text bodies: a body sent with "\n" reads back equal.
var crlf = strings.NewReplacer("\r\n", "\n")

// Parsed is a received message taken apart; text bodies have "\n" line endings.
type Parsed struct {
	Header      mail.Header
	Subject     string // decoded
	Text, HTML  string // decoded bodies
	TextCharset string
	HTMLCharset string
	Attachments map[string][]byte // file name → decoded bytes
	AttachTypes map[string]string // file name → media type
}

// Parse decodes the message: headers, each MIME part's transfer encoding and the
// encoded words of the subject and file names.
func (r Received) Parse() (*Parsed, error) {
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return nil, err
	}
	var dec mime.WordDecoder
	subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return nil, err
	}
	p := &Parsed{Header: m.Header, Subject: subj, Attachments: map[string][]byte{}, AttachTypes: map[string]string{}}
	err = p.walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body)
	return p, err
}

func (p *Parsed) walk(contentType, encoding, disposition string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := p.walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"),
				part.Header.Get("Content-Disposition"), part); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(encoding) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, newlineStripper{body})
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if disposition != "" {
		_, dp, err := mime.ParseMediaType(disposition)
		if err == nil && dp["filename"] != "" {
			p.Attachments[dp["filename"]] = data
			p.AttachTypes[dp["filename"]] = mt
			return nil
		}
	}
	switch mt {
	case "text/plain":
		p.Text, p.TextCharset = crlf.Replace(string(data)), params["charset"]
	case "text/html":
		p.HTML, p.HTMLCharset = crlf.Replace(string(data)), params["charset"]
	default:
		p.Attachments[params["name"]] = data
		p.AttachTypes[params["name"]] = mt
	}
	return nil
}

// newlineStripper drops line breaks, which base64.NewDecoder does not skip by itself
// across reads in every Go version.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(b []byte) (int, error) {
	k, err := n.r.Read(b)
	j := 0
	for _, c := range b[:k] {
		if c != '\r' && c != '\n' {
			b[j] = c
			j++
		}
	}
	return j, err
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }
