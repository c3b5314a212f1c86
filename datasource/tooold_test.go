package datasource_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// tfs2018 answers the way Team Foundation Server 2018 Update 2 does at its collection URL
// /tfs/DefaultCollection: its REST API goes up to 4.1, so it refuses every later
// api-version with 400 VssVersionOutOfRangeException, and OPTIONS _apis lists resource
// locations whose versions end at 4.1. With listLocations false it stands for such a server
// behind a proxy that refuses OPTIONS (405). It records every request it gets.
type tfs2018 struct {
	listLocations bool

	mu       sync.Mutex
	requests []string
}

func (s *tfs2018) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	const coll = "/tfs/DefaultCollection"
	switch {
	case r.Method == http.MethodOptions && r.URL.Path == coll+"/_apis":
		if !s.listLocations {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		// TFS 2018 lists its resources up to REST API 4.1.
		at := func(id, area, name, template string, version int, released string) azdo.ResourceLocation {
			return azdo.ResourceLocation{ID: id, Area: area, ResourceName: name, RouteTemplate: template, ResourceVersion: version,
				MinVersion: "1.0", MaxVersion: "4.1", ReleasedVersion: released}
		}
		locs := []azdo.ResourceLocation{
			at("603fe2ac-9723-48b9-88ad-09305aa6c6e1", "core", "projects", "_apis/{resource}/{*projectId}", 4, "4.1"),
			at("1a9c53f7-f243-4447-b110-35ef023636e4", "wit", "wiql", "{project}/{team}/_apis/wit/{resource}", 2, "4.1"),
			at("72c7ddf8-2cdc-4f60-90cd-ab71c14a399b", "wit", "workItems", "{project}/_apis/wit/{resource}/{id}", 3, "4.1"),
			at("fc50d02a-849f-41fb-8af1-0a5216103269", "hooks", "subscriptions", "_apis/hooks/{resource}/{subscriptionId}", 1, "4.1"),
			at("00d9565f-ed9c-4a06-9a50-00e7896ccab4", "Location", "ConnectionData", "_apis/{resource}", 1, "0.0"),
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"count": len(locs), "value": locs})
	case strings.HasPrefix(r.URL.Path, coll+"/_apis/"):
		v := r.URL.Query().Get("api-version")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"$id": "1", "innerException": nil,
			"message":  fmt.Sprintf("VS800071: The requested REST API version of %s is out of range for this server. The latest REST API version this server supports is 4.1.", v),
			"typeName": "Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi",
			"typeKey":  "VssVersionOutOfRangeException", "errorCode": 0, "eventId": 3000,
		})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (s *tfs2018) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// TestServerOlderThan2019IsRefused connects to a Team Foundation Server 2018 collection:
// Cairn refuses the connection at its organization URL and says that it works with Azure
// DevOps Server 2019 and newer, stores nothing and sends nothing past the version check,
// whether the server lists its resource locations or a proxy hides them and only the
// version error tells.
func TestServerOlderThan2019IsRefused(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", sqldb.DialectPostgres} {
		for _, tc := range []struct {
			name          string
			listLocations bool
			// want are the requests the server gets, in order, without their query.
			want []string
		}{
			{"ResourceLocations", true, []string{"GET /tfs/DefaultCollection/_apis/connectionData", "OPTIONS /tfs/DefaultCollection/_apis"}},
			{"VersionError", false, []string{"GET /tfs/DefaultCollection/_apis/connectionData", "OPTIONS /tfs/DefaultCollection/_apis", "GET /tfs/DefaultCollection/_apis/connectionData"}},
		} {
			t.Run(dialect+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, bundleOptions{dialect: dialect})
				tfs := &tfs2018{listLocations: tc.listLocations}
				ts := httptest.NewServer(tfs)
				t.Cleanup(ts.Close)
				hosts, err := b.svc.AllowedHosts(b.actx)
				must(t, err)
				_, err = b.svc.SetAllowedHosts(b.actx, append(hosts, strings.TrimPrefix(ts.URL, "http://")))
				must(t, err)

				orgURL := ts.URL + "/tfs/DefaultCollection"
				want := orgURL + " runs a REST API older than 5.0: Cairn works with Azure DevOps Server 2019 and newer"
				// The wizard's first step lists the projects of the organization URL.
				_, err = b.ds.ProbeProjects(b.actx, b.org.Slug, datasource.ProbeInput{OrganizationURL: orgURL,
					Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: testPAT}})
				var pe *cairn.Error
				if !errors.As(err, &pe) || pe.Code != cairn.EINVALID || pe.Field != "organization_url" || pe.Message != want {
					t.Errorf("list the projects of TFS 2018: %#v\nwant %s at organization_url: %q", err, cairn.EINVALID, want)
				}
				probed := len(tfs.seen())
				_, err = b.ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{
					Name: "TFS 2018", OrganizationURL: orgURL, Project: emuProject,
					Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: testPAT}})
				var ce *cairn.Error
				if !errors.As(err, &ce) {
					t.Fatalf("create connection to TFS 2018: %v, want a field error", err)
				}
				if ce.Code != cairn.EINVALID || ce.Field != "organization_url" || ce.Message != want {
					t.Fatalf("error %s at %q: %q\nwant %s at organization_url: %q", ce.Code, ce.Field, ce.Message, cairn.EINVALID, want)
				}
				var got []string
				for _, r := range tfs.seen()[probed:] {
					p, q, _ := strings.Cut(r, "?")
					got = append(got, p)
					if strings.HasSuffix(p, "/connectionData") && !strings.Contains(q, "api-version=") {
						t.Errorf("%s was sent without an api-version", r)
					}
				}
				if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
					t.Errorf("requests to the server:\n%s\nwant:\n%s", strings.Join(tfs.seen()[probed:], "\n"), strings.Join(tc.want, "\n"))
				}
				list, err := b.ds.ListConnections(b.actx, b.org.Slug)
				must(t, err)
				if len(list) != 0 {
					t.Errorf("a refused connection was stored: %+v", list[0].Connection)
				}
			})
		}
	}
}
