package cairn_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
)

func TestConnectionWebURLs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		conn        cairn.Connection
		id          int
		query       string
		item, saved string
	}{
		{"Cloud", cairn.Connection{OrganizationURL: "https://dev.azure.com/fabrikam", Project: "Fabrikam Fiber"}, 42, "8a9c0d1e-0000-4000-8000-000000000001",
			"https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_workitems/edit/42", "https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_queries/query/8a9c0d1e-0000-4000-8000-000000000001/"},
		{"ProjectIDWins", cairn.Connection{OrganizationURL: "https://dev.azure.com/fabrikam/", Project: "Fabrikam Fiber", ProjectID: "0b7d2f2e-1111-2222-3333-444455556666"}, 7, "q",
			"https://dev.azure.com/fabrikam/0b7d2f2e-1111-2222-3333-444455556666/_workitems/edit/7", "https://dev.azure.com/fabrikam/0b7d2f2e-1111-2222-3333-444455556666/_queries/query/q/"},
		{"ServerCollection", cairn.Connection{OrganizationURL: "https://tfs.example.com/tfs/DefaultCollection", Project: "Web"}, 3, "",
			"https://tfs.example.com/tfs/DefaultCollection/Web/_workitems/edit/3", ""},
		{"ProjectAndQueryStayOneSegment", cairn.Connection{OrganizationURL: "https://dev.azure.com/fabrikam", Project: `a/../"><script>alert(1)</script>?x#y`}, 5, "../../evil?x=1#f",
			"https://dev.azure.com/fabrikam/a%2F..%2F%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%3Fx%23y/_workitems/edit/5",
			"https://dev.azure.com/fabrikam/a%2F..%2F%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%3Fx%23y/_queries/query/..%2F..%2Fevil%3Fx=1%23f/"},
		{"ScriptURL", cairn.Connection{OrganizationURL: "javascript:alert(1)//dev.azure.com/x", Project: "p"}, 5, "q", "", ""},
		{"NoHost", cairn.Connection{OrganizationURL: "https:///fabrikam", Project: "p"}, 5, "q", "", ""},
		{"NoProject", cairn.Connection{OrganizationURL: "https://dev.azure.com/fabrikam"}, 5, "q", "", ""},
		{"NoID", cairn.Connection{OrganizationURL: "https://dev.azure.com/fabrikam", Project: "p"}, 0, "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.conn.WorkItemURL(c.id); got != c.item {
				t.Errorf("WorkItemURL(%d) = %q, want %q", c.id, got, c.item)
			}
			if got := c.conn.QueryURL(c.query); got != c.saved {
				t.Errorf("QueryURL(%q) = %q, want %q", c.query, got, c.saved)
			}
		})
	}
}
