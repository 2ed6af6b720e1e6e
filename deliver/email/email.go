// Package email delivers the report by mail: the digest as plain text and a small
// HTML version, the report page and the summary card attached, over SMTP with
// STARTTLS or implicit TLS (github.com/wneessen/go-mail). A failure comes back as an
// *Error that says in Vietnamese what is wrong — authentication refused, TLS, an
// unknown host, a refused recipient — so `hashtrack send --test` and the daily run's
// one line on stderr tell staff what to fix.
package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/tinhdoandaklak/hashtrack/deliver"
)

// Security is how the connection to the mail server is protected.
type Security string

const (
	StartTLS Security = "starttls" // port 587: plain connection upgraded by STARTTLS, which is required
	TLS      Security = "tls"      // port 465: TLS from the first byte
	None     Security = "none"     // an office relay on the local network that speaks no TLS
)

// DefaultPort is the usual port of each security mode.
func DefaultPort(s Security) int {
	switch s {
	case TLS:
		return 465
	case None:
		return 25
	}
	return 587
}

// Settings are the [email] table as plain values.
type Settings struct {
	Host     string
	Port     int // 0 = DefaultPort(Security)
	Security Security
	Username string // "" = the server takes mail without logging in (a relay)
	Password deliver.Secret
	From     string // "Tỉnh Đoàn Đắk Lắk <baocao@example.org>"
	ReplyTo  string
	// To are every campaign's recipients; CampaignTo a campaign's own list, which
	// replaces To for that campaign.
	To         []string
	CampaignTo map[string][]string
	RootCAs    *x509.CertPool // nil = the system's; an office relay may need its own CA
	Timeout    time.Duration  // 0 = 30s
}

// Channel sends reports by mail.
type Channel struct {
	s Settings
}

// New returns the mail channel of s.
func New(s Settings) *Channel { return &Channel{s: s} }

// Name is "email".
func (c *Channel) Name() string { return "email" }

// Recipients are the campaign's own list, or the common one.
func (c *Channel) Recipients(campaign string) []string {
	if to, ok := c.s.CampaignTo[campaign]; ok {
		return to
	}
	return c.s.To
}

// AllRecipients is everyone any campaign's report goes to: the test message reaches
// each address once, so a wrong one shows before a report is lost on it.
func (c *Channel) AllRecipients() []string {
	all := slices.Clone(c.s.To)
	for _, to := range c.s.CampaignTo {
		all = append(all, to...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// Send mails m to the campaign's recipients (a test message to every recipient).
func (c *Channel) Send(ctx context.Context, m deliver.Message) error {
	to := c.Recipients(m.Campaign.ID)
	if m.Test {
		to = c.AllRecipients()
	}
	if len(to) == 0 {
		return &Error{Problem: ProblemConfig, Err: errors.New("no recipient")}
	}
	msg, err := c.message(m, to)
	if err != nil {
		return &Error{Problem: ProblemConfig, Err: err}
	}
	client, err := c.client()
	if err != nil {
		return &Error{Problem: ProblemConfig, Err: err}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return &Error{Problem: Classify(err), Err: err}
	}
	return nil
}

func (c *Channel) message(m deliver.Message, to []string) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8))
	if err := msg.From(c.s.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", c.s.From, err)
	}
	if err := msg.To(to...); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if c.s.ReplyTo != "" {
		if err := msg.ReplyTo(c.s.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply_to %q: %w", c.s.ReplyTo, err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	for _, f := range m.Files {
		ct := f.ContentType
		if i := strings.Index(ct, ";"); i >= 0 {
			ct = ct[:i] // go-mail adds the charset itself
		}
		if err := msg.AttachReader(f.Name, bytes.NewReader(f.Data), mail.WithFileContentType(mail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("attach %s: %w", f.Name, err)
		}
	}
	return msg, nil
}

func (c *Channel) client() (*mail.Client, error) {
	s := c.s
	port := s.Port
	if port == 0 {
		port = DefaultPort(s.Security)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []mail.Option{
		mail.WithPort(port), mail.WithTimeout(timeout),
		mail.WithTLSConfig(&tls.Config{ServerName: s.Host, RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}),
	}
	switch s.Security {
	case TLS:
		opts = append(opts, mail.WithSSL())
	case None:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(s.Username), mail.WithPassword(s.Password.Reveal()))
	}
	return mail.NewClient(s.Host, opts...)
}

// Problem is what went wrong with a mail, in the terms staff can act on.
type Problem int

const (
	ProblemOther     Problem = iota
	ProblemAuth              // the server refused the user name or password
	ProblemTLS               // the secure connection failed (certificate, STARTTLS, wrong port)
	ProblemHost              // the server's name does not resolve
	ProblemConnect           // nothing answers at that address and port
	ProblemDropped           // the server closed the connection in the middle
	ProblemRecipient         // the server refused a recipient address
	ProblemSender            // the server refused the From address
	ProblemConfig            // the settings themselves are wrong
)

// Vietnamese says what the problem is and what to check.
func (p Problem) Vietnamese() string {
	switch p {
	case ProblemAuth:
		return "máy chủ thư từ chối đăng nhập: kiểm tra username và mật khẩu (Gmail và Microsoft 365 cần mật khẩu ứng dụng, không dùng mật khẩu thường)"
	case ProblemTLS:
		return "lỗi kết nối bảo mật (TLS): kiểm tra security (starttls cho cổng 587, tls cho cổng 465) và chứng chỉ của máy chủ"
	case ProblemHost:
		return "không tìm thấy máy chủ thư: kiểm tra host (tên máy chủ) và kết nối mạng"
	case ProblemConnect:
		return "không kết nối được máy chủ thư: kiểm tra host, port và tường lửa"
	case ProblemDropped:
		return "máy chủ thư ngắt kết nối giữa chừng"
	case ProblemRecipient:
		return "máy chủ thư từ chối địa chỉ người nhận: kiểm tra to"
	case ProblemSender:
		return "máy chủ thư từ chối địa chỉ người gửi: from phải là địa chỉ của tài khoản đăng nhập"
	case ProblemConfig:
		return "cấu hình [email] chưa đúng"
	}
	return "gửi thư không thành công"
}

// Error is a failed mail: Problem says what to fix, Err is what the library said.
type Error struct {
	Problem Problem
	Err     error
}

func (e *Error) Error() string {
	return "email: " + e.Problem.Vietnamese() + " (" + strings.Join(strings.Fields(e.Err.Error()), " ") + ")"
}

func (e *Error) Unwrap() error { return e.Err }

// Classify reads what go-mail and the network said as a Problem.
func Classify(err error) Problem {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	var sendErr *mail.SendError
	var tpErr *textproto.Error
	msg := err.Error()
	switch {
	case errors.As(err, &dnsErr):
		return ProblemHost
	case strings.Contains(msg, "SMTP AUTH failed") || strings.Contains(msg, "server does not support SMTP AUTH") ||
		strings.Contains(msg, "auth mechanism"):
		return ProblemAuth
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &recErr),
		strings.Contains(msg, "STARTTLS"), strings.Contains(msg, "tls:"), strings.Contains(msg, "x509:"):
		return ProblemTLS
	case errors.As(err, &sendErr) && sendErr.Reason == mail.ErrSMTPRcptTo:
		return ProblemRecipient
	case errors.As(err, &sendErr) && sendErr.Reason == mail.ErrSMTPMailFrom:
		return ProblemSender
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return ProblemConnect
	case errors.As(err, &tpErr) && tpErr.Code == 535:
		return ProblemAuth
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), strings.Contains(msg, "EOF"),
		strings.Contains(msg, "connection reset"), strings.Contains(msg, "broken pipe"):
		return ProblemDropped
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ProblemConnect
	}
	return ProblemOther
}
