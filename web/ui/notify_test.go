package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestRemindersAdminPageKeepsWebhooksSecret sets a team's cadence and webhooks through the
// admins' page and checks that the page, the API and the stored row never show a webhook
// URL in full, and that a bad time zone is refused next to the form.
func TestRemindersAdminPageKeepsWebhooksSecret(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	team := &cairn.Team{Name: "Payments"}
	if err := b.svc.CreateTeam(ctx, "fabrikam", team); err != nil {
		t.Fatal(err)
	}
	admin := b.signIn(t, "admin")
	const secret = "https://hooks.slack.com/services/T000/B000/s3cr3tT0k3nXYZW"
	path := "/o/fabrikam/admin/notifications/teams/" + strconv.FormatInt(team.ID, 10)
	res := admin.post(t, path, url.Values{"own_cadence": {"on"}, "frequency": {"monthly"}, "weekday": {"1"}, "month_day": {"3"}, "hour": {"16"},
		"slack_url": {secret}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save the team: %d %s", res.status, res.body)
	}
	page := admin.get(t, "/o/fabrikam/admin/notifications")
	if page.status != 200 {
		t.Fatalf("the page: %d", page.status)
	}
	if strings.Contains(page.body, "s3cr3tT0k3n") {
		t.Fatal("the page shows the webhook URL")
	}
	if !strings.Contains(page.body, "hooks.slack.com/…XYZW") {
		t.Fatal("the page lacks the webhook's hint")
	}
	c, err := b.svc.TeamCadence(ctx, "fabrikam", team.ID)
	if err != nil || c == nil || c.Frequency != cairn.Monthly || c.MonthDay != 3 || c.Hour != 16 {
		t.Fatalf("team cadence = %+v, %v", c, err)
	}
	var sealed string
	if err := b.db.SQL().QueryRow(`SELECT url_sealed FROM team_webhooks WHERE team_id = ?`, team.ID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "s3cr3t") || strings.Contains(sealed, "hooks.slack.com") {
		t.Fatalf("the stored webhook is not sealed: %q", sealed)
	}
	api := admin.get(t, "/api/v1/orgs/fabrikam/teams/"+strconv.FormatInt(team.ID, 10)+"/webhooks")
	if api.status != 200 || strings.Contains(api.body, "s3cr3t") || !strings.Contains(api.body, `"hint"`) {
		t.Fatalf("the API's webhooks: %d %s", api.status, api.body)
	}

	t.Run("ErrTimeZone", func(t *testing.T) {
		res := admin.post(t, "/o/fabrikam/admin/notifications/cadence", url.Values{"time_zone": {"Mars/Olympus"}, "frequency": {"weekly"},
			"weekday": {"1"}, "month_day": {"1"}, "hour": {"9"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "IANA time zone") {
			t.Fatalf("a bad time zone: %d", res.status)
		}
	})
	t.Run("ErrPlainHTTPWebhook", func(t *testing.T) {
		res := admin.post(t, path, url.Values{"teams_url": {"http://hooks.example.com/x"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "https") {
			t.Fatalf("a plain http webhook: %d", res.status)
		}
	})
}

// TestUnsubscribeWithoutSignIn follows an unsubscribe link signed out: the page asks first,
// and the POST turns the channel off.
func TestUnsubscribeWithoutSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	member := b.users["member"]
	tok := b.svc.UnsubscribeToken(member.ID, cairn.ChannelSlack)
	client := &http.Client{}
	res, err := client.Get(b.srv.URL + "/unsubscribe?t=" + url.QueryEscape(tok))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	p, err := b.svc.MyNotifyPrefs(cairn.NewContext(context.Background(), member))
	if err != nil || res.StatusCode != 200 || !p.Slack {
		t.Fatalf("opening the link: %d, prefs %+v, %v; it must only ask", res.StatusCode, p, err)
	}
	res, err = client.PostForm(b.srv.URL+"/unsubscribe", url.Values{"t": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	p, err = b.svc.MyNotifyPrefs(cairn.NewContext(context.Background(), member))
	if err != nil || res.StatusCode != 200 || p.Slack || !p.Email || !p.Teams {
		t.Fatalf("confirming: %d, prefs %+v, %v", res.StatusCode, p, err)
	}
}
