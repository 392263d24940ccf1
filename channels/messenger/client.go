// Package messenger sends follow-ups through the Messenger Send API and
// reads Messenger Platform webhooks (messages, deliveries, reads).
package messenger

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

// Messaging types of the Send API.
const (
	// Response is a reply to a user's message inside the 24 h window.
	Response = "RESPONSE"
	// Update is a proactive message inside the 24 h window.
	Update = "UPDATE"
	// MessageTag is a message outside the window; it needs a tag.
	MessageTag = "MESSAGE_TAG"
)

// Config names the Page messages are sent from.
type Config struct {
	// BaseURL is the Graph API host; empty means https://graph.facebook.com.
	BaseURL string
	// APIVersion is the Graph version path segment; empty means meta.DefaultVersion.
	APIVersion string
	// PageID is the Page's id; empty means /me/messages, which the Page
	// access token identifies.
	PageID string
	// PageToken is a Page access token with pages_messaging.
	PageToken string
	// FreeText is the messaging_type of free text inside the window:
	// Update (the default: a follow-up after a closed conversation is
	// proactive, "not a direct reply") or Response.
	FreeText string
}

// Client sends messages as one Page.
type Client struct {
	api      *meta.Client
	freeText string
}

// New checks cfg and returns a client; hc nil means a client with a 30 s
// timeout.
func New(cfg Config, hc *http.Client) (*Client, error) {
	if err := channels.Missing("messenger", "page access token", cfg.PageToken); err != nil {
		return nil, err
	}
	switch cfg.FreeText {
	case "":
		cfg.FreeText = Update
	case Update, Response:
	default:
		return nil, fmt.Errorf("messenger: free-text messaging type %q is not RESPONSE or UPDATE", cfg.FreeText)
	}
	// An empty PageID is /me/messages, which the Page access token identifies.
	page := cmp.Or(cfg.PageID, "me")
	return &Client{api: meta.NewClient("messenger", cfg.BaseURL, cfg.APIVersion, page, cfg.PageToken, hc), freeText: cfg.FreeText}, nil
}

// Send sends free text inside the 24 h standard window (RESPONSE or
// UPDATE), a person's text with the HUMAN_AGENT tag up to 7 days after the
// customer's last message, or text with a non-promotional tag the agent
// picked (MESSAGE_TAG). The id returned is the message_id.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if m.To == "" {
		return channels.Sent{}, provider.Permanent("no_recipient", "the contact has no Messenger id")
	}
	req := meta.MessagingRequest{Recipient: meta.Party{ID: m.To}, Message: meta.SendMessage{Text: m.Text, Metadata: m.IdempotencyKey}}
	switch m.Mode {
	case followup.ModeFreeText:
		req.MessagingType = c.freeText
	case followup.ModeHumanAgent:
		// Messenger policy: HUMAN_AGENT is for a person's reply within 7
		// days of the user's message, whatever tag the caller carried.
		req.MessagingType, req.Tag = MessageTag, string(followup.TagHumanAgent)
	case followup.ModeMessageTag:
		switch m.Tag {
		case followup.TagAccountUpdate, followup.TagConfirmedEventUpdate, followup.TagPostPurchaseUpdate, followup.TagHumanAgent:
		default:
			return channels.Sent{}, provider.Permanent("invalid_tag", fmt.Sprintf("Messenger has no message tag %q", m.Tag))
		}
		req.MessagingType, req.Tag = MessageTag, string(m.Tag)
	default:
		return channels.Sent{}, provider.Permanent("unsupported_mode", fmt.Sprintf("Messenger cannot send a %s message", m.Mode))
	}
	own := classify
	if req.Tag != "" && req.Tag != string(followup.TagHumanAgent) {
		own = classifyTagged
	}
	return c.api.Message(ctx, req, own)
}

// classify owns the Messenger codes (Messenger Platform error codes).
func classify(e *meta.Error) (followup.SendErrorClass, bool) {
	switch {
	case e.Code == 10 && (e.Subcode == 2018278 || e.Subcode == 2018065):
		// "(#10) This message is sent outside of allowed window": 24 h,
		// or 7 days with HUMAN_AGENT. 2018065 is the pre-2020 variant.
		return followup.WindowClosed, true
	case e.Code == 551:
		// 551/1545041 "This person isn't available right now": blocked
		// the Page or deactivated.
		return followup.RecipientGone, true
	}
	return "", false
}

// classifyTagged is classify for a message with an agent-picked tag. Meta
// has been reported to reject ACCOUNT_UPDATE-style tags with "(#100)
// Invalid parameter"; the product treats that like a closed window
// (PRODUCT.md §2), except for a PSID that matches no user (100/2018001).
func classifyTagged(e *meta.Error) (followup.SendErrorClass, bool) {
	if c, ok := classify(e); ok {
		return c, true
	}
	if e.Code == 100 && e.Subcode != 2018001 {
		return followup.WindowClosed, true
	}
	return "", false
}
