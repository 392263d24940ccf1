package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/store"
)

// Reconciler resolves outbound messages a crash left behind: pending or
// sending after their lease ended, because the process that was sending
// them died and nothing retried them (the request that asked for them
// never reached the follow-up's history). Without it they would stay
// pending forever, and the agent would never hear of them.
//
//   - sending on a channel that deduplicates (LINE, website chat): sent
//     again with its own key, which the provider delivers once;
//   - sending elsewhere: it may have reached the provider, so it becomes
//     unconfirmed and the agent is told;
//   - pending (it never reached the provider): sent now with its own key
//     if it is fresh (the agent asked for it minutes ago), else it
//     becomes failed; the agent is told either way.
type Reconciler struct {
	a     *Activities
	log   *slog.Logger
	grace time.Duration
}

// NewReconciler resolves messages for the activities' store, senders and
// notifier.
func NewReconciler(a *Activities, log *slog.Logger) *Reconciler {
	if log == nil {
		log = slog.Default()
	}
	return &Reconciler{a: a, log: log, grace: min(15*time.Second, a.SendLease)}
}

// Run resolves at once and then every interval until ctx ends.
func (r *Reconciler) Run(ctx context.Context, every time.Duration) {
	for {
		if n, err := r.Once(ctx); err != nil {
			if ctx.Err() == nil {
				r.log.Warn("reconcile messages left behind", "err", err)
			}
		} else if n > 0 {
			r.log.Info("resolved messages left behind by a crash", "messages", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// Once resolves the messages whose lease ended; it returns how many.
func (r *Reconciler) Once(ctx context.Context) (int, error) {
	total := 0
	for {
		ms, err := r.a.store.ClaimUnresolved(ctx, r.grace, r.a.SendLease, 50)
		if err != nil {
			return total, err
		}
		for _, m := range ms {
			if err := r.resolve(ctx, m); err != nil {
				return total, fmt.Errorf("message %d: %w", m.ID, err)
			}
			total++
		}
		if len(ms) < 50 {
			return total, nil
		}
	}
}

func (r *Reconciler) resolve(ctx context.Context, m store.Unresolved) error {
	who := "the customer"
	if c, err := r.a.store.Contact(ctx, m.ContactID); err == nil {
		who = c.FullName()
	}
	what := followup.Say("Your %s message to %s (“%s”)", followup.Term(m.Channel.Title()), who, preview(m))
	var out channels.Outbound
	canSend := len(m.Outbound) > 0 && json.Unmarshal(m.Outbound, &out) == nil && out.IdempotencyKey != "" && r.a.senders[m.Channel] != nil
	switch {
	case m.Status == followup.StatusPending && canSend && time.Since(m.CreatedAt) < pendingFresh:
		// It never reached the provider: sending it now is safe on any
		// channel, and is what the agent asked for.
		tok := "reconcile-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		if ok, err := r.a.store.ClaimOutbound(ctx, m.ID, tok, r.a.SendLease); err != nil || !ok {
			return err
		}
		return r.send(ctx, m, out, what, false)
	case m.Status == followup.StatusPending:
		reason := "not sent: " + m.Channel.Title() + " had not accepted it when the request was interrupted"
		if err := r.a.store.FinishOutbound(ctx, m.ID, followup.StatusFailed, "", reason); err != nil {
			return err
		}
		return r.tell(ctx, m, followup.NotifyDeliveryFailed, followup.Say("%s was not sent: the request was interrupted before %s accepted it. Send it again if it is still needed.", what, followup.Term(m.Channel.Title())))
	case m.Channel.DeduplicatesRetries() && canSend:
		// It may have reached the provider, which recognises its key.
		return r.send(ctx, m, out, what, true)
	}
	ok, err := r.a.store.MarkUnconfirmed(ctx, m.ID, "interrupted while sending; "+m.Channel.Title()+" cannot tell a repeat from a new message")
	if err != nil || !ok {
		return err
	}
	return r.tell(ctx, m, followup.NotifyUnconfirmed, followup.Say("%s may not have been sent: it was interrupted by a restart while %s was being called, and %s cannot tell a repeat from a new message, so it was not sent again. Check the conversation; if it did not arrive, send it again.",
		what, followup.Term(m.Channel.Title()), followup.Term(m.Channel.Title())))
}

// pendingFresh bounds how late a message that never reached the provider
// is still sent after a crash; an older one is reported as not sent.
const pendingFresh = 10 * time.Minute

// send sends a claimed message left behind, with its own key; again says
// an earlier try may have reached the provider (which deduplicates).
func (r *Reconciler) send(ctx context.Context, m store.Unresolved, out channels.Outbound, what followup.Phrase, again bool) error {
	sent, err := r.a.senders[m.Channel].Send(ctx, out)
	if err == nil {
		if err := r.a.store.FinishOutbound(ctx, m.ID, followup.StatusSent, sent.ProviderID, ""); err != nil {
			return err
		}
		said := followup.Say("%s was interrupted by a restart and has now been sent.", what)
		if again {
			said = followup.Say("%s was interrupted by a restart and has now been sent (%s delivers it once).", what, followup.Term(m.Channel.Title()))
		}
		return r.tell(ctx, m, followup.NotifySent, said)
	}
	var se *followup.SendError
	switch {
	case errors.As(err, &se) && se.Class != followup.Retryable:
		if err := r.a.store.FinishOutbound(ctx, m.ID, followup.StatusUndeliverable, "", se.Message); err != nil {
			return err
		}
		return r.tell(ctx, m, followup.NotifyDeliveryFailed, followup.Say("%s could not be delivered: %s.", what, se.Message))
	case !again && !MayHaveReached(err):
		// Not at the provider: pending again, tried when the lease ends.
		return r.a.store.ReleaseOutbound(ctx, m.ID, r.a.SendLease)
	case again && time.Since(m.CreatedAt) < time.Hour:
		return nil // still sending: tried again when the lease ends
	}
	ok, err := r.a.store.MarkUnconfirmed(ctx, m.ID, "interrupted while sending: "+err.Error())
	if err != nil || !ok {
		return err
	}
	return r.tell(ctx, m, followup.NotifyUnconfirmed, followup.Say("%s may not have been sent: the connection to %s was lost while sending it. Check the conversation; if it did not arrive, send it again.", what, followup.Term(m.Channel.Title())))
}

func (r *Reconciler) tell(ctx context.Context, m store.Unresolved, kind followup.NotificationKind, said followup.Phrase) error {
	key := "reconcile/" + strconv.FormatInt(m.ID, 10)
	contact := m.ContactID
	n := store.Notification{AgentID: m.AgentID, ContactID: &contact, Channel: m.Channel, Kind: kind, Text: said.String(), Say: &said, IdempotencyKey: &key}
	if err := r.a.notifier.Notify(ctx, n); err != nil {
		// The message is resolved; an agent who cannot be told now is
		// told by the notifier's redelivery, or sees it in status.
		r.log.Warn("tell the agent about a resolved message", "message", m.ID, "err", err)
	}
	return nil
}

func preview(m store.Unresolved) string {
	s := m.Body
	if s == "" && m.Template != nil {
		s = "template " + *m.Template
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}
