package jobs_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/internal/smtptest"
	"github.com/cairn-okr/cairn/jobs"
	"github.com/cairn-okr/cairn/notify"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// startMailbox serves SMTP with STARTTLS on addr ("127.0.0.1:0" for any port), with the
// certificate of an httptest TLS server, whose pool the client trusts.
func startMailbox(tb testing.TB, addr string, cert *tls.Config) *smtptest.Mailbox {
	return smtptest.Start(tb, addr, cert)
}

// receiver is a webhook of Teams or Slack: it keeps each body and answers the statuses in
// turn, the last one from then on.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   []map[string]any
	statuses []int
	calls    atomic.Int64
}

func newReceiver(tb testing.TB, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := int(r.calls.Add(1))
		var body map[string]any
		_ = json.NewDecoder(req.Body).Decode(&body)
		status := r.statuses[min(n, len(r.statuses))-1]
		if status == http.StatusOK {
			r.mu.Lock()
			r.bodies = append(r.bodies, body)
			r.mu.Unlock()
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status))
	}))
	tb.Cleanup(r.Close)
	return r
}

func (r *receiver) received() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.bodies...)
}

// retryAfter retries failed jobs after a fixed wait, so that a test sees River's retries.
type retryAfter time.Duration

func (r retryAfter) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Duration(r)) }

// notifyBundle is an organization with a team whose key result is due for a check-in.
type notifyBundle struct {
	db       *sqldb.DB
	svc      *cairn.Service
	now      time.Time
	actx     context.Context
	org      *cairn.Org
	team     *cairn.Team
	ada, bob *cairn.User
	kr       *cairn.KeyResult
	mailer   *notify.Mailer
	poster   *notify.Poster
	public   string
}

// notifySetup wires the service with e-mail and webhooks; the clock stands on a Monday at
// 10:00 UTC, and the organization's check-ins are due on Tuesdays at 9:00 in Berlin (8:00
// UTC), within the day before which reminders go out.
func notifySetup(tb testing.TB, dialect string, smtpAddr string, roots *x509.CertPool, webhookHosts ...string) *notifyBundle {
	tb.Helper()
	b := &notifyBundle{db: openDB(tb, dialect), now: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), public: "https://cairn.example.com"}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sealer, err := auth.NewSealer(map[string][]byte{"k": key}, "k")
	must(tb, err)
	egress := &notify.WebhookEgress{Hosts: webhookHosts}
	b.svc = cairn.NewService(b.db, cairn.ServiceOptions{Now: func() time.Time { return b.now }, LinkKey: key, Secrets: sealer,
		CheckWebhook: egress.CheckURL, Email: true})
	b.poster = notify.NewPoster(egress)
	b.mailer, err = notify.NewMailer("smtp://"+smtpAddr, "Cairn <cairn@example.com>")
	must(tb, err)
	b.mailer.TLSConfig = &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}

	admin := &cairn.User{Email: "admin@example.com", Name: "Admin", TenantAdmin: true}
	must(tb, b.db.CreateTenant(ctx, &cairn.Tenant{Name: "T"}, admin))
	b.actx = cairn.NewContext(ctx, admin)
	b.org = &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	must(tb, b.svc.CreateOrg(b.actx, b.org))
	must(tb, b.svc.SetOrgCadence(b.actx, b.org.Slug, &cairn.OrgCadence{TimeZone: "Europe/Berlin",
		Cadence: cairn.Cadence{Frequency: cairn.Weekly, Weekday: int(time.Tuesday), MonthDay: 1, Hour: 9}}))
	for _, p := range []**cairn.User{&b.ada, &b.bob} {
		name := map[**cairn.User]string{&b.ada: "ada", &b.bob: "bob"}[p]
		m, err := b.svc.AddMember(b.actx, b.org.Slug, cairn.NewMember{Email: name + "@example.com", Name: name})
		must(tb, err)
		*p = &cairn.User{ID: m.UserID, Email: m.Email, Name: m.Name}
	}
	b.team = &cairn.Team{Name: "Platform"}
	must(tb, b.svc.CreateTeam(b.actx, b.org.Slug, b.team))
	per := &cairn.Period{Name: "Q4", Start: cairn.DateOf(b.now.AddDate(0, -1, 0)), End: cairn.DateOf(b.now.AddDate(0, 1, 0))}
	must(tb, b.svc.CreatePeriod(b.actx, b.org.Slug, per))
	o := &cairn.Objective{PeriodID: per.ID, TeamID: &b.team.ID, Title: "Ship faster", OwnerIDs: []int64{admin.ID}}
	must(tb, b.svc.CreateObjective(b.actx, b.org.Slug, o))
	b.kr = &cairn.KeyResult{ObjectiveID: o.ID, Title: "Deploys per week", OwnerIDs: []int64{b.ada.ID},
		CheckInOwnerIDs: []int64{b.bob.ID}, Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 20, Unit: "deploys"}}
	must(tb, b.svc.CreateKeyResult(b.actx, b.org.Slug, b.kr))
	return b
}

func (b *notifyBundle) runner(tb testing.TB, retry river.ClientRetryPolicy) (*jobs.Runner, func()) {
	tb.Helper()
	r, err := jobs.New(ctx, jobs.Config{DB: b.db.SQL(), Dialect: b.db.Dialect(), Store: b.db, ScheduleEvery: time.Hour,
		PollInterval: 50 * time.Millisecond, Now: func() time.Time { return b.now }, RetryPolicy: retry,
		Notify: &jobs.NotifyConfig{Service: b.svc, Mailer: b.mailer, Poster: b.poster, PublicURL: b.public, Every: 200 * time.Millisecond}})
	must(tb, err)
	rctx, cancel := context.WithCancel(ctx)
	must(tb, r.Start(rctx))
	stop := func() {
		sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
		defer scancel()
		_ = r.Stop(sctx)
		cancel()
	}
	tb.Cleanup(stop)
	return r, stop
}

// tlsCert returns a server TLS configuration and the pool that trusts it.
func tlsCert(tb testing.TB) (*tls.Config, *x509.CertPool) {
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	tb.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	return ts.TLS, pool
}

// TestSlackCardsAndChannelsTurnedOff makes the due reminders, then has ada turn Slack and
// e-mail off before anything goes out: her Slack and e-mail deliveries are skipped and
// nothing reaches her, while bob's Slack message carries the key result, its value, a
// button to the check-in form and the unsubscribe link, with Slack's mrkdwn escaped.
func TestSlackCardsAndChannelsTurnedOff(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		cert, roots := tlsCert(t)
		box := startMailbox(t, "127.0.0.1:0", cert)
		slack := newReceiver(t, http.StatusOK)
		b := notifySetup(t, dialect, box.Addr(), roots, hostOf(slack.URL))
		_, err := b.svc.SetTeamWebhook(b.actx, b.org.Slug, b.team.ID, cairn.ChannelSlack, slack.URL+"/services/T0/B0/secret-slack-path")
		must(t, err)
		k, err := b.db.KeyResultByID(ctx, b.org.ID, b.kr.ID)
		must(t, err)
		k.Title = "Deploys <per> week & more"
		must(t, b.db.UpdateKeyResult(b.actx, k))
		rs, err := b.svc.PlanReminders(ctx, b.now)
		must(t, err)
		var made []*cairn.Notification
		for _, r := range rs {
			n, ok, err := b.svc.CreateReminder(ctx, r)
			must(t, err)
			if ok {
				made = append(made, n)
			}
		}
		if len(made) != 2 {
			t.Fatalf("made %d reminders, want ada's and bob's", len(made))
		}
		must(t, b.svc.SetMyNotifyPrefs(cairn.NewContext(ctx, b.ada), cairn.NotifyPrefs{Teams: true}))
		b.runner(t, retryAfter(100*time.Millisecond))

		status := func(n *cairn.Notification) map[cairn.Channel]cairn.DeliveryStatus {
			ds, err := b.svc.DeliveriesOf(ctx, n.ID)
			must(t, err)
			out := map[cairn.Channel]cairn.DeliveryStatus{}
			for _, d := range ds {
				out[d.Channel] = d.Status
			}
			return out
		}
		waitFor(t, "every delivery to go out or be skipped", 20*time.Second, func() bool {
			for _, n := range made {
				for _, st := range status(n) {
					if st == cairn.DeliveryPending {
						return false
					}
				}
			}
			return true
		})
		for _, n := range made {
			want := map[cairn.Channel]cairn.DeliveryStatus{cairn.ChannelEmail: cairn.DeliverySent, cairn.ChannelSlack: cairn.DeliverySent}
			if n.UserID == b.ada.ID {
				want = map[cairn.Channel]cairn.DeliveryStatus{cairn.ChannelEmail: cairn.DeliverySkipped, cairn.ChannelSlack: cairn.DeliverySkipped}
			}
			if got := status(n); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("deliveries of user %d's reminder: %v, want %v", n.UserID, got, want)
			}
		}
		mails := box.Messages()
		if len(mails) != 1 || mails[0].To != "bob@example.com" {
			t.Fatalf("e-mails: %+v, want bob's alone", mails)
		}
		cards := slack.received()
		if len(cards) != 1 {
			t.Fatalf("%d Slack messages, want bob's alone", len(cards))
		}
		var raw strings.Builder
		enc := json.NewEncoder(&raw)
		enc.SetEscapeHTML(false)
		must(t, enc.Encode(cards[0]))
		card := raw.String()
		for _, want := range []string{`"text":"Check-in due Tue 8 Dec 09:00 CET"`, `"type":"header"`, "For bob", `*Deploys &lt;per&gt; week &amp; more*\n0 / 20 deploys`,
			`"type":"button"`, "https://cairn.example.com/o/fabrikam/okrs/key-results/", "#checkin-h", "/unsubscribe?t=", "|Turn Slack messages off>"} {
			if !strings.Contains(card, want) {
				t.Errorf("the Slack message lacks %s:\n%s", want, card)
			}
		}
		if strings.Contains(card, "For ada") {
			t.Errorf("ada turned Slack off, yet her reminder reached the channel: %s", card)
		}
	})
}

// TestReminderGoesOutOnceByEmailAndWebhooks plans the reminder of a due check-in and checks
// that the owner and the check-in owner each get one e-mail over SMTP with STARTTLS and one
// card on each of the team's webhooks, with the key result, its value and a link to its
// check-in form; that a webhook answering 500 is retried until it takes the card; that a
// webhook that keeps answering 404 shows up in the admins' failed deliveries with its
// reason; that nothing is sent twice however often the planner runs; and that the
// unsubscribe link turns e-mail off.
func TestReminderGoesOutOnceByEmailAndWebhooks(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		cert, roots := tlsCert(t)
		box := startMailbox(t, "127.0.0.1:0", cert)
		teams := newReceiver(t, http.StatusInternalServerError, http.StatusOK)
		slack := newReceiver(t, http.StatusNotFound)
		b := notifySetup(t, dialect, box.Addr(), roots, hostOf(teams.URL), hostOf(slack.URL))
		_, err := b.svc.SetTeamWebhook(b.actx, b.org.Slug, b.team.ID, cairn.ChannelTeams, teams.URL+"/webhookb2/secret-teams-path")
		must(t, err)
		_, err = b.svc.SetTeamWebhook(b.actx, b.org.Slug, b.team.ID, cairn.ChannelSlack, slack.URL+"/services/T0/B0/secret-slack-path")
		must(t, err)
		b.runner(t, retryAfter(100*time.Millisecond))

		waitFor(t, "two e-mails and two Teams cards", 20*time.Second, func() bool {
			return len(box.Messages()) >= 2 && len(teams.received()) >= 2
		})
		waitFor(t, "the Slack deliveries to fail for good", 20*time.Second, func() bool {
			ds, err := b.svc.FailedDeliveries(b.actx, b.org.Slug)
			must(t, err)
			return len(ds) == 2 && ds[0].Attempts >= 8 && ds[1].Attempts >= 8
		})
		time.Sleep(time.Second) // five more plans
		mails := box.Messages()
		if len(mails) != 2 || len(teams.received()) != 2 {
			t.Fatalf("sent %d e-mails and %d Teams cards, want 2 and 2: a due date was told twice", len(mails), len(teams.received()))
		}
		if teams.calls.Load() != 3 {
			t.Fatalf("Teams webhook called %d times, want 3 (a 500, then two cards)", teams.calls.Load())
		}
		to := map[string]bool{}
		for _, m := range mails {
			to[m.To] = true
			for _, want := range []string{"Subject: Check-in due Tue 8 Dec 09:00 CET", "Deploys per week", "0 / 20 deploys",
				"https://cairn.example.com/o/fabrikam/okrs/key-results/", "#checkin-h", "List-Unsubscribe: <https://cairn.example.com/unsubscribe?t="} {
				if !strings.Contains(m.Data, want) {
					t.Errorf("e-mail to %s lacks %q:\n%s", m.To, want, m.Data)
				}
			}
		}
		if !to["ada@example.com"] || !to["bob@example.com"] {
			t.Fatalf("e-mails went to %v, want ada (owner) and bob (check-in owner)", to)
		}
		var cards []string
		for _, c := range teams.received() {
			b, _ := json.Marshal(c)
			cards = append(cards, string(b))
		}
		if !(strings.Contains(cards[0], "For ada") && strings.Contains(cards[1], "For bob")) && !(strings.Contains(cards[0], "For bob") && strings.Contains(cards[1], "For ada")) {
			t.Errorf("the Teams cards do not name ada and bob: %s", cards)
		}
		card := cards[0]
		for _, want := range []string{"AdaptiveCard", "Deploys per week", "0 / 20 deploys", "#checkin-h", "/unsubscribe?t="} {
			if !strings.Contains(card, want) {
				t.Errorf("Teams card lacks %q: %s", want, card)
			}
		}
		failed, err := b.svc.FailedDeliveries(b.actx, b.org.Slug)
		must(t, err)
		for _, d := range failed {
			if d.Channel != cairn.ChannelSlack || !strings.Contains(d.LastError, "404") {
				t.Errorf("failed delivery = %+v, want Slack's 404", d)
			}
			if strings.Contains(d.LastError, "secret-slack-path") {
				t.Errorf("the failed delivery's reason shows the webhook URL: %s", d.LastError)
			}
		}

		inbox, err := b.svc.Inbox(cairn.NewContext(ctx, b.ada), false, 10)
		must(t, err)
		if len(inbox) != 1 || inbox[0].Kind != cairn.NotifyReminder || len(inbox[0].Items) != 1 || inbox[0].Items[0].Value != "0 / 20 deploys" {
			t.Fatalf("ada's inbox = %+v", inbox)
		}

		tok := regexp.MustCompile(`unsubscribe\?t=([^>\s]+)`).FindStringSubmatch(mails[0].Data)
		if tok == nil {
			t.Fatal("no unsubscribe link")
		}
		raw, err := url.QueryUnescape(tok[1])
		must(t, err)
		c, err := b.svc.Unsubscribe(ctx, raw)
		must(t, err)
		owner := map[string]*cairn.User{"ada@example.com": b.ada, "bob@example.com": b.bob}[mails[0].To]
		prefs, err := b.svc.MyNotifyPrefs(cairn.NewContext(ctx, owner))
		must(t, err)
		if c != cairn.ChannelEmail || prefs.Email || !prefs.Teams {
			t.Fatalf("after unsubscribing: channel %q, prefs %+v", c, prefs)
		}
		t.Run("ErrForgedToken", func(t *testing.T) {
			_, err := b.svc.Unsubscribe(ctx, strings.Replace(raw, ".email.", ".slack.", 1))
			if cairn.ErrorCode(err) != cairn.EINVALID {
				t.Fatalf("forged token: %v", err)
			}
		})
	})
}

// TestDeliverySurvivesSMTPDownAndRestart fails an e-mail while the SMTP server is down,
// stops the job runner, starts the server and a new runner, and checks that the e-mail
// goes out once: the failure is recorded with its reason, and River's retry outlives the
// restart.
func TestDeliverySurvivesSMTPDownAndRestart(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		cert, roots := tlsCert(t)
		// Reserve a port, then close it: the server is down.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		addr := ln.Addr().String()
		ln.Close()
		b := notifySetup(t, dialect, addr, roots)
		_, stop := b.runner(t, retryAfter(3*time.Second))
		waitFor(t, "a failed e-mail", 20*time.Second, func() bool {
			ds, err := b.svc.FailedDeliveries(b.actx, b.org.Slug)
			must(t, err)
			return len(ds) > 0 && strings.Contains(ds[0].LastError, "smtp")
		})
		stop()
		box := startMailbox(t, addr, cert)
		b.runner(t, retryAfter(100*time.Millisecond))
		waitFor(t, "both e-mails after the restart", 30*time.Second, func() bool { return len(box.Messages()) >= 2 })
		time.Sleep(time.Second)
		if n := len(box.Messages()); n != 2 {
			t.Fatalf("%d e-mails, want 2", n)
		}
		ds, err := b.svc.FailedDeliveries(b.actx, b.org.Slug)
		must(t, err)
		if len(ds) != 0 {
			t.Fatalf("failed deliveries after they went out: %+v", ds)
		}
	})
}

// TestMentionsCommentsAndStatusTurnsNotify checks the event notifications: an @mention
// reaches the person mentioned, a comment reaches the key result's owner, and a check-in
// that turns the key result at risk reaches its owner and check-in owner, each once.
func TestMentionsCommentsAndStatusTurnsNotify(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		cert, roots := tlsCert(t)
		box := startMailbox(t, "127.0.0.1:0", cert)
		b := notifySetup(t, dialect, box.Addr(), roots)
		// The first scan notes where things stand.
		_, err := b.svc.ScanEvents(ctx, b.now)
		must(t, err)
		b.now = b.now.Add(time.Hour)
		adminCtx := b.actx
		must(t, b.svc.AddComment(adminCtx, b.org.Slug, &cairn.Comment{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: b.kr.ID}, Body: "@bob can you look?"}))
		// A check-in far from the line: at risk.
		must(t, b.svc.CheckIn(adminCtx, b.org.Slug, &cairn.CheckIn{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: b.kr.ID}, Value: 1}))
		n, err := b.svc.ScanEvents(ctx, b.now)
		must(t, err)
		again, err := b.svc.ScanEvents(ctx, b.now.Add(time.Minute))
		must(t, err)
		if again != 0 {
			t.Fatalf("a second scan made %d notifications", again)
		}
		kinds := func(u *cairn.User) map[cairn.NotificationKind]int {
			list, err := b.svc.Inbox(cairn.NewContext(ctx, u), false, 50)
			must(t, err)
			out := map[cairn.NotificationKind]int{}
			for _, x := range list {
				out[x.Kind]++
			}
			return out
		}
		ada, bob := kinds(b.ada), kinds(b.bob)
		if ada[cairn.NotifyComment] != 1 || ada[cairn.NotifyMention] != 0 {
			t.Errorf("ada (owner) got %v, want one comment notification", ada)
		}
		if bob[cairn.NotifyMention] != 1 || bob[cairn.NotifyComment] != 0 {
			t.Errorf("bob (mentioned) got %v, want one mention", bob)
		}
		if ada[cairn.NotifyStatus] != 1 || bob[cairn.NotifyStatus] != 1 {
			t.Errorf("status turn: ada %v, bob %v, want one each", ada, bob)
		}
		if n != 4 {
			t.Errorf("scan made %d notifications, want 4", n)
		}
		unread, err := b.svc.UnreadCount(cairn.NewContext(ctx, b.bob))
		must(t, err)
		if unread != 2 {
			t.Errorf("bob's unread = %d, want 2", unread)
		}
	})
}

// TestFailingSyncsNotifyCreatorAndAdmins fails a data source's syncs against the Azure
// DevOps emulator (its PAT expired) and checks that the third failure in a row, not the
// second, tells the data source's creator and the organization's admins, with the error's
// guidance, and that a fourth failure of the same streak tells nobody again.
func TestFailingSyncsNotifyCreatorAndAdmins(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		b := setup(t, dialect, time.Hour)
		_, d := b.bind(t)
		waitFor(t, "the first sync", 10*time.Second, func() bool { return b.dataSource(t, d.ID).Value != nil })
		olga, err := b.svc.AddMember(b.actx, b.org.Slug, cairn.NewMember{Email: "olga@example.com", Name: "Olga", Role: cairn.RoleAdmin})
		must(t, err)
		mia, err := b.svc.AddMember(b.actx, b.org.Slug, cairn.NewMember{Email: "mia@example.com", Name: "Mia", Role: cairn.RoleMember})
		must(t, err)
		_, err = b.svc.ScanEvents(ctx, time.Now())
		must(t, err)
		must(t, b.emu.SetPATExpired(pat, true))
		failing := func(u int64) []*cairn.Notification {
			t.Helper()
			usr, err := b.db.UserByID(ctx, u)
			must(t, err)
			list, err := b.svc.Inbox(cairn.NewContext(ctx, usr), false, 50)
			must(t, err)
			var out []*cairn.Notification
			for _, n := range list {
				if n.Kind == cairn.NotifySyncFailing {
					out = append(out, n)
				}
			}
			return out
		}
		admin := cairn.UserFromContext(b.actx)
		for i := 1; i <= 4; i++ {
			_, err := b.ds.SyncNow(b.actx, b.org.Slug, d.ID, true)
			must(t, err)
			if b.dataSource(t, d.ID).Error == nil {
				t.Fatalf("sync %d did not fail", i)
			}
			_, err = b.svc.ScanEvents(ctx, time.Now())
			must(t, err)
			want := 0
			if i >= 3 {
				want = 1
			}
			if got := len(failing(admin.ID)); got != want {
				t.Fatalf("after %d failed syncs the creator has %d notifications of it, want %d", i, got, want)
			}
		}
		got := failing(olga.UserID)
		if len(got) != 1 || !strings.Contains(got[0].Title, "failed 3 syncs in a row") || !strings.Contains(got[0].Title, b.kr.Title) ||
			!strings.Contains(strings.ToLower(got[0].Body), "reconnect") {
			t.Fatalf("the other admin's notifications = %+v", got)
		}
		if n := len(failing(mia.UserID)); n != 0 {
			t.Fatalf("a member who did not create the data source got %d notifications of it", n)
		}
	})
}

// TestSyncTurningAtRiskNotifies syncs a key result from the Azure DevOps emulator to a value
// far short of its target: the sync's check-in turns it at risk, and its owner is told.
func TestSyncTurningAtRiskNotifies(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		b := setup(t, dialect, time.Hour)
		// A target no work item count reaches by mid-period: at risk once synced.
		target := 100000.0
		_, err := b.svc.UpdateKeyResult(b.actx, b.org.Slug, b.kr.ID, cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{Target: &target}})
		must(t, err)
		_, err = b.svc.ScanEvents(ctx, time.Now())
		must(t, err)
		_, d := b.bind(t)
		waitFor(t, "the first sync", 10*time.Second, func() bool { return b.dataSource(t, d.ID).Value != nil })
		_, err = b.svc.ScanEvents(ctx, time.Now())
		must(t, err)
		list, err := b.svc.Inbox(b.actx, false, 50)
		must(t, err)
		var got []*cairn.Notification
		for _, n := range list {
			if n.Kind == cairn.NotifyStatus {
				got = append(got, n)
			}
		}
		if len(got) != 1 || got[0].Title != b.kr.Title+" is at risk" {
			t.Fatalf("status notifications after the sync = %+v", got)
		}
	})
}

// TestWeeklyDigestIsOptIn: on Monday the planner sends each person who asked for the
// weekly digest one e-mail per organization and week, listing their notifications of the
// past seven days; nobody else gets one, and the planner's later runs add none.
func TestWeeklyDigestIsOptIn(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		cert, roots := tlsCert(t)
		box := startMailbox(t, "127.0.0.1:0", cert)
		b := notifySetup(t, dialect, box.Addr(), roots)
		if b.now.Weekday() != time.Monday || b.now.Hour() < 7 {
			t.Fatalf("the test clock %v is not a Monday after 7:00: digests would not go out", b.now)
		}
		bobCtx := cairn.NewContext(ctx, b.bob)
		prefs, err := b.svc.MyNotifyPrefs(bobCtx)
		must(t, err)
		prefs.Digest, prefs.Email = true, false // the digest goes out even with e-mail notifications off
		must(t, b.svc.SetMyNotifyPrefs(bobCtx, prefs))
		_, err = b.svc.ScanEvents(ctx, b.now)
		must(t, err)
		must(t, b.svc.AddComment(b.actx, b.org.Slug, &cairn.Comment{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: b.kr.ID},
			Body: "@bob and @ada, the deploy numbers are in"}))
		b.now = b.now.Add(time.Minute)
		_, stop := b.runner(t, nil)
		defer stop()
		waitFor(t, "the digest e-mail", 20*time.Second, func() bool {
			for _, m := range box.Messages() {
				if strings.Contains(m.Data, "Your week in Fabrikam") {
					return true
				}
			}
			return false
		})
		time.Sleep(time.Second) // several more planner runs
		var digests []smtptest.Message
		for _, m := range box.Messages() {
			if strings.Contains(m.Data, "Your week in Fabrikam") {
				digests = append(digests, m)
			}
		}
		if len(digests) != 1 || !strings.Contains(digests[0].To, "bob@example.com") {
			t.Fatalf("digests = %+v, want one, to bob", digests)
		}
		if !strings.Contains(digests[0].Data, "mentioned") {
			t.Errorf("the digest does not list bob's mention:\n%s", digests[0].Data)
		}
		made, err := b.svc.CreateDigest(ctx, b.ada.ID, b.now)
		must(t, err)
		if made != 0 {
			t.Errorf("ada, who did not ask for it, got %d digests", made)
		}
	})
}
