// Package activities holds the side effects the follow-up workflow needs:
// reading a contact's channel state, reopening the conversation, sending
// exactly once through a channel's Sender, closing, and telling the agent.
// Workflows run them as local activities, as method values of a nil
// *Activities with one typed input each; the worker registers a real
// *Activities, whose method names are what Temporal records.
package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/window"
)

// Notifier tells an agent what happened to a follow-up.
type Notifier interface {
	Notify(ctx context.Context, n store.Notification) error
}

// Error types the workflow tells apart (temporal.ApplicationError types).
const (
	ErrWindowClosed  = "WindowClosed"
	ErrRecipientGone = "RecipientGone"
	ErrPermanent     = "Permanent"
	// ErrUnconfirmed: a try may have reached a provider that cannot tell
	// a repeat from a new message; it is not repeated.
	ErrUnconfirmed = "Unconfirmed"
)

// Names the activities are registered under: their method names, which
// Temporal records (tests and tools run them by name; the workflow calls
// the methods).
const (
	NameLoad   = "Load"
	NameReopen = "Reopen"
	NameClose  = "Close"
	NameNotify = "Notify"
	NameSend   = "Send"
	// NameRecordSent records a message the provider accepted when Send
	// could not (the database was down).
	NameRecordSent = "RecordSent"
)

// Activities carries the dependencies.
type Activities struct {
	store    *store.Store
	senders  map[followup.Channel]channels.Sender
	notifier Notifier
	now      func() time.Time
	Timings
	// Digests builds the daily digest (an *actions.Service); without it
	// the digest activities fail.
	Digests DigestBuilder
}

// Timings are the leases and budgets of sends; New sets defaults that
// suit production, tests shorten them (a field, not a method: every
// exported method of Activities is registered as an activity).
type Timings struct {
	// SendLease: how long a message stays sending while a try may be
	// under way (longer than a send attempt's 30 s).
	SendLease time.Duration
	// RetryLease: how long a message the provider refused stays pending
	// for its retry (longer than the longest retry interval).
	RetryLease time.Duration
	// RecordBudget: how long a send retries recording a message the
	// provider accepted before leaving it to RecordSent.
	RecordBudget time.Duration
}

// New wires the activities. senders has one Sender per channel the
// workspace can send on.
func New(st *store.Store, senders map[followup.Channel]channels.Sender, n Notifier) *Activities {
	return &Activities{store: st, senders: senders, notifier: n, now: time.Now,
		Timings: Timings{SendLease: sendLease, RetryLease: retryLease, RecordBudget: 10 * time.Second}}
}

// LoadInput names a contact's channel and, when the agent picked one, a template.
type LoadInput struct {
	ContactID        int64
	Channel          followup.Channel
	TemplateName     string
	TemplateLanguage string
	// Since is the last inbound time the workflow knows (from a reply
	// signal); counts start at the later of it and the database's.
	Since time.Time
	// SendingKey is the idempotency key of the message about to be sent:
	// counts leave it out, so a send run again after a crash does not
	// count its own earlier try.
	SendingKey string
	// FallbackName and FallbackLanguage name the template a send falls
	// back on; with DefaultFallback and no name, the workspace's default
	// re-engagement template (WhatsApp) is the fallback.
	FallbackName     string
	FallbackLanguage string
	DefaultFallback  bool
	// QuietAt, when set, asks whether that time (a scheduled send's, the
	// workflow's now) falls in the contact's quiet hours.
	QuietAt time.Time
}

// LoadResult is everything the rules need, read fresh from the database.
type LoadResult struct {
	ExternalID       string
	ContactName      string
	VIP              bool
	LastInbound      time.Time // zero: the customer never wrote here
	SentInWindow     int
	ChatbotThisMonth int
	Settings         followup.Settings
	Template         *window.Template
	TemplateLanguage string
	OtherChannels    []followup.Channel // where else the contact can be reached
	// Fallback is the fallback template's approval and parameters, nil
	// when there is none or it does not exist (FallbackMissing says so).
	Fallback         *window.Template
	FallbackName     string
	FallbackLanguage string
	FallbackMissing  string
	// QuietUntil is when the quiet hours QuietAt fell in end, in the
	// contact's time zone (ContactZone); zero when it fell in none (quiet
	// hours off, the zone unknown, or daytime there).
	QuietUntil  time.Time
	ContactZone string
}

// Load reads a contact's state on one channel.
func (a *Activities) Load(ctx context.Context, in LoadInput) (LoadResult, error) {
	var r LoadResult
	c, err := a.store.Contact(ctx, in.ContactID)
	if err != nil {
		return r, nonRetryable(err)
	}
	r.ContactName, r.VIP = c.FullName(), c.VIP
	ids, err := a.store.Identities(ctx, in.ContactID)
	if err != nil {
		return r, err
	}
	found := false
	for _, id := range ids {
		if id.Channel != in.Channel {
			r.OtherChannels = append(r.OtherChannels, id.Channel)
			continue
		}
		found = true
		r.ExternalID = id.ExternalID
		if id.LastInboundAt != nil {
			r.LastInbound = id.LastInboundAt.UTC()
		}
	}
	if !found {
		return r, nonRetryable(followup.Errorf(followup.ENotFound, "%s has no %s address", c.FullName(), in.Channel.Title()))
	}
	if r.Settings, err = a.store.Settings(ctx); err != nil {
		return r, err
	}
	if in.Since.After(r.LastInbound) {
		r.LastInbound = in.Since.UTC()
	}
	if !in.QuietAt.IsZero() {
		r.QuietUntil, r.ContactZone = quietUntil(c, r.Settings, in.QuietAt)
	}
	if !r.LastInbound.IsZero() {
		if r.SentInWindow, err = a.store.OutboundSince(ctx, in.ContactID, in.Channel, r.LastInbound, in.SendingKey); err != nil {
			return r, err
		}
	}
	if in.Channel == followup.Viber {
		if r.ChatbotThisMonth, err = a.store.ChatbotMessagesInMonth(ctx, a.now(), in.SendingKey); err != nil {
			return r, err
		}
	}
	if in.TemplateName != "" {
		t, err := a.store.Template(ctx, in.Channel, in.TemplateName, in.TemplateLanguage)
		switch {
		case followup.ErrorCodeOf(err) == followup.ENotFound:
			return r, nonRetryable(err)
		case err != nil:
			return r, err
		}
		r.Template = &window.Template{Name: t.Name, Status: t.Status, ParamCount: t.ParamCount}
		r.TemplateLanguage = t.Language
	}
	name, lang := in.FallbackName, in.FallbackLanguage
	if name == "" && in.DefaultFallback && in.Channel == followup.WhatsApp {
		name, lang = r.Settings.Reengagement()
	}
	if name != "" {
		t, err := a.store.Template(ctx, in.Channel, name, lang)
		switch {
		case followup.ErrorCodeOf(err) == followup.ENotFound:
			// A missing fallback refuses only the send that needs it.
			r.FallbackName, r.FallbackMissing = name, followup.ErrorMessage(err)
		case err != nil:
			return r, err
		default:
			r.Fallback = &window.Template{Name: t.Name, Status: t.Status, ParamCount: t.ParamCount}
			r.FallbackName, r.FallbackLanguage = t.Name, t.Language
		}
	}
	return r, nil
}

// ReopenInput names the contact and the sending agent.
type ReopenInput struct {
	ContactID int64
	AgentID   int64
}

// ReopenResult is the open conversation.
type ReopenResult struct {
	ConversationID int64
}

// Reopen opens the contact's conversation and assigns the sending agent.
// Running it twice is harmless.
func (a *Activities) Reopen(ctx context.Context, in ReopenInput) (ReopenResult, error) {
	conv, err := a.store.ReopenAndAssign(ctx, in.ContactID, in.AgentID, a.now())
	if err != nil {
		return ReopenResult{}, err
	}
	return ReopenResult{ConversationID: conv.ID}, nil
}

// SendInput is one message to send exactly once.
type SendInput struct {
	ContactID      int64
	ConversationID int64
	AgentID        int64
	Message        channels.Outbound
}

// SendResult is the recorded message.
type SendResult struct {
	MessageID  int64
	ProviderID string
	Duplicate  bool // an earlier attempt had already sent it
	// Unrecorded: the provider accepted the message but the database did
	// not take the record in time; the workflow records it apart
	// (RecordSent), never by sending again. The zero value is "recorded",
	// so results in older histories read as they did.
	Unrecorded bool
}

// Leases of a message while a try may be under way (longer than a send
// attempt's 30 s), and between tries (longer than the retry interval's
// 2 min). A message still pending or sending when its lease ends was left
// behind by a crash: Reconcile resolves it.
const (
	sendLease  = 45 * time.Second
	retryLease = 3 * time.Minute
)

// Send sends a message exactly once, or says that it may have been sent.
//
// The message is recorded as sending under its idempotency key before the
// provider is called. A retry that finds it still sending knows an earlier
// try may have reached the provider: on a channel that deduplicates by our
// key (LINE, website chat) it sends again with the same key; on the others
// it does not send again, marks the message unconfirmed and fails with
// ErrUnconfirmed, so the agent is told. A provider refusal is recorded as
// undeliverable and comes back as a non-retryable error of its class; one
// a retry may fix leaves the message pending, to be sent by the retry.
func (a *Activities) Send(ctx context.Context, in SendInput) (SendResult, error) {
	m := in.Message
	sender, ok := a.senders[m.Channel]
	if !ok {
		return SendResult{}, temporal.NewNonRetryableApplicationError("no sender configured for "+m.Channel.Title(), ErrPermanent, nil)
	}
	tmpl := ""
	if m.Template != nil {
		tmpl = m.Template.Name
	}
	var agent, conv *int64
	if in.AgentID != 0 {
		agent = &in.AgentID
	}
	if in.ConversationID != 0 {
		conv = &in.ConversationID
	}
	wire, err := json.Marshal(m)
	if err != nil {
		return SendResult{}, temporal.NewNonRetryableApplicationError("encode the message: "+err.Error(), ErrPermanent, err)
	}
	// This try's token: its own database writes, repeated after a dropped
	// connection, are not mistaken for another try's.
	token := make([]byte, 12)
	_, _ = rand.Read(token)
	tok := hex.EncodeToString(token)
	var msg followup.Message
	var existing bool
	err = a.retryStore(ctx, func(ctx context.Context) error {
		var err error
		msg, existing, err = a.store.BeginOutbound(ctx, store.Outbound{
			ContactID: in.ContactID, ConversationID: conv, AgentID: agent, Channel: m.Channel,
			Mode: m.Mode, Tag: m.Tag, Template: tmpl, Body: m.Text, IdempotencyKey: m.IdempotencyKey, Wire: wire,
		}, a.SendLease)
		if err != nil || msg.Status != followup.StatusPending {
			return err
		}
		// Pending: never tried, or the provider refused the last try.
		claimed, err := a.store.ClaimOutbound(ctx, msg.ID, tok, a.SendLease)
		if err == nil && claimed {
			msg.Status = followup.StatusSending
			existing = false // this try is the one that sends
		}
		if err == nil && !claimed {
			// Claimed by another try in the meantime: read it again.
			msg, err = a.store.OutboundByKey(ctx, m.IdempotencyKey)
		}
		return err
	}, unavailableOnly)
	if err != nil {
		return SendResult{}, nonRetryable(err)
	}
	if existing {
		switch msg.Status {
		case followup.StatusPending:
			return SendResult{}, fmt.Errorf("message %d: another try is sending it", msg.ID)
		case followup.StatusSending:
			if !m.Channel.DeduplicatesRetries() {
				// Another try may have reached the provider.
				return a.unconfirmed(ctx, msg.ID, m.Channel)
			}
			// The provider recognises the key: sending again is safe.
		case followup.StatusUnconfirmed:
			return SendResult{MessageID: msg.ID}, unconfirmedError(m.Channel)
		case followup.StatusUndeliverable:
			// Refused on an earlier run (a crash lost its answer): the
			// same refusal, of the same kind.
			r, err := a.store.OutboundRefusal(ctx, msg.ID)
			if err != nil {
				return SendResult{}, err
			}
			return SendResult{MessageID: msg.ID}, refusalError(&followup.SendError{Class: r.Class, Code: r.Code, Message: r.Message})
		case followup.StatusFailed:
			return SendResult{MessageID: msg.ID}, temporal.NewNonRetryableApplicationError(msg.Reason, ErrPermanent, nil)
		default: // sent, delivered, read
			return SendResult{MessageID: msg.ID, ProviderID: msg.ProviderID, Duplicate: true}, nil
		}
	}
	sent, err := sender.Send(ctx, m)
	if err != nil {
		return a.sendFailed(ctx, msg.ID, m.Channel, err)
	}
	activity.RecordHeartbeat(ctx, "sent")
	// The provider has the message: from here on nothing may send it
	// again. Recording it is retried while this attempt has time; past
	// that the workflow records it apart (Unrecorded).
	if err := a.retryStore(ctx, func(ctx context.Context) error {
		return a.store.FinishOutbound(ctx, msg.ID, followup.StatusSent, sent.ProviderID, "")
	}, anyError); err != nil {
		activity.GetLogger(ctx).Warn("provider accepted a message the database did not record in time; recording it apart", "message", msg.ID, "err", err)
		return SendResult{MessageID: msg.ID, ProviderID: sent.ProviderID, Unrecorded: true}, nil
	}
	return SendResult{MessageID: msg.ID, ProviderID: sent.ProviderID, Duplicate: existing}, nil
}

// sendFailed records a try the provider did not take, or that may have
// reached it, and returns the error the workflow acts on.
func (a *Activities) sendFailed(ctx context.Context, id int64, ch followup.Channel, err error) (SendResult, error) {
	var se *followup.SendError
	if MayHaveReached(err) {
		if ch.DeduplicatesRetries() {
			// Leave it sending: the retry sends with the same key.
			return SendResult{}, fmt.Errorf("send on %s: %w", ch.Title(), err)
		}
		return a.unconfirmed(ctx, id, ch)
	}
	if !errors.As(err, &se) || se.Class == followup.Retryable {
		// Not at the provider: the retry may send it.
		if rerr := a.store.ReleaseOutbound(ctx, id, a.RetryLease); rerr != nil {
			// Still sending in the database: the retry will not repeat it
			// on a channel that cannot deduplicate (unconfirmed), which
			// is safe.
			activity.GetLogger(ctx).Warn("release a message the provider did not take", "message", id, "err", rerr)
		}
		if se != nil && se.RetryAfter > 0 {
			return SendResult{}, temporal.NewApplicationErrorWithOptions(se.Error(), "Retryable", temporal.ApplicationErrorOptions{NextRetryDelay: se.RetryAfter})
		}
		return SendResult{}, fmt.Errorf("send on %s: %w", ch.Title(), err)
	}
	if ferr := a.store.RefuseOutbound(ctx, id, store.Refusal{Class: se.Class, Code: se.Code, Message: se.Message}); ferr != nil {
		return SendResult{}, ferr
	}
	return SendResult{MessageID: id}, refusalError(se)
}

// refusalError is the non-retryable error of a provider's refusal, typed
// by its class for the workflow.
func refusalError(se *followup.SendError) error {
	typ := ErrPermanent
	switch se.Class {
	case followup.WindowClosed:
		typ = ErrWindowClosed
	case followup.RecipientGone:
		typ = ErrRecipientGone
	}
	return temporal.NewNonRetryableApplicationError(se.Message, typ, nil, se.Code)
}

// unconfirmed marks a message that may have reached a provider which
// cannot deduplicate, and fails the send with ErrUnconfirmed.
func (a *Activities) unconfirmed(ctx context.Context, id int64, ch followup.Channel) (SendResult, error) {
	if _, err := a.store.MarkUnconfirmed(ctx, id, "the connection to "+ch.Title()+" was lost while sending"); err != nil {
		return SendResult{}, err // retried: the message stays sending, and the retry comes back here
	}
	return SendResult{MessageID: id}, unconfirmedError(ch)
}

func unconfirmedError(ch followup.Channel) error {
	return temporal.NewNonRetryableApplicationError(
		"the connection to "+ch.Title()+" was lost while sending, and "+ch.Title()+" cannot tell a repeat from a new message", ErrUnconfirmed, nil)
}

// MayHaveReached reports whether a failed send may still have reached the
// provider: anything but the provider's own answer (a refusal) or a
// connection that was never made. A timeout, a reset connection or an
// answer we cannot read may hide an accepted message.
func MayHaveReached(err error) bool {
	var se *followup.SendError
	if errors.As(err, &se) {
		return se.Code == "bad_response"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	return !errors.As(err, &dns)
}

// retryStore runs f until it succeeds, fails in a way retry does not
// cover, or the attempt is about to run out of time (a database outage
// must not fail a send the provider took).
func (a *Activities) retryStore(ctx context.Context, f func(context.Context) error, retry func(error) bool) error {
	deadline := time.Now().Add(a.RecordBudget)
	if d, ok := ctx.Deadline(); ok && d.Add(-2*time.Second).Before(deadline) {
		deadline = d.Add(-2 * time.Second)
	}
	wait := 100 * time.Millisecond
	for {
		tctx, cancel := context.WithDeadline(ctx, deadline)
		err := f(tctx)
		cancel()
		if err == nil || !retry(err) {
			return err
		}
		if time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

func anyError(error) bool { return true }

// unavailableOnly retries a database that did not answer, not one that
// refused the statement.
func unavailableOnly(err error) bool { return followup.ErrorCodeOf(err) == followup.EUnavailable }

// RecordSentInput is a message the provider accepted and the database has
// not recorded yet.
type RecordSentInput struct {
	MessageID  int64
	ProviderID string
}

// RecordSentResult is empty; it exists so fields can be added.
type RecordSentResult struct{}

// RecordSent records a message the provider accepted. The workflow
// retries it until the database takes it; it never sends.
func (a *Activities) RecordSent(ctx context.Context, in RecordSentInput) (RecordSentResult, error) {
	return RecordSentResult{}, a.store.FinishOutbound(ctx, in.MessageID, followup.StatusSent, in.ProviderID, "")
}

// CloseInput names the contact whose conversation closes.
type CloseInput struct {
	ContactID int64
}

// CloseResult says what closing did.
type CloseResult struct {
	WasOpen  bool
	Unassign bool
}

// Close closes the contact's conversation with the workspace's closing logic.
func (a *Activities) Close(ctx context.Context, in CloseInput) (CloseResult, error) {
	conv, err := a.store.CloseConversation(ctx, in.ContactID, "", a.now())
	if followup.ErrorCodeOf(err) == followup.EConflict {
		return CloseResult{}, nil // already closed: closing is idempotent
	}
	if err != nil {
		return CloseResult{}, err
	}
	return CloseResult{WasOpen: true, Unassign: conv.AssigneeID == nil}, nil
}

// NotifyInput is one message to an agent; Key makes retries harmless.
type NotifyInput struct {
	AgentID   int64
	ContactID int64
	Channel   followup.Channel
	Kind      followup.NotificationKind
	Text      string
	Say       *followup.Phrase `json:",omitempty"`
	Key       string
}

// NotifyResult is empty; it exists so fields can be added.
type NotifyResult struct{}

// Notify tells the agent.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) (NotifyResult, error) {
	agent, contact := in.AgentID, in.ContactID
	key := in.Key
	n := store.Notification{AgentID: &agent, ContactID: &contact, Channel: in.Channel, Kind: in.Kind, Text: in.Text, Say: in.Say, IdempotencyKey: &key}
	if agent == 0 {
		n.AgentID = nil
	}
	return NotifyResult{}, a.notifier.Notify(ctx, n)
}

// nonRetryable marks errors a retry cannot fix (not found, invalid).
func nonRetryable(err error) error {
	switch followup.ErrorCodeOf(err) {
	case followup.ENotFound, followup.EInvalid, followup.ERefused:
		return temporal.NewNonRetryableApplicationError(followup.ErrorMessage(err), string(followup.ErrorCodeOf(err)), err)
	}
	return err
}

// Recorder is the Notifier of `followup dev` and of tests: it records
// notifications in the database (and optionally prints them).
type Recorder struct {
	store *store.Store
	Print func(store.Notification)
}

// NewRecorder returns a notifier that records into the database.
func NewRecorder(st *store.Store) *Recorder { return &Recorder{store: st} }

// Notify records n once per idempotency key.
func (r *Recorder) Notify(ctx context.Context, n store.Notification) error {
	added, err := r.store.AddNotification(ctx, n)
	if err == nil && added && r.Print != nil {
		r.Print(n)
	}
	return err
}
