package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

// ErrWebhookNotAllowed reports a webhook URL Cairn may not post to.
var ErrWebhookNotAllowed = errors.New("webhook host not allowed")

// WebhookEgress decides where webhook posts may go. Webhook URLs carry no Cairn credential,
// so Azure DevOps' allow-list (azdo.Egress) does not apply; what matters is that an admin
// cannot aim Cairn at its own network. So a webhook must be https, and its host must
// resolve to public addresses only, checked on every connection; a host listed in Hosts
// (CAIRN_WEBHOOK_ALLOWED_HOSTS: host, or host:port which also allows http) may be private,
// as an on-premises relay is. Link-local addresses, such as the cloud metadata service, are
// never dialled. Redirects are not followed.
type WebhookEgress struct {
	// Hosts are the operator's entries, host or host:port in lower case.
	Hosts []string
	// Resolver looks hosts up; net.DefaultResolver when nil.
	Resolver interface {
		LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	}
}

func (e *WebhookEgress) listed(host, port string) bool {
	host = strings.ToLower(host)
	return slices.Contains(e.Hosts, host) || slices.Contains(e.Hosts, net.JoinHostPort(host, port))
}

// CheckURL reports, as an error matching ErrWebhookNotAllowed, why Cairn may not post to
// raw; nil when it may. It checks the URL, not the addresses its host resolves to.
func (e *WebhookEgress) CheckURL(_ context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%w: not a URL", ErrWebhookNotAllowed)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && slices.Contains(e.Hosts, net.JoinHostPort(strings.ToLower(u.Hostname()), port)):
		return nil
	}
	return fmt.Errorf("%w: webhooks must use https (http only to a host:port in CAIRN_WEBHOOK_ALLOWED_HOSTS)", ErrWebhookNotAllowed)
}

func (e *WebhookEgress) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	var r interface {
		LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	} = net.DefaultResolver
	if e.Resolver != nil {
		r = e.Resolver
	}
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	listed := e.listed(host, port)
	for _, ip := range ips {
		ip = ip.Unmap()
		if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
			return nil, fmt.Errorf("%w: %s resolves to a link-local or reserved address", ErrWebhookNotAllowed, host)
		}
		if !listed && (ip.IsLoopback() || ip.IsPrivate()) {
			return nil, fmt.Errorf("%w: %s resolves to a loopback or private address; list it in CAIRN_WEBHOOK_ALLOWED_HOSTS", ErrWebhookNotAllowed, host)
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("%s has no address", host)
	}
	return d.DialContext(ctx, network, net.JoinHostPort(ips[0].Unmap().String(), port))
}

// Poster posts cards to Microsoft Teams and Slack incoming webhooks.
type Poster struct {
	egress *WebhookEgress
	client *http.Client
}

// NewPoster returns a Poster whose connections the egress rules guard.
func NewPoster(e *WebhookEgress) *Poster {
	if e == nil {
		e = &WebhookEgress{}
	}
	tr := &http.Transport{DialContext: e.dial, TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: 20 * time.Second,
		MaxIdleConns: 10, IdleConnTimeout: time.Minute}
	return &Poster{egress: e, client: &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Post sends msg to a webhook of the kind. Its errors never hold the URL, which is a
// secret: a refused answer reads "slack webhook answered 404 Not Found: no_service".
func (p *Poster) Post(ctx context.Context, kind cairn.Channel, rawURL string, msg Message) error {
	if err := p.egress.CheckURL(ctx, rawURL); err != nil {
		return err
	}
	var payload any
	switch kind {
	case cairn.ChannelTeams:
		payload = msg.teamsCard()
	case cairn.ChannelSlack:
		payload = msg.slackMessage()
	default:
		return fmt.Errorf("no webhook of kind %q", kind)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s webhook: bad URL", kind)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Cairn")
	resp, err := p.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%s webhook: %w", kind, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s webhook answered %s: %s", kind, resp.Status, strings.TrimSpace(string(snippet)))
	}
	return nil
}
