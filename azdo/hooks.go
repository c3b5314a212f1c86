package azdo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Work item event types of the tfs publisher.
const (
	// EventWorkItemCreated is sent when a work item is created.
	EventWorkItemCreated = "workitem.created"
	// EventWorkItemUpdated is sent when a work item changes.
	EventWorkItemUpdated = "workitem.updated"
	// EventWorkItemDeleted is sent when a work item goes to the recycle bin.
	EventWorkItemDeleted = "workitem.deleted"
	// EventWorkItemRestored is sent when a work item leaves the recycle bin.
	EventWorkItemRestored = "workitem.restored"
	// EventWorkItemCommented is sent when a work item gets a comment.
	EventWorkItemCommented = "workitem.commented"
)

// Subscription is a service-hook subscription.
type Subscription struct {
	// ID is the subscription's GUID; empty when creating.
	ID string `json:"id,omitempty"`
	// URL is the subscription's REST URL.
	URL string `json:"url,omitempty"`
	// PublisherID is "tfs" for work item events.
	PublisherID string `json:"publisherId"`
	// EventType is the event, such as EventWorkItemUpdated.
	EventType string `json:"eventType"`
	// ResourceVersion is the payload version, "1.0" for work items.
	ResourceVersion string `json:"resourceVersion,omitempty"`
	// ConsumerID is "webHooks" for HTTP delivery.
	ConsumerID string `json:"consumerId"`
	// ConsumerActionID is "httpRequest" for HTTP delivery.
	ConsumerActionID string `json:"consumerActionId"`
	// PublisherInputs filter events: projectId, workItemType, areaPath,
	// changedFields.
	PublisherInputs map[string]string `json:"publisherInputs,omitempty"`
	// ConsumerInputs configure delivery: url, basicAuthUsername,
	// basicAuthPassword, httpHeaders, resourceDetailsToSend.
	ConsumerInputs map[string]string `json:"consumerInputs,omitempty"`
	// Status is enabled, onProbation, disabledByUser, disabledBySystem or
	// disabledByInactiveIdentity.
	Status string `json:"status,omitempty"`
	// EventDescription and ActionDescription are the server's summaries.
	EventDescription  string `json:"eventDescription,omitempty"`
	ActionDescription string `json:"actionDescription,omitempty"`
	// CreatedBy and ModifiedBy identify who created and last changed the
	// subscription.
	CreatedBy  *Identity `json:"createdBy,omitempty"`
	ModifiedBy *Identity `json:"modifiedBy,omitempty"`
	// CreatedDate and ModifiedDate are when it was created and last changed.
	CreatedDate  time.Time `json:"createdDate,omitzero"`
	ModifiedDate time.Time `json:"modifiedDate,omitzero"`
}

// UnmarshalJSON decodes a subscription, tolerating zone-less timestamps
// and null resource versions.
func (s *Subscription) UnmarshalJSON(b []byte) error {
	type alias Subscription
	var w struct {
		alias
		CreatedDate  string `json:"createdDate"`
		ModifiedDate string `json:"modifiedDate"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Subscription(w.alias)
	return errors.Join(parseInto(&s.CreatedDate, w.CreatedDate), parseInto(&s.ModifiedDate, w.ModifiedDate))
}

// WebhookOptions describes a work item web hook.
type WebhookOptions struct {
	// ProjectID is the project's GUID (required).
	ProjectID string
	// EventType is one of the work item event types (required).
	EventType string
	// WorkItemType and AreaPath narrow the events; "" means any.
	WorkItemType string
	AreaPath     string
	// URL receives the deliveries (required).
	URL string
	// Username and Password are sent as HTTP Basic auth with every
	// delivery; they are how the receiver authenticates it.
	Username string
	Password string
	// HTTPHeaders are extra "Name:Value" header lines.
	HTTPHeaders []string
	// ResourceDetailsToSend is all, minimal or none; "" means all.
	ResourceDetailsToSend string
}

// NewWorkItemWebhook returns the subscription that delivers work item events
// of a project to a URL with HTTP Basic auth.
func NewWorkItemWebhook(o WebhookOptions) (Subscription, error) {
	switch {
	case strings.TrimSpace(o.ProjectID) == "":
		return Subscription{}, errors.New("azdo: web hook: project ID is required")
	case !strings.HasPrefix(o.EventType, "workitem."):
		return Subscription{}, fmt.Errorf("azdo: web hook: event type %q is not a workitem.* event", o.EventType)
	case o.URL == "":
		return Subscription{}, errors.New("azdo: web hook: delivery URL is required")
	}
	if u, err := url.Parse(o.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Subscription{}, fmt.Errorf("azdo: web hook: delivery URL %q is not an http(s) URL", o.URL)
	}
	pub := map[string]string{"projectId": o.ProjectID}
	if o.WorkItemType != "" {
		pub["workItemType"] = o.WorkItemType
	}
	if o.AreaPath != "" {
		pub["areaPath"] = o.AreaPath
	}
	details := o.ResourceDetailsToSend
	if details == "" {
		details = "all"
	}
	cons := map[string]string{"url": o.URL, "resourceDetailsToSend": details}
	if o.Username != "" || o.Password != "" {
		cons["basicAuthUsername"] = o.Username
		cons["basicAuthPassword"] = o.Password
	}
	if len(o.HTTPHeaders) > 0 {
		cons["httpHeaders"] = strings.Join(o.HTTPHeaders, "\n")
	}
	return Subscription{
		PublisherID: "tfs", EventType: o.EventType, ResourceVersion: "1.0",
		ConsumerID: "webHooks", ConsumerActionID: "httpRequest",
		PublisherInputs: pub, ConsumerInputs: cons,
	}, nil
}

// CreateSubscription creates a service-hook subscription and returns it as
// stored.
func (c *Client) CreateSubscription(ctx context.Context, s Subscription) (Subscription, error) {
	if s.PublisherID == "" || s.EventType == "" || s.ConsumerID == "" || s.ConsumerActionID == "" {
		return Subscription{}, errors.New("azdo: create subscription: publisherId, eventType, consumerId and consumerActionId are required")
	}
	body := s
	body.ID, body.URL, body.Status = "", "", ""
	var out Subscription
	_, err := c.do(ctx, &request{
		method: "POST", route: "hooks/subscriptions", base: c.org,
		segments: []string{"_apis", "hooks", "subscriptions"}, body: body,
	}, &out)
	if err != nil {
		return Subscription{}, fmt.Errorf("azdo: create subscription: %w", err)
	}
	return out, nil
}

// GetSubscription returns a service-hook subscription by ID.
func (c *Client) GetSubscription(ctx context.Context, id string) (Subscription, error) {
	if strings.TrimSpace(id) == "" {
		return Subscription{}, errors.New("azdo: get subscription: ID is required")
	}
	var out Subscription
	_, err := c.do(ctx, &request{
		method: "GET", route: "hooks/subscriptions/{id}", base: c.org,
		segments: []string{"_apis", "hooks", "subscriptions", id}, idempotent: true,
	}, &out)
	if err != nil {
		return Subscription{}, fmt.Errorf("azdo: get subscription %s: %w", id, err)
	}
	return out, nil
}

// SubscriptionFilter narrows ListSubscriptions; empty fields match all.
type SubscriptionFilter struct {
	// PublisherID matches the publisher, such as "tfs".
	PublisherID string
	// EventType matches the event, such as EventWorkItemUpdated.
	EventType string
	// ConsumerID matches the consumer, such as "webHooks".
	ConsumerID string
	// ConsumerActionID matches the action, such as "httpRequest".
	ConsumerActionID string
}

// ListSubscriptions returns the organization's service-hook subscriptions.
func (c *Client) ListSubscriptions(ctx context.Context, f SubscriptionFilter) ([]Subscription, error) {
	q := url.Values{}
	for k, v := range map[string]string{"publisherId": f.PublisherID, "eventType": f.EventType, "consumerId": f.ConsumerID, "consumerActionId": f.ConsumerActionID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var l list[Subscription]
	_, err := c.do(ctx, &request{
		method: "GET", route: "hooks/subscriptions", base: c.org,
		segments: []string{"_apis", "hooks", "subscriptions"}, query: q, idempotent: true,
	}, &l)
	if err != nil {
		return nil, fmt.Errorf("azdo: list subscriptions: %w", err)
	}
	return l.Value, nil
}

// DeleteSubscription deletes a service-hook subscription.
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	if strings.TrimSpace(id) == "" {
		return errors.New("azdo: delete subscription: ID is required")
	}
	_, err := c.do(ctx, &request{
		method: "DELETE", route: "hooks/subscriptions/{id}", base: c.org,
		segments: []string{"_apis", "hooks", "subscriptions", id}, idempotent: true,
	}, nil)
	if err != nil {
		return fmt.Errorf("azdo: delete subscription %s: %w", id, err)
	}
	return nil
}

// HookEvent is a service-hook delivery. Treat it as a hint: it carries no
// signature, so re-read the item before trusting its content.
type HookEvent struct {
	// SubscriptionID is the subscription that delivered the event.
	SubscriptionID string `json:"subscriptionId"`
	// NotificationID counts deliveries of the subscription.
	NotificationID int `json:"notificationId"`
	// ID is the event's GUID.
	ID string `json:"id"`
	// EventType is the event, such as EventWorkItemUpdated.
	EventType string `json:"eventType"`
	// PublisherID is "tfs" for work item events.
	PublisherID string `json:"publisherId"`
	// Message and DetailedMessage are the human-readable summaries.
	Message         *HookMessage `json:"message,omitempty"`
	DetailedMessage *HookMessage `json:"detailedMessage,omitempty"`
	// Resource is the event's resource; decode work item resources with
	// WorkItemEvent.
	Resource json.RawMessage `json:"resource"`
	// ResourceVersion is the payload version, such as "1.0".
	ResourceVersion string `json:"resourceVersion"`
	// ResourceContainers locate the event.
	ResourceContainers ResourceContainers `json:"resourceContainers"`
	// CreatedDate is when the event happened.
	CreatedDate time.Time `json:"createdDate,omitzero"`
}

// UnmarshalJSON decodes a delivery, tolerating zone-less timestamps.
func (e *HookEvent) UnmarshalJSON(b []byte) error {
	type alias HookEvent
	var w struct {
		alias
		CreatedDate string `json:"createdDate"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = HookEvent(w.alias)
	return parseInto(&e.CreatedDate, w.CreatedDate)
}

// HookMessage is a delivery's summary in three formats.
type HookMessage struct {
	// Text is the plain-text summary.
	Text string `json:"text,omitempty"`
	// HTML is the summary as HTML.
	HTML string `json:"html,omitempty"`
	// Markdown is the summary as Markdown.
	Markdown string `json:"markdown,omitempty"`
}

// ResourceContainers locate a delivered event.
type ResourceContainers struct {
	// Collection is the project collection (organization).
	Collection *Container `json:"collection,omitempty"`
	// Account is the organization, on Azure DevOps Services.
	Account *Container `json:"account,omitempty"`
	// Project is the event's project.
	Project *Container `json:"project,omitempty"`
	// Server is the server, on Azure DevOps Server.
	Server *Container `json:"server,omitempty"`
}

// Container is one resource container of a delivery.
type Container struct {
	// ID is the container's GUID.
	ID string `json:"id"`
	// BaseURL is the container's base URL, when sent.
	BaseURL string `json:"baseUrl,omitempty"`
}

// maxHookBytes bounds a service-hook delivery.
const maxHookBytes = 16 << 20

// DecodeHookEvent reads a service-hook delivery body.
func DecodeHookEvent(r io.Reader) (HookEvent, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxHookBytes+1))
	if err != nil {
		return HookEvent{}, fmt.Errorf("azdo: read hook event: %w", err)
	}
	if len(raw) > maxHookBytes {
		return HookEvent{}, fmt.Errorf("azdo: hook event is larger than %d bytes", maxHookBytes)
	}
	var e HookEvent
	if err := unmarshal(raw, &e); err != nil {
		return HookEvent{}, fmt.Errorf("azdo: decode hook event: %w", err)
	}
	if e.EventType == "" {
		return HookEvent{}, errors.New("azdo: decode hook event: eventType is missing")
	}
	return e, nil
}

// FieldChange is the old and new value of a field in a workitem.updated
// event; a value is nil when the field was or became unset.
type FieldChange struct {
	// OldValue is the value before the update.
	OldValue any `json:"oldValue,omitempty"`
	// NewValue is the value after the update.
	NewValue any `json:"newValue,omitempty"`
}

// WorkItemEvent is the resource of a workitem.* delivery.
type WorkItemEvent struct {
	// EventType is the delivery's event type.
	EventType string
	// UpdateID is the update's number for workitem.updated, else 0.
	UpdateID int
	// Rev is the revision the event produced.
	Rev int
	// RevisedBy is who made an update, when sent.
	RevisedBy *Identity
	// Changes are the changed fields of workitem.updated.
	Changes map[string]FieldChange
	// Item is the work item after the event: the update's revision for
	// workitem.updated, the resource itself otherwise. Identity fields are
	// "Name <upn>" strings.
	Item WorkItem

	workItemID int
}

// WorkItemID returns the ID of the work item the event concerns, for every
// workitem.* event type.
func (e WorkItemEvent) WorkItemID() int {
	switch {
	case e.workItemID > 0:
		return e.workItemID
	case e.Item.ID > 0:
		return e.Item.ID
	}
	return idFromURL(e.Item.URL)
}

type updateResource struct {
	ID         int                    `json:"id"`
	WorkItemID int                    `json:"workItemId"`
	Rev        int                    `json:"rev"`
	RevisedBy  *Identity              `json:"revisedBy"`
	Fields     map[string]FieldChange `json:"fields"`
	Revision   *WorkItem              `json:"revision"`
	URL        string                 `json:"url"`
}

// WorkItemEvent decodes the resource of a workitem.* delivery.
func (e HookEvent) WorkItemEvent() (WorkItemEvent, error) {
	if !strings.HasPrefix(e.EventType, "workitem.") {
		return WorkItemEvent{}, fmt.Errorf("azdo: event type %q is not a work item event", e.EventType)
	}
	if len(e.Resource) == 0 || string(e.Resource) == "null" {
		return WorkItemEvent{}, fmt.Errorf("azdo: %s event has no resource", e.EventType)
	}
	ev := WorkItemEvent{EventType: e.EventType}
	if e.EventType == EventWorkItemUpdated {
		var u updateResource
		if err := unmarshal(e.Resource, &u); err != nil {
			return WorkItemEvent{}, fmt.Errorf("azdo: decode %s resource: %w", e.EventType, err)
		}
		ev.UpdateID, ev.Rev, ev.RevisedBy, ev.Changes = u.ID, u.Rev, u.RevisedBy, u.Fields
		if u.Revision != nil {
			ev.Item = *u.Revision
		}
		ev.workItemID = u.WorkItemID
		if ev.workItemID <= 0 && ev.Item.ID <= 0 {
			ev.workItemID = updateURLItemID(u.URL)
		}
		return ev, nil
	}
	if err := unmarshal(e.Resource, &ev.Item); err != nil {
		return WorkItemEvent{}, fmt.Errorf("azdo: decode %s resource: %w", e.EventType, err)
	}
	ev.Rev = ev.Item.Rev
	return ev, nil
}

// updateURLItemID reads the item ID of ".../workItems/{id}/updates/{n}".
func updateURLItemID(u string) int {
	i := strings.Index(strings.ToLower(u), "/updates/")
	if i < 0 {
		return 0
	}
	return idFromURL(u[:i])
}
