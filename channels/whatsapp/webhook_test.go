package whatsapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/whatsapp"
	"github.com/followup-dev/followup/channels/whatsapp/whatsapptest"
)

const target = "https://followup.example/webhooks/whatsapp"

func newWebhook(t testing.TB) *whatsapp.Webhook {
	return channelstest.Must(whatsapp.NewWebhook(whatsapptest.AppSecret, whatsapptest.VerifyToken))(t)
}

func TestParseMessage(t *testing.T) {
	fake := channelstest.Start(t, whatsapptest.New)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	in := whatsapptest.Inbound{From: "16505551234", Name: "Ada Lovelace", ID: "wamid.IN1", Text: "hello", At: at}
	channelstest.Event(t, channelstest.ReceiveOne(t, newWebhook(t), fake.SignedMessage(target, in)), channels.Event{
		Channel: followup.WhatsApp, Kind: channels.Message, ExternalID: "16505551234",
		Name: "Ada Lovelace", Text: "hello", At: at, ProviderMessageID: "wamid.IN1", DedupKey: "whatsapp:message:wamid.IN1"})
}

func TestParseStatuses(t *testing.T) {
	fake := channelstest.Start(t, whatsapptest.New)
	h := newWebhook(t)
	at := time.Unix(1750857384, 0).UTC()
	keys := map[string]bool{}
	for _, st := range []struct {
		raw  string
		want followup.MessageStatus
	}{{"sent", followup.StatusSent}, {"delivered", followup.StatusDelivered}, {"read", followup.StatusRead}} {
		e := channelstest.ReceiveOne(t, h, fake.SignedStatus(target, whatsapptest.Status{ID: "wamid.OUT", Recipient: "16505551234", Status: st.raw, At: at}))
		if e.Kind != channels.Status || e.Status != st.want || e.ProviderMessageID != "wamid.OUT" || e.ExternalID != "16505551234" || !e.At.Equal(at) || e.Err != nil {
			t.Errorf("%s: %+v", st.raw, e)
		}
		keys[e.DedupKey] = true
	}
	if len(keys) != 3 {
		t.Errorf("sent, delivered and read share dedup keys: %v", keys)
	}
}

// TestParseStatusRef: a status echoes the biz_opaque_callback_data sent
// with the message, which the event carries as Ref; a status of a message
// sent without one has none.
func TestParseStatusRef(t *testing.T) {
	c, fake := newClient(t)
	sent, err := c.Send(context.Background(), channels.Outbound{To: "16505551234", Mode: followup.ModeFreeText, Text: "hi", IdempotencyKey: "fu-9/upd-1"})
	if err != nil {
		t.Fatal(err)
	}
	h := newWebhook(t)
	for _, status := range []string{"sent", "delivered", "read", "failed"} {
		events := channelstest.Receive(t, h, fake.SignedStatus(target, whatsapptest.Status{ID: sent.ProviderID, Recipient: "16505551234", Status: status, At: time.Now(), ErrorCode: 131026}))
		if len(events) != 1 || events[0].Ref != channels.StatusRef("fu-9/upd-1") || events[0].ProviderMessageID != sent.ProviderID {
			t.Errorf("%s: events = %+v, want Ref %s", status, events, channels.StatusRef("fu-9/upd-1"))
		}
	}
	events := channelstest.Receive(t, h, fake.SignedStatus(target, whatsapptest.Status{ID: "wamid.OTHER", Recipient: "1", Status: "delivered", At: time.Now()}))
	if len(events) != 1 || events[0].Ref != "" {
		t.Errorf("a status without biz_opaque_callback_data: %+v", events)
	}
}

// TestFakeRefusesLongCallbackData: the Cloud API takes at most 512
// characters, so a raw idempotency key could be refused; our reference
// never is.
func TestFakeRefusesLongCallbackData(t *testing.T) {
	fake := channelstest.Start(t, whatsapptest.New)
	body := `{"messaging_product":"whatsapp","to":"1","type":"text","text":{"body":"hi"},"biz_opaque_callback_data":"` + strings.Repeat("k", 513) + `"}`
	req, _ := http.NewRequest(http.MethodPost, fake.URL()+"/v24.0/"+whatsapptest.PhoneNumberID+"/messages", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+whatsapptest.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || len(fake.Accepted()) != 0 {
		t.Fatalf("513 characters of biz_opaque_callback_data: %d, accepted %+v", resp.StatusCode, fake.Accepted())
	}
}

// WhatsApp accepts free text with 200 and reports 131047 later in a failed
// status: the adapter must classify it like the synchronous error.
func TestAsyncWindowClosed(t *testing.T) {
	c, fake := newClient(t)
	fake.FailFor("16505551234", whatsapptest.WindowClosedAsync)
	sent, err := c.Send(context.Background(), channels.Outbound{To: "16505551234", Mode: followup.ModeFreeText, Text: "late"})
	if err != nil {
		t.Fatalf("the async path must accept first: %v", err)
	}
	acc := fake.Accepted()[0]
	if acc.AsyncError != 131047 {
		t.Fatalf("accepted = %+v", acc)
	}
	e := channelstest.ReceiveOne(t, newWebhook(t), fake.SignedStatus(target, whatsapptest.Status{
		ID: sent.ProviderID, Recipient: acc.To, Status: "failed", At: time.Now(), ErrorCode: acc.AsyncError,
	}))
	if e.Status != followup.StatusFailed || e.ProviderMessageID != sent.ProviderID || e.Err == nil {
		t.Fatalf("event = %+v", e)
	}
	if e.Err.Class != followup.WindowClosed || e.Err.Code != "131047" || !strings.Contains(e.Err.Message, "24 hours") {
		t.Errorf("Err = %+v", e.Err)
	}
}

func TestFailedStatusClasses(t *testing.T) {
	fake := channelstest.Start(t, whatsapptest.New)
	h := newWebhook(t)
	for code, want := range map[int]followup.SendErrorClass{
		131026: followup.RecipientGone, 130429: followup.Retryable, 132001: followup.Permanent,
	} {
		events := channelstest.Receive(t, h, fake.SignedStatus(target, whatsapptest.Status{ID: "wamid.X", Recipient: "1", Status: "failed", At: time.Now(), ErrorCode: code}))
		if events[0].Err == nil || events[0].Err.Class != want {
			t.Errorf("code %d: Err = %+v, want %s", code, events[0].Err, want)
		}
	}
}

func TestParseSkipsAndRefuses(t *testing.T) {
	h := newWebhook(t)
	channelstest.Skips(t, h,
		`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"message_template_status_update","value":{"event":"APPROVED"}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"statuses":[{"id":"wamid.X","status":"deleted","timestamp":"1"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[]}`)
	channelstest.Rejects(t, h,
		``, `{`, `[]`, `{"object":"page","entry":[]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"1","id":"w","timestamp":"soon","type":"text"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"1","timestamp":"1","type":"text"}]}}]}]}`)
}

func TestParseMediaMessageRestartsWindow(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"1","id":"wamid.IMG","timestamp":"1750857384","type":"image","image":{"id":"m"}}]}}]}]}`
	events, err := newWebhook(t).Parse(nil, []byte(body))
	if err != nil || len(events) != 1 || events[0].Kind != channels.Message || events[0].Text != "[image]" {
		t.Errorf("events %+v err %v", events, err)
	}
}

func FuzzParse(f *testing.F) {
	fake := channelstest.Start(f, whatsapptest.New)
	channelstest.Fuzz(f, newWebhook(f), followup.WhatsApp, func(e channels.Event) string {
		switch {
		case e.Status == followup.StatusFailed && e.Err == nil:
			return "failed without Err"
		case e.Ref != "" && e.Kind != channels.Status:
			return "a reference on a " + string(e.Kind) + " event"
		}
		return ""
	},
		channelstest.Body(f, fake.SignedMessage(target, whatsapptest.Inbound{From: "1", Name: "A", ID: "w1", Text: "hi", At: time.Unix(1, 0)})),
		channelstest.Body(f, fake.SignedStatus(target, whatsapptest.Status{ID: "w1", Recipient: "1", Status: "failed", At: time.Unix(1, 0), ErrorCode: 131047})),
		[]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"x","status":"failed","timestamp":"1","errors":[]}]}}]}]}`),
		[]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"x","status":"read","timestamp":"1","biz_opaque_callback_data":"`+channels.StatusRef("k")+`"}]}}]}]}`))
}
