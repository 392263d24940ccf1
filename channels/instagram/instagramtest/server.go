// Package instagramtest is a fake Instagram Messaging API for tests and the
// dev sandbox: it checks send requests the way the API does (token, only
// the HUMAN_AGENT tag, 1000-character text, the 24 h / 7 day windows),
// answers with its success and Graph error shapes, lets a test choose
// per-recipient outcomes, and builds correctly signed webhook requests.
package instagramtest

import (
	"net/http"
	"time"

	"github.com/followup-dev/followup/channels/fake"
	"github.com/followup-dev/followup/channels/meta/metatest"
)

// Credentials the fake accepts; configure the client and webhook with them.
const (
	Token       = "instagramtest-token"
	AccountID   = "17841400000000000"
	AppSecret   = "instagramtest-app-secret"
	VerifyToken = "instagramtest-verify-token"
	// RetryAfterSeconds is the Retry-After the fake sends with HTTP 429.
	RetryAfterSeconds = 11
)

// Server is the fake Instagram Messaging API; FailFor, LastInbound (by
// IGSID), SetNow, SetErrorStatus, Requests and Accepted are
// metatest.Messaging's, and FailFor takes metatest's outcomes
// (WindowClosed answers 10/2534022, UnknownUser 100/2534014).
type Server struct {
	*metatest.Messaging
}

// New starts a fake.
func New() *Server {
	return &Server{metatest.NewMessaging(metatest.Product{
		Token: Token, AccountID: AccountID,
		// Only HUMAN_AGENT exists for Instagram; the other Messenger tags
		// are "not available for Instagram Messaging API".
		Tags: []string{"HUMAN_AGENT"}, TagError: "(#100) Param tag must be HUMAN_AGENT for Instagram messaging",
		TypeOptional: true, MaxText: 1000, WindowSubcode: 2534022, MessageIDPrefix: "aWdfZAG1faXRlbTpJR01lc3NhZA_fake",
		UnknownUser:       metatest.Error(100, 2534014, "(#100) The user cannot be found"),
		RetryAfterSeconds: RetryAfterSeconds,
	})}
}

// Inbound is a customer's message for SignedMessage.
type Inbound struct {
	IGSID, Mid, Text string
	At               time.Time
}

func account(events ...map[string]any) map[string]any {
	return metatest.Payload("instagram", AccountID, events...)
}

// SignedMessage builds the webhook POST to target that Meta sends when a
// user writes to the account, signed with AppSecret.
func (s *Server) SignedMessage(target string, m Inbound) *http.Request {
	return SignedRaw(target, MessageBody(m))
}

// MessageBody is the JSON Meta posts when a user writes m; sign it with
// meta.Sign.
func MessageBody(m Inbound) []byte {
	return fake.Marshal(account(metatest.Event(m.IGSID, AccountID, m.At, "message", map[string]string{"mid": m.Mid, "text": m.Text})))
}

// SignedEcho builds the echo Instagram sends of our own message (in the
// messages field, is_echo true).
func (s *Server) SignedEcho(target, igsid, mid, text string, at time.Time) *http.Request {
	return Signed(target, account(metatest.Event(AccountID, igsid, at, "message", map[string]any{"mid": mid, "text": text, "is_echo": true})))
}

// SignedSeen builds a messaging_seen webhook: the user read message mid.
func (s *Server) SignedSeen(target, igsid, mid string, at time.Time) *http.Request {
	return Signed(target, account(metatest.Event(igsid, AccountID, at, "read", map[string]string{"mid": mid})))
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
