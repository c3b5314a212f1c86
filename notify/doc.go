// Package notify sends Cairn's notifications out: e-mail over SMTP (CAIRN_SMTP_URL), and
// cards to the incoming webhooks of Microsoft Teams and Slack. It renders each channel's
// message from a cairn.Notification, keeps webhook URLs out of every error it returns (they
// are secrets), and guards webhook posts with WebhookEgress.
package notify
