// Package twilio sends follow-ups as SMS through Twilio Programmable
// Messaging and reads its status callbacks and inbound-message webhooks
// (channels.md §6.3).
package twilio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/provider"
)

// DefaultBaseURL is Twilio's REST API; the client posts to
// {BaseURL}/2010-04-01/Accounts/{AccountSID}/Messages.json.
const DefaultBaseURL = "https://api.twilio.com"

// Config is what the client needs to send as one Twilio account.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL.
	BaseURL string
	// AccountSID ("AC…") and AuthToken authenticate with HTTP Basic auth.
	AccountSID string
	AuthToken  string
	// From is the sending number (E.164); MessagingServiceSID ("MG…")
	// sends from a Messaging Service instead. One of them is required.
	From                string
	MessagingServiceSID string
	// StatusCallback is the public URL Twilio posts delivery statuses to
	// (FOLLOWUP_PUBLIC_URL + "/webhooks/sms"); empty sends none. Each
	// message's callback URL carries our reference for it in RefParam,
	// which Twilio signs with the rest of the URL.
	StatusCallback string
}

// RefParam is the query parameter of a message's StatusCallback URL that
// carries our reference for it (channels.StatusRef of its idempotency
// key): Twilio's Messages API takes no reference of ours, but calls back
// the URL it was given, so a status callback still finds a message whose
// answer, and so its sid, was lost.
const RefParam = "ref"

// Client sends SMS through one Twilio account.
type Client struct {
	cfg Config
	api provider.API
}

// New checks cfg and returns a client using hc (http.DefaultClient when nil).
func New(cfg Config, hc *http.Client) (*Client, error) {
	if err := channels.Missing("twilio", "account SID", cfg.AccountSID, "auth token", cfg.AuthToken,
		"From number or messaging service SID", cfg.From+cfg.MessagingServiceSID); err != nil {
		return nil, err
	}
	if cfg.StatusCallback != "" {
		u, err := url.Parse(cfg.StatusCallback)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("twilio: status callback %q is not an absolute http(s) URL", cfg.StatusCallback)
		}
	}
	return &Client{cfg: cfg, api: provider.NewAPI(cfg.BaseURL, DefaultBaseURL, hc)}, nil
}

// APIError is Twilio's REST error body.
type APIError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// Send posts m as an SMS. SMS has no messaging window (consent and STOP
// instead) and no templates here, so only free text is accepted. Twilio's
// Messages API takes no idempotency key, so a retry after a lost answer
// can send twice; the activity's own idempotency record keeps that to the
// rare lost-response case, and the message's status callback (when
// StatusCallback is configured) names it by our reference, which confirms
// it.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if se := provider.FreeText(m, "SMS", "phone number", "an SMS needs a body"); se != nil {
		return channels.Sent{}, se
	}
	form := url.Values{"To": {m.To}, "Body": {m.Text}}
	if c.cfg.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", c.cfg.MessagingServiceSID)
	} else {
		form.Set("From", c.cfg.From)
	}
	if c.cfg.StatusCallback != "" {
		form.Set("StatusCallback", c.statusCallback(m.IdempotencyKey))
	}
	h := provider.Basic(c.cfg.AccountSID, c.cfg.AuthToken)
	h.Set("Accept", "application/json")
	a, err := c.api.Do(ctx, provider.Request{URL: "/2010-04-01/Accounts/" + url.PathEscape(c.cfg.AccountSID) + "/Messages.json",
		Header: h, Form: form})
	if err != nil {
		return channels.Sent{}, fmt.Errorf("twilio: create message: %w", err)
	}
	if a.StatusCode == http.StatusCreated || a.StatusCode == http.StatusOK {
		var msg struct {
			SID    string `json:"sid"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(a.Body, &msg); err != nil || msg.SID == "" {
			return channels.Sent{}, fmt.Errorf("twilio: create message answered %d without a sid: %.200s", a.StatusCode, a.Body)
		}
		return channels.Sent{ProviderID: msg.SID}, nil
	}
	var e APIError
	if json.Unmarshal(a.Body, &e) != nil || e.Code == 0 {
		e = APIError{Message: "Twilio answered " + a.Status}
	}
	se := Classify(e.Code, e.Message, a.StatusCode)
	return channels.Sent{}, a.Refused(se.Class, se.Code, se.Message)
}

// statusCallback is the configured callback URL with the message's
// reference in RefParam (none without a key).
func (c *Client) statusCallback(key string) string {
	ref := channels.StatusRef(key)
	if ref == "" {
		return c.cfg.StatusCallback
	}
	u, _ := url.Parse(c.cfg.StatusCallback) // checked by New
	q := u.Query()
	q.Set(RefParam, ref)
	u.RawQuery = q.Encode()
	return u.String()
}

// Classify maps a Twilio error code (0 when there was none) and the HTTP
// status it came with (0 for an asynchronous failure) to a SendError.
func Classify(code int, message string, httpStatus int) *followup.SendError {
	se := &followup.SendError{Code: strconv.Itoa(code), Message: message}
	if code == 0 {
		se.Code = strconv.Itoa(httpStatus)
	}
	if se.Message == "" {
		se.Message = describe(code)
	}
	switch {
	case code == 21610 || code == 30004:
		// 21610: the recipient replied STOP; Twilio refuses until they send
		// START. 30004: the handset or carrier blocks our messages.
		se.Class = followup.RecipientGone
	case code == 63016:
		// WhatsApp over Twilio outside the 24 h window (channels.md §6.3).
		se.Class = followup.WindowClosed
	case code == 20429 || httpStatus == http.StatusTooManyRequests ||
		code == 30001 || code == 30017 || code == 20500 || code == 20503 || httpStatus >= 500:
		// Rate limits, queue overflow, carrier congestion, Twilio errors.
		se.Class = followup.Retryable
	default:
		// 21211/21614/21612 invalid or non-mobile number, 21408 region not
		// enabled, 21608 trial-unverified, 20003 auth, 3000x undeliverable.
		se.Class = followup.Permanent
	}
	return se
}

// describe names the codes a status callback reports without a message.
func describe(code int) string {
	switch code {
	case 21610:
		return "Attempt to send to unsubscribed recipient"
	case 30001:
		return "Queue overflow"
	case 30002:
		return "Account suspended"
	case 30003:
		return "Unreachable destination handset"
	case 30004:
		return "Message blocked"
	case 30005:
		return "Unknown destination handset"
	case 30006:
		return "Landline or unreachable carrier"
	case 30007:
		return "Message filtered by the carrier"
	case 30008:
		return "Unknown error"
	case 30017:
		return "Carrier network congestion"
	case 63016:
		return "Failed to send freeform message because you are outside the allowed window"
	}
	return "Twilio error " + strconv.Itoa(code)
}
