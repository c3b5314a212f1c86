package cairn_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
)

func TestNormalizeHostEntry(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"tfs.example.com", "tfs.example.com"},
		{" TFS.Example.COM ", "tfs.example.com"},
		{"tfs.example.com.", "tfs.example.com"},
		{"127.0.0.1:8090", "127.0.0.1:8090"},
		{"[::1]:8090", "[::1]:8090"},
		{"::1", "::1"},
		{"10.0.0.5", "10.0.0.5"},
	} {
		got, err := cairn.NormalizeHostEntry(c.in)
		if err != nil || got != c.want {
			t.Errorf("%q: %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "https://tfs.example.com", "tfs.example.com/tfs", "*.example.com", "user@tfs", "tfs:0", "tfs:65536", "tfs:08090",
		"tfs:http", "169.254.169.254", "[fe80::1]:80", "0.0.0.0:80", "224.0.0.1", "a b", "a,b", "[]:80"} {
		if got, err := cairn.NormalizeHostEntry(bad); err == nil {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}

func TestParseHostList(t *testing.T) {
	t.Parallel()
	got, err := cairn.ParseHostList(" tfs.example.com ,127.0.0.1:8090,, TFS.example.com")
	if err != nil || len(got) != 2 || got[0] != "tfs.example.com" || got[1] != "127.0.0.1:8090" {
		t.Fatalf("%v, %v", got, err)
	}
	if got, err := cairn.ParseHostList(""); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v, %v", got, err)
	}
	if _, err := cairn.ParseHostList("ok.example.com,http://bad"); err == nil {
		t.Fatal("a bad entry passed")
	}
}
