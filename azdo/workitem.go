package azdo

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Hierarchy link types.
const (
	// LinkChild is the relation from a parent to a child.
	LinkChild = "System.LinkTypes.Hierarchy-Forward"
	// LinkParent is the relation from a child to its parent.
	LinkParent = "System.LinkTypes.Hierarchy-Reverse"
)

// WorkItem is a work item, or one revision of it.
type WorkItem struct {
	// ID is the work item's ID.
	ID int `json:"id"`
	// Rev is the revision number.
	Rev int `json:"rev"`
	// Fields holds the fields as decoded: strings, json.Number, bools, and
	// map[string]any for identities. Unset fields are absent.
	Fields map[string]any `json:"fields"`
	// Relations are present when the item was fetched with relations
	// expanded.
	Relations []Relation `json:"relations,omitempty"`
	// Links are the item's _links, such as "html" and "self".
	Links map[string]Link `json:"_links,omitempty"`
	// URL is the item's REST URL.
	URL string `json:"url,omitempty"`
}

// Relation is a link from a work item to another item or artifact.
type Relation struct {
	// Rel is the link type, such as LinkChild.
	Rel string `json:"rel"`
	// URL addresses the target.
	URL string `json:"url"`
	// Attributes holds isLocked, name, comment and the like.
	Attributes map[string]any `json:"attributes,omitempty"`
}

// TargetID returns the work item ID at the end of the relation's URL, or 0
// when the target is not a work item.
func (r Relation) TargetID() int {
	return idFromURL(r.URL)
}

// Link is one entry of a _links object.
type Link struct {
	// Href is the link's address.
	Href string `json:"href"`
}

// Identity is a person or group as Azure DevOps names them.
type Identity struct {
	// DisplayName is the human-readable name.
	DisplayName string `json:"displayName,omitempty"`
	// UniqueName is the sign-in name, usually an email address (UPN).
	UniqueName string `json:"uniqueName,omitempty"`
	// ID is the identity's GUID; service-hook strings carry none.
	ID string `json:"id,omitempty"`
	// URL is the identity's REST URL.
	URL string `json:"url,omitempty"`
	// ImageURL is the avatar address.
	ImageURL string `json:"imageUrl,omitempty"`
	// Descriptor is the graph subject descriptor.
	Descriptor string `json:"descriptor,omitempty"`
}

// String returns a field as text: strings as they are, numbers and booleans
// formatted, identities as their display name. Absent fields give "".
func (w WorkItem) String(field string) string {
	switch v := w.Fields[field].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case map[string]any:
		if id, ok := identityFrom(v); ok {
			return id.DisplayName
		}
	}
	return ""
}

// Float returns a numeric field, accepting a number or a numeric string.
// ok is false when the field is absent or not numeric.
func (w WorkItem) Float(field string) (f float64, ok bool) {
	return toFloat(w.Fields[field])
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}

// Int returns an integral field such as System.Parent.
func (w WorkItem) Int(field string) (n int, ok bool) {
	switch v := w.Fields[field].(type) {
	case json.Number:
		i, err := strconv.Atoi(v.String())
		return i, err == nil
	case string:
		i, err := strconv.Atoi(strings.TrimSpace(v))
		return i, err == nil
	}
	f, ok := toFloat(w.Fields[field])
	if !ok || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// Identity returns an identity field, given either as a REST identity
// object or as a service-hook string "Name <upn>". ok is false when the
// field is absent or of another kind.
func (w WorkItem) Identity(field string) (id Identity, ok bool) {
	switch v := w.Fields[field].(type) {
	case map[string]any:
		return identityFrom(v)
	case string:
		return ParseIdentity(v)
	}
	return Identity{}, false
}

// ParseIdentity reads the "Name <upn>" form service hooks and reporting
// revisions use for identities; a bare name gives only DisplayName.
func ParseIdentity(s string) (Identity, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Identity{}, false
	}
	if strings.HasSuffix(s, ">") {
		if i := strings.LastIndexByte(s, '<'); i >= 0 {
			return Identity{
				DisplayName: strings.TrimSpace(s[:i]),
				UniqueName:  strings.TrimSpace(s[i+1 : len(s)-1]),
			}, true
		}
	}
	return Identity{DisplayName: s}, true
}

func identityFrom(m map[string]any) (Identity, bool) {
	str := func(k string) string { s, _ := m[k].(string); return s }
	id := Identity{
		DisplayName: str("displayName"),
		UniqueName:  str("uniqueName"),
		ID:          str("id"),
		URL:         str("url"),
		ImageURL:    str("imageUrl"),
		Descriptor:  str("descriptor"),
	}
	return id, id.DisplayName != "" || id.UniqueName != "" || id.ID != ""
}

// Time returns a date-time field. ok is false when it is absent or not a
// timestamp.
func (w WorkItem) Time(field string) (t time.Time, ok bool) {
	s, isStr := w.Fields[field].(string)
	if !isStr || s == "" {
		return time.Time{}, false
	}
	t, err := parseTime(s)
	return t, err == nil
}

// ParentID returns the ID of the item's parent from System.Parent or a
// Hierarchy-Reverse relation, or 0 when it has none.
func (w WorkItem) ParentID() int {
	if p, ok := w.Int("System.Parent"); ok && p > 0 {
		return p
	}
	for _, r := range w.Relations {
		if r.Rel == LinkParent {
			if id := r.TargetID(); id > 0 {
				return id
			}
		}
	}
	return 0
}

// ChildIDs returns the IDs of the item's children from its Hierarchy-Forward
// relations, in relation order. It needs relations to be expanded.
func (w WorkItem) ChildIDs() []int {
	var ids []int
	for _, r := range w.Relations {
		if r.Rel == LinkChild {
			if id := r.TargetID(); id > 0 {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// WebURL returns the address of the item in the Azure DevOps web UI as the
// answer states it: the html link when present, otherwise one derived from the
// REST URL. Cairn does not link to it, since whoever shapes the answer chooses
// it; cairn.Connection.WorkItemURL builds links from the connection instead.
func (w WorkItem) WebURL() string {
	if l, ok := w.Links["html"]; ok && l.Href != "" {
		return l.Href
	}
	i := strings.Index(strings.ToLower(w.URL), "/_apis/wit/workitems/")
	if i < 0 || w.ID == 0 {
		return ""
	}
	return w.URL[:i] + "/_workitems/edit/" + strconv.Itoa(w.ID)
}

// idFromURL returns the integer after the last slash of a work item URL,
// or 0.
func idFromURL(u string) int {
	u = strings.TrimRight(u, "/")
	if q := strings.IndexAny(u, "?#"); q >= 0 {
		u = u[:q]
	}
	i := strings.LastIndexByte(u, '/')
	if i < 0 {
		return 0
	}
	lower := strings.ToLower(u[:i])
	if !strings.HasSuffix(lower, "/workitems") && !strings.HasSuffix(lower, "/recyclebin") {
		return 0
	}
	n, err := strconv.Atoi(u[i+1:])
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
