package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/web"
)

// routePath turns a route pattern into a path to request: {org} is fabrikam and {id} the
// bundle's item of the kind the path names. It reports false for routes that do not
// answer GET.
func routePath(b *testBundle, pattern string) (string, bool) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = http.MethodGet, pattern
	}
	if method != http.MethodGet {
		return "", false
	}
	if path == "/" {
		return "/no/such/page", true
	}
	path = strings.ReplaceAll(path, "{$}", "")
	segs := strings.Split(path, "/")
	for i, s := range segs {
		switch s {
		case "{org}":
			segs[i] = "fabrikam"
		case "{type}":
			segs[i] = "Epic"
		case "{id}":
			segs[i] = "1"
			switch segs[i-1] {
			case "objectives":
				segs[i] = id(b.objective)
			case "key-results":
				segs[i] = id(b.keyResult)
			case "initiatives":
				segs[i] = id(b.initiative)
			case "periods":
				segs[i] = id(b.period)
			}
		default:
			if strings.HasPrefix(s, "{") {
				segs[i] = "1"
			}
		}
	}
	return strings.Join(segs, "/"), true
}

// extraQuery gives routes the query they need to render their page rather than refuse.
var extraQuery = map[string]string{
	"/azure-devops/link":                 "code=ABCD-EFGH",
	"/azure-devops/initiatives/new":      "work-item=7&title=One-page+checkout",
	"/connections/azure-devops/callback": "state=unknown&code=x",
	"/setup":                             "token=whatever",
}

// assertPolicy checks one response: every response forbids framing and allows no inline
// or foreign script; an HTML page must carry its policy, allow each of its inline
// stylesheets by hash, and hold no inline script.
func assertPolicy(t *testing.T, what string, res response) {
	t.Helper()
	csp := res.header.Get("Content-Security-Policy")
	if csp == "" {
		t.Errorf("%s (%d, %s): no Content-Security-Policy", what, res.status, res.header.Get("Content-Type"))
		return
	}
	p := parsePolicy(csp)
	if fa := p["frame-ancestors"]; len(fa) != 1 || fa[0] != "'none'" {
		t.Errorf("%s: frame-ancestors %v in %q", what, fa, csp)
	}
	if xfo := res.header.Get("X-Frame-Options"); xfo != "DENY" {
		t.Errorf("%s: X-Frame-Options %q", what, xfo)
	}
	if base := p["base-uri"]; len(base) != 1 || base[0] != "'none'" {
		t.Errorf("%s: base-uri %v", what, base)
	}
	scripts, ok := p["script-src"]
	if !ok {
		scripts = p["default-src"]
	}
	if len(scripts) == 0 {
		t.Errorf("%s: neither script-src nor default-src in %q", what, csp)
	}
	for _, s := range scripts {
		if s != "'self'" && s != "'none'" {
			t.Errorf("%s: scripts may come from %s (%q)", what, s, csp)
		}
	}
	if !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
		return
	}
	styles, ok := p["style-src"]
	if !ok {
		styles = p["default-src"]
	}
	m := assertNoActiveContent(t, what, res.body)
	for _, tg := range m.tags {
		if tg.name == "style" && !styleAllowed(styles, tg.body) {
			t.Errorf("%s: the policy %q blocks the page's own <style>", what, csp)
		}
		if _, ok := tg.attrs["style"]; ok && !styleAllowed(styles, "") {
			t.Errorf("%s: <%s> has a style attribute the policy blocks", what, tg.name)
		}
	}
}

// TestEveryResponseCarriesAStrictPolicy requests every GET route the server has, as a
// tenant admin, as an organization admin, as htmx does and anonymously, and some forms
// that answer with a page, and checks each answer's Content-Security-Policy.
func TestEveryResponseCarriesAStrictPolicy(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	if _, err := web.NewSetupToken(context.Background(), b.db); err != nil {
		t.Fatal(err)
	}
	tctx := cairn.NewContext(context.Background(), b.users["tenant"])
	if _, err := b.svc.AddMember(tctx, "contoso", cairn.NewMember{Email: b.users["admin"].Email, Role: cairn.RoleMember}); err != nil {
		t.Fatal(err)
	}
	clients := map[string]*browser{"tenant": b.signIn(t, "tenant"), "admin": b.signIn(t, "admin")}
	anon := &browser{b: b, client: &http.Client{CheckRedirect: clients["admin"].client.CheckRedirect}}
	clients["anonymous"] = anon

	var html int
	seen := map[string]bool{}
	for _, pattern := range b.web.Patterns() {
		path, ok := routePath(b, pattern)
		if !ok || seen[path] {
			continue
		}
		seen[path] = true
		if q := extraQuery[path]; q != "" {
			path += "?" + q
		}
		for who, br := range clients {
			res := br.get(t, path)
			assertPolicy(t, who+" GET "+path, res)
			if strings.HasPrefix(res.header.Get("Content-Type"), "text/html") && res.status == http.StatusOK {
				html++
			}
			if who == "admin" {
				assertPolicy(t, "htmx GET "+path, br.hxTo(t, http.MethodGet, path, "drawer", nil))
			}
		}
	}
	if html < 20 {
		t.Fatalf("only %d routes answered with a page; the walk reached too few", html)
	}
	for _, f := range []struct {
		who, path string
		form      url.Values
	}{
		{"anonymous", "/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong"}}},
		{"anonymous", "/setup", url.Values{"token": {"wrong"}, "email": {"x@example.com"}, "password": {"long-enough"}}},
		{"admin", "/azure-devops/link", url.Values{"code": {"ABCD-EFGH"}}},
		{"admin", "/o/fabrikam/objectives", url.Values{"title": {""}}},
		{"admin", "/o/fabrikam/key-results/" + id(b.keyResult) + "/check-ins", url.Values{"value": {"x"}}},
		{"admin", "/o/fabrikam/key-results/" + strconv.Itoa(99999) + "/check-ins", url.Values{"value": {"1"}}},
	} {
		res := clients[f.who].post(t, f.path, f.form)
		if !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
			t.Errorf("POST %s answered %d %s, want a page", f.path, res.status, res.header.Get("Content-Type"))
		}
		assertPolicy(t, f.who+" POST "+f.path, res)
	}
}
