package azdo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdo"
)

// wiqlTree is a tree query's result with n rows, as Azure DevOps sends it.
func wiqlTree(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"queryType":"tree","queryResultType":"workItemLink","asOf":"2026-12-07T08:00:00.123Z",` +
		`"columns":[{"referenceName":"System.Id","name":"ID","url":"https://dev.azure.com/fabrikam/_apis/wit/fields/System.Id"}],"workItemRelations":[`)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		if i == 1 {
			fmt.Fprintf(&b, `{"rel":null,"source":null,"target":{"id":%d,"url":"https://dev.azure.com/fabrikam/_apis/wit/workItems/%d"}}`, i, i)
			continue
		}
		fmt.Fprintf(&b, `{"rel":"System.LinkTypes.Hierarchy-Forward","source":{"id":%d,"url":"https://dev.azure.com/fabrikam/_apis/wit/workItems/%d"},"target":{"id":%d,"url":"https://dev.azure.com/fabrikam/_apis/wit/workItems/%d"}}`, i/2, i/2, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkWIQLDecode decodes a 2,000-row tree query result through the client, as a
// sync's membership query does.
func BenchmarkWIQLDecode(b *testing.B) {
	body := wiqlTree(2000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c := newBenchClient(b, srv.URL)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for range b.N {
		r, err := c.WIQL(context.Background(), "Fabrikam", "SELECT [System.Id] FROM WorkItemLinks", azdo.WIQLOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.IDs()) != 2000 {
			b.Fatalf("%d ids", len(r.IDs()))
		}
	}
}

// TestWIQLDecodeMatchesUnmarshal: the client's decoding of a WIQL response gives what
// json.Unmarshal into WIQLResult gives.
func TestWIQLDecodeMatchesUnmarshal(t *testing.T) {
	body := wiqlTree(50)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	got, err := newBenchClient(t, srv.URL).WIQL(context.Background(), "Fabrikam", "SELECT [System.Id] FROM WorkItemLinks", azdo.WIQLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want azdo.WIQLResult
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) || got.AsOf.IsZero() || len(got.WorkItemRelations) != 50 {
		t.Fatalf("client decoded\n%s\nwant\n%s", g, w)
	}
}

// newBenchClient is a client of the organization at base, with a PAT.
func newBenchClient(tb testing.TB, base string) *azdo.Client {
	tb.Helper()
	c, err := azdo.New(azdo.Config{OrgURL: base + "/fabrikam", Auth: azdo.PAT("bench-pat")})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
