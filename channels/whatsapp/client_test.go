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

func newClient(t *testing.T, fake *whatsapptest.Server) *whatsapp.Client {
	t.Helper()
	return channelstest.Must(whatsapp.New(whatsapp.Config{BaseURL: fake.URL(), PhoneNumberID: whatsapptest.PhoneNumberID, Token: whatsapptest.Token}, nil))(t)
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
	fake := whatsapptest.New()
	defer fake.Close()
	c := newClient(t, fake)

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
	fake := whatsapptest.New()
	defer fake.Close()
	c := newClient(t, fake)
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
	fake := whatsapptest.New()
	defer fake.Close()
	c := newClient(t, fake)

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
	fake := whatsapptest.New()
	defer fake.Close()
	fake.Template("hello_world", "en", 0)
	c := newClient(t, fake)
	if _, err := c.Send(context.Background(), channels.Outbound{To: "1", Mode: followup.ModeTemplate,
		Template: &channels.TemplateRef{Name: "hello_world", Language: "en"}}); err != nil {
		t.Fatal(err)
	}
	if comps, ok := lastRequest(t, fake).Body["template"].(map[string]any)["components"]; ok {
		t.Errorf("a template without parameters sent components %v", comps)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name       string
		outcome    whatsapptest.Outcome
		mode       followup.Mode
		tmpl       *channels.TemplateRef
		class      followup.SendErrorClass
		code       string
		retryAfter time.Duration
	}{
		{"window closed (sync)", whatsapptest.WindowClosed, followup.ModeFreeText, nil, followup.WindowClosed, "131047", 0},
		{"undeliverable", whatsapptest.Undeliverable, followup.ModeFreeText, nil, followup.RecipientGone, "131026", 0},
		{"throughput", whatsapptest.Throughput, followup.ModeFreeText, nil, followup.Retryable, "130429", 0},
		{"HTTP 429", whatsapptest.TooManyRequests, followup.ModeFreeText, nil, followup.Retryable, "4", whatsapptest.RetryAfterSeconds * time.Second},
		{"500", whatsapptest.ServerError, followup.ModeFreeText, nil, followup.Retryable, "131000", 0},
		{"503", whatsapptest.Unavailable, followup.ModeFreeText, nil, followup.Retryable, "2", 0},
		{"token expired", whatsapptest.TokenExpired, followup.ModeFreeText, nil, followup.Permanent, "190", 0},
		{"template paused", whatsapptest.TemplatePaused, followup.ModeTemplate,
			&channels.TemplateRef{Name: "ticket_followup", Language: "en_US", Params: []string{"a", "b"}}, followup.Permanent, "132015", 0},
		{"template missing", whatsapptest.OK, followup.ModeTemplate,
			&channels.TemplateRef{Name: "nope", Language: "en_US"}, followup.Permanent, "132001", 0},
		{"template missing in language", whatsapptest.OK, followup.ModeTemplate,
			&channels.TemplateRef{Name: "ticket_followup", Language: "de", Params: []string{"a", "b"}}, followup.Permanent, "132001", 0},
		{"template param count", whatsapptest.OK, followup.ModeTemplate,
			&channels.TemplateRef{Name: "ticket_followup", Language: "en_US", Params: []string{"Ada"}}, followup.Permanent, "132000", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := whatsapptest.New()
			defer fake.Close()
			fake.FailFor("16505551234", tt.outcome)
			_, err := newClient(t, fake).Send(context.Background(), channels.Outbound{
				To: "16505551234", Mode: tt.mode, Text: "hello", Template: tt.tmpl,
			})
			se := channelstest.SendError(t, err)
			if se.Class != tt.class || se.Code != tt.code || se.RetryAfter != tt.retryAfter {
				t.Errorf("got %s %s retry-after %v, want %s %s %v", se.Class, se.Code, se.RetryAfter, tt.class, tt.code, tt.retryAfter)
			}
			if se.Message == "" {
				t.Error("no provider message")
			}
			if len(fake.Accepted()) != 0 {
				t.Error("the fake accepted a refused message")
			}
		})
	}
}

func TestWindowClosedMessageKeepsDetails(t *testing.T) {
	fake := whatsapptest.New()
	defer fake.Close()
	fake.FailFor("1", whatsapptest.WindowClosed)
	_, err := newClient(t, fake).Send(context.Background(), channels.Outbound{To: "1", Mode: followup.ModeFreeText, Text: "x"})
	if se := channelstest.SendError(t, err); !strings.Contains(se.Message, "more than 24 hours") {
		t.Errorf("message = %q, want the provider's details", se.Message)
	}
}

func TestWindowFromLastInbound(t *testing.T) {
	fake := whatsapptest.New()
	defer fake.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fake.SetNow(func() time.Time { return now })
	fake.LastInbound("1", now.Add(-25*time.Hour))
	fake.LastInbound("2", now.Add(-23*time.Hour))
	c := newClient(t, fake)

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
