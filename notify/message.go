package notify

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/cairn-okr/cairn"
)

// Message is a notification as a channel sends it: its links made absolute, with the
// link that turns the channel off for its person.
type Message struct {
	Title string
	Body  string
	// Link is the page the notification is about.
	Link  string
	Items []cairn.NotificationItem
	// Unsubscribe turns the channel off for the person, without signing in.
	Unsubscribe string
	// For names the person, on the cards of a team's channel, which many people read.
	For string
}

// NewMessage makes a notification's message under Cairn's public URL.
func NewMessage(n *cairn.Notification, publicURL, unsubscribe string) Message {
	base := strings.TrimRight(publicURL, "/")
	abs := func(link string) string {
		if strings.HasPrefix(link, "/") {
			return base + link
		}
		return link
	}
	m := Message{Title: n.Title, Body: n.Body, Link: abs(n.Link), Unsubscribe: unsubscribe}
	for _, it := range n.Items {
		it.Link = abs(it.Link)
		m.Items = append(m.Items, it)
	}
	return m
}

// Text renders the message as plain text.
func (m Message) Text() string {
	var b strings.Builder
	b.WriteString(m.Title + "\n\n")
	if m.Body != "" {
		b.WriteString(m.Body + "\n\n")
	}
	for _, it := range m.Items {
		b.WriteString("• " + it.Title + " — " + it.Value + "\n  Check in: " + it.Link + "\n")
	}
	if len(m.Items) > 0 {
		b.WriteString("\n")
	}
	if m.Link != "" {
		b.WriteString("Open in Cairn: " + m.Link + "\n")
	}
	b.WriteString("\nTurn these messages off: " + m.Unsubscribe + "\n")
	return b.String()
}

var htmlTemplate = template.Must(template.New("mail").Parse(`<!doctype html>
<html><body style="font-family:system-ui,sans-serif;font-size:14px;color:#1f2328">
<h2 style="font-size:16px">{{.Title}}</h2>
{{if .Body}}<p style="white-space:pre-line">{{.Body}}</p>{{end}}
{{if .Items}}<table style="border-collapse:collapse">{{range .Items}}
<tr><td style="padding:4px 12px 4px 0">{{.Title}}</td><td style="padding:4px 12px 4px 0;font-variant-numeric:tabular-nums">{{.Value}}</td>
<td><a href="{{.Link}}">Check in</a></td></tr>{{end}}
</table>{{end}}
{{if .Link}}<p><a href="{{.Link}}">Open in Cairn</a></p>{{end}}
<p style="color:#59636e;font-size:12px"><a href="{{.Unsubscribe}}">Turn these messages off</a></p>
</body></html>`))

// HTML renders the message as HTML.
func (m Message) HTML() (string, error) {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, m); err != nil {
		return "", err
	}
	return b.String(), nil
}

// teamsCard renders the message as the body of a Microsoft Teams incoming webhook: an
// Adaptive Card with a fact per key result and a button to each check-in form.
func (m Message) teamsCard() map[string]any {
	body := []any{
		map[string]any{"type": "TextBlock", "text": m.Title, "weight": "Bolder", "size": "Medium", "wrap": true},
	}
	if m.For != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": "For " + m.For, "isSubtle": true, "wrap": true})
	}
	if m.Body != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": m.Body, "wrap": true})
	}
	actions := []any{}
	if len(m.Items) > 0 {
		facts := []any{}
		for _, it := range m.Items {
			facts = append(facts, map[string]any{"title": it.Title, "value": it.Value})
			actions = append(actions, map[string]any{"type": "Action.OpenUrl", "title": "Check in: " + it.Title, "url": it.Link})
		}
		body = append(body, map[string]any{"type": "FactSet", "facts": facts})
	} else if m.Link != "" {
		actions = append(actions, map[string]any{"type": "Action.OpenUrl", "title": "Open in Cairn", "url": m.Link})
	}
	body = append(body, map[string]any{"type": "TextBlock", "size": "Small", "isSubtle": true, "wrap": true,
		"text": "[Turn Teams messages off](" + m.Unsubscribe + ")"})
	return map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content": map[string]any{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
				"type":    "AdaptiveCard", "version": "1.4", "body": body, "actions": actions,
			},
		}},
	}
}

// slackMessage renders the message as the body of a Slack incoming webhook, with a section
// and a "Check in" button per key result.
func (m Message) slackMessage() map[string]any {
	blocks := []any{
		map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": trim(m.Title, 150)}},
	}
	if m.For != "" {
		blocks = append(blocks, map[string]any{"type": "context", "elements": []any{
			map[string]any{"type": "plain_text", "text": "For " + trim(m.For, 200)}}})
	}
	if m.Body != "" {
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "plain_text", "text": trim(m.Body, 3000)}})
	}
	for _, it := range m.Items {
		blocks = append(blocks, map[string]any{
			"type": "section",
			"text": map[string]any{"type": "mrkdwn", "text": "*" + slackEscape(it.Title) + "*\n" + slackEscape(it.Value)},
			"accessory": map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": "Check in"},
				"url": it.Link},
		})
	}
	if len(m.Items) == 0 && m.Link != "" {
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "<" + m.Link + "|Open in Cairn>"}})
	}
	blocks = append(blocks, map[string]any{"type": "context", "elements": []any{
		map[string]any{"type": "mrkdwn", "text": "<" + m.Unsubscribe + "|Turn Slack messages off>"}}})
	return map[string]any{"text": m.Title, "blocks": blocks}
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// slackEscape escapes the three characters Slack's mrkdwn gives meaning to.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
