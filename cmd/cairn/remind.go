package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/jobs"
	"github.com/cairn-okr/cairn/sqldb"
)

const remindHelp = `Sends the check-in reminders and follow-ups that are due now, at once, instead of at the
servers' next planning pass (every CAIRN_NOTIFY_INTERVAL, a minute by default).

A key result's owners and check-in owners are reminded from a day before each due check-in
of their organization's or team's cadence, and followed up a day after one that did not
come. Each reminder goes to the inbox, by e-mail (CAIRN_SMTP_URL, CAIRN_SMTP_FROM) and to
the team's Teams or Slack webhooks, as each person's settings allow. A reminder made
before, by a server or an earlier run, is not made or sent again, so running this beside
the servers is safe.

The command reads the same settings as cairn serve: the database, the sealing key
(CAIRN_SECRET_KEY or its key file) that opens the team webhooks, CAIRN_PUBLIC_URL for the
links in messages, and the e-mail and webhook settings. It waits up to --wait for every
message to go out, prints what it sent, and exits 1 when a message failed (River retries
it later; admins see it on Admin → Reminders).`

func runRemind(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("remind", "cairn remind --now [--org SLUG] [--database DSN]", remindHelp, stderr)
	now := fs.Bool("now", false, "send what is due now (required)")
	org := fs.String("org", "", "only this organization's reminders (its slug); every organization's when left out")
	database := fs.String("database", env("CAIRN_DATABASE_URL", "cairn.db"), "SQLite file or postgres:// URL (CAIRN_DATABASE_URL)")
	publicURL := fs.String("public-url", env("CAIRN_PUBLIC_URL", ""), "the URL people reach Cairn at, for the links in messages (CAIRN_PUBLIC_URL)")
	wait := fs.Duration("wait", time.Minute, "how long to wait for the messages to go out")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !*now {
		fmt.Fprintln(stderr, "--now is required: cairn remind sends what is due now (the servers send reminders by themselves)")
		fs.Usage()
		return errUsage
	}
	if *wait <= 0 {
		return fmt.Errorf("--wait %s: want a positive duration, such as 30s", *wait)
	}
	if *publicURL == "" {
		return errors.New("CAIRN_PUBLIC_URL (or --public-url) is not set: reminders link to the check-in form at Cairn's public URL")
	}

	notifyCfg, webhookEgress, err := notifyConfig(serveConfig{})
	if err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, *database, sqldb.Options{})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	var orgID int64
	var orgName string
	if strings.TrimSpace(*org) != "" {
		o, err := importOrg(ctx, db, *org)
		if err != nil {
			return err
		}
		orgID, orgName = o.ID, o.Name
	}
	sealer, linkKey, err := serverKeys(ctx, db, *database, false)
	if err != nil {
		return err
	}
	svc := cairn.NewService(db, cairn.ServiceOptions{LinkKey: linkKey, Secrets: sealer, CheckWebhook: webhookEgress.CheckURL,
		Email: notifyCfg.Mailer != nil})
	notifyCfg.Service, notifyCfg.PublicURL = svc, strings.TrimRight(*publicURL, "/")
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	runner, err := jobs.New(ctx, jobs.Config{DB: db.SQL(), Dialect: db.Dialect(), Store: db, Notify: notifyCfg, NotifyOnly: true,
		Log: log, MigrationLock: db.MigrationLock})
	if err != nil {
		return err
	}
	if err := runner.Start(ctx); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, *wait)
	rep, err := runner.RemindNow(wctx, orgID)
	cancel()
	stopCtx, stop := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer stop()
	if serr := runner.Stop(stopCtx); err == nil && serr != nil {
		err = serr
	}
	if rep != nil {
		printRemindReport(ctx, stdout, db, rep, orgName)
	}
	if err != nil {
		return err
	}
	if n := rep.Count(cairn.DeliveryFailed); n > 0 {
		return fmt.Errorf("%d of the messages failed; Cairn retries them and admins see them on Admin → Reminders", n)
	}
	if rep.Pending {
		return fmt.Errorf("messages were still waiting to go out after --wait %s; they stay queued for the servers", *wait)
	}
	return nil
}

// printRemindReport lists each reminder due with its person and what became of its messages.
func printRemindReport(ctx context.Context, w io.Writer, db *sqldb.DB, rep *jobs.RemindReport, orgName string) {
	where := "any organization"
	if orgName != "" {
		where = orgName
	}
	if len(rep.Reminders) == 0 {
		fmt.Fprintf(w, "No check-in reminder is due now in %s.\n", where)
		return
	}
	made := 0
	for _, o := range rep.Reminders {
		if o.Made {
			made++
		}
	}
	fmt.Fprintf(w, "%d reminders due now in %s: %d made now, %d made before (not sent again).\n", len(rep.Reminders), where, made, len(rep.Reminders)-made)
	for _, o := range rep.Reminders {
		who := fmt.Sprint("user ", o.Reminder.UserID)
		if u, err := db.UserByID(ctx, o.Reminder.UserID); err == nil {
			who = u.Name
			if u.Email != "" {
				who += " <" + u.Email + ">"
			}
		}
		state := "made before"
		if o.Made {
			state = "made now"
		}
		fmt.Fprintf(w, "  %s: %s, %d key results (%s)\n", who, o.Notification.Title, len(o.Notification.Items), state)
		for _, d := range o.Deliveries {
			line := fmt.Sprintf("    %s to %s: %s", d.Channel, d.Target, d.Status)
			if d.Status == cairn.DeliveryFailed && d.LastError != "" {
				line += " (" + d.LastError + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintf(w, "Messages: %d sent, %d skipped (channel turned off), %d failed, %d waiting.\n",
		rep.Count(cairn.DeliverySent), rep.Count(cairn.DeliverySkipped), rep.Count(cairn.DeliveryFailed), rep.Count(cairn.DeliveryPending))
}
