// Package instagramtest is a fake Instagram Messaging API for tests and the
// dev sandbox: it checks send requests the way the API does (token, only
// the HUMAN_AGENT tag, 1000-character text, the 24 h / 7 day windows),
// answers with its success and Graph error shapes, lets a test choose
// per-recipient outcomes, and builds correctly signed webhook requests.
package instagramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/followup-dev/followup/channels/meta"
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

// Outcome is what the fake answers for one recipient.
type Outcome int

// Outcomes, each with the Send API's real code and subcode.
const (
	// OK accepts the message.
	OK Outcome = iota
	// WindowClosed answers 10/2534022 (outside the allowed window).
	WindowClosed
	// Blocked answers 551/1545041 "This person isn't available right now".
	Blocked
	// UnknownUser answers 100/2534014 (user cannot be found).
	UnknownUser
	// RateLimited answers 613 (calls exceeded the rate limit), HTTP 400.
	RateLimited
	// TooManyRequests answers HTTP 429 code 4 with Retry-After.
	TooManyRequests
	// ServerError answers 500 code 2 ("An unexpected error has occurred").
	ServerError
	// TokenExpired answers 190.
	TokenExpired
)

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Query  map[string][]string
	Raw    []byte
	// Body is the JSON body decoded into maps, for assertions.
	Body map[string]any
}

// Accepted is a message the fake accepted.
type Accepted struct {
	MessageID, To, MessagingType, Tag, Text string
}

// Server is the fake Instagram Messaging API.
type Server struct {
	srv *httptest.Server

	mu          sync.Mutex
	requests    []Request
	accepted    []Accepted
	outcomes    map[string]Outcome
	lastInbound map[string]time.Time
	errStatus   int
	now         func() time.Time
}

// New starts a fake.
func New() *Server {
	s := &Server{outcomes: map[string]Outcome{}, lastInbound: map[string]time.Time{}, errStatus: http.StatusBadRequest, now: time.Now}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the fake's base URL (Config.BaseURL).
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// FailFor makes every send to the IGSID answer with o (OK clears it).
func (s *Server) FailFor(igsid string, o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcomes[igsid] = o
}

// LastInbound records when the IGSID last wrote: untagged messages more
// than 24 h later and HUMAN_AGENT messages more than 7 days later are
// refused with 10/2534022. Without it the user counts as inside the window.
func (s *Server) LastInbound(igsid string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastInbound[igsid] = at
}

// SetNow replaces the fake's clock.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetErrorStatus sets the HTTP status of 4xx Graph errors (400 by
// default): Graph answers 400 in practice, while Meta's tables list 403
// for code 10 and 401 for 190, and the adapter must key on the code.
func (s *Server) SetErrorStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errStatus = status
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Accepted returns the messages accepted, in order.
func (s *Server) Accepted() []Accepted {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Accepted(nil), s.accepted...)
}

var pathRE = regexp.MustCompile(`^/v[0-9]+\.[0-9]+/([^/]+)/messages$`)

func (s *Server) graphError(w http.ResponseWriter, status, code, subcode int, msg string) {
	if status == 0 {
		s.mu.Lock()
		status = s.errStatus
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(meta.Envelope{Error: &meta.Error{
		Message: msg, Type: "OAuthException", Code: code, Subcode: subcode, FBTraceID: "BLBz/fake" + strconv.Itoa(code),
	}})
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

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Query: r.URL.Query(), Raw: raw}
	_ = json.Unmarshal(raw, &rec.Body)
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()

	m := pathRE.FindStringSubmatch(r.URL.Path)
	token := r.URL.Query().Get("access_token")
	if h := r.Header.Get("Authorization"); h != "" {
		token, _ = strings.CutPrefix(h, "Bearer ")
		if token == h {
			token = ""
		}
	}
	switch {
	case r.Method != http.MethodPost || m == nil:
		s.graphError(w, 0, 100, 33, "Unsupported "+r.Method+" request.")
		return
	case token != Token:
		s.graphError(w, http.StatusUnauthorized, 190, 0, "Invalid OAuth access token - Cannot parse access token")
		return
	case m[1] != "me" && m[1] != AccountID:
		s.graphError(w, 0, 100, 33, "Unsupported post request. Object with ID '"+m[1]+"' does not exist")
		return
	}
	var req sendRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		s.graphError(w, 0, 100, 0, "(#100) Invalid JSON: "+err.Error())
		return
	}
	switch {
	case req.Recipient.ID == "":
		s.graphError(w, 0, 100, 0, "(#100) The parameter recipient is required")
		return
	case req.MessagingType != "" && req.MessagingType != "RESPONSE" && req.MessagingType != "UPDATE" && req.MessagingType != "MESSAGE_TAG":
		s.graphError(w, 0, 100, 0, "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
		return
	case req.MessagingType == "MESSAGE_TAG" && req.Tag == "":
		s.graphError(w, 0, 100, 0, "(#100) Tag is required for MESSAGE_TAG messaging type")
		return
	case req.MessagingType != "MESSAGE_TAG" && req.Tag != "":
		s.graphError(w, 0, 100, 0, "(#100) Tag can only be used with MESSAGE_TAG messaging type")
		return
	case req.Tag != "" && req.Tag != "HUMAN_AGENT":
		// Only HUMAN_AGENT exists for Instagram; the other Messenger tags
		// are "not available for Instagram Messaging API".
		s.graphError(w, 0, 100, 0, "(#100) Param tag must be HUMAN_AGENT for Instagram messaging")
		return
	case req.Message == nil || req.Message.Text == "":
		s.graphError(w, 0, 100, 0, "(#100) The parameter message is required")
		return
	case len([]rune(req.Message.Text)) > 1000:
		s.graphError(w, 0, 100, 0, "(#100) Length of param message[text] must be less than or equal to 1000")
		return
	}

	s.mu.Lock()
	outcome := s.outcomes[req.Recipient.ID]
	last, known := s.lastInbound[req.Recipient.ID]
	now := s.now()
	s.mu.Unlock()
	if outcome == OK && known {
		age := now.Sub(last)
		// Standard window 24 h; HUMAN_AGENT 7 days; after that nothing.
		if (req.Tag == "" && age > 24*time.Hour) || (req.Tag == "HUMAN_AGENT" && age > 7*24*time.Hour) {
			outcome = WindowClosed
		}
	}
	switch outcome {
	case WindowClosed:
		s.graphError(w, 0, 10, 2534022, "(#10) This message is sent outside of allowed window.")
		return
	case Blocked:
		s.graphError(w, 0, 551, 1545041, "This person isn't available right now.")
		return
	case UnknownUser:
		s.graphError(w, 0, 100, 2534014, "(#100) The user cannot be found")
		return
	case RateLimited:
		s.graphError(w, 0, 613, 0, "(#613) Calls to this api have exceeded the rate limit.")
		return
	case TooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		s.graphError(w, http.StatusTooManyRequests, 4, 0, "(#4) Application request limit reached")
		return
	case ServerError:
		s.graphError(w, http.StatusInternalServerError, 2, 0, "An unexpected error has occurred. Please retry your request later.")
		return
	case TokenExpired:
		s.graphError(w, http.StatusUnauthorized, 190, 463, "Error validating access token: Session has expired.")
		return
	}
	s.mu.Lock()
	a := Accepted{MessageID: fmt.Sprintf("aWdfZAG1faXRlbTpJR01lc3NhZA_fake%04d", len(s.accepted)+1),
		To: req.Recipient.ID, MessagingType: req.MessagingType, Tag: req.Tag, Text: req.Message.Text}
	s.accepted = append(s.accepted, a)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"recipient_id": a.To, "message_id": a.MessageID})
}

// Inbound is a customer's message for SignedMessage.
type Inbound struct {
	IGSID, Mid, Text string
	At               time.Time
}

func event(igsid string, at time.Time, kind string, v any) map[string]any {
	return map[string]any{
		"sender": map[string]string{"id": igsid}, "recipient": map[string]string{"id": AccountID},
		"timestamp": at.UnixMilli(), kind: v,
	}
}

func account(events ...map[string]any) map[string]any {
	return map[string]any{"object": "instagram", "entry": []any{map[string]any{
		"id": AccountID, "time": time.Now().UnixMilli(), "messaging": events,
	}}}
}

// SignedMessage builds the webhook POST to target that Meta sends when a
// user writes to the account, signed with AppSecret.
func (s *Server) SignedMessage(target string, m Inbound) *http.Request {
	return SignedRaw(target, MessageBody(m))
}

// MessageBody is the JSON Meta posts when a user writes m; sign it with
// meta.Sign.
func MessageBody(m Inbound) []byte {
	body, err := json.Marshal(account(event(m.IGSID, m.At, "message", map[string]string{"mid": m.Mid, "text": m.Text})))
	if err != nil {
		panic(err) // maps of strings and numbers always encode
	}
	return body
}

// SignedEcho builds the echo Instagram sends of our own message (in the
// messages field, is_echo true).
func (s *Server) SignedEcho(target, igsid, mid, text string, at time.Time) *http.Request {
	e := event(AccountID, at, "message", map[string]any{"mid": mid, "text": text, "is_echo": true})
	e["recipient"] = map[string]string{"id": igsid}
	return Signed(target, account(e))
}

// SignedSeen builds a messaging_seen webhook: the user read message mid.
func (s *Server) SignedSeen(target, igsid, mid string, at time.Time) *http.Request {
	return Signed(target, account(event(igsid, at, "read", map[string]string{"mid": mid})))
}

// Signed encodes payload and builds a POST to target signed with
// AppSecret, as Meta signs every webhook.
func Signed(target string, payload any) *http.Request {
	body, err := json.Marshal(payload)
	if err != nil {
		panic(err) // maps of strings and numbers always encode; anything else is a test bug
	}
	return SignedRaw(target, body)
}

// SignedRaw builds a POST of body to target signed with AppSecret.
func SignedRaw(target string, body []byte) *http.Request {
	r, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		panic(err) // only a malformed target URL, a test bug
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(meta.SignatureHeader, meta.Sign(AppSecret, body))
	return r
}
