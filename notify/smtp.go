package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Mailer sends e-mail through one SMTP server.
type Mailer struct {
	host     string
	port     int
	ssl      bool
	policy   gomail.TLSPolicy
	user     string
	password string
	from     string
	// TLSConfig, when set, replaces the TLS configuration (tests trust their own server).
	TLSConfig *tls.Config
}

// NewMailer parses CAIRN_SMTP_URL and CAIRN_SMTP_FROM. The URL is
//
//	smtp://[user:password@]host[:port][?starttls=required|opportunistic|none]
//	smtps://[user:password@]host[:port]
//
// smtp:// (port 587 by default) upgrades with STARTTLS, which is required unless the
// starttls parameter relaxes it: "opportunistic" uses it when the server offers it, "none"
// never does (a relay on the same host). smtps:// (port 465 by default) speaks TLS from
// the start. With a user the password is sent with SMTP AUTH PLAIN, over TLS only unless
// starttls is none. from is the sender, an address with or without a name.
func NewMailer(rawURL, from string) (*Mailer, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" {
		return nil, errors.New("CAIRN_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
	}
	m := &Mailer{host: u.Hostname(), policy: gomail.TLSMandatory}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		m.port = 587
		switch v := u.Query().Get("starttls"); v {
		case "", "required":
		case "opportunistic":
			m.policy = gomail.TLSOpportunistic
		case "none":
			m.policy = gomail.NoTLS
		default:
			return nil, fmt.Errorf("CAIRN_SMTP_URL: starttls must be required, opportunistic or none, not %q", v)
		}
	case "smtps":
		m.port, m.ssl = 465, true
	default:
		return nil, fmt.Errorf("CAIRN_SMTP_URL must start with smtp:// or smtps://, not %s://", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil || m.port <= 0 || m.port > 65535 {
			return nil, fmt.Errorf("CAIRN_SMTP_URL: bad port %q", p)
		}
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.password, _ = u.User.Password()
	}
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("CAIRN_SMTP_FROM is required with CAIRN_SMTP_URL: the sender's address, such as Cairn <cairn@example.com>")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("CAIRN_SMTP_FROM %q is not an e-mail address", from)
	}
	m.from = from
	return m, nil
}

// Addr returns the server's host and port, for logs; it never holds the password.
func (m *Mailer) Addr() string { return net.JoinHostPort(m.host, strconv.Itoa(m.port)) }

// Send sends msg to one address.
func (m *Mailer) Send(ctx context.Context, to string, msg Message) error {
	em := gomail.NewMsg()
	if err := em.From(m.from); err != nil {
		return fmt.Errorf("smtp: sender: %w", err)
	}
	if err := em.To(to); err != nil {
		return fmt.Errorf("smtp: recipient %q: %w", to, err)
	}
	em.Subject(msg.Title)
	em.SetMessageID()
	em.SetDate()
	em.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+msg.Unsubscribe+">")
	em.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	em.SetBodyString(gomail.TypeTextPlain, msg.Text())
	html, err := msg.HTML()
	if err != nil {
		return err
	}
	em.AddAlternativeString(gomail.TypeTextHTML, html)

	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(30 * time.Second), gomail.WithTLSPolicy(m.policy)}
	if m.ssl {
		opts = append(opts, gomail.WithSSL())
	}
	if m.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(m.TLSConfig))
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(m.user), gomail.WithPassword(m.password))
	}
	c, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if m.TLSConfig == nil {
		if err := c.SetTLSConfig(&tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp: %w", err)
		}
	}
	if err := c.DialAndSendWithContext(ctx, em); err != nil {
		return fmt.Errorf("smtp %s: %w", m.Addr(), err)
	}
	return nil
}
