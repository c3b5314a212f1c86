package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/internal/smtptest"
	"github.com/cairn-okr/cairn/sqldb"
)

// remindWorld is a SQLite database with two organizations, each with a key result whose
// check-in falls due within the day: Ada's in fabrikam, Bob's in contoso.
type remindWorld struct {
	path       string
	fabrikamKR *cairn.KeyResult
}

func remindSetup(t *testing.T) *remindWorld {
	t.Helper()
	ctx := context.Background()
	w := &remindWorld{path: filepath.Join(t.TempDir(), "cairn.db")}
	db, err := sqldb.Open(ctx, w.path, sqldb.Options{})
	must(t, err)
	defer db.Close()
	svc := cairn.NewService(db, cairn.ServiceOptions{})
	admin := &cairn.User{Email: "admin@example.com", Name: "Admin", TenantAdmin: true}
	must(t, db.CreateTenant(ctx, &cairn.Tenant{Name: "Cairn"}, admin))
	actx := cairn.NewContext(ctx, admin)
	// Check-ins fall due tomorrow at this hour (UTC): reminders go out from a day before.
	now := time.Now().UTC()
	cadence := cairn.Cadence{Frequency: cairn.Weekly, Weekday: int(now.Add(24 * time.Hour).Weekday()), MonthDay: 1, Hour: now.Hour()}
	for _, o := range []struct{ slug, person string }{{"fabrikam", "ada"}, {"contoso", "bob"}} {
		org := &cairn.Org{Name: strings.ToUpper(o.slug[:1]) + o.slug[1:], Slug: o.slug}
		must(t, svc.CreateOrg(actx, org))
		must(t, svc.SetOrgCadence(actx, o.slug, &cairn.OrgCadence{TimeZone: "UTC", Cadence: cadence}))
		m, err := svc.AddMember(actx, o.slug, cairn.NewMember{Email: o.person + "@example.com", Name: o.person})
		must(t, err)
		per := &cairn.Period{Name: "Now", Start: cairn.DateOf(now.AddDate(0, -1, 0)), End: cairn.DateOf(now.AddDate(0, 1, 0))}
		must(t, svc.CreatePeriod(actx, o.slug, per))
		obj := &cairn.Objective{PeriodID: per.ID, Title: "Delight customers", OwnerIDs: []int64{m.UserID}}
		must(t, svc.CreateObjective(actx, o.slug, obj))
		kr := &cairn.KeyResult{ObjectiveID: obj.ID, Title: "NPS of " + org.Name + " to 50", Metric: cairn.Metric{Kind: cairn.MetricNumber, Target: 50},
			OwnerIDs: []int64{m.UserID}}
		must(t, svc.CreateKeyResult(actx, o.slug, kr))
		if o.slug == "fabrikam" {
			w.fabrikamKR = kr
		}
	}
	return w
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRemindNow sends the reminders due now through a real SMTP server: once per person
// and due time however often it runs, one organization at a time with --org, and exits 1
// naming the failure when the SMTP server cannot be reached.
func TestRemindNow(t *testing.T) {
	w := remindSetup(t)
	box := smtptest.Start(t, "127.0.0.1:0", nil)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	t.Setenv("CAIRN_SECRET_KEY", hex.EncodeToString(key))
	t.Setenv("CAIRN_SECRET_KEY_FILE", "")
	t.Setenv("CAIRN_PUBLIC_URL", "https://okr.example.com/")
	t.Setenv("CAIRN_SMTP_URL", "smtp://"+box.Addr()+"?starttls=none")
	t.Setenv("CAIRN_SMTP_FROM", "Cairn <cairn@example.com>")
	t.Setenv("CAIRN_DATABASE_URL", "")
	remind := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"remind", "--database", w.path}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	code, out, errOut := remind("--now", "--org", "fabrikam")
	if code != 0 {
		t.Fatalf("remind --now exit %d:\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"1 reminders due now in Fabrikam: 1 made now, 0 made before",
		"ada <ada@example.com>: Check-in due", "email to ada@example.com: sent", "Messages: 1 sent, 0 skipped (channel turned off), 0 failed, 0 waiting."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	mails := box.Messages()
	if len(mails) != 1 || mails[0].To != "ada@example.com" {
		t.Fatalf("mails after the first run: %+v", mails)
	}
	link := fmt.Sprintf("https://okr.example.com/o/fabrikam/okrs/key-results/%d#checkin-h", w.fabrikamKR.ID)
	for _, want := range []string{w.fabrikamKR.Title, link, "unsubscribe?t="} {
		if !strings.Contains(mails[0].Data, want) {
			t.Errorf("the reminder lacks %q:\n%s", want, mails[0].Data)
		}
	}

	// Again: the reminder was made; nothing is sent twice.
	code, out, errOut = remind("--now", "--org", "fabrikam")
	if code != 0 || !strings.Contains(out, "1 made before (not sent again)") {
		t.Fatalf("second run exit %d:\n%s\n%s", code, out, errOut)
	}
	if n := len(box.Messages()); n != 1 {
		t.Fatalf("%d mails after the second run, want still 1", n)
	}

	// Contoso's reminder, with the SMTP server gone: exit 1, the failure named and kept for
	// River's retries.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	closed := ln.Addr().String()
	must(t, ln.Close())
	t.Setenv("CAIRN_SMTP_URL", "smtp://"+closed+"?starttls=none")
	code, out, errOut = remind("--now", "--wait", "20s")
	if code != 1 || !strings.Contains(errOut, "1 of the messages failed") {
		t.Fatalf("run with SMTP down: exit %d:\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"2 reminders due now in any organization: 1 made now, 1 made before",
		"email to bob@example.com: failed (", "0 sent, 0 skipped (channel turned off), 1 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output with SMTP down lacks %q:\n%s", want, out)
		}
	}
	if n := len(box.Messages()); n != 1 {
		t.Fatalf("%d mails after the failed run, want still 1", n)
	}
}

// TestRemindRefusesBadInput checks that remind needs --now, a known organization and the
// public URL, and says so.
func TestRemindRefusesBadInput(t *testing.T) {
	w := remindSetup(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	t.Setenv("CAIRN_SECRET_KEY", hex.EncodeToString(key))
	t.Setenv("CAIRN_PUBLIC_URL", "https://okr.example.com")
	t.Setenv("CAIRN_SMTP_URL", "")
	t.Setenv("CAIRN_SMTP_FROM", "")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--org", "fabrikam"}, 2, "--now is required"},
		{[]string{"--now", "--org", "nope"}, 1, `no organization "nope"`},
		{[]string{"--now", "--wait", "0s"}, 1, "--wait 0s: want a positive duration"},
		{[]string{"--now", "--public-url", ""}, 1, "CAIRN_PUBLIC_URL (or --public-url) is not set"},
		{[]string{"--now", "stray"}, 2, `unexpected argument "stray"`},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"remind", "--database", w.path}, c.args...), &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("remind %v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, stderr.String())
		}
	}
	t.Setenv("CAIRN_SMTP_FROM", "cairn@example.com")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"remind", "--now", "--database", w.path}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "CAIRN_SMTP_FROM is set but CAIRN_SMTP_URL is not") {
		t.Errorf("remind with CAIRN_SMTP_FROM alone: exit %d:\n%s", code, stderr.String())
	}
}
