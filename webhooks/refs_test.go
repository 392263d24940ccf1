package webhooks_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/twilio"
	"github.com/followup-dev/followup/channels/twilio/twiliotest"
	"github.com/followup-dev/followup/channels/whatsapp"
	"github.com/followup-dev/followup/channels/whatsapp/whatsapptest"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/webhooks"
)

// lostAnswers delivers every request and loses the provider's answer, as
// a connection reset after the provider took the message does.
type lostAnswers struct{}

func (lostAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return nil, errors.New("read: connection reset by peer")
}

// providers is the webhook server with the real WhatsApp and Twilio
// webhooks, verified with their fakes' secrets.
func providers(t *testing.T) env {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	wa, err := whatsapp.NewWebhook(whatsapptest.AppSecret, whatsapptest.VerifyToken)
	if err != nil {
		t.Fatal(err)
	}
	// Twilio signs the URL it was given; here the server's own.
	sms, err := twilio.NewWebhook(twilio.WebhookConfig{AuthToken: twiliotest.AuthToken, PublicBaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	webhooks.New(st, rec, map[followup.Channel]channels.Webhook{followup.WhatsApp: wa, followup.SMS: sms},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil).Register(mux)
	return env{st, rec, srv}
}

// sendLost records and claims a message as activities.Send does, sends
// it through sender with its answer lost, and marks it unconfirmed as
// Send does then.
func sendLost(t *testing.T, st *store.Store, sender channels.Sender, contact int64, m channels.Outbound) {
	t.Helper()
	ctx := context.Background()
	msg, _, err := st.BeginOutbound(ctx, store.Outbound{ContactID: contact, Channel: m.Channel, Mode: m.Mode, Body: m.Text, IdempotencyKey: m.IdempotencyKey}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := st.ClaimOutbound(ctx, msg.ID, "try-1", time.Minute); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if _, err := sender.Send(ctx, m); err == nil || !activities.MayHaveReached(err) {
		t.Fatalf("send with its answer lost: %v, want an error that may hide an accepted message", err)
	}
	if ok, err := st.MarkUnconfirmed(ctx, msg.ID, "the connection to "+m.Channel.Title()+" was lost while sending"); err != nil || !ok {
		t.Fatalf("mark unconfirmed: %v %v", ok, err)
	}
	if got, _ := st.OutboundByKey(ctx, m.IdempotencyKey); got.Status != followup.StatusUnconfirmed || got.ProviderID != "" {
		t.Fatalf("before the webhook: %+v", got)
	}
}

func do(t *testing.T, r *http.Request) int {
	t.Helper()
	if r == nil {
		t.Fatal("no request to send")
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func outbound(t *testing.T, st *store.Store, key string) followup.Message {
	t.Helper()
	m, err := st.OutboundByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWhatsAppStatusConfirmsUnconfirmedByRef: a message whose send answer
// was lost (so whose wamid we never learnt) is confirmed by the signed
// status webhook that echoes our reference in biz_opaque_callback_data;
// its later statuses find it by the wamid; a late failure of another
// such message reaches the follow-up.
func TestWhatsAppStatusConfirmsUnconfirmedByRef(t *testing.T) {
	t.Parallel()
	e := providers(t)
	ctx := context.Background()
	fake := whatsapptest.New()
	t.Cleanup(fake.Close)
	sender, err := whatsapp.New(whatsapp.Config{BaseURL: fake.URL(), PhoneNumberID: whatsapptest.PhoneNumberID, Token: whatsapptest.Token},
		&http.Client{Transport: lostAnswers{}})
	if err != nil {
		t.Fatal(err)
	}
	contact, _, err := e.st.SaveContact(ctx, store.ContactInput{FirstName: "Ada", Phone: "+16505551234", Channel: followup.WhatsApp, ExternalID: "+16505551234"})
	if err != nil {
		t.Fatal(err)
	}
	// A key longer than biz_opaque_callback_data takes: the reference fits.
	key := "followup-" + strings.Repeat("contact-1-", 60) + "/update-1"
	sendLost(t, e.st, sender, contact, channels.Outbound{Channel: followup.WhatsApp, To: "16505551234", Mode: followup.ModeFreeText, Text: "Following up on #4821", IdempotencyKey: key})
	acc := fake.Accepted()
	if len(acc) != 1 || acc[0].CallbackData != channels.StatusRef(key) {
		t.Fatalf("the fake accepted %+v", acc)
	}
	target := e.srv.URL + "/webhooks/whatsapp"
	if code := do(t, fake.SignedStatus(target, whatsapptest.Status{ID: acc[0].ID, Recipient: acc[0].To, Status: "delivered", At: time.Now()})); code != 200 {
		t.Fatalf("delivered status: %d", code)
	}
	m := outbound(t, e.st, key)
	if m.Status != followup.StatusDelivered || m.ProviderID != acc[0].ID || m.Reason != "" {
		t.Fatalf("after the delivered status: %s %q %q, want delivered %s", m.Status, m.ProviderID, m.Reason, acc[0].ID)
	}
	if code := do(t, fake.SignedStatus(target, whatsapptest.Status{ID: acc[0].ID, Recipient: acc[0].To, Status: "read", At: time.Now()})); code != 200 {
		t.Fatalf("read status: %d", code)
	}
	if m := outbound(t, e.st, key); m.Status != followup.StatusRead {
		t.Fatalf("after the read status: %+v", m)
	}

	// A failure: the message becomes undeliverable and the follow-up hears it.
	sendLost(t, e.st, sender, contact, channels.Outbound{Channel: followup.WhatsApp, To: "16505551234", Mode: followup.ModeFreeText, Text: "Still there?", IdempotencyKey: "fu-1/update-2"})
	failed := fake.Accepted()[1]
	if code := do(t, fake.SignedStatus(target, whatsapptest.Status{ID: failed.ID, Recipient: failed.To, Status: "failed", At: time.Now(), ErrorCode: 131026})); code != 200 {
		t.Fatalf("failed status: %d", code)
	}
	if m := outbound(t, e.st, "fu-1/update-2"); m.Status != followup.StatusUndeliverable || m.ProviderID != failed.ID || !strings.Contains(m.Reason, "131026") {
		t.Fatalf("after the failed status: %+v", m)
	}
	if len(e.rec.fails) != 1 || e.rec.fails[0].Class != followup.RecipientGone || e.rec.fails[0].ProviderMessageID != failed.ID {
		t.Fatalf("late failure not signalled: %+v", e.rec.fails)
	}

	// A reference that names none of our messages changes nothing.
	if code := do(t, fake.SignedStatus(target, whatsapptest.Status{ID: "wamid.NOTOURS", Recipient: "1", Status: "delivered", At: time.Now(), CallbackData: channels.StatusRef("not ours")})); code != 200 {
		t.Fatalf("unknown reference: %d", code)
	}
	var n int
	if err := e.st.DB().Get(&n, `SELECT count(*) FROM messages WHERE provider_id = 'wamid.NOTOURS'`); err != nil || n != 0 {
		t.Fatalf("unknown reference: %d messages changed, %v", n, err)
	}
}

// TestSMSStatusCallbackConfirmsUnconfirmedByRef: the same for Twilio,
// whose per-message StatusCallback URL carries our reference, signed by
// Twilio with the rest of the URL.
func TestSMSStatusCallbackConfirmsUnconfirmedByRef(t *testing.T) {
	t.Parallel()
	e := providers(t)
	ctx := context.Background()
	fake := twiliotest.New()
	t.Cleanup(fake.Close)
	sender, err := twilio.New(twilio.Config{BaseURL: fake.URL(), AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken,
		From: twiliotest.From, StatusCallback: e.srv.URL + "/webhooks/sms"}, &http.Client{Transport: lostAnswers{}})
	if err != nil {
		t.Fatal(err)
	}
	contact, _, err := e.st.SaveContact(ctx, store.ContactInput{FirstName: "Zoë", Phone: "+33612345678", Channel: followup.SMS, ExternalID: "+33612345678"})
	if err != nil {
		t.Fatal(err)
	}
	sendLost(t, e.st, sender, contact, channels.Outbound{Channel: followup.SMS, To: "+33612345678", Mode: followup.ModeFreeText, Text: "Following up on #4821", IdempotencyKey: "fu-2/update-1"})
	sendLost(t, e.st, sender, contact, channels.Outbound{Channel: followup.SMS, To: "+33612345678", Mode: followup.ModeFreeText, Text: "Still there?", IdempotencyKey: "fu-2/update-2"})
	acc := fake.Accepted()
	if len(acc) != 2 {
		t.Fatalf("the fake accepted %+v", acc)
	}

	// Sent, then delivered; the sid is learnt from the first.
	for _, status := range []string{"sent", "delivered"} {
		if code := do(t, fake.StatusCallback(acc[0].SID, status, 0)); code != 200 {
			t.Fatalf("%s callback: %d", status, code)
		}
	}
	if m := outbound(t, e.st, "fu-2/update-1"); m.Status != followup.StatusDelivered || m.ProviderID != acc[0].SID || m.Reason != "" {
		t.Fatalf("after the delivered callback: %+v", m)
	}

	// A reference swapped in the URL is refused: Twilio signed the other one.
	forged := fake.StatusCallback(acc[1].SID, "delivered", 0)
	forged.URL.RawQuery = twilio.RefParam + "=" + channels.StatusRef("fu-2/update-1")
	if code := do(t, forged); code != http.StatusUnauthorized {
		t.Fatalf("forged reference: %d, want 401", code)
	}

	// Undelivered: undeliverable, and the follow-up hears it.
	if code := do(t, fake.StatusCallback(acc[1].SID, "undelivered", 30003)); code != 200 {
		t.Fatalf("undelivered callback: %d", code)
	}
	if m := outbound(t, e.st, "fu-2/update-2"); m.Status != followup.StatusUndeliverable || m.ProviderID != acc[1].SID || !strings.Contains(m.Reason, "30003") {
		t.Fatalf("after the undelivered callback: %+v", m)
	}
	if len(e.rec.fails) != 1 || e.rec.fails[0].ProviderMessageID != acc[1].SID {
		t.Fatalf("late failure not signalled: %+v", e.rec.fails)
	}
}
