package azdo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrHostNotAllowed reports a URL that Cairn may not send credentials to: a host outside
// Azure DevOps Services and the hosts an operator or tenant admin allowed, a scheme other
// than https, or a host that resolves to a loopback, private or link-local address.
var ErrHostNotAllowed = errors.New("azdo: host not allowed")

// Egress decides where Azure DevOps credentials may go, and guards every request and
// every connection that carries them. Without listed hosts it allows exactly:
//
//   - https://dev.azure.com/{organization} and the services under *.dev.azure.com;
//   - https://{organization}.visualstudio.com and the services under *.visualstudio.com;
//   - https://login.microsoftonline.com, where Entra tokens are issued.
//
// An Azure DevOps Server host ("tfs.example.com") or an emulator ("127.0.0.1:8090") must be
// listed: by the operator (CAIRN_AZDO_ALLOWED_HOSTS, or --demo for its own emulator) or by a
// tenant admin. A listed entry with a port allows http and https on that port; a listed
// host without a port allows https on port 443. A listed host may resolve to a private
// address, as an on-premises server does; any other host must resolve to public addresses
// only, checked on every connection so that a DNS answer that changes cannot rebind it. A
// link-local address (such as the cloud metadata service 169.254.169.254) is never dialled.
//
// The zero Egress allows Azure DevOps Services only. It is safe for concurrent use, and
// must not be copied after first use.
type Egress struct {
	// Hosts are the entries the operator allowed, as host or host:port in lower case (see
	// cairn.NormalizeHostEntry).
	Hosts []string
	// Listed returns the entries a tenant admin allowed, in the form of Hosts; nil for
	// none. It is called for every check, so that a host taken off the list is refused at
	// the next call.
	Listed func(ctx context.Context) ([]string, error)
	// Resolver looks hosts up; net.DefaultResolver when nil.
	Resolver interface {
		LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	}

	once   sync.Once
	client *http.Client
}

// rule is what the allow-list says of one URL.
type rule struct {
	allowed bool
	why     string
}

// CheckURL reports, as an error matching ErrHostNotAllowed, why raw may not receive
// credentials; nil when it may. It checks the URL, not the addresses its host resolves to.
func (e *Egress) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%w: %q is not a URL", ErrHostNotAllowed, raw)
	}
	r, err := e.rule(ctx, u)
	if err != nil {
		return err
	}
	if !r.allowed {
		return fmt.Errorf("%w: %s", ErrHostNotAllowed, r.why)
	}
	return nil
}

func (e *Egress) rule(ctx context.Context, u *url.URL) (rule, error) {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if scheme != "https" && scheme != "http" {
		return rule{why: fmt.Sprintf("the scheme %q is not https", u.Scheme)}, nil
	}
	if u.User != nil {
		return rule{why: "the URL carries a user name or password"}, nil
	}
	listed, err := e.entries(ctx)
	if err != nil {
		return rule{}, err
	}
	hostPort := host
	if port != "" {
		hostPort = net.JoinHostPort(host, port)
	}
	switch {
	case port != "" && slices.Contains(listed, hostPort):
		return rule{allowed: true}, nil
	case scheme == "https" && (port == "" || port == "443") && slices.Contains(listed, host):
		return rule{allowed: true}, nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return rule{why: fmt.Sprintf("%s is an IP address that is not on the allow-list; an operator allows it with CAIRN_AZDO_ALLOWED_HOSTS=%s", a, hostPort)}, nil
	}
	if !cloudHost(host) {
		return rule{why: fmt.Sprintf("%s is not Azure DevOps Services (dev.azure.com or *.visualstudio.com); a tenant admin can allow an Azure DevOps Server host on the admin page, or an operator with CAIRN_AZDO_ALLOWED_HOSTS", hostPort)}, nil
	}
	if scheme != "https" {
		return rule{why: fmt.Sprintf("Azure DevOps Services is reached over https, not %s", scheme)}, nil
	}
	if port != "" && port != "443" {
		return rule{why: fmt.Sprintf("Azure DevOps Services is reached on port 443, not %s", port)}, nil
	}
	return rule{allowed: true}, nil
}

// cloudHost reports whether host belongs to Azure DevOps Services or to Microsoft Entra's
// token service.
func cloudHost(host string) bool {
	return host == "dev.azure.com" || strings.HasSuffix(host, ".dev.azure.com") ||
		strings.HasSuffix(host, ".visualstudio.com") || host == "login.microsoftonline.com"
}

func (e *Egress) entries(ctx context.Context) ([]string, error) {
	if e == nil {
		return nil, nil
	}
	out := make([]string, 0, len(e.Hosts))
	for _, h := range e.Hosts {
		out = append(out, strings.ToLower(h))
	}
	if e.Listed != nil {
		more, err := e.Listed(ctx)
		if err != nil {
			return nil, fmt.Errorf("azdo: read the allowed hosts: %w", err)
		}
		for _, h := range more {
			out = append(out, strings.ToLower(h))
		}
	}
	return out, nil
}

// publicAddr reports whether an address may be dialled for a host that is not listed.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// reserved are ranges that are neither private nor public: carrier-grade NAT, the IETF and
// documentation ranges, benchmarking, and 0.0.0.0/8.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// Client returns the client that sends only what the allow-list allows: it checks each
// request's URL, resolves its host itself and dials only an address the rule allows, and
// never follows a redirect. Each request may take 2 minutes. Every call returns the same
// client, so that connections are reused.
func (e *Egress) Client() *http.Client {
	e.once.Do(func() { e.client = e.newClient(2 * time.Minute) })
	return e.client
}

// Wrap returns a client that sends through base's transport, checking each request's URL
// as Client does and never following a redirect; it does not check the addresses it
// connects to. It is for tests and benchmarks that bring a transport of their own.
func (e *Egress) Wrap(base *http.Client) *http.Client {
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	return &http.Client{Timeout: base.Timeout, Jar: base.Jar, Transport: &guard{e: e, next: next},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *Egress) newClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		// No proxy: the guard must see the address it connects to.
		Proxy:                 nil,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return e.dial(ctx, dialer, network, addr)
		},
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: &guard{e: e, next: tr},
		// A redirect would carry, or invite, the credential to another place: never follow
		// one. The caller sees the 3xx as an error.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// guard checks every request's URL before it leaves.
type guard struct {
	e    *Egress
	next http.RoundTripper
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.e.CheckURL(req.Context(), req.URL.String()); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return g.next.RoundTrip(req)
}

// dial resolves addr's host, refuses addresses the rule does not allow, and dials the first
// allowed one, so that the address checked is the address connected to.
func (e *Egress) dial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	listed, err := e.entries(ctx)
	if err != nil {
		return nil, err
	}
	var isListed bool
	switch {
	case slices.Contains(listed, net.JoinHostPort(host, port)), port == "443" && slices.Contains(listed, host):
		isListed = true
	case port == "443" && cloudHost(host):
	default:
		return nil, fmt.Errorf("%w: %s is not on the allow-list", ErrHostNotAllowed, addr)
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		var res interface {
			LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
		} = net.DefaultResolver
		if e.Resolver != nil {
			res = e.Resolver
		}
		if addrs, err = res.LookupNetIP(ctx, "ip", host); err != nil {
			return nil, err
		}
	}
	var refused []string
	var lastErr error
	for _, a := range addrs {
		a = a.Unmap()
		if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsUnspecified() || a.IsMulticast() || (!isListed && !publicAddr(a)) {
			refused = append(refused, a.String())
			continue
		}
		c, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		lastErr = err
	}
	if lastErr != nil {
		return nil, lastErr
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("%w: %s resolves to %s, a loopback, private or link-local address; only a host on the allow-list may", ErrHostNotAllowed, host, strings.Join(refused, ", "))
	}
	return nil, fmt.Errorf("azdo: %s resolves to no address", host)
}
