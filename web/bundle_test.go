package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
)

// testBundle is a running API server on a fresh SQLite database with a tenant, two
// organizations and one user per role.
type testBundle struct {
	db     *sqldb.DB
	srv    *httptest.Server
	hasher *auth.Hasher
	now    time.Time
	// queries counts the statements the store runs.
	queries atomic.Int64
	// tokens by user name: tenant, admin, owner, member, viewer, outsider
	tokens map[string]string
	users  map[string]*cairn.User
	org    *cairn.Org // fabrikam
	other  *cairn.Org // contoso, where only outsider is a member
}

func cheapHasher(tb testing.TB) *auth.Hasher {
	h, err := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func setup(tb testing.TB) *testBundle {
	tb.Helper()
	return setupWith(tb, nil)
}

// setupWith is setup with changes to the server's configuration.
func setupWith(tb testing.TB, configure func(*web.Config)) *testBundle {
	tb.Helper()
	ctx := context.Background()
	b := &testBundle{hasher: cheapHasher(tb), tokens: map[string]string{}, users: map[string]*cairn.User{}}
	b.now = time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return b.now }
	db, err := sqldb.Open(ctx, filepath.Join(tb.TempDir(), "cairn.db"), sqldb.Options{Now: now, OnQuery: func(string) { b.queries.Add(1) }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	b.db = db
	svc := cairn.NewService(db, cairn.ServiceOptions{Now: now, HashPassword: b.hasher.Hash})
	cfg := web.Config{Service: svc, Store: db, DB: db.SQL(), Ready: db.Ping, CSRFKey: bytes.Repeat([]byte("k"), 32), Passwords: b.hasher, Now: now}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := web.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	b.srv = httptest.NewServer(srv)
	tb.Cleanup(b.srv.Close)

	pw, _ := b.hasher.Hash("correct-horse")
	tenant := &cairn.User{Email: "tenant@example.com", Name: "Tenant Admin", TenantAdmin: true, PasswordHash: pw, CreatedAt: b.now}
	if err := db.CreateTenant(ctx, &cairn.Tenant{Name: "Cairn", CreatedAt: b.now}, tenant); err != nil {
		tb.Fatal(err)
	}
	b.addUser(tb, "tenant", tenant)
	tctx := cairn.NewContext(ctx, tenant)
	b.org = &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	if err := svc.CreateOrg(tctx, b.org); err != nil {
		tb.Fatal(err)
	}
	b.other = &cairn.Org{Name: "Contoso", Slug: "contoso"}
	if err := svc.CreateOrg(tctx, b.other); err != nil {
		tb.Fatal(err)
	}
	for _, m := range []struct {
		name string
		org  *cairn.Org
		role cairn.Role
	}{
		{"admin", b.org, cairn.RoleAdmin},
		{"owner", b.org, cairn.RoleMember},
		{"member", b.org, cairn.RoleMember},
		{"viewer", b.org, cairn.RoleViewer},
		{"outsider", b.other, cairn.RoleMember},
	} {
		mem, err := svc.AddMember(tctx, m.org.Slug, cairn.NewMember{Email: m.name + "@example.com", Name: m.name, Role: m.role, Password: "correct-horse"})
		if err != nil {
			tb.Fatal(err)
		}
		u, err := db.UserByID(ctx, mem.UserID)
		if err != nil {
			tb.Fatal(err)
		}
		b.addUser(tb, m.name, u)
	}
	return b
}

func (b *testBundle) addUser(tb testing.TB, name string, u *cairn.User) {
	_, tok, err := web.CreateAPIToken(context.Background(), b.db, u.ID, name, b.now)
	if err != nil {
		tb.Fatal(err)
	}
	b.tokens[name] = tok
	b.users[name] = u
}

// response is a decoded API answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r response) problem(tb testing.TB) web.Problem {
	tb.Helper()
	var p web.Problem
	r.json(tb, &p)
	return p
}

func (r response) id(tb testing.TB) int64 {
	tb.Helper()
	var v struct {
		ID int64 `json:"id"`
	}
	r.json(tb, &v)
	return v.ID
}

// do sends a request as the named user ("" for anonymous). body may be a string or a value
// to encode.
func (b *testBundle) do(tb testing.TB, who, method, path string, body any) response {
	tb.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(v)
	default:
		data, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, b.srv.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+b.tokens[who])
	}
	res, err := b.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// must sends a request and fails the test unless the status matches.
func (b *testBundle) must(tb testing.TB, want int, who, method, path string, body any) response {
	tb.Helper()
	r := b.do(tb, who, method, path, body)
	if r.Status != want {
		tb.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, who, r.Status, want, r.Body)
	}
	return r
}

// okrs creates a period, an objective owned by "owner", a key result and an initiative in
// fabrikam, and returns their ids.
type okrIDs struct{ period, objective, keyResult, initiative int64 }

func (b *testBundle) okrs(tb testing.TB) okrIDs {
	tb.Helper()
	var ids okrIDs
	ids.period = b.must(tb, 201, "admin", "POST", "/api/v1/orgs/fabrikam/periods", map[string]any{"name": "Q3 2026", "start": "2026-07-01", "end": "2026-09-30"}).id(tb)
	ids.objective = b.must(tb, 201, "owner", "POST", "/api/v1/orgs/fabrikam/objectives", map[string]any{"period_id": ids.period, "title": "Delight shoppers", "level": "organization", "owner_ids": []int64{b.users["owner"].ID}}).id(tb)
	ids.keyResult = b.must(tb, 201, "owner", "POST", "/api/v1/orgs/fabrikam/key-results", map[string]any{"objective_id": ids.objective, "title": "Checkout conversion", "metric": map[string]any{"kind": "percentage", "start": 0, "target": 100, "unit": "%"}}).id(tb)
	ids.initiative = b.must(tb, 201, "owner", "POST", "/api/v1/orgs/fabrikam/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": ids.keyResult}, "title": "New checkout", "contributes": true, "progress_mode": "manual"}).id(tb)
	return ids
}
