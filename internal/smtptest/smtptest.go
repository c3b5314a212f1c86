// Package smtptest runs a real SMTP server (emersion/go-smtp) in a test process and keeps
// the messages it receives, so that tests of Cairn's e-mail go through SMTP end to end.
package smtptest

import (
	"crypto/tls"
	"io"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Message is one message the server received: the envelope's sender and recipient, and
// the headers and body as a mail reader shows them (quoted-printable undone).
type Message struct {
	From, To, Data string
}

// Mailbox is a running SMTP server and the messages it received.
type Mailbox struct {
	mu   sync.Mutex
	msgs []Message
	srv  *smtp.Server
	addr string
}

// Start serves SMTP on addr ("127.0.0.1:0" for any port) until the test ends. With
// tlsConfig the server offers STARTTLS with it; without, it speaks plain SMTP (a client
// then needs starttls=none).
func Start(tb testing.TB, addr string, tlsConfig *tls.Config) *Mailbox {
	tb.Helper()
	m := &Mailbox{}
	m.srv = smtp.NewServer(m)
	m.srv.Domain = "localhost"
	m.srv.TLSConfig = tlsConfig
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	m.addr = ln.Addr().String()
	go func() { _ = m.srv.Serve(ln) }()
	tb.Cleanup(func() { m.srv.Close() })
	return m
}

// Addr is the host:port the server listens on.
func (m *Mailbox) Addr() string { return m.addr }

// Messages returns the messages received so far.
func (m *Mailbox) Messages() []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Message(nil), m.msgs...)
}

// NewSession starts a session; it implements smtp.Backend.
func (m *Mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: m}, nil }

type session struct {
	box      *Mailbox
	from, to string
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	msg, err := netmail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		return err
	}
	var b strings.Builder
	for k, vs := range msg.Header {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.WriteString("\n")
	b.Write(body)
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.msgs = append(s.box.msgs, Message{From: s.from, To: s.to, Data: b.String()})
	return nil
}
