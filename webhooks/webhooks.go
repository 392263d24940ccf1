// Package webhooks receives the channels' webhooks at /webhooks/{channel}:
// the provider's signature is verified on the raw, size-limited body before
// anything is parsed; inbound messages restart the window (creating unknown
// contacts) and reach the running follow-up; delivery statuses update our
// messages, and a late failure is handled like the provider's synchronous
// refusal. Redelivered webhooks change nothing and signal nothing, on this
// server or another one sharing the database.
package webhooks

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/metrics"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// Followups is what the webhooks tell running follow-ups.
type Followups interface {
	Reply(ctx context.Context, contactID int64, ch followup.Channel, r workflows.Reply) (running bool, err error)
	DeliveryFailed(ctx context.Context, contactID int64, ch followup.Channel, d workflows.DeliveryFailure) (running bool, err error)
}

// Handler serves /webhooks/{channel}.
type Handler struct {
	store     *store.Store
	followups Followups
	hooks     map[followup.Channel]channels.Webhook
	log       *slog.Logger
	metrics   *metrics.Metrics
	now       func() time.Time // stamps events whose provider gave no time
}

// New returns the handler for the channels in hooks; others get 404. It
// counts requests by verdict in m (followup_webhooks_total; nil: none).
func New(st *store.Store, f Followups, hooks map[followup.Channel]channels.Webhook, log *slog.Logger, m *metrics.Metrics) *Handler {
	return &Handler{store: st, followups: f, hooks: hooks, log: log, metrics: m, now: time.Now}
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("/webhooks/{channel}", h)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ch, err := followup.ParseChannel(r.PathValue("channel"))
	hook, ok := h.hooks[ch]
	if err != nil || !ok {
		http.Error(w, "unknown channel", http.StatusNotFound)
		return
	}
	if hook.Handshake(w, r) {
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, channels.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.metrics.Webhook(ch, metrics.TooLarge)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.metrics.Webhook(ch, metrics.Malformed)
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if err := hook.Verify(r, body); err != nil {
		h.log.Warn("webhook refused: bad signature", "channel", ch, "remote", r.RemoteAddr, "err", err)
		h.metrics.Webhook(ch, metrics.BadSignature)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	events, err := hook.Parse(r, body)
	if err != nil {
		h.log.Warn("webhook refused: unreadable body", "channel", ch, "err", err)
		h.metrics.Webhook(ch, metrics.Malformed)
		http.Error(w, "cannot parse body", http.StatusBadRequest)
		return
	}
	// A request whose every event was handled before is a redelivery.
	verdict := metrics.Accepted
	if len(events) > 0 {
		verdict = metrics.Duplicate
	}
	for _, e := range events {
		e.Channel = ch
		dup, err := h.once(r.Context(), e)
		if !dup {
			verdict = metrics.Accepted
		}
		if skipped(err) {
			// A retry cannot fix it (say, a sender address we cannot
			// store): log it and answer 200, or the provider retries the
			// whole batch forever.
			h.log.Warn("webhook event skipped", "channel", ch, "kind", e.Kind, "err", err)
			continue
		}
		if errors.Is(err, errInFlight) {
			// A redelivery while another server still works on the
			// event: the provider comes back, and by then it is done.
			h.log.Info("webhook event in flight on another server; asking for a retry", "channel", ch, "key", e.DedupKey)
			h.metrics.Webhook(ch, metrics.Failed)
			w.Header().Set("Retry-After", "10")
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
		if err != nil {
			// The provider retries; every step is idempotent.
			h.log.Error("webhook event failed", "channel", ch, "kind", e.Kind, "err", err)
			h.metrics.Webhook(ch, metrics.Failed)
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	h.metrics.Webhook(ch, verdict)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok")
}

// claimLease is how long a server has to handle an event before another
// may take it over (the first one presumably died). Handling is a few
// queries and a signal, well under a second.
const claimLease = time.Minute

// errInFlight: another server is handling the event now.
var errInFlight = errors.New("webhook event is being handled by another server")

// skipped reports an error a retry cannot fix.
func skipped(err error) bool {
	code := followup.ErrorCodeOf(err)
	return err != nil && (code == followup.EInvalid || code == followup.ENotFound)
}

// once handles an event once across every server sharing the database,
// by its dedup key: a redelivery of an event that was handled changes
// nothing and signals nothing, wherever it lands. An event that fails is
// released, so the provider's retry handles it again at once (each step
// is idempotent). Events without a key are handled every time. dup
// reports an event handled before (nothing was done).
func (h *Handler) once(ctx context.Context, e channels.Event) (dup bool, err error) {
	if e.DedupKey == "" {
		return false, h.handle(ctx, e)
	}
	claim, err := h.store.ClaimWebhookEvent(ctx, e.Channel, e.DedupKey, claimLease)
	switch {
	case err != nil:
		return false, err
	case claim == store.EventDone:
		return true, nil
	case claim == store.EventInFlight:
		return false, errInFlight
	}
	err = h.handle(ctx, e)
	if err != nil && !skipped(err) {
		if rerr := h.store.ReleaseWebhookEvent(context.WithoutCancel(ctx), e.Channel, e.DedupKey); rerr != nil {
			// The lease runs out instead.
			h.log.Warn("webhook event not released", "channel", e.Channel, "key", e.DedupKey, "err", rerr)
		}
		return false, err
	}
	// Handled, or skipped for good (a retry cannot fix it either).
	if ferr := h.store.FinishWebhookEvent(ctx, e.Channel, e.DedupKey); ferr != nil && err == nil {
		return false, ferr
	}
	return false, err
}

func (h *Handler) handle(ctx context.Context, e channels.Event) error {
	switch e.Kind {
	case channels.Message:
		return h.message(ctx, e)
	case channels.Status:
		return h.status(ctx, e)
	case channels.Unsubscribed:
		id, err := h.store.ContactByIdentity(ctx, e.Channel, e.ExternalID)
		if followup.ErrorCodeOf(err) == followup.ENotFound {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = h.followups.DeliveryFailed(ctx, id, e.Channel, workflows.DeliveryFailure{
			Class: followup.RecipientGone, Code: "unsubscribed", Message: "the customer unsubscribed"})
		return err
	}
	return nil
}

func (h *Handler) message(ctx context.Context, e channels.Event) error {
	if e.ExternalID == "" {
		return nil
	}
	// WhatsApp names customers by their number without the plus; we keep
	// E.164, as the contact's phone is.
	if e.Channel == followup.WhatsApp && !strings.HasPrefix(e.ExternalID, "+") {
		e.ExternalID = "+" + e.ExternalID
	}
	id, err := h.store.ContactByIdentity(ctx, e.Channel, e.ExternalID)
	if followup.ErrorCodeOf(err) == followup.ENotFound {
		id, err = h.newIdentity(ctx, e)
	}
	if err != nil {
		return err
	}
	at := e.At
	if at.IsZero() {
		at = h.now()
	}
	key := e.DedupKey
	if key == "" {
		key = e.ProviderMessageID
	}
	if _, err := h.store.RecordInboundMessage(ctx, id, e.Channel, e.Text, at.UTC(), key); err != nil {
		return err
	}
	// Signalled even when the message was recorded before: an earlier
	// attempt may have failed here (and released its claim). The signal is
	// idempotent (the window only moves forward; the follow-up ignores a
	// key it has seen).
	_, err = h.followups.Reply(ctx, id, e.Channel, workflows.Reply{At: at.UTC(), Preview: e.Text, Key: e.Channel.Title() + ":" + key})
	return err
}

// newIdentity attaches a first message's identity to the contact it belongs
// to (same phone or email) without touching their name, or creates the
// contact with the name the provider gave.
func (h *Handler) newIdentity(ctx context.Context, e channels.Event) (int64, error) {
	in := store.ContactInput{Channel: e.Channel, ExternalID: e.ExternalID}
	var existing int64
	var err error
	switch e.Channel {
	case followup.SMS, followup.WhatsApp:
		if phone, perr := store.NormalizePhone("+" + strings.TrimPrefix(e.ExternalID, "+")); perr == nil {
			in.Phone = phone
			existing, err = h.store.ContactByPhone(ctx, phone)
		}
	case followup.Email:
		in.Email = e.ExternalID
		var c followup.Contact
		c, err = h.store.Resolve(ctx, e.ExternalID)
		if err == nil && strings.EqualFold(c.Email, e.ExternalID) {
			existing = c.ID
		}
	}
	if err != nil && followup.ErrorCodeOf(err) != followup.ENotFound && followup.ErrorCodeOf(err) != followup.EConflict {
		return 0, err
	}
	if existing == 0 {
		in.FirstName, in.LastName, _ = strings.Cut(strings.TrimSpace(e.Name), " ")
		if in.FirstName == "" && in.LastName == "" && in.Phone == "" && in.Email == "" {
			in.FirstName = e.Channel.Title() + " customer"
		}
	}
	id, _, err := h.store.SaveContact(ctx, in)
	return id, err
}

// status applies a delivery status to our message: found by the
// provider's id, or else by our reference when the provider echoed it (a
// message whose send answer was lost, so whose id we never learnt, is
// confirmed or failed this way). A late failure reaches the follow-up.
func (h *Handler) status(ctx context.Context, e channels.Event) error {
	if e.ProviderMessageID == "" && e.Ref == "" {
		return nil
	}
	status, reason := e.Status, ""
	if e.Err != nil {
		reason = e.Err.Message
		if e.Err.Code != "" {
			reason = e.Err.Code + ": " + e.Err.Message
		}
		if e.Err.Class != followup.Retryable {
			status = followup.StatusUndeliverable
		}
	}
	var contactID int64
	var err error
	if e.ProviderMessageID != "" {
		contactID, err = h.store.UpdateStatus(ctx, e.Channel, e.ProviderMessageID, status, reason)
	}
	if e.Ref != "" && (e.ProviderMessageID == "" || followup.ErrorCodeOf(err) == followup.ENotFound) {
		contactID, err = h.store.UpdateStatusByRef(ctx, e.Channel, e.Ref, e.ProviderMessageID, status, reason)
		if err == nil {
			h.log.Info("message found by its reference", "channel", e.Channel, "provider_id", e.ProviderMessageID, "status", status)
		}
	}
	if followup.ErrorCodeOf(err) == followup.ENotFound {
		return nil // not one of ours (or sent before this database)
	}
	if err != nil || e.Err == nil || e.Err.Class == followup.Retryable {
		return err
	}
	_, err = h.followups.DeliveryFailed(ctx, contactID, e.Channel, workflows.DeliveryFailure{
		ProviderMessageID: e.ProviderMessageID, Class: e.Err.Class, Code: e.Err.Code, Message: e.Err.Message})
	return err
}
