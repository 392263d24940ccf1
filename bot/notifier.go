package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/i18n"
)

// NotifyStore is what the Slack notifier records notifications in.
type NotifyStore interface {
	AddNotification(ctx context.Context, n followup.Notification) (added bool, err error)
	NotificationDelivered(ctx context.Context, key string) (bool, error)
	MarkNotificationDelivered(ctx context.Context, key string, at time.Time) error
	ClaimUndeliveredNotifications(ctx context.Context, since, before time.Time, lease time.Duration, limit int) ([]followup.Notification, error)
	Agent(ctx context.Context, id int64) (followup.Agent, error)
	Contact(ctx context.Context, id int64) (followup.Contact, error)
	Settings(ctx context.Context) (followup.Settings, error)
}

// Notifier is the follow-ups' Notifier in production: it records each
// notification and sends it to the agent as a direct message from the app;
// for a VIP contact, what needs a person's attention also goes to the
// supervisors' channel.
//
// Slack being slow or down never holds a follow-up: while Redeliver runs,
// Notify only records the notification and hands the post to Redeliver's
// loop, which posts them in order, out of the follow-up's workflow task
// (whose outcome, and a reply's visibility in the state, would otherwise
// wait for Slack). A notification Slack does not take stays recorded as
// undelivered, and Redeliver posts it later. One Slack took is not posted
// again (at least once if the process dies between Slack's answer and the
// record of it).
type Notifier struct {
	st                NotifyStore
	slack             Slack
	supervisorChannel string
	now               func() time.Time
	log               *slog.Logger
	profiles          *profiles // agents' languages
	// posts are notifications recorded and waiting for Redeliver's loop
	// to post them, while it runs (running).
	posts   chan queuedPost
	running atomic.Bool
}

// queuedPost is a notification recorded at at, for Redeliver to post.
type queuedPost struct {
	note followup.Notification
	at   time.Time
}

// Limits of the queue of posts: how many may wait (more are left to the
// claim of undelivered notifications), and how long one may wait before
// it is left to that claim too, which takes those over 30 s old: posting
// it from the queue as well could post it twice.
const (
	queuedPosts   = 1024
	queuedPostAge = 20 * time.Second
)

// NewNotifier returns a Slack notifier; supervisorChannel
// (SLACK_SUPERVISOR_CHANNEL) may be empty.
func NewNotifier(st NotifyStore, api Slack, supervisorChannel string, now func() time.Time, log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.Default()
	}
	return &Notifier{st: st, slack: api, supervisorChannel: supervisorChannel, now: now, log: log, profiles: newProfiles(api, log),
		posts: make(chan queuedPost, queuedPosts)}
}

var kindIcons = map[followup.NotificationKind]string{
	followup.NotifySent: "✅", followup.NotifyScheduled: "🕒", followup.NotifyRefused: "🚫", followup.NotifyReplied: "💬",
	followup.NotifyWindowClosing: "⏰", followup.NotifyWindowClosed: "⌛", followup.NotifyDeliveryFailed: "❗",
	followup.NotifyUnconfirmed: "⚠️", followup.NotifyCancelled: "✖️", followup.NotifyClosed: "📁", followup.NotifyFinished: "🏁",
	followup.NotifyDigest: "📋", followup.NotifyEscalated: "🚨", followup.NotifyTakenOver: "🤝",
}

// supervisorKinds need a supervisor's eye on a VIP follow-up.
var supervisorKinds = map[followup.NotificationKind]bool{followup.NotifyRefused: true, followup.NotifyReplied: true, followup.NotifyWindowClosing: true,
	followup.NotifyDeliveryFailed: true, followup.NotifyUnconfirmed: true, followup.NotifyFinished: true}

// postTimeout bounds one attempt to post a notification.
const postTimeout = 5 * time.Second

// Notify records n and tells the agent: through Redeliver's loop while it
// runs, else at once. Only a failure to record it is an error; Slack's
// failures leave it for Redeliver.
func (n *Notifier) Notify(ctx context.Context, note followup.Notification) error {
	added, err := n.st.AddNotification(ctx, note)
	if err != nil {
		return err
	}
	if !added && note.IdempotencyKey != nil { // a retry: posted already?
		delivered, err := n.st.NotificationDelivered(ctx, *note.IdempotencyKey)
		if err != nil {
			return err
		}
		if delivered {
			return nil
		}
	}
	if n.running.Load() {
		select {
		case n.posts <- queuedPost{note: note, at: n.now()}:
		default: // a full queue: the claim of undelivered ones posts it
			n.log.Warn("slack: notification queue full; posting it later", "kind", note.Kind)
		}
		return nil
	}
	if err := n.deliver(ctx, note); err != nil {
		n.log.Warn("slack: notification not delivered; will retry", "kind", note.Kind, "err", err)
	}
	return nil
}

// Redeliver posts notifications Slack did not take, every interval, until
// ctx ends. Those older than an hour are given up: news that late is
// noise, and the agent still finds them in `followup notifications`.
//
// It also posts, in order, what Notify queued while it runs.
func (n *Notifier) Redeliver(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	n.running.Store(true)
	defer n.running.Store(false)
	for {
		select {
		case <-ctx.Done():
			return
		case q := <-n.posts:
			n.post(ctx, q)
			continue
		case <-t.C:
		}
		// Notify is still posting the newest ones itself; a claim keeps
		// other workers' Redeliver off the same rows.
		now := n.now()
		notes, err := n.st.ClaimUndeliveredNotifications(ctx, now.Add(-time.Hour), now.Add(-30*time.Second), time.Minute, 50)
		if err != nil {
			n.log.Warn("slack: claim undelivered notifications", "err", err)
			continue
		}
		for _, note := range notes {
			err := n.deliver(ctx, note)
			switch {
			case err == nil:
			case transient(err):
				n.log.Warn("slack: notification still not delivered", "id", note.ID, "err", err)
			default:
				// Slack will never take this one (user gone, …): give it up
				// rather than retry it for an hour.
				n.log.Error("slack: notification given up", "id", note.ID, "err", err)
				if note.IdempotencyKey != nil {
					_ = n.st.MarkNotificationDelivered(ctx, *note.IdempotencyKey, now)
				}
			}
		}
	}
}

// transient says whether a failed post may succeed later: Slack rate
// limits, its 5xx answers, timeouts and network errors, the database.
func transient(err error) bool {
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &rl):
		return true
	case errors.As(err, &sc):
		return sc.Retryable()
	case errors.As(err, &se):
		switch se.Err {
		case "ratelimited", "fatal_error", "internal_error", "request_timeout", "service_unavailable":
			return true
		}
		return false
	case followup.ErrorCodeOf(err) == followup.ENotFound:
		return false
	}
	return true
}

// deliver posts one notification and records that it was delivered.
func (n *Notifier) deliver(ctx context.Context, note followup.Notification) error {
	ctx, cancel := context.WithTimeout(ctx, postTimeout)
	defer cancel()
	if note.AgentID == nil {
		return n.deliverToSupervisors(ctx, note)
	}
	agent, err := n.st.Agent(ctx, *note.AgentID)
	if err != nil {
		return err
	}
	var contact followup.Contact
	if note.ContactID != nil {
		if contact, err = n.st.Contact(ctx, *note.ContactID); err != nil {
			return err
		}
	}
	icon := kindIcons[note.Kind]
	if icon == "" {
		icon = "🔔"
	}
	// The follow-up wrote a phrase (package workflows): the agent reads it
	// in their language.
	p := i18n.New(n.profiles.get(ctx, agent.SlackUserID).lang)
	text := icon + " " + said(p, note)
	// The follow-up writes its times in UTC; each reader sees their own.
	blocks := []slack.Block{slack.NewSectionBlock(md(slackDates(unescapeMentions(escape(text)), n.now())), nil, nil)}
	if contact.ID != 0 {
		line := fmt.Sprintf("%s · #%d · %s", escape(contact.FullName()), contact.ID, p.Text(note.Channel.Title()))
		if contact.VIP {
			line += " · :star: VIP"
		}
		blocks = append(blocks, slack.NewContextBlock("", md(line)),
			slack.NewActionBlock("", slack.NewButtonBlockElement(ActionStatus, strconv.FormatInt(contact.ID, 10), plain(p.Sprintf("Status")))))
	}
	if _, _, err := n.slack.PostMessageContext(ctx, agent.SlackUserID, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		return fmt.Errorf("slack: notify %s: %w", agent.SlackUserID, err)
	}
	if note.IdempotencyKey != nil {
		if err := n.st.MarkNotificationDelivered(ctx, *note.IdempotencyKey, n.now()); err != nil {
			return err
		}
	}
	// Best effort once the agent has it: it is not posted again.
	if contact.VIP && n.supervisorChannel != "" && supervisorKinds[note.Kind] {
		sp := n.supervisorPrinter(ctx)
		st := sp.Sprintf(":star: VIP %s (agent <@%s>): %s", escape(contact.FullName()), agent.SlackUserID,
			slackDates(escape(icon+" "+said(sp, note)), n.now()))
		if _, _, err := n.slack.PostMessageContext(ctx, n.supervisorChannel, slack.MsgOptionText(st, false)); err != nil {
			n.log.Warn("slack: notify supervisors", "err", err)
		}
	}
	return nil
}

// deliverToSupervisors posts a notification for no agent (the daily
// digest, a VIP escalation with its buttons) to the supervisors' channel,
// when there is one.
func (n *Notifier) deliverToSupervisors(ctx context.Context, note followup.Notification) error {
	if n.supervisorChannel == "" {
		return nil
	}
	p := n.supervisorPrinter(ctx)
	text := kindIcons[note.Kind] + " " + slackDates(escape(said(p, note)), n.now())
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	switch {
	case note.Kind == followup.NotifyEscalated && note.ContactID != nil:
		contact, err := n.st.Contact(ctx, *note.ContactID)
		if err != nil {
			return err
		}
		// The follow-up writes Slack's own mention syntax (<@U…>): keep it.
		text = kindIcons[note.Kind] + " " + slackDates(unescapeMentions(escape(said(p, note))), n.now())
		opts = []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(escalationBlocks(p, text, contact, note.Channel)...)}
	case note.Kind != followup.NotifyDigest:
		return nil
	}
	if _, _, err := n.slack.PostMessageContext(ctx, n.supervisorChannel, opts...); err != nil {
		return fmt.Errorf("slack: post the %s to %s: %w", note.Kind, n.supervisorChannel, err)
	}
	if note.IdempotencyKey != nil {
		return n.st.MarkNotificationDelivered(ctx, *note.IdempotencyKey, n.now())
	}
	return nil
}

// said is what the notification says in p's language: its phrase, or its
// text when it was recorded before phrases.
func said(p i18n.Printer, note followup.Notification) string {
	if note.Say != nil {
		return p.Phrase(*note.Say, nil)
	}
	return p.Text(note.Text)
}

// supervisorPrinter speaks the workspace's supervisor_language: a channel
// has no locale of its own. English when the settings cannot be read.
func (n *Notifier) supervisorPrinter(ctx context.Context) i18n.Printer {
	set, err := n.st.Settings(ctx)
	if err != nil {
		n.log.Warn("slack: read the supervisors' language", "err", err)
		return i18n.New(i18n.English)
	}
	return i18n.New(i18n.ParseLocale(set.SupervisorLanguage))
}

// post posts a queued notification unless it waited so long that the
// claim of undelivered ones may take it, or a retry of its Notify posted
// it already.
func (n *Notifier) post(ctx context.Context, q queuedPost) {
	if n.now().Sub(q.at) > queuedPostAge {
		return
	}
	if key := q.note.IdempotencyKey; key != nil {
		if delivered, err := n.st.NotificationDelivered(ctx, *key); err != nil || delivered {
			return // the database down: the claim posts it once it is back
		}
	}
	if err := n.deliver(ctx, q.note); err != nil {
		n.log.Warn("slack: notification not delivered; will retry", "kind", q.note.Kind, "err", err)
	}
}
