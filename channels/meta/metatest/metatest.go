// Package metatest is what the fakes of Meta's messaging products
// (whatsapptest, messengertest, instagramtest) share: the Graph API's
// error envelope, its token and path checks, the fake Send API Messenger
// and Instagram both answer with (Messaging), and webhook requests signed
// with X-Hub-Signature-256.
package metatest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/fake"
	"github.com/followup-dev/followup/channels/meta"
)

// Fake is the channels.Fake of one Meta product's fake, as its driver
// pairs it (channels/all): start starts it and urlVar points the product
// at it, with the credentials in env and the app's webhook secrets
// (appSecret signs its webhooks); prepare, when not nil, gives the
// running fake's Prepare; a customer's message is the webhook of the
// body that body makes of it, signed like Meta's.
func Fake[S interface {
	URL() string
	Close()
}](start func() S, urlVar string, env map[string]string, appSecret, verifyToken string,
	prepare func(S) channels.Prepare, body func(in channels.Inbound) []byte) channels.Fake {
	e := map[string]string{meta.AppSecretVar: appSecret, meta.VerifyTokenVar: verifyToken}
	maps.Copy(e, env)
	return channels.Fake{
		Start:  channels.Serve(start, urlVar, e, prepare),
		Secret: appSecret,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			return meta.Post(t, body(in))
		},
	}
}

// Request is one request a fake received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Query  map[string][]string
	Raw    []byte
	// Body is the JSON body decoded into maps, for assertions.
	Body map[string]any
}

// Read records r as the Graph API would see it: at most 1 MiB of body.
func Read(r *http.Request) Request {
	raw := fake.Body(r, 1<<20)
	rec := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Query: r.URL.Query(), Raw: raw}
	_ = json.Unmarshal(raw, &rec.Body)
	return rec
}

// Node is the node of a POST to /v{N}/{node}/messages ("" for any
// other request).
func Node(r *http.Request) string {
	if m := pathRE.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodPost {
		return m[1]
	}
	return ""
}

var pathRE = regexp.MustCompile(`^/v[0-9]+\.[0-9]+/([^/]+)/messages$`)

// Token is the access token of a Graph request: the Authorization bearer
// token, or the access_token parameter without that header.
func Token(r *http.Request) string {
	if r.Header.Get("Authorization") != "" {
		return fake.Bearer(r)
	}
	return r.URL.Query().Get("access_token")
}

// WriteError answers the Graph error envelope with status.
func WriteError(w http.ResponseWriter, status int, e meta.Error) {
	fake.JSON(w, status, meta.Envelope{Error: &e})
}

// Error is a Graph error with a code, a subcode and a message.
func Error(code, subcode int, message string) meta.Error {
	return meta.Error{Message: message, Code: code, Subcode: subcode}
}

// Signed encodes payload and builds a POST to target signed with
// appSecret, as Meta signs every webhook.
func Signed(target, appSecret string, payload any) *http.Request {
	return SignedRaw(target, appSecret, fake.Marshal(payload))
}

// SignedRaw builds a POST of body to target signed with appSecret.
func SignedRaw(target, appSecret string, body []byte) *http.Request {
	return fake.Post(target, body, "Content-Type", "application/json", meta.SignatureHeader, meta.Sign(appSecret, body))
}

// Event is one entry of a Messenger Platform webhook's "messaging": kind
// ("message", "delivery", "read", …) is v, from sender to recipient.
func Event(sender, recipient string, at time.Time, kind string, v any) map[string]any {
	return map[string]any{
		"sender": map[string]string{"id": sender}, "recipient": map[string]string{"id": recipient},
		"timestamp": at.UnixMilli(), kind: v,
	}
}

// Payload is a Messenger Platform webhook body: object ("page",
// "instagram") and one entry of account id with the events.
func Payload(object, account string, events ...map[string]any) map[string]any {
	return map[string]any{"object": object, "entry": []any{map[string]any{
		"id": account, "time": time.Now().UnixMilli(), "messaging": events,
	}}}
}

// Outcome is what the fake Send API answers for one recipient.
type Outcome int

// Outcomes, each with the Send API's real code and subcode.
const (
	// OK accepts the message.
	OK Outcome = iota
	// WindowClosed answers code 10 with the product's window subcode
	// (Messenger 2018278, Instagram 2534022).
	WindowClosed
	// Blocked answers 551/1545041 "This person isn't available right now".
	Blocked
	// UnknownUser answers 100 with the product's subcode (Messenger
	// 2018001 "No matching user found", Instagram 2534014).
	UnknownUser
	// TagRejected answers 100 "Invalid parameter" for a tagged message,
	// as 2026 reports say Meta does for ACCOUNT_UPDATE-style tags.
	TagRejected
	// PageRestricted answers 10/1893063 (Page temporarily restricted).
	PageRestricted
	// RateLimited answers 613 (calls exceeded the rate limit), HTTP 400.
	RateLimited
	// TooManyRequests answers HTTP 429 code 4 with Retry-After.
	TooManyRequests
	// ServerError answers 500 code 2 ("An unexpected error has occurred").
	ServerError
	// TokenExpired answers 190.
	TokenExpired
)

// Product is what one Messenger Platform product's Send API checks and
// answers.
type Product struct {
	// Token and AccountID are the credentials and node it accepts (and
	// "me").
	Token, AccountID string
	// Tags are the message tags it takes; TagError refuses the others.
	Tags     []string
	TagError string
	// TypeOptional: a plain reply may leave messaging_type out (Instagram).
	TypeOptional bool
	// MaxText is the longest text, in characters.
	MaxText int
	// WindowSubcode, UnknownUser and MessageID are its window code-10
	// subcode, its "no such user" error and its message ids' prefix.
	WindowSubcode   int
	UnknownUser     meta.Error
	MessageIDPrefix string
	// RetryAfterSeconds is the Retry-After sent with HTTP 429.
	RetryAfterSeconds int
}

// Accepted is a message the fake accepted.
type Accepted struct {
	MessageID, To, MessagingType, Tag, Text string
}

// Messaging is a fake Send API of one product: it checks send requests
// the way the Send API does (token, messaging_type, tag rules, text
// length, the 24 h / 7 day windows), answers with its success and Graph
// error shapes, and lets a test choose per-recipient outcomes.
//
// LastInbound records when a user last wrote: untagged messages more than
// 24 h later and HUMAN_AGENT messages more than 7 days later are refused
// with the product's window error. Without it the user counts as inside
// the window.
type Messaging struct {
	fake.Provider[Request]
	fake.Script[Outcome]
	fake.Window
	product Product

	accepted  fake.Log[Accepted]
	errStatus fake.Setting[int]
}

// NewMessaging starts a fake Send API of product.
func NewMessaging(p Product) *Messaging {
	s := &Messaging{product: p}
	s.errStatus.Set(http.StatusBadRequest)
	s.Start(http.HandlerFunc(s.serve))
	return s
}

// SetErrorStatus sets the HTTP status of 4xx Graph errors (400 by
// default): Graph answers 400 in practice, while Meta's tables list 403
// for code 10 and 401 for 190, and the adapter must key on the code.
func (s *Messaging) SetErrorStatus(status int) { s.errStatus.Set(status) }

// Accepted returns the messages accepted, in order.
func (s *Messaging) Accepted() []Accepted { return s.accepted.All() }

// graphError answers e with status, or the configured 4xx status when
// status is 0.
func (s *Messaging) graphError(w http.ResponseWriter, status, code, subcode int, msg string) {
	if status == 0 {
		status = s.errStatus.Get()
	}
	WriteError(w, status, meta.Error{Message: msg, Type: "OAuthException", Code: code, Subcode: subcode, FBTraceID: "BLBz/fake" + strconv.Itoa(code)})
}

type sendRequest struct {
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	MessagingType string `json:"messaging_type"`
	Tag           string `json:"tag"`
	Message       *struct {
		Text string `json:"text"`
	} `json:"message"`
}

func (s *Messaging) serve(w http.ResponseWriter, r *http.Request) {
	rec := Read(r)
	s.Record(rec)
	p := s.product
	node := Node(r)
	switch {
	case node == "":
		s.graphError(w, 0, 100, 33, "Unsupported "+r.Method+" request.")
		return
	case Token(r) != p.Token:
		s.graphError(w, http.StatusUnauthorized, 190, 0, "Invalid OAuth access token - Cannot parse access token")
		return
	case node != "me" && node != p.AccountID:
		s.graphError(w, 0, 100, 33, "Unsupported post request. Object with ID '"+node+"' does not exist")
		return
	}
	var req sendRequest
	if err := json.Unmarshal(rec.Raw, &req); err != nil {
		s.graphError(w, 0, 100, 0, "(#100) Invalid JSON: "+err.Error())
		return
	}
	if msg := s.check(req); msg != "" {
		s.graphError(w, 0, 100, 0, msg)
		return
	}
	if s.refuse(w, req) {
		return
	}
	a := s.accepted.Numbered(func(n int) Accepted {
		return Accepted{MessageID: fmt.Sprintf("%s%04d", p.MessageIDPrefix, n),
			To: req.Recipient.ID, MessagingType: req.MessagingType, Tag: req.Tag, Text: req.Message.Text}
	})
	fake.JSON(w, http.StatusOK, map[string]string{"recipient_id": a.To, "message_id": a.MessageID})
}

// check is the Send API's refusal of a malformed request ("" when it is
// well formed).
func (s *Messaging) check(req sendRequest) string {
	p := s.product
	typ, tag := req.MessagingType, req.Tag
	switch {
	case req.Recipient.ID == "":
		return "(#100) The parameter recipient is required"
	case typ != "RESPONSE" && typ != "UPDATE" && typ != "MESSAGE_TAG" && !(typ == "" && p.TypeOptional):
		return "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}"
	case typ == "MESSAGE_TAG" && tag == "":
		return "(#100) Tag is required for MESSAGE_TAG messaging type"
	case typ != "MESSAGE_TAG" && tag != "":
		return "(#100) Tag can only be used with MESSAGE_TAG messaging type"
	case tag != "" && !slices.Contains(p.Tags, tag):
		return p.TagError
	case req.Message == nil || req.Message.Text == "":
		return "(#100) The parameter message is required"
	case len([]rune(req.Message.Text)) > p.MaxText:
		return "(#100) Length of param message[text] must be less than or equal to " + strconv.Itoa(p.MaxText)
	}
	return ""
}

// refusal is the answer of a failing outcome; status 0 is the configured
// 4xx one.
type refusal struct {
	status int
	err    meta.Error
}

// refusals are the Send API's answers the products share.
var refusals = map[Outcome]refusal{
	Blocked:         {0, Error(551, 1545041, "This person isn't available right now.")},
	TagRejected:     {0, Error(100, 0, "(#100) Invalid parameter")},
	PageRestricted:  {0, Error(10, 1893063, "(#10) This Page is temporarily restricted from sending messages.")},
	RateLimited:     {0, Error(613, 0, "(#613) Calls to this api have exceeded the rate limit.")},
	TooManyRequests: {http.StatusTooManyRequests, Error(4, 0, "(#4) Application request limit reached")},
	ServerError:     {http.StatusInternalServerError, Error(2, 0, "An unexpected error has occurred. Please retry your request later.")},
	TokenExpired:    {http.StatusUnauthorized, Error(190, 463, "Error validating access token: Session has expired.")},
}

// refuse answers the outcome scripted for the recipient, or the window
// error when the recipient's window has closed; false when the message
// is to be accepted.
func (s *Messaging) refuse(w http.ResponseWriter, req sendRequest) bool {
	p := s.product
	outcome, _ := s.Next(req.Recipient.ID)
	if age, known := s.Since(req.Recipient.ID); outcome == OK && known {
		// Standard window 24 h; HUMAN_AGENT 7 days; Messenger's other
		// tags are not bound to the window, Instagram has none.
		if (req.Tag == "" && age > 24*time.Hour) || (req.Tag == "HUMAN_AGENT" && age > 7*24*time.Hour) {
			outcome = WindowClosed
		}
	}
	if outcome == TagRejected && req.Tag == "" {
		return false
	}
	e, ok := refusals[outcome]
	switch {
	case outcome == WindowClosed:
		e = refusal{0, meta.Error{Code: 10, Subcode: p.WindowSubcode, Message: "(#10) This message is sent outside of allowed window."}}
	case outcome == UnknownUser:
		e = refusal{0, p.UnknownUser}
	case !ok:
		return false
	}
	if outcome == TooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(p.RetryAfterSeconds))
	}
	s.graphError(w, e.status, e.err.Code, e.err.Subcode, e.err.Message)
	return true
}
