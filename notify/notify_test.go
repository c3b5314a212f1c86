package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/notify"
)

// TestNewMailer pins how CAIRN_SMTP_URL and CAIRN_SMTP_FROM are read, and that bad ones
// are refused with a message that names the variable.
func TestNewMailer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url, from string
		addr            string
		err             string
	}{
		{"SMTPDefaultsTo587", "smtp://mail.example.com", "cairn@example.com", "mail.example.com:587", ""},
		{"SMTPSDefaultsTo465", "smtps://user:pw@mail.example.com", "Cairn <cairn@example.com>", "mail.example.com:465", ""},
		{"Port", "smtp://mail.example.com:2525?starttls=opportunistic", "cairn@example.com", "mail.example.com:2525", ""},
		{"ErrScheme", "http://mail.example.com", "cairn@example.com", "", "CAIRN_SMTP_URL must start with smtp:// or smtps://"},
		{"ErrStartTLS", "smtp://mail.example.com?starttls=maybe", "cairn@example.com", "", "starttls must be required, opportunistic or none"},
		{"ErrNoFrom", "smtp://mail.example.com", "", "", "CAIRN_SMTP_FROM is required"},
		{"ErrBadFrom", "smtp://mail.example.com", "not an address", "", "CAIRN_SMTP_FROM"},
		{"ErrNoHost", "smtp://", "cairn@example.com", "", "CAIRN_SMTP_URL must look like"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := notify.NewMailer(tc.url, tc.from)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if err != nil && strings.Contains(err.Error(), "pw") {
					t.Fatalf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Addr() != tc.addr {
				t.Fatalf("addr = %s, want %s", m.Addr(), tc.addr)
			}
		})
	}
}

// resolver answers every host with fixed addresses.
type resolver []netip.Addr

func (r resolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) { return r, nil }

// TestWebhookEgress checks that webhooks go over https to public addresses only, unless the
// operator listed the host, and that a refusal never shows the URL.
func TestWebhookEgress(t *testing.T) {
	t.Parallel()
	var hit atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit.Store(true) }))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	msg := notify.Message{Title: "t", Unsubscribe: "https://cairn.example.com/unsubscribe?t=x"}

	err := notify.NewPoster(&notify.WebhookEgress{}).Post(context.Background(), cairn.ChannelSlack, srv.URL+"/secret-path", msg)
	if !errors.Is(err, notify.ErrWebhookNotAllowed) || hit.Load() {
		t.Fatalf("plain http to an unlisted host: %v (reached: %v)", err, hit.Load())
	}
	for _, ip := range []string{"127.0.0.1", "10.1.2.3", "169.254.169.254"} {
		e := &notify.WebhookEgress{Resolver: resolver{netip.MustParseAddr(ip)}}
		err := notify.NewPoster(e).Post(context.Background(), cairn.ChannelTeams, "https://hooks.example.com/secret-path", msg)
		if !errors.Is(err, notify.ErrWebhookNotAllowed) {
			t.Errorf("a host resolving to %s: %v", ip, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret-path") {
			t.Errorf("the error shows the URL: %v", err)
		}
	}
	if err := notify.NewPoster(&notify.WebhookEgress{Hosts: []string{host}}).Post(context.Background(), cairn.ChannelSlack, srv.URL+"/secret-path", msg); err != nil || !hit.Load() {
		t.Fatalf("a listed host:port: %v (reached: %v)", err, hit.Load())
	}
}

// TestMessageCards checks what each channel's card carries: every key result with its value
// and a link to its check-in form, and the unsubscribe link, with Slack's markup escaped.
func TestMessageCards(t *testing.T) {
	t.Parallel()
	n := &cairn.Notification{Title: "Check-in due", Body: "b", Link: "/o/f/okrs/key-results/7#checkin-h",
		Items: []cairn.NotificationItem{{Title: "NPS <b>&</b>", Value: "40 / 50", Link: "/o/f/okrs/key-results/7#checkin-h"}}}
	m := notify.NewMessage(n, "https://cairn.example.com/", "https://cairn.example.com/unsubscribe?t=tok")
	if m.Items[0].Link != "https://cairn.example.com/o/f/okrs/key-results/7#checkin-h" {
		t.Fatalf("item link = %q", m.Items[0].Link)
	}
	text := m.Text()
	for _, want := range []string{"NPS <b>&</b> — 40 / 50", "Check in: https://cairn.example.com/o/f/okrs/key-results/7#checkin-h", "unsubscribe?t=tok"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	html, err := m.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<b>&</b>") || !strings.Contains(html, "NPS &lt;b&gt;&amp;&lt;/b&gt;") {
		t.Errorf("HTML does not escape the title:\n%s", html)
	}
}
