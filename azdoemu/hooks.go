package azdoemu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn/azdoemu/hookdelivery"
)

type hookTarget = hookdelivery.Target

// Subscription statuses.
const (
	StatusEnabled          = "enabled"
	StatusOnProbation      = "onProbation"
	StatusDisabledByUser   = "disabledByUser"
	StatusDisabledBySystem = "disabledBySystem"
)

var hookEvents = map[string]bool{"workitem.created": true, "workitem.updated": true, "workitem.deleted": true,
	"workitem.restored": true, "workitem.commented": true}

func randomGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	s := hex.EncodeToString(b)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// serveHooks serves /{org}/_apis/hooks/subscriptions[/{id}].
func (s *Server) serveHooks(c *reqCtx) []pending {
	m := c.r.Method
	switch {
	case c.at("hooks", "subscriptions") && m == http.MethodGet:
		out := make([]any, 0, len(c.org.subOrder))
		for _, id := range c.org.subOrder {
			out = append(out, s.subscriptionJSON(c, c.org.subs[id]))
		}
		c.json(map[string]any{"count": len(out), "value": out})
	case c.at("hooks", "subscriptions") && m == http.MethodPost:
		s.createSubscription(c)
	case c.at("hooks", "subscriptions", "*") && m == http.MethodGet:
		sub := c.org.subs[strings.ToLower(c.rest[2])]
		if sub == nil {
			c.fail(errSubscriptionNotFound(c.rest[2]))
			return nil
		}
		c.json(s.subscriptionJSON(c, sub))
	case c.at("hooks", "subscriptions", "*") && m == http.MethodDelete:
		id := strings.ToLower(c.rest[2])
		if c.org.subs[id] == nil {
			c.fail(errSubscriptionNotFound(c.rest[2]))
			return nil
		}
		delete(c.org.subs, id)
		for i, x := range c.org.subOrder {
			if x == id {
				c.org.subOrder = append(c.org.subOrder[:i:i], c.org.subOrder[i+1:]...)
				break
			}
		}
		s.hooks.Remove(id)
		c.w.WriteHeader(http.StatusNoContent)
	default:
		s.routeMiss(c)
	}
	return nil
}

// subscriptionBody is the body of POST …/hooks/subscriptions.
type subscriptionBody struct {
	PublisherID      string            `json:"publisherId"`
	EventType        string            `json:"eventType"`
	ResourceVersion  string            `json:"resourceVersion"`
	ConsumerID       string            `json:"consumerId"`
	ConsumerActionID string            `json:"consumerActionId"`
	PublisherInputs  map[string]string `json:"publisherInputs"`
	ConsumerInputs   map[string]string `json:"consumerInputs"`
}

func hookInputError(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, "SubscriptionInputException", nsHooks, format, args...)
}

func (s *Server) createSubscription(c *reqCtx) {
	var b subscriptionBody
	if err := decodeBody(c.r, &b); err != nil {
		c.fail(err)
		return
	}
	switch {
	case b.PublisherID != "tfs":
		c.fail(hookInputError("VS1022005: Publisher %q is not supported; use \"tfs\".", b.PublisherID))
		return
	case !hookEvents[b.EventType]:
		c.fail(hookInputError("VS1022006: Event type %q is not supported by publisher tfs.", b.EventType))
		return
	case b.ConsumerID != "webHooks" || b.ConsumerActionID != "httpRequest":
		c.fail(hookInputError("VS1022007: Consumer %q action %q is not supported; use webHooks/httpRequest.", b.ConsumerID, b.ConsumerActionID))
		return
	}
	u, err := url.Parse(b.ConsumerInputs["url"])
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.fail(hookInputError("VS1022008: The consumer input 'url' must be an absolute http or https URL, got %q.", b.ConsumerInputs["url"]))
		return
	}
	if pid := b.PublisherInputs["projectId"]; pid != "" {
		p := c.org.projectByNameOrID(pid)
		if p == nil {
			c.fail(hookInputError("VS1022009: The publisher input 'projectId' %q is not a project of this organization.", pid))
			return
		}
	}
	now := s.now()
	sub := &subscription{
		id: randomGUID(), eventType: b.EventType, publisherID: b.PublisherID, resourceVersion: b.ResourceVersion,
		consumerID: b.ConsumerID, consumerActionID: b.ConsumerActionID,
		publisherInputs: map[string]string{}, consumerInputs: map[string]string{},
		status: StatusEnabled, created: now, modified: now, createdBy: c.me,
	}
	if sub.resourceVersion == "" {
		sub.resourceVersion = "1.0"
	}
	for k, v := range b.PublisherInputs {
		sub.publisherInputs[k] = v
	}
	for k, v := range b.ConsumerInputs {
		sub.consumerInputs[k] = v
	}
	sub.publisherInputs["tfsSubscriptionId"] = guidFrom("tfs", sub.id)
	c.org.subs[sub.id] = sub
	c.org.subOrder = append(c.org.subOrder, sub.id)
	c.json(s.subscriptionJSON(c, sub))
}

func (s *Server) subscriptionJSON(c *reqCtx, sub *subscription) map[string]any {
	ci := map[string]string{}
	for k, v := range sub.consumerInputs {
		if k == "basicAuthPassword" && v != "" {
			v = "********"
		}
		ci[k] = v
	}
	desc := "Any work item"
	if t := sub.publisherInputs["workItemType"]; t != "" {
		desc = "Work item type " + t
	}
	u, _ := url.Parse(sub.consumerInputs["url"])
	host := ""
	if u != nil {
		host = u.Host
	}
	return map[string]any{
		"id":                sub.id,
		"url":               c.orgURL() + "/_apis/hooks/subscriptions/" + sub.id,
		"status":            sub.status,
		"publisherId":       sub.publisherID,
		"eventType":         sub.eventType,
		"resourceVersion":   sub.resourceVersion,
		"eventDescription":  desc,
		"consumerId":        sub.consumerID,
		"consumerActionId":  sub.consumerActionID,
		"actionDescription": "To host " + host,
		"createdBy":         map[string]any{"id": sub.createdBy.ID, "displayName": sub.createdBy.DisplayName, "uniqueName": sub.createdBy.UniqueName},
		"createdDate":       fmtTime(sub.created),
		"modifiedBy":        map[string]any{"id": sub.createdBy.ID, "displayName": sub.createdBy.DisplayName, "uniqueName": sub.createdBy.UniqueName},
		"modifiedDate":      fmtTime(sub.modified),
		"publisherInputs":   sub.publisherInputs,
		"consumerInputs":    ci,
	}
}

// onHookStatus records a delivery status change reported by hookdelivery.
func (s *Server) onHookStatus(subID, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orgs {
		if sub := o.subs[subID]; sub != nil {
			sub.status = status
			sub.modified = s.now()
		}
	}
}

// deliver hands hook payloads to the deliverer.
func (s *Server) deliver(out []pending) {
	for _, p := range out {
		s.hooks.Deliver(p.subID, p.target, p.payload)
	}
}

// matches reports whether a subscription wants an event about w.
func (sub *subscription) matches(kind string, w *workItem) bool {
	if sub.eventType != "workitem."+kind || (sub.status != StatusEnabled && sub.status != StatusOnProbation) {
		return false
	}
	in := sub.publisherInputs
	if pid := in["projectId"]; pid != "" && !strings.EqualFold(pid, w.proj.id) && !strings.EqualFold(pid, w.proj.name) {
		return false
	}
	f := w.cur().fields
	if t := in["workItemType"]; t != "" {
		if typ, _ := f["System.WorkItemType"].(string); !strings.EqualFold(t, typ) {
			return false
		}
	}
	if a := in["areaPath"]; a != "" {
		area, _ := f["System.AreaPath"].(string)
		if !strings.EqualFold(area, a) && !strings.HasPrefix(strings.ToLower(area), strings.ToLower(a)+`\`) {
			return false
		}
	}
	return true
}

// hookDeliveries builds the payloads for events. Callers hold s.mu.
func (s *Server) hookDeliveries(c *reqCtx, events []event) []pending {
	if len(events) == 0 || len(c.org.subs) == 0 {
		return nil
	}
	var out []pending
	for _, ev := range events {
		for _, id := range c.org.subOrder {
			sub := c.org.subs[id]
			if !sub.matches(ev.kind, ev.w) {
				continue
			}
			sub.notifications++
			payload, err := json.Marshal(s.hookPayload(c, sub, ev))
			if err != nil {
				continue
			}
			out = append(out, pending{subID: sub.id, target: sub.target(), payload: payload})
		}
	}
	return out
}

func (sub *subscription) target() hookTarget {
	t := hookTarget{URL: sub.consumerInputs["url"], Username: sub.consumerInputs["basicAuthUsername"],
		Password: sub.consumerInputs["basicAuthPassword"]}
	if h := sub.consumerInputs["httpHeaders"]; h != "" {
		t.Headers = map[string]string{}
		for _, line := range strings.Split(h, "\n") {
			k, v, ok := strings.Cut(line, ":")
			if ok && strings.TrimSpace(k) != "" {
				t.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return t
}

// hookFields renders a revision's fields for a hook payload.
func hookFields(r *revision) map[string]any {
	out := make(map[string]any, len(r.fields))
	for k, v := range r.fields {
		out[k] = hookValue(v)
	}
	return out
}

func (s *Server) hookPayload(c *reqCtx, sub *subscription, ev event) map[string]any {
	w := ev.w
	f := ev.cur.fields
	typ, _ := f["System.WorkItemType"].(string)
	title, _ := f["System.Title"].(string)
	by, _ := f["System.ChangedBy"].(Identity)
	if ev.kind == "deleted" {
		by = w.deletedBy
	}
	html := c.orgURL() + "/" + w.proj.id + "/_workitems/edit/" + strconv.Itoa(w.id)
	label := fmt.Sprintf("%s #%d", typ, w.id)
	verb := ev.kind + " by " + by.DisplayName
	var details []string
	switch ev.kind {
	case "updated":
		if ev.prev != nil && ev.prev.fields["System.State"] != f["System.State"] {
			verb = fmt.Sprintf("transitioned to %v by %s", f["System.State"], by.DisplayName)
			details = append(details, fmt.Sprintf("New State: %v", f["System.State"]))
		}
	case "created", "deleted", "restored":
		details = append(details, fmt.Sprintf("Area: %v", f["System.AreaPath"]), fmt.Sprintf("Iteration: %v", f["System.IterationPath"]),
			fmt.Sprintf("State: %v", f["System.State"]))
	}
	text := fmt.Sprintf("%s (%s) %s\r\n(%s)", label, title, verb, html)
	htmlMsg := fmt.Sprintf("<a href=\"%s\">%s</a> (%s) %s", html, label, title, verb)
	md := fmt.Sprintf("[%s](%s) (%s) %s", label, html, title, verb)
	dText, dHTML, dMD := text+"\r\n\r\n", htmlMsg+"<ul>\r\n", md+"\r\n\r\n"
	for _, d := range details {
		dText += "- " + d + "\r\n"
		dHTML += "<li>" + d + "</li>"
		dMD += "* " + d + "\r\n"
	}
	dHTML += "</ul>"
	projURL := c.orgURL() + "/" + w.proj.id
	itemURL := c.itemURL(w)
	href := func(h string) map[string]any { return map[string]any{"href": h} }
	var resource map[string]any
	switch ev.kind {
	case "updated":
		rev := ev.cur.rev()
		diff := map[string]any{}
		for k, v := range ev.cur.fields {
			old, had := ev.prev.fields[k]
			if !had || !sameValue(old, v) {
				d := map[string]any{"newValue": hookValue(v)}
				if had {
					d["oldValue"] = hookValue(old)
				}
				diff[k] = d
			}
		}
		for k, old := range ev.prev.fields {
			if _, has := ev.cur.fields[k]; !has {
				diff[k] = map[string]any{"oldValue": hookValue(old)}
			}
		}
		diff["System.RevisedDate"] = map[string]any{"oldValue": fmtTime(ev.cur.changed), "newValue": fmtTime(farFuture)}
		updURL := itemURL + "/updates/" + strconv.Itoa(rev)
		revisedBy := identityJSON(c.base, c.org.name, by)
		revisedBy.Name = by.String()
		revision := map[string]any{"id": w.id, "rev": rev, "fields": hookFields(ev.cur),
			"_links": map[string]any{"self": href(itemURL + "/revisions/" + strconv.Itoa(rev)), "workItemRevisions": href(itemURL + "/revisions"),
				"parent": href(itemURL)},
			"url": itemURL + "/revisions/" + strconv.Itoa(rev)}
		if len(ev.cur.relations) > 0 {
			revision["relations"] = s.relationsJSON(c, ev.cur.relations)
		}
		resource = map[string]any{
			"id": rev, "workItemId": w.id, "rev": rev, "revisedBy": revisedBy, "revisedDate": fmtTime(farFuture),
			"fields": diff,
			"_links": map[string]any{"self": href(updURL), "workItemUpdates": href(itemURL + "/updates"),
				"parent": href(itemURL), "html": href(html)},
			"url":      updURL,
			"revision": revision,
		}
		if rd := relationDiff(c, s, ev.prev.relations, ev.cur.relations); rd != nil {
			resource["relations"] = rd
		}
	case "deleted":
		bin := projURL + "/_apis/wit/recyclebin/" + strconv.Itoa(w.id)
		resource = map[string]any{"id": w.id, "rev": ev.cur.rev(), "fields": hookFields(ev.cur),
			"_links": map[string]any{"self": href(bin), "workItemType": href(projURL + "/_apis/wit/workItemTypes/" + pathEscape(typ)),
				"fields": href(projURL + "/_apis/wit/fields")},
			"url": bin}
	default:
		resource = map[string]any{"id": w.id, "rev": ev.cur.rev(), "fields": hookFields(ev.cur),
			"_links": map[string]any{"self": href(itemURL), "workItemUpdates": href(itemURL + "/updates"),
				"workItemRevisions": href(itemURL + "/revisions"), "workItemType": href(projURL + "/_apis/wit/workItemTypes/" + pathEscape(typ)),
				"fields": href(projURL + "/_apis/wit/fields"), "html": href(html)},
			"url": itemURL}
		if len(ev.cur.relations) > 0 {
			resource["relations"] = s.relationsJSON(c, ev.cur.relations)
		}
	}
	return map[string]any{
		"subscriptionId":     sub.id,
		"notificationId":     sub.notifications,
		"id":                 randomGUID(),
		"eventType":          "workitem." + ev.kind,
		"publisherId":        "tfs",
		"message":            map[string]any{"text": text, "html": htmlMsg, "markdown": md},
		"detailedMessage":    map[string]any{"text": dText, "html": dHTML, "markdown": dMD},
		"resource":           resource,
		"resourceVersion":    "1.0",
		"resourceContainers": s.hookContainers(c, w.proj.id),
		"createdDate":        fmtTime(s.now()),
	}
}

// relationDiff renders added and removed relations of an update, or nil.
func relationDiff(c *reqCtx, s *Server, prev, cur []relation) map[string]any {
	has := func(list []relation, r relation) bool {
		for _, x := range list {
			if x == r {
				return true
			}
		}
		return false
	}
	var added, removed []relation
	for _, r := range cur {
		if !has(prev, r) {
			added = append(added, r)
		}
	}
	for _, r := range prev {
		if !has(cur, r) {
			removed = append(removed, r)
		}
	}
	if added == nil && removed == nil {
		return nil
	}
	out := map[string]any{}
	if added != nil {
		out["added"] = s.relationsJSON(c, added)
	}
	if removed != nil {
		out["removed"] = s.relationsJSON(c, removed)
	}
	return out
}

// SubscriptionInfo is a snapshot of a service-hook subscription.
type SubscriptionInfo struct {
	ID        string
	EventType string
	Status    string
	URL       string
	// Notifications counts payloads built for the subscription.
	Notifications   int
	PublisherInputs map[string]string
	// Username and Password are the basic-auth credentials the subscription delivers with;
	// the REST API masks the password, this snapshot is for tests that replay deliveries.
	Username, Password string
}

// Subscriptions returns the service-hook subscriptions of an organization,
// ordered by creation.
func (s *Server) Subscriptions(orgName string) ([]SubscriptionInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.orgs[strings.ToLower(orgName)]
	if o == nil {
		return nil, errOrgNotFound(orgName)
	}
	out := make([]SubscriptionInfo, 0, len(o.subOrder))
	for _, id := range o.subOrder {
		sub := o.subs[id]
		in := map[string]string{}
		for k, v := range sub.publisherInputs {
			in[k] = v
		}
		out = append(out, SubscriptionInfo{ID: sub.id, EventType: sub.eventType, Status: sub.status,
			URL: sub.consumerInputs["url"], Notifications: sub.notifications, PublisherInputs: in,
			Username: sub.consumerInputs["basicAuthUsername"], Password: sub.consumerInputs["basicAuthPassword"]})
	}
	return out, nil
}
