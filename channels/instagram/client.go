// Package instagram sends follow-ups through the Instagram Messaging API
// (Messenger Platform send API for Instagram professional accounts) and
// reads its webhooks.
package instagram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Config names the Instagram account messages are sent from.
type Config struct {
	// BaseURL is the API host; empty means https://graph.facebook.com
	// (Instagram API with Facebook Login). Accounts using Instagram Login
	// set https://graph.instagram.com.
	BaseURL string
	// APIVersion is the Graph version path segment; empty means meta.DefaultVersion.
	APIVersion string
	// AccountID is the Page id (Facebook Login) or Instagram account id
	// (Instagram Login); empty means /me/messages, identified by the token.
	AccountID string
	// Token is the Page token linked to the account, or an Instagram user
	// token with instagram_business_manage_messages.
	Token string
}

// Client sends messages as one Instagram professional account.
type Client struct {
	endpoint string
	token    string
	hc       *http.Client
}

// New checks cfg and returns a client; hc nil means a client with a 30 s
// timeout.
func New(cfg Config, hc *http.Client) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("instagram: missing access token")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = meta.DefaultBaseURL
	}
	version := cfg.APIVersion
	if version == "" {
		version = meta.DefaultVersion
	}
	account := cfg.AccountID
	if account == "" {
		account = "me"
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{endpoint: base + "/" + version + "/" + url.PathEscape(account) + "/messages", token: cfg.Token, hc: hc}, nil
}

type recipient struct {
	ID string `json:"id"`
}

type message struct {
	Text string `json:"text"`
}

type request struct {
	Recipient     recipient `json:"recipient"`
	MessagingType string    `json:"messaging_type,omitempty"`
	Tag           string    `json:"tag,omitempty"`
	Message       message   `json:"message"`
}

type response struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// Send sends free text inside the 24 h window, or a person's text with the
// HUMAN_AGENT tag up to 7 days after the customer's last message. Instagram
// supports no other tag ("not available for Instagram Messaging API"), so
// any other mode is refused without a request. The Instagram send API has
// no idempotency key or echoed metadata field, so the key is not sent.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if m.To == "" {
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "no_recipient", Message: "the contact has no Instagram id"}
	}
	req := request{Recipient: recipient{ID: m.To}, Message: message{Text: m.Text}}
	switch {
	case m.Mode == followup.ModeFreeText:
		// Meta's example body has no messaging_type for a plain reply.
	case m.Mode == followup.ModeHumanAgent, m.Mode == followup.ModeMessageTag && m.Tag == followup.TagHumanAgent:
		req.MessagingType, req.Tag = "MESSAGE_TAG", string(followup.TagHumanAgent)
	default:
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "unsupported_mode",
			Message: fmt.Sprintf("Instagram cannot send a %s message (only free text and HUMAN_AGENT)", describe(m))}
	}
	resp, err := meta.Post(ctx, c.hc, c.endpoint, c.token, req)
	if err != nil {
		return channels.Sent{}, fmt.Errorf("instagram: %w", err)
	}
	if resp.Status/100 != 2 {
		return channels.Sent{}, meta.SendError(resp, classify)
	}
	var out response
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.MessageID == "" {
		return channels.Sent{}, fmt.Errorf("instagram: accepted without a message id: %.200s", resp.Body)
	}
	return channels.Sent{ProviderID: out.MessageID}, nil
}

func describe(m channels.Outbound) string {
	if m.Tag != "" {
		return string(m.Mode) + " " + string(m.Tag)
	}
	return string(m.Mode)
}

// classify owns the Instagram codes. 10/2534022 (outside the 24 h window,
// or 7 days with HUMAN_AGENT) is known only from public integrations, not a
// Meta page, so it is keyed on code 10 plus that subcode; other code-10
// subcodes stay permanent (permissions) and keep their code for the log.
func classify(e *meta.Error) (followup.SendErrorClass, bool) {
	switch {
	case e.Code == 10 && e.Subcode == 2534022:
		return followup.WindowClosed, true
	case e.Code == 551:
		// 551/1545041: the user is unavailable (blocked or deactivated).
		return followup.RecipientGone, true
	}
	return "", false
}
