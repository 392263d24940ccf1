// Package activities holds the side effects the follow-up workflow needs:
// reading a contact's channel state, reopening the conversation, sending
// exactly once through a channel's Sender, closing, and telling the agent.
// Workflows run them as local activities by name (the Name constants);
// the worker registers a real *Activities.
package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/window"
)

// Outbound is one message as a channel adapter sends it.
type Outbound struct {
	Channel        followup.Channel
	To             string // the contact's external id on the channel
	Mode           followup.Mode
	Tag            followup.Tag // HUMAN_AGENT or the agent's tag, when Mode needs one
	Text           string
	Template       *TemplateRef
	IdempotencyKey string // the same for every retry of one message
}

// TemplateRef is an approved template with its parameters.
type TemplateRef struct {
	Name     string
	Language string
	Params   []string
}

// Sent is what a provider answered to a message it accepted.
type Sent struct {
	ProviderID string
}

// Sender sends on one channel. Errors the provider gave are
// *followup.SendError with their class; anything else is retried.
type Sender interface {
	Send(ctx context.Context, m Outbound) (Sent, error)
}

// Notifier tells an agent what happened to a follow-up.
type Notifier interface {
	Notify(ctx context.Context, n store.Notification) error
}

// Error types the workflow tells apart (temporal.ApplicationError types).
const (
	ErrWindowClosed  = "WindowClosed"
	ErrRecipientGone = "RecipientGone"
	ErrPermanent     = "Permanent"
)

// Names the activities are registered under (their method names); the
// workflow runs the store activities as local activities by name.
const (
	NameLoad   = "Load"
	NameReopen = "Reopen"
	NameClose  = "Close"
	NameNotify = "Notify"
	NameSend   = "Send"
)

// Activities carries the dependencies.
type Activities struct {
	store    *store.Store
	senders  map[followup.Channel]Sender
	notifier Notifier
	now      func() time.Time
}

// New wires the activities. senders has one Sender per channel the
// workspace can send on.
func New(st *store.Store, senders map[followup.Channel]Sender, n Notifier) *Activities {
	return &Activities{store: st, senders: senders, notifier: n, now: time.Now}
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
	if !r.LastInbound.IsZero() {
		if r.SentInWindow, err = a.store.OutboundSince(ctx, in.ContactID, in.Channel, r.LastInbound); err != nil {
			return r, err
		}
	}
	if in.Channel == followup.Viber {
		if r.ChatbotThisMonth, err = a.store.ChatbotMessagesInMonth(ctx, a.now()); err != nil {
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
	Message        Outbound
}

// SendResult is the recorded message.
type SendResult struct {
	MessageID  int64
	ProviderID string
	Duplicate  bool // an earlier attempt had already sent it
}

// Send records the message as pending under its idempotency key, sends it
// (an earlier attempt that reached the provider is repeated with the same
// key, which the provider deduplicates), and records the outcome. A
// provider refusal is recorded as undeliverable with its reason and comes
// back as a non-retryable error of the refusal's class.
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
	msg, existing, err := a.store.BeginOutbound(ctx, store.Outbound{
		ContactID: in.ContactID, ConversationID: conv, AgentID: agent, Channel: m.Channel,
		Mode: m.Mode, Tag: m.Tag, Template: tmpl, Body: m.Text, IdempotencyKey: m.IdempotencyKey,
	})
	if err != nil {
		return SendResult{}, nonRetryable(err)
	}
	if existing && msg.Status != followup.StatusPending {
		if msg.Status == followup.StatusUndeliverable || msg.Status == followup.StatusFailed {
			return SendResult{MessageID: msg.ID}, temporal.NewNonRetryableApplicationError(msg.Reason, ErrPermanent, nil)
		}
		return SendResult{MessageID: msg.ID, ProviderID: msg.ProviderID, Duplicate: true}, nil
	}
	sent, err := sender.Send(ctx, m)
	if err != nil {
		var se *followup.SendError
		if !errors.As(err, &se) || se.Class == followup.Retryable {
			if se != nil && se.RetryAfter > 0 {
				return SendResult{}, temporal.NewApplicationErrorWithOptions(se.Error(), "Retryable", temporal.ApplicationErrorOptions{NextRetryDelay: se.RetryAfter})
			}
			return SendResult{}, fmt.Errorf("send on %s: %w", m.Channel.Title(), err)
		}
		if ferr := a.store.FinishOutbound(ctx, msg.ID, followup.StatusUndeliverable, "", se.Message); ferr != nil {
			return SendResult{}, ferr
		}
		typ := ErrPermanent
		switch se.Class {
		case followup.WindowClosed:
			typ = ErrWindowClosed
		case followup.RecipientGone:
			typ = ErrRecipientGone
		}
		return SendResult{MessageID: msg.ID}, temporal.NewNonRetryableApplicationError(se.Message, typ, nil, se.Code)
	}
	activity.RecordHeartbeat(ctx, "sent")
	// The provider has the message: recording it must not fail the
	// attempt over a passing database hiccup, or the retry would send
	// again on channels without an idempotency key.
	var ferr error
	for try := 0; try < 5; try++ {
		if ferr = a.store.FinishOutbound(ctx, msg.ID, followup.StatusSent, sent.ProviderID, ""); ferr == nil {
			break
		}
		select {
		case <-ctx.Done():
			return SendResult{}, ferr
		case <-time.After(time.Duration(200*(try+1)) * time.Millisecond):
		}
	}
	if ferr != nil {
		return SendResult{}, ferr
	}
	return SendResult{MessageID: msg.ID, ProviderID: sent.ProviderID, Duplicate: existing}, nil
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
	Kind      string
	Text      string
	Key       string
}

// NotifyResult is empty; it exists so fields can be added.
type NotifyResult struct{}

// Notify tells the agent.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) (NotifyResult, error) {
	agent, contact := in.AgentID, in.ContactID
	key := in.Key
	n := store.Notification{AgentID: &agent, ContactID: &contact, Channel: in.Channel, Kind: in.Kind, Text: in.Text, IdempotencyKey: &key}
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
