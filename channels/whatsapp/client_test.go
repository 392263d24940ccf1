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

// What WhatsApp shares with Messenger and Instagram (the credentials,
// local refusals, the Graph call's transport and non-Graph answers, the
// app's handshake and signature) is tested in channels/meta; this is
// WhatsApp's own.

// newClient starts a fake Cloud API for the test and returns a client of
// it.
func newClient(t *testing.T) (*whatsapp.Client, *whatsapptest.Server) {
	t.Helper()
	fake := channelstest.Start(t, whatsapptest.New)
	return channelstest.Must(whatsapp.New(whatsapp.Config{BaseURL: fake.URL(), PhoneNumberID: whatsapptest.PhoneNumberID, Token: whatsapptest.Token}, nil))(t), fake
}

func lastRequest(t *testing.T, fake *whatsapptest.Server) whatsapptest.Request {
	t.Helper()
	reqs := fake.Requests()
	if len(reqs) == 0 {
		t.Fatal("the fake received no request")
	}
	return reqs[len(reqs)-1]
}

func TestSendText(t *testing.T) {
	c, fake := newClient(t)

	sent, err := c.Send(context.Background(), channels.Outbound{
		Channel: followup.WhatsApp, To: "16505551234", Mode: followup.ModeFreeText,
		Text: "Hi! Following up on your ticket.", IdempotencyKey: "fu-1-msg-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	acc := fake.Accepted()
	if len(acc) != 1 || sent.ProviderID != acc[0].ID || !strings.HasPrefix(sent.ProviderID, "wamid.") {
		t.Fatalf("ProviderID = %q, fake accepted %+v", sent.ProviderID, acc)
	}
	r := lastRequest(t, fake)
	if r.Method != http.MethodPost || r.Path != "/v24.0/"+whatsapptest.PhoneNumberID+"/messages" {
		t.Errorf("request line = %s %s", r.Method, r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+whatsapptest.Token {
		t.Errorf("Authorization = %q", got)
	}
	b := r.Body
	text, _ := b["text"].(map[string]any)
	switch {
	case b["messaging_product"] != "whatsapp", b["recipient_type"] != "individual", b["to"] != "16505551234", b["type"] != "text":
		t.Errorf("envelope = %v", b)
	case text["body"] != "Hi! Following up on your ticket.", text["preview_url"] != false:
		t.Errorf("text = %v", text)
	case b["biz_opaque_callback_data"] != channels.StatusRef("fu-1-msg-1"):
		t.Errorf("our reference not carried in biz_opaque_callback_data: %v", b)
	case b["template"] != nil:
		t.Errorf("text message carries a template: %v", b)
	}
}

// TestSendCarriesReference: every message carries our reference as
// biz_opaque_callback_data, within the Cloud API's 512 characters however
// long the idempotency key, so its status webhooks can find it.
func TestSendCarriesReference(t *testing.T) {
	c, fake := newClient(t)
	long := "followup-contact-42/" + strings.Repeat("update-", 100) // 720 bytes: too long to send as is
	for _, m := range []channels.Outbound{
		{Channel: followup.WhatsApp, To: "16505551234", Mode: followup.ModeFreeText, Text: "hi", IdempotencyKey: long},
		{Channel: followup.WhatsApp, To: "16505551234", Mode: followup.ModeTemplate, IdempotencyKey: "fu-7/upd-2",
			Template: &channels.TemplateRef{Name: "ticket_followup", Language: "en_US", Params: []string{"Ada", "#4821"}}},
	} {
		if _, err := c.Send(context.Background(), m); err != nil {
			t.Fatalf("%s with key %.20q…: %v", m.Mode, m.IdempotencyKey, err)
		}
		want := channels.StatusRef(m.IdempotencyKey)
		if got := lastRequest(t, fake).Body["biz_opaque_callback_data"]; got != want || len(want) != 64 {
			t.Errorf("%s: biz_opaque_callback_data = %v, want %s", m.Mode, got, want)
		}
		if acc := fake.Accepted(); acc[len(acc)-1].CallbackData != want {
			t.Errorf("%s: the fake recorded %q", m.Mode, acc[len(acc)-1].CallbackData)
		}
	}
}

func TestSendTemplate(t *testing.T) {
	c, fake := newClient(t)

	sent, err := c.Send(context.Background(), channels.Outbound{
		Channel: followup.WhatsApp, To: "16505551234", Mode: followup.ModeTemplate,
		Template: &channels.TemplateRef{Name: "ticket_followup", Language: "en_US", Params: []string{"Ada", "#4821"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent.ProviderID == "" {
		t.Fatal("no provider id")
	}
	b := lastRequest(t, fake).Body
	if b["type"] != "template" || b["text"] != nil {
		t.Fatalf("body = %v", b)
	}
	tmpl := b["template"].(map[string]any)
	if tmpl["name"] != "ticket_followup" || tmpl["language"].(map[string]any)["code"] != "en_US" {
		t.Errorf("template = %v", tmpl)
	}
	comps := tmpl["components"].([]any)
	if len(comps) != 1 {
		t.Fatalf("components = %v", comps)
	}
	body := comps[0].(map[string]any)
	params := body["parameters"].([]any)
	if body["type"] != "body" || len(params) != 2 {
		t.Fatalf("body component = %v", body)
	}
	for i, want := range []string{"Ada", "#4821"} {
		p := params[i].(map[string]any)
		if p["type"] != "text" || p["text"] != want {
			t.Errorf("param %d = %v, want text %q", i, p, want)
		}
	}
}

func TestSendTemplateWithoutParams(t *testing.T) {
	c, fake := newClient(t)
	fake.Template("hello_world", "en", 0)
	if _, err := c.Send(context.Background(), channels.Outbound{To: "1", Mode: followup.ModeTemplate,
		Template: &channels.TemplateRef{Name: "hello_world", Language: "en"}}); err != nil {
		t.Fatal(err)
	}
	if comps, ok := lastRequest(t, fake).Body["template"].(map[string]any)["components"]; ok {
		t.Errorf("a template without parameters sent components %v", comps)
	}
}

// failure is what the fake answers a message in mode with tmpl.
type failure struct {
	outcome whatsapptest.Outcome
	mode    followup.Mode
	tmpl    *channels.TemplateRef
}

func TestSendErrors(t *testing.T) {
	text := func(o whatsapptest.Outcome) failure { return failure{o, followup.ModeFreeText, nil} }
	template := func(o whatsapptest.Outcome, name, lang string, params ...string) failure {
		return failure{o, followup.ModeTemplate, &channels.TemplateRef{Name: name, Language: lang, Params: params}}
	}
	channelstest.Failures(t, []channelstest.Failure[failure]{
		{Name: "window closed (sync)", Fail: text(whatsapptest.WindowClosed), Class: followup.WindowClosed, Code: "131047"},
		{Name: "undeliverable", Fail: text(whatsapptest.Undeliverable), Class: followup.RecipientGone, Code: "131026"},
		{Name: "throughput", Fail: text(whatsapptest.Throughput), Class: followup.Retryable, Code: "130429"},
		{Name: "HTTP 429", Fail: text(whatsapptest.TooManyRequests), Class: followup.Retryable, Code: "4", RetryAfter: whatsapptest.RetryAfterSeconds * time.Second},
		{Name: "500", Fail: text(whatsapptest.ServerError), Class: followup.Retryable, Code: "131000"},
		{Name: "503", Fail: text(whatsapptest.Unavailable), Class: followup.Retryable, Code: "2"},
		{Name: "token expired", Fail: text(whatsapptest.TokenExpired), Class: followup.Permanent, Code: "190"},
		{Name: "template paused", Fail: template(whatsapptest.TemplatePaused, "ticket_followup", "en_US", "a", "b"), Class: followup.Permanent, Code: "132015"},
		{Name: "template missing", Fail: template(whatsapptest.OK, "nope", "en_US"), Class: followup.Permanent, Code: "132001"},
		{Name: "template missing in language", Fail: template(whatsapptest.OK, "ticket_followup", "de", "a", "b"), Class: followup.Permanent, Code: "132001"},
		{Name: "template param count", Fail: template(whatsapptest.OK, "ticket_followup", "en_US", "Ada"), Class: followup.Permanent, Code: "132000"},
	}, func(t *testing.T, f failure) error {
		c, fake := newClient(t)
		fake.FailFor("16505551234", f.outcome)
		_, err := c.Send(context.Background(), channels.Outbound{To: "16505551234", Mode: f.mode, Text: "hello", Template: f.tmpl})
		if len(fake.Accepted()) != 0 {
			t.Error("the fake accepted a refused message")
		}
		return err
	})
}

func TestWindowClosedMessageKeepsDetails(t *testing.T) {
	c, fake := newClient(t)
	fake.FailFor("1", whatsapptest.WindowClosed)
	_, err := c.Send(context.Background(), channels.Outbound{To: "1", Mode: followup.ModeFreeText, Text: "x"})
	if se := channelstest.SendError(t, err); !strings.Contains(se.Message, "more than 24 hours") {
		t.Errorf("message = %q, want the provider's details", se.Message)
	}
}

func TestWindowFromLastInbound(t *testing.T) {
	c, fake := newClient(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fake.SetNow(func() time.Time { return now })
	fake.LastInbound("1", now.Add(-25*time.Hour))
	fake.LastInbound("2", now.Add(-23*time.Hour))

	_, err := c.Send(context.Background(), channels.Outbound{To: "1", Mode: followup.ModeFreeText, Text: "late"})
	if se := channelstest.SendError(t, err); se.Class != followup.WindowClosed {
		t.Errorf("free text after 25 h: %v", se)
	}
	if _, err := c.Send(context.Background(), channels.Outbound{To: "2", Mode: followup.ModeFreeText, Text: "in time"}); err != nil {
		t.Errorf("free text after 23 h: %v", err)
	}
	if _, err := c.Send(context.Background(), channels.Outbound{To: "1", Mode: followup.ModeTemplate,
		Template: &channels.TemplateRef{Name: "ticket_followup", Language: "en_US", Params: []string{"Ada", "#1"}}}); err != nil {
		t.Errorf("template after 25 h: %v", err)
	}
}
