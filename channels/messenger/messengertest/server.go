// Package messengertest is a fake Messenger Send API for tests and the dev
// sandbox: it checks send requests the way the Send API does (token,
// messaging_type, tag rules, the 24 h / 7 day windows), answers with its
// success and Graph error shapes, lets a test choose per-recipient
// outcomes, and builds correctly signed webhook requests.
package messengertest

import (
	"net/http"
	"time"

	"github.com/followup-dev/followup/channels/fake"
	"github.com/followup-dev/followup/channels/meta/metatest"
)

// Credentials the fake accepts; configure the client and webhook with them.
const (
	PageToken   = "messengertest-page-token"
	PageID      = "109876543210987"
	AppSecret   = "messengertest-app-secret"
	VerifyToken = "messengertest-verify-token"
	// RetryAfterSeconds is the Retry-After the fake sends with HTTP 429.
	RetryAfterSeconds = 11
)

// Server is the fake Send API; FailFor, LastInbound (by PSID), SetNow,
// SetErrorStatus, Requests and Accepted are metatest.Messaging's, and
// FailFor takes metatest's outcomes (WindowClosed answers 10/2018278,
// UnknownUser 100/2018001).
type Server struct {
	*metatest.Messaging
}

// New starts a fake.
func New() *Server {
	return &Server{metatest.NewMessaging(metatest.Product{
		Token: PageToken, AccountID: PageID,
		Tags:     []string{"HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"},
		TagError: "(#100) Param tag must be one of {HUMAN_AGENT, ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE}",
		MaxText:  2000, WindowSubcode: 2018278, MessageIDPrefix: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_fake",
		UnknownUser:       metatest.Error(100, 2018001, "(#100) No matching user found"),
		RetryAfterSeconds: RetryAfterSeconds,
	})}
}

// Inbound is a customer's message for SignedMessage.
type Inbound struct {
	PSID, Mid, Text string
	At              time.Time
}

func event(psid string, at time.Time, kind string, v any) map[string]any {
	return metatest.Event(psid, PageID, at, kind, v)
}

func page(events ...map[string]any) map[string]any {
	return metatest.Payload("page", PageID, events...)
}

// SignedMessage builds the webhook POST to target that Meta sends when a
// user writes to the Page, signed with AppSecret.
func (s *Server) SignedMessage(target string, m Inbound) *http.Request {
	return SignedRaw(target, MessageBody(m))
}

// MessageBody is the JSON Meta posts when a user writes m; sign it with
// meta.Sign.
func MessageBody(m Inbound) []byte {
	return fake.Marshal(page(event(m.PSID, m.At, "message", map[string]string{"mid": m.Mid, "text": m.Text})))
}

// SignedDelivery builds a message_deliveries webhook; mids may be empty,
// as Meta allows, leaving only the watermark.
func (s *Server) SignedDelivery(target, psid string, mids []string, watermark time.Time) *http.Request {
	d := map[string]any{"watermark": watermark.UnixMilli()}
	if len(mids) > 0 {
		d["mids"] = mids
	}
	return Signed(target, page(event(psid, watermark, "delivery", d)))
}

// SignedRead builds a message_reads webhook with its watermark.
func (s *Server) SignedRead(target, psid string, watermark time.Time) *http.Request {
	return Signed(target, page(event(psid, watermark, "read", map[string]any{"watermark": watermark.UnixMilli()})))
}

// Signed encodes payload and builds a POST to target signed with
// AppSecret, as Meta signs every webhook.
func Signed(target string, payload any) *http.Request {
	return metatest.Signed(target, AppSecret, payload)
}

// SignedRaw builds a POST of body to target signed with AppSecret.
func SignedRaw(target string, body []byte) *http.Request {
	return metatest.SignedRaw(target, AppSecret, body)
}
