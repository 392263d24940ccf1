// Package whatsapp sends follow-ups through the WhatsApp Business Cloud API
// and reads its webhooks (inbound messages and delivery statuses).
package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
	"github.com/followup-dev/followup/channels/provider"
)

// Config names the Cloud API account messages are sent from.
type Config struct {
	// BaseURL is the Graph API host; empty means https://graph.facebook.com.
	BaseURL string
	// APIVersion is the Graph version path segment; empty means meta.DefaultVersion.
	APIVersion string
	// PhoneNumberID is the business phone number's id (not the number).
	PhoneNumberID string
	// Token is a system-user or business access token.
	Token string
}

// Client sends messages from one business phone number.
type Client struct {
	api *meta.Client
}

// New checks cfg and returns a client; hc nil means a client with a 30 s
// timeout.
func New(cfg Config, hc *http.Client) (*Client, error) {
	if err := channels.Missing("whatsapp", "phone number id", cfg.PhoneNumberID, "access token", cfg.Token); err != nil {
		return nil, err
	}
	return &Client{api: meta.NewClient("whatsapp", cfg.BaseURL, cfg.APIVersion, cfg.PhoneNumberID, cfg.Token, hc)}, nil
}

type textBody struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

type language struct {
	Code string `json:"code"`
}

type parameter struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type component struct {
	Type       string      `json:"type"`
	Parameters []parameter `json:"parameters"`
}

type template struct {
	Name       string      `json:"name"`
	Language   language    `json:"language"`
	Components []component `json:"components,omitempty"`
}

type request struct {
	MessagingProduct string    `json:"messaging_product"`
	RecipientType    string    `json:"recipient_type"`
	To               string    `json:"to"`
	Type             string    `json:"type"`
	Text             *textBody `json:"text,omitempty"`
	Template         *template `json:"template,omitempty"`
	// BizOpaqueCallbackData (at most 512 characters) is echoed back in
	// every status webhook of the message. The Cloud API has no
	// idempotency key; we carry our reference for the message here
	// (channels.StatusRef), so a status still finds a message whose
	// answer, and so its wamid, was lost.
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data,omitempty"`
}

type response struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// Send sends free text (only inside the 24 h customer service window) or
// an approved template (any time: "Template messages are the only type of
// message that can be sent to WhatsApp users outside of a customer service
// window"). The id returned is the wamid that status webhooks refer to;
// success means accepted, and a 131047 may still arrive as a failed status.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	req := request{MessagingProduct: "whatsapp", RecipientType: "individual", To: m.To, BizOpaqueCallbackData: channels.StatusRef(m.IdempotencyKey)}
	if m.To == "" {
		return channels.Sent{}, provider.Permanent("no_recipient", "the contact has no WhatsApp number")
	}
	switch m.Mode {
	case followup.ModeFreeText:
		req.Type = "text"
		req.Text = &textBody{Body: m.Text}
	case followup.ModeTemplate:
		if m.Template == nil || m.Template.Name == "" || m.Template.Language == "" {
			return channels.Sent{}, provider.Permanent("no_template", "a WhatsApp template needs a name and a language")
		}
		t := &template{Name: m.Template.Name, Language: language{Code: m.Template.Language}}
		if len(m.Template.Params) > 0 {
			// Positional body parameters fill {{1}}, {{2}}, … in order.
			body := component{Type: "body"}
			for _, p := range m.Template.Params {
				body.Parameters = append(body.Parameters, parameter{Type: "text", Text: p})
			}
			t.Components = []component{body}
		}
		req.Type = "template"
		req.Template = t
	default:
		return channels.Sent{}, provider.Permanent("unsupported_mode", fmt.Sprintf("WhatsApp cannot send a %s message", m.Mode))
	}
	body, err := c.api.Post(ctx, req, classify)
	if err != nil {
		return channels.Sent{}, err
	}
	var out response
	if err := json.Unmarshal(body, &out); err != nil || len(out.Messages) == 0 || out.Messages[0].ID == "" {
		return channels.Sent{}, fmt.Errorf("whatsapp: accepted without a message id: %.200s", body)
	}
	return channels.Sent{ProviderID: out.Messages[0].ID}, nil
}

// classify owns the WhatsApp codes (Cloud API error-codes page); the Graph
// rate-limit and service codes are left to meta.Classify.
func classify(e *meta.Error) (followup.SendErrorClass, bool) {
	switch e.Code {
	case 131047:
		// Re-engagement message: 24 h since the customer last replied;
		// only a template can be sent now.
		return followup.WindowClosed, true
	case 131026:
		// Message undeliverable: not on WhatsApp, or the user blocked us.
		return followup.RecipientGone, true
	}
	return "", false
}
