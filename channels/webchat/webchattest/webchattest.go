// Package webchattest is a fake webchat delivery service (POST
// /v1/messages) for tests and the dev sandbox. It checks requests as the
// service does (bearer token, JSON shape, visitor id, text length,
// Idempotency-Key reuse), stores deliveries, can refuse a visitor as gone
// (410) or be down (503) or rate-limited (429 with Retry-After), and builds
// correctly signed visitor messages for /webhooks/webchat.
package webchattest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/followup-dev/followup/channels/fake"
	"github.com/followup-dev/followup/channels/signature"
	"github.com/followup-dev/followup/channels/webchat"
)

// Default credentials of a new Server.
const (
	DefaultToken     = "webchattest-token"
	DefaultSiteToken = "webchattest-site-token"
)

// maxText is the longest outbound message the service stores.
const maxText = 4096

// Kind is a configured outcome for a visitor.
type Kind int

// Outcomes FailFor can set.
const (
	// Gone: 410 visitor_gone (the visitor id expired or was erased).
	Gone Kind = iota + 1
	// Down: 503 unavailable.
	Down
	// RateLimited: 429 rate_limited with Retry-After: 7.
	RateLimited
	// Invalid: 422 invalid_visitor (the service does not know the id).
	Invalid
)

// RetryAfterSeconds is the Retry-After RateLimited answers with.
const RetryAfterSeconds = 7

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   webchat.OutboundMessage // decoded, when it was JSON
	Raw    []byte
}

// Delivery is one stored message.
type Delivery struct {
	ID             string
	VisitorID      string
	Text           string
	IdempotencyKey string
}

// Server is a running fake delivery service.
type Server struct {
	// Token is the bearer token the service accepts.
	Token string
	// SiteToken derives the visitor keys of the signed messages it builds.
	SiteToken string

	fake.Provider[Request]
	fake.Script[Kind]

	mu         sync.Mutex
	deliveries []Delivery
	byKey      map[string]int // idempotency key -> index in deliveries
	down       fake.Setting[bool]
}

// New starts a server.
func New() *Server {
	s := &Server{Token: DefaultToken, SiteToken: DefaultSiteToken, byKey: map[string]int{}}
	s.Start(http.HandlerFunc(s.serve))
	return s
}

// SetDown makes the whole service answer 503 (or recover).
func (s *Server) SetDown(down bool) { s.down.Set(down) }

// Deliveries returns the stored messages, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	var eb webchat.ErrorBody
	eb.Error.Code, eb.Error.Message = code, msg
	fake.JSON(w, status, eb)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw := fake.Body(r, 1<<20)
	rec := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Raw: raw}
	bodyErr := json.Unmarshal(raw, &rec.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Record(rec)

	if r.URL.Path != "/v1/messages" {
		writeErr(w, http.StatusNotFound, "not_found", "no such endpoint")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeErr(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		return
	}
	if s.down.Get() {
		writeErr(w, http.StatusServiceUnavailable, "unavailable", "delivery service is down")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeErr(w, http.StatusUnauthorized, "unauthorized", "missing or invalid bearer token")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeErr(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json")
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var m webchat.OutboundMessage
	if bodyErr != nil || dec.Decode(&m) != nil {
		writeErr(w, http.StatusBadRequest, "invalid_request", "body must be {visitor_id, text}")
		return
	}
	switch {
	case !webchat.ValidVisitorID(m.VisitorID):
		writeErr(w, http.StatusBadRequest, "invalid_request", "visitor_id is required and must be [A-Za-z0-9_-]{8,128}")
		return
	case strings.TrimSpace(m.Text) == "":
		writeErr(w, http.StatusBadRequest, "invalid_request", "text is required")
		return
	case len(m.Text) > maxText:
		writeErr(w, http.StatusRequestEntityTooLarge, "text_too_long", fmt.Sprintf("text is longer than %d bytes", maxText))
		return
	}
	switch kind, _ := s.Next(m.VisitorID); kind {
	case Gone:
		writeErr(w, http.StatusGone, "visitor_gone", "visitor "+m.VisitorID+" no longer exists")
		return
	case Down:
		writeErr(w, http.StatusServiceUnavailable, "unavailable", "delivery service is down")
		return
	case RateLimited:
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		writeErr(w, http.StatusTooManyRequests, "rate_limited", "too many messages, slow down")
		return
	case Invalid:
		writeErr(w, http.StatusUnprocessableEntity, "invalid_visitor", "unknown visitor "+m.VisitorID)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if i, ok := s.byKey[key]; ok && key != "" {
		d := s.deliveries[i]
		if d.VisitorID != m.VisitorID || d.Text != m.Text {
			writeErr(w, http.StatusConflict, "idempotency_conflict", "Idempotency-Key reused with a different message")
			return
		}
		fake.JSON(w, http.StatusOK, webchat.Delivered{ID: d.ID, VisitorID: d.VisitorID, CreatedAt: time.Now().UTC()})
		return
	}
	d := Delivery{ID: fmt.Sprintf("wcm_%08d", len(s.deliveries)+1), VisitorID: m.VisitorID, Text: m.Text, IdempotencyKey: key}
	s.deliveries = append(s.deliveries, d)
	if key != "" {
		s.byKey[key] = len(s.deliveries) - 1
	}
	fake.JSON(w, http.StatusCreated, webchat.Delivered{ID: d.ID, VisitorID: d.VisitorID, CreatedAt: time.Now().UTC()})
}

// SignedMessage builds the widget's POST of text from visitor to target
// (e.g. ".../webhooks/webchat"), signed with the visitor's key now.
func (s *Server) SignedMessage(target, visitor, text string) *http.Request {
	return s.SignedMessageAt(target, webchat.InboundMessage{VisitorID: visitor, Text: text, SentAt: time.Now().UTC().Format(time.RFC3339)}, time.Now())
}

// SignedMessageAt builds the widget's POST of in, signed at time at.
func (s *Server) SignedMessageAt(target string, in webchat.InboundMessage, at time.Time) *http.Request {
	return SignedRequest(webchat.VisitorKey(s.SiteToken, in.VisitorID), in.VisitorID, target, fake.Marshal(in), at)
}

// SignedRequest builds a POST of body signed with visitorKey as visitor.
func SignedRequest(visitorKey, visitor, target string, body []byte, at time.Time) *http.Request {
	r := fake.Post(target, body, "Content-Type", "application/json", webchat.VisitorHeader, visitor)
	signature.Set(r.Header, visitorKey, body, at)
	return r
}
