// Package instagram sends follow-ups through the Instagram Messaging API
// (Messenger Platform send API for Instagram professional accounts) and
// reads its webhooks.
package instagram

import (
	"cmp"
	"context"
	"fmt"
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
	"github.com/followup-dev/followup/channels/provider"
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
	api *meta.Client
}

// New checks cfg and returns a client; hc nil means a client with a 30 s
// timeout.
func New(cfg Config, hc *http.Client) (*Client, error) {
	if err := channels.Missing("instagram", "access token", cfg.Token); err != nil {
		return nil, err
	}
	return &Client{api: meta.NewClient("instagram", cfg.BaseURL, cfg.APIVersion, cmp.Or(cfg.AccountID, "me"), cfg.Token, hc)}, nil
}

// Send sends free text inside the 24 h window, or a person's text with the
// HUMAN_AGENT tag up to 7 days after the customer's last message. Instagram
// supports no other tag ("not available for Instagram Messaging API"), so
// any other mode is refused without a request. The Instagram send API has
// no idempotency key or echoed metadata field, so the key is not sent.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if m.To == "" {
		return channels.Sent{}, provider.Permanent("no_recipient", "the contact has no Instagram id")
	}
	req := meta.MessagingRequest{Recipient: meta.Party{ID: m.To}, Message: meta.SendMessage{Text: m.Text}}
	switch {
	case m.Mode == followup.ModeFreeText:
		// Meta's example body has no messaging_type for a plain reply.
	case m.Mode == followup.ModeHumanAgent, m.Mode == followup.ModeMessageTag && m.Tag == followup.TagHumanAgent:
		req.MessagingType, req.Tag = "MESSAGE_TAG", string(followup.TagHumanAgent)
	default:
		return channels.Sent{}, provider.Permanent("unsupported_mode",
			fmt.Sprintf("Instagram cannot send a %s message (only free text and HUMAN_AGENT)", describe(m)))
	}
	return c.api.Message(ctx, req, classify)
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
