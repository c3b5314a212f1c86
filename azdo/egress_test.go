package azdo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairn-okr/cairn/azdo"
)

func TestEgressCheckURL(t *testing.T) {
	t.Parallel()
	e := &azdo.Egress{Hosts: []string{"127.0.0.1:8090", "tfs.example.com", "[::1]:8091"}}
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"https://dev.azure.com/fabrikam", true},
		{"https://DEV.AZURE.COM/fabrikam", true},
		{"https://dev.azure.com:443/fabrikam", true},
		{"https://fabrikam.visualstudio.com", true},
		{"https://app.vssps.visualstudio.com/_apis/profile", true},
		{"https://vssps.dev.azure.com/fabrikam", true},
		{"https://login.microsoftonline.com/tenant/oauth2/v2.0/token", true},
		{"http://dev.azure.com/fabrikam", false},
		{"https://dev.azure.com:8443/fabrikam", false},
		{"https://dev.azure.com.evil.example/fabrikam", false},
		{"https://evilvisualstudio.com/x", false},
		{"https://user:pw@dev.azure.com/fabrikam", false},
		{"ftp://dev.azure.com/fabrikam", false},
		{"file:///etc/passwd", false},
		{"gopher://127.0.0.1:8090/", false},
		{"https://example.com/fabrikam", false},
		{"http://127.0.0.1:8090/fabrikam", true},
		{"https://127.0.0.1:8090/fabrikam", true},
		{"http://127.0.0.1:8091/fabrikam", false},
		{"http://127.0.0.1/fabrikam", false},
		{"http://localhost:8090/fabrikam", false},
		{"http://169.254.169.254/latest/meta-data", false},
		{"http://[::1]:8091/x", true},
		{"http://[::1]:8090/x", false},
		{"https://tfs.example.com/tfs/DefaultCollection", true},
		{"https://tfs.example.com:443/tfs/DefaultCollection", true},
		{"http://tfs.example.com/tfs/DefaultCollection", false},
		{"https://tfs.example.com:8443/tfs", false},
		{"http://10.0.0.5/tfs", false},
		{"http://192.168.1.10:8080/tfs", false},
	} {
		err := e.CheckURL(context.Background(), c.url)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want allowed=%v", c.url, err, c.ok)
		}
		if err != nil && !errors.Is(err, azdo.ErrHostNotAllowed) {
			t.Errorf("%s: %v does not match ErrHostNotAllowed", c.url, err)
		}
	}
}

// fakeResolver answers every lookup with its addresses, as a DNS server under an
// attacker's control may.
type fakeResolver struct {
	mu    sync.Mutex
	addrs map[string][]netip.Addr
}

func (r *fakeResolver) set(host string, addrs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.addrs == nil {
		r.addrs = map[string][]netip.Addr{}
	}
	r.addrs[host] = nil
	for _, a := range addrs {
		r.addrs[host] = append(r.addrs[host], netip.MustParseAddr(a))
	}
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addrs[host], nil
}

// TestEgressRefusesPrivateAddressesOfCloudHosts resolves Azure DevOps Services hosts to
// loopback, private and link-local addresses, as a rebinding DNS answer would, and checks
// that the client never connects.
func TestEgressRefusesPrivateAddressesOfCloudHosts(t *testing.T) {
	t.Parallel()
	res := &fakeResolver{}
	e := &azdo.Egress{Resolver: res}
	hc := e.Client()
	for _, addr := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.0.1", "169.254.169.254", "100.64.0.1", "::1", "fd00::1", "::ffff:127.0.0.1", "0.0.0.0"} {
		res.set("fabrikam.visualstudio.com", addr)
		_, err := hc.Get("https://fabrikam.visualstudio.com/_apis/projects")
		if !errors.Is(err, azdo.ErrHostNotAllowed) {
			t.Errorf("resolved to %s: err %v, want ErrHostNotAllowed", addr, err)
		}
	}
	// A mix of public and private answers connects to none of the private ones.
	res.set("dev.azure.com", "10.0.0.1", "127.0.0.1")
	if _, err := hc.Get("https://dev.azure.com/fabrikam/_apis/projects"); !errors.Is(err, azdo.ErrHostNotAllowed) || !strings.Contains(err.Error(), "10.0.0.1") {
		t.Errorf("private answers: err %v", err)
	}
}

// TestEgressListedHostMayBePrivate lets a listed Azure DevOps Server host resolve to a
// private address (here loopback, where a test server listens), and refuses the same host
// once it leaves the list: the list is read at every call.
func TestEgressListedHostMayBePrivate(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"count":0,"value":[]}`))
	}))
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	res := &fakeResolver{}
	res.set("tfs.corp.test", "127.0.0.1")
	var mu sync.Mutex
	listed := []string{"tfs.corp.test:" + port}
	e := &azdo.Egress{Resolver: res, Listed: func(context.Context) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		return listed, nil
	}}
	hc := e.Client()
	res0, err := hc.Get("http://tfs.corp.test:" + port + "/DefaultCollection/_apis/projects")
	if err != nil {
		t.Fatalf("listed host: %v", err)
	}
	res0.Body.Close()
	mu.Lock()
	listed = nil
	mu.Unlock()
	if _, err := hc.Get("http://tfs.corp.test:" + port + "/DefaultCollection/_apis/projects"); !errors.Is(err, azdo.ErrHostNotAllowed) {
		t.Fatalf("after leaving the list: err %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("the server saw %d calls, want 1", calls.Load())
	}
	// Link-local is never dialled, listed or not.
	res.set("tfs.corp.test", "169.254.169.254")
	mu.Lock()
	listed = []string{"tfs.corp.test:" + port}
	mu.Unlock()
	if _, err := hc.Get("http://tfs.corp.test:" + port + "/x"); !errors.Is(err, azdo.ErrHostNotAllowed) {
		t.Fatalf("link-local: err %v", err)
	}
}

// TestEgressNeverFollowsRedirects points an allowed host at another allowed host with a
// redirect, and checks that the second never sees a request, let alone the credential.
func TestEgressNeverFollowsRedirects(t *testing.T) {
	t.Parallel()
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
	}))
	t.Cleanup(other.Close)
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(first.Close)
	e := &azdo.Egress{Hosts: []string{strings.TrimPrefix(first.URL, "http://"), strings.TrimPrefix(other.URL, "http://")}}
	c, err := azdo.New(azdo.Config{OrgURL: first.URL + "/fabrikam", Auth: azdo.PAT("secret-pat"), HTTPClient: e.Client(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AllProjects(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redirect") || !strings.Contains(err.Error(), other.URL) {
		t.Fatalf("err %v, want one that names the redirect", err)
	}
	if leaked.Load() != 0 {
		t.Fatalf("the redirect target got %d requests", leaked.Load())
	}
}

// TestEgressNotListedEmulator checks that an emulator that is not listed is refused before
// any connection, with a message that says how to list it.
func TestEgressNotListedEmulator(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	t.Cleanup(srv.Close)
	e := &azdo.Egress{}
	_, err := e.Client().Get(srv.URL + "/fabrikam/_apis/projects")
	if !errors.Is(err, azdo.ErrHostNotAllowed) || !strings.Contains(err.Error(), "CAIRN_AZDO_ALLOWED_HOSTS="+strings.TrimPrefix(srv.URL, "http://")) {
		t.Fatalf("err %v", err)
	}
	if calls.Load() != 0 {
		t.Fatal("the unlisted server was called")
	}
}
