package ui_test

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"strings"
	"testing"
)

// tag is one start tag of a page, with its attributes decoded.
type tag struct {
	name  string
	attrs map[string]string
	// body is the raw content of a <script> or <style> element.
	body string
}

// markup is a page cut into its start tags and its decoded text.
type markup struct {
	tags []tag
	text string
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// scan reads a page as a browser tokenizes it: a "<" starts a tag only before a letter,
// attribute values end at their own quote, and the content of <script> and <style> is raw
// text. Cairn's templates quote every attribute, so this is enough to see which elements
// and attributes a browser would create.
func scan(page string) markup {
	var m markup
	var text strings.Builder
	i := 0
	for i < len(page) {
		lt := strings.IndexByte(page[i:], '<')
		if lt < 0 {
			text.WriteString(page[i:])
			break
		}
		text.WriteString(page[i : i+lt])
		i += lt
		switch {
		case strings.HasPrefix(page[i:], "<!--"):
			end := strings.Index(page[i:], "-->")
			if end < 0 {
				return m
			}
			i += end + 3
			continue
		case i+1 < len(page) && (page[i+1] == '/' || page[i+1] == '!'):
			end := strings.IndexByte(page[i:], '>')
			if end < 0 {
				return m
			}
			i += end + 1
			continue
		case i+1 >= len(page) || !isLetter(page[i+1]):
			text.WriteByte('<')
			i++
			continue
		}
		j := i + 1
		for j < len(page) && !isSpace(page[j]) && page[j] != '>' && page[j] != '/' {
			j++
		}
		t := tag{name: strings.ToLower(page[i+1 : j]), attrs: map[string]string{}}
		for j < len(page) && page[j] != '>' {
			if isSpace(page[j]) || page[j] == '/' {
				j++
				continue
			}
			k := j
			for k < len(page) && !isSpace(page[k]) && page[k] != '=' && page[k] != '>' {
				k++
			}
			name := strings.ToLower(page[j:k])
			j = k
			for j < len(page) && isSpace(page[j]) {
				j++
			}
			val := ""
			if j < len(page) && page[j] == '=' {
				j++
				for j < len(page) && isSpace(page[j]) {
					j++
				}
				if j < len(page) && (page[j] == '"' || page[j] == '\'') {
					end := strings.IndexByte(page[j+1:], page[j])
					if end < 0 {
						end = len(page) - j - 1
					}
					val = page[j+1 : j+1+end]
					j += end + 2
				} else {
					k := j
					for k < len(page) && !isSpace(page[k]) && page[k] != '>' {
						k++
					}
					val, j = page[j:k], k
				}
			}
			t.attrs[name] = html.UnescapeString(val)
		}
		j++
		if t.name == "script" || t.name == "style" {
			end := strings.Index(strings.ToLower(page[min(j, len(page)):]), "</"+t.name)
			if end < 0 {
				end = len(page) - min(j, len(page))
			}
			t.body = page[min(j, len(page)) : min(j, len(page))+end]
			j += end
		}
		m.tags = append(m.tags, t)
		i = j
	}
	m.text = html.UnescapeString(text.String())
	return m
}

// urlAttrs are the attributes whose value a browser follows or htmx requests.
var urlAttrs = []string{"href", "src", "action", "formaction", "xlink:href", "data-href", "hx-get", "hx-post", "poster", "srcset"}

// assertNoActiveContent fails when a page would run script a template did not write: an
// inline <script>, a script from elsewhere, an event-handler attribute, a javascript: URL,
// or an element that only a payload brings (img, iframe, object, embed). It returns the
// page's markup for further checks.
func assertNoActiveContent(t *testing.T, what, page string) markup {
	t.Helper()
	m := scan(page)
	for _, tg := range m.tags {
		switch tg.name {
		case "script":
			src, ok := tg.attrs["src"]
			if !ok || strings.TrimSpace(tg.body) != "" {
				t.Errorf("%s: inline <script> %.80q", what, tg.body)
			} else if !strings.HasPrefix(src, "/static/") {
				t.Errorf("%s: script from %q", what, src)
			}
		case "img", "iframe", "object", "embed", "frame", "base":
			t.Errorf("%s: a <%s> element %v", what, tg.name, tg.attrs)
		}
		for name, v := range tg.attrs {
			if strings.HasPrefix(name, "on") || strings.HasPrefix(name, "hx-on") {
				t.Errorf("%s: <%s> has the event handler %s=%q", what, tg.name, name, v)
			}
		}
		for _, a := range urlAttrs {
			v, ok := tg.attrs[a]
			if !ok {
				continue
			}
			if s := strings.ToLower(strings.Map(func(r rune) rune {
				if r <= ' ' {
					return -1
				}
				return r
			}, v)); strings.HasPrefix(s, "javascript:") || strings.HasPrefix(s, "data:") || strings.HasPrefix(s, "vbscript:") {
				t.Errorf("%s: <%s %s=%q>", what, tg.name, a, v)
			}
		}
	}
	for _, raw := range []string{"<script>alert", "<img src=x", "<svg onload", "onerror=alert(1)>"} {
		if strings.Contains(page, raw) {
			t.Errorf("%s: the page holds %q unescaped", what, raw)
		}
	}
	return m
}

// shows reports whether the page shows s as text, or as an attribute's value (a title or a
// form field's value), once decoded.
func (m markup) shows(s string) bool {
	if strings.Contains(m.text, s) {
		return true
	}
	for _, tg := range m.tags {
		for name, v := range tg.attrs {
			if (name == "value" || name == "title" || name == "aria-label" || name == "placeholder") && strings.Contains(v, s) {
				return true
			}
		}
	}
	return false
}

// styleAllowed reports whether a policy's style-src allows an inline stylesheet.
func styleAllowed(styleSrc []string, css string) bool {
	sum := sha256.Sum256([]byte(css))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	for _, s := range styleSrc {
		if s == "'unsafe-inline'" || s == hash {
			return true
		}
	}
	return false
}

// parsePolicy splits a Content-Security-Policy into its directives.
func parsePolicy(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		out[strings.ToLower(f[0])] = f[1:]
	}
	return out
}

func TestScanSeesWhatABrowserWouldCreate(t *testing.T) {
	t.Parallel()
	m := scan(`<p title="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;">a &lt;b&gt;</p><!-- <img> --><img src=x onerror='alert(1)'><style>p>i{}</style><script src="/static/a.js"></script>`)
	var names []string
	for _, tg := range m.tags {
		names = append(names, tg.name)
	}
	if strings.Join(names, ",") != "p,img,style,script" {
		t.Fatalf("tags %v", names)
	}
	if m.tags[0].attrs["title"] != `"><img src=x onerror=alert(1)>` || len(m.tags[0].attrs) != 1 {
		t.Errorf("the escaped payload in the title became %v", m.tags[0].attrs)
	}
	if m.tags[1].attrs["onerror"] != "alert(1)" || m.tags[2].body != "p>i{}" {
		t.Errorf("img %v, style %q", m.tags[1].attrs, m.tags[2].body)
	}
	if !m.shows("a <b>") || !m.shows(`"><img src=x`) {
		t.Errorf("text %q", m.text)
	}
}
