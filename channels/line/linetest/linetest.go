// Package linetest is a fake LINE Messaging API for tests and the dev
// sandbox: it serves POST /v2/bot/message/push the way api.line.me does
// (Bearer token, 1–5 messages, X-Line-Retry-Key deduplication with 409),
// records every request, fails chosen users with LINE's real answers, and
// builds webhook requests signed with x-line-signature.
package linetest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup/channels/fake"
	"github.com/followup-dev/followup/channels/signature"
)

// AccessToken is the channel access token the fake accepts.
const AccessToken = "fake-line-channel-access-token"

// ChannelSecret keys the fake's webhook signatures.
const ChannelSecret = "0123456789abcdef0123456789abcdef"

// Limits of the push API.
const (
	maxMessages = 5
	maxText     = 5000
)

var (
	userIDPattern   = regexp.MustCompile(`^U[0-9a-f]{32}$`)
	retryKeyPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// Failure is an answer the fake gives for a user instead of accepting.
type Failure int

// Failures with LINE's real statuses and messages.
const (
	// MonthlyLimit: 429 "You have reached your monthly limit."
	MonthlyLimit Failure = iota + 1
	// RateLimited: 429 "The API rate limit has been exceeded. Try again later."
	RateLimited
	// FailedToSend: 400 "Failed to send messages" (e.g. the user id does not exist).
	FailedToSend
	// Forbidden: 403, the plan or channel may not use the API.
	Forbidden
	// ServerError: 500 and nothing accepted.
	ServerError
	// LostAnswer: the push is accepted (its retry key too) but the client
	// gets a 500, as when LINE's answer is lost; a retry with the same key
	// gets 409.
	LostAnswer
)

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	// JSON is the decoded body (nil when it was not JSON).
	JSON map[string]any
	Body []byte
}

type accepted struct {
	requestID string
	sent      []map[string]string
}

// Server is the fake Messaging API; FailFor and FailOnce script a user's
// answers.
type Server struct {
	fake.Provider[Request]
	fake.Script[Failure]

	mu         sync.Mutex
	keys       map[string]accepted
	seq        int64
	retryAfter fake.Setting[int]
	pushed     int
}

// New starts the fake.
func New() *Server {
	s := &Server{keys: map[string]accepted{}, seq: 470000000000000000}
	s.Start(http.HandlerFunc(s.serve))
	return s
}

// SetRetryAfter adds Retry-After: seconds to RateLimited answers. LINE
// documents none; this stands for a proxy in front of it that does.
func (s *Server) SetRetryAfter(seconds int) { s.retryAfter.Set(seconds) }

// Pushed counts the pushes the fake accepted (what users would receive).
func (s *Server) Pushed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushed
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body := fake.Body(r, 10<<20)
	rec := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	var doc map[string]any
	if json.Unmarshal(body, &doc) == nil {
		rec.JSON = doc
	}
	s.mu.Lock()
	n := s.Record(rec)
	s.seq++
	requestID := fmt.Sprintf("%016x-%04x", s.seq, n)
	s.mu.Unlock()
	w.Header().Set("X-Line-Request-Id", requestID)

	if r.URL.Path != "/v2/bot/message/push" {
		writeError(w, http.StatusNotFound, "Not found", nil)
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+AccessToken {
		writeError(w, http.StatusUnauthorized, "Authentication failed. Confirm that the access token in the authorization header is valid.", nil)
		return
	}
	key := r.Header.Get("X-Line-Retry-Key")
	if key != "" && !retryKeyPattern.MatchString(key) {
		writeError(w, http.StatusBadRequest, "The value for the 'X-Line-Retry-Key' header is invalid", nil)
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "Unsupported Media Type", nil)
		return
	}
	var req struct {
		To       *string           `json:"to"`
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "The request body has 1 error(s)", []detail{{"Invalid JSON", ""}})
		return
	}
	var errs []detail
	switch {
	case req.To == nil || *req.To == "":
		errs = append(errs, detail{"must be specified", "to"})
	case !userIDPattern.MatchString(*req.To):
		writeError(w, http.StatusBadRequest, "The property, 'to', in the request body is invalid (line: -, column: -)", nil)
		return
	}
	if n := len(req.Messages); n < 1 || n > maxMessages {
		errs = append(errs, detail{"Size must be between 1 and 5", "messages"})
	}
	texts := make([]string, 0, len(req.Messages))
	for i, raw := range req.Messages {
		var m struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		_ = json.Unmarshal(raw, &m)
		prop := "messages[" + strconv.Itoa(i) + "]"
		switch {
		case m.Type != "text":
			errs = append(errs, detail{"must be one of the following values: [text, image, video, audio, location, sticker, imagemap, template, flex]", prop + ".type"})
		case m.Text == "":
			errs = append(errs, detail{"must be specified", prop + ".text"})
		case utf8.RuneCountInString(m.Text) > maxText:
			errs = append(errs, detail{"Length must be between 0 and 5000", prop + ".text"})
		}
		texts = append(texts, m.Text)
	}
	if len(errs) > 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The request body has %d error(s)", len(errs)), errs)
		return
	}

	s.mu.Lock()
	if prev, dup := s.keys[key]; dup && key != "" {
		s.mu.Unlock()
		// Retry-key rule: an accepted request is executed once; retries
		// get 409 naming it.
		w.Header().Set("X-Line-Accepted-Request-Id", prev.requestID)
		fake.JSON(w, http.StatusConflict, map[string]any{"message": "The retry key is already accepted", "sentMessages": prev.sent})
		return
	}
	f, failing := s.Next(*req.To)
	retryAfter := s.retryAfter.Get()
	var sent []map[string]string
	if !failing || f == LostAnswer {
		for range texts {
			s.seq++
			sent = append(sent, map[string]string{"id": strconv.FormatInt(s.seq, 10), "quoteToken": "q" + strconv.FormatInt(s.seq, 36)})
		}
		if key != "" {
			s.keys[key] = accepted{requestID: requestID, sent: sent}
		}
		s.pushed++
	}
	s.mu.Unlock()

	if !failing {
		fake.JSON(w, http.StatusOK, map[string]any{"sentMessages": sent})
		return
	}
	switch f {
	case MonthlyLimit:
		writeError(w, http.StatusTooManyRequests, "You have reached your monthly limit.", nil)
	case RateLimited:
		if retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		writeError(w, http.StatusTooManyRequests, "The API rate limit has been exceeded. Try again later.", nil)
	case FailedToSend:
		writeError(w, http.StatusBadRequest, "Failed to send messages", nil)
	case Forbidden:
		writeError(w, http.StatusForbidden, "Access to this API is not available for your account", nil)
	default:
		writeError(w, http.StatusInternalServerError, "Internal server error", nil)
	}
}

type detail struct {
	Message  string `json:"message"`
	Property string `json:"property,omitempty"`
}

// writeError answers LINE's error body {"message", "details"}.
func writeError(w http.ResponseWriter, status int, msg string, details []detail) {
	body := map[string]any{"message": msg}
	if len(details) > 0 {
		body["details"] = details
	}
	fake.JSON(w, status, body)
}

// Inbound is a user's message to the account.
type Inbound struct {
	UserID string
	Text   string
	// Type is the message type; empty means "text".
	Type string
	// MessageID and WebhookEventID are generated when empty.
	MessageID      string
	WebhookEventID string
	// Timestamp is when the user sent it; zero means now.
	Timestamp time.Time
	// Redelivery sets deliveryContext.isRedelivery.
	Redelivery bool
	// ReplyToken is generated when empty.
	ReplyToken string
}

// Payload builds the webhook body LINE would post for in, numbering the
// ids it leaves empty from the fake's counter.
func (s *Server) Payload(in Inbound) []byte {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	if in.MessageID == "" {
		in.MessageID = strconv.FormatInt(n, 10)
	}
	if in.WebhookEventID == "" {
		in.WebhookEventID = fmt.Sprintf("01FAKE%020d", n)
	}
	if in.ReplyToken == "" {
		in.ReplyToken = fmt.Sprintf("%032x", n)
	}
	return MessagePayload(in)
}

// MessagePayload is the webhook body LINE posts for in; the ids left empty
// are random. Sign it with line.Sign (SignedRequest).
func MessagePayload(in Inbound) []byte {
	if in.Type == "" {
		in.Type = "text"
	}
	if in.MessageID == "" {
		in.MessageID = strconv.FormatUint(randomUint63(), 10)
	}
	if in.WebhookEventID == "" {
		// webhookEventId is a ULID: 26 Crockford base32 characters.
		in.WebhookEventID = fmt.Sprintf("01%024X", randomUint63())
	}
	if in.ReplyToken == "" {
		in.ReplyToken = fmt.Sprintf("%016x%016x", randomUint63(), randomUint63())
	}
	if in.Timestamp.IsZero() {
		in.Timestamp = time.Now()
	}
	msg := map[string]any{"id": in.MessageID, "type": in.Type, "quoteToken": "q" + in.MessageID}
	if in.Type == "text" {
		msg["text"] = in.Text
	}
	return fake.Marshal(map[string]any{
		"destination": "U00000000000000000000000000000000",
		"events": []map[string]any{{
			"type":            "message",
			"mode":            "active",
			"timestamp":       in.Timestamp.UnixMilli(),
			"webhookEventId":  in.WebhookEventID,
			"deliveryContext": map[string]any{"isRedelivery": in.Redelivery},
			"replyToken":      in.ReplyToken,
			"source":          map[string]any{"type": "user", "userId": in.UserID},
			"message":         msg,
		}},
	})
}

func randomUint63() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) >> 1
}

// SignedMessage builds the POST LINE would make to target (the product's
// webhook URL) for in, signed with ChannelSecret.
func (s *Server) SignedMessage(target string, in Inbound) *http.Request {
	return SignedRequest(target, ChannelSecret, s.Payload(in))
}

// SignedRequest builds a webhook POST of body to target carrying
// x-line-signature = base64(HMAC-SHA256(channelSecret, body)).
func SignedRequest(target, channelSecret string, body []byte) *http.Request {
	return fake.Post(target, body, "Content-Type", "application/json; charset=utf-8",
		"X-Line-Signature", base64.StdEncoding.EncodeToString(signature.MAC(channelSecret, body)))
}
