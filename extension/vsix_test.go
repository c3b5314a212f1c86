package extension_test

import (
	"archive/zip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/internal/extbuild"
)

// vsixPath is where `npm run package` writes the extension.
const vsixPath = "cairn-okr.vsix"

// openVSIX opens the packaged extension, packaging it with npm when it is missing. Without
// npm the test skips, except under CI=true, where .ci/run packages it first.
func openVSIX(t *testing.T) *zip.ReadCloser {
	t.Helper()
	if err := extbuild.Ensure(".", vsixPath, "package"); err != nil {
		if errors.Is(err, extbuild.ErrNoNPM) && os.Getenv("CI") != "true" {
			t.Skipf("%s is missing and %v", vsixPath, err)
		}
		t.Fatal(err)
	}
	z, err := zip.OpenReader(vsixPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { z.Close() })
	return z
}

func readZipFile(t *testing.T, z *zip.ReadCloser, name string) []byte {
	t.Helper()
	f, err := z.Open(name)
	if err != nil {
		t.Fatalf("the package has no %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// manifest is the part of the packaged extension.vsomanifest the test checks.
type manifest struct {
	Scopes        []string `json:"scopes"`
	Contributions []struct {
		ID         string         `json:"id"`
		Type       string         `json:"type"`
		Targets    []string       `json:"targets"`
		Properties map[string]any `json:"properties"`
	} `json:"contributions"`
}

func TestVSIXManifest(t *testing.T) {
	t.Parallel()
	z := openVSIX(t)
	var m manifest
	if err := json.Unmarshal(readZipFile(t, z, "extension.vsomanifest"), &m); err != nil {
		t.Fatalf("extension.vsomanifest: %v", err)
	}
	if !slices.Equal(m.Scopes, []string{"vso.work"}) {
		t.Errorf("scopes %v, want [vso.work]", m.Scopes)
	}
	var page bool
	for _, c := range m.Contributions {
		if c.Type != "ms.vss-work-web.work-item-form-page" {
			continue
		}
		page = true
		if !slices.Equal(c.Targets, []string{"ms.vss-work-web.work-item-form"}) {
			t.Errorf("page targets %v", c.Targets)
		}
		if c.Properties["name"] != "Cairn" || c.Properties["uri"] != "dist/page.html" {
			t.Errorf("page properties %v, want name Cairn and uri dist/page.html", c.Properties)
		}
	}
	if !page {
		t.Fatal("no ms.vss-work-web.work-item-form-page contribution")
	}

	var vsix struct {
		Metadata struct {
			Identity struct {
				ID        string `xml:"Id,attr"`
				Publisher string `xml:"Publisher,attr"`
				Version   string `xml:"Version,attr"`
			} `xml:"Identity"`
			DisplayName string `xml:"DisplayName"`
			Icon        string `xml:"Icon"`
		} `xml:"Metadata"`
		Assets []struct {
			Type        string `xml:"Type,attr"`
			Path        string `xml:"Path,attr"`
			Addressable string `xml:"Addressable,attr"`
		} `xml:"Assets>Asset"`
	}
	if err := xml.Unmarshal(readZipFile(t, z, "extension.vsixmanifest"), &vsix); err != nil {
		t.Fatalf("extension.vsixmanifest: %v", err)
	}
	id := vsix.Metadata.Identity
	if id.ID != "cairn-okr" || id.Publisher == "" || !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(id.Version) {
		t.Errorf("identity %+v", id)
	}
	if vsix.Metadata.Icon == "" {
		t.Error("the package has no icon")
	}
	addressable := map[string]bool{}
	for _, a := range vsix.Assets {
		addressable[a.Path] = a.Addressable == "true"
	}
	for _, p := range []string{"dist/page.html", "dist/page.js", "dist/page.css", "dist/settings.html", "dist/settings.js", "static/icon.png"} {
		if !addressable[p] {
			t.Errorf("%s is not an addressable asset (assets %v)", p, addressable)
		}
	}
}

func TestVSIXPageIsSelfContained(t *testing.T) {
	t.Parallel()
	z := openVSIX(t)
	for _, name := range []string{"dist/page.html", "dist/settings.html"} {
		html := string(readZipFile(t, z, name))
		if regexp.MustCompile(`(?i)<(script|link)[^>]+(src|href)="(https?:)?//`).MatchString(html) {
			t.Errorf("%s loads something from another host:\n%s", name, html)
		}
	}
	js := string(readZipFile(t, z, "dist/page.js"))
	for _, want := range []string{"DevOps.HostControl", "getAppToken", "ms.vss-work-web.work-item-form", "api/v1/azure-devops/alignment"} {
		if !strings.Contains(js, want) {
			t.Errorf("dist/page.js lacks %q: the SDK or the page is not bundled", want)
		}
	}
	png := readZipFile(t, z, "static/icon.png")
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Error("static/icon.png is not a PNG")
	}
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "node_modules/") || strings.HasPrefix(f.Name, "src/") || strings.HasSuffix(f.Name, ".vsix") {
			t.Errorf("the package carries %s", f.Name)
		}
	}
}
