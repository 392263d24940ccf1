// Package vibertest is a fake Viber REST bot API for tests and the dev
// sandbox: it checks send_message requests the way Viber does, answers with
// Viber's shapes (HTTP 200 with a status code, even for errors), lets a
// test choose an outcome per receiver, and builds signed callbacks.
package vibertest

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup/channels/fake"
	"github.com/followup-dev/followup/channels/signature"
)

// Token is the auth token the fake accepts and signs callbacks with.
const Token = "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9"

// Kind is a scripted outcome for one receiver.
type Kind int

// Outcomes a test can script. The status codes are Viber's (channels.md §4.3).
const (
	// NotSubscribed answers status 6 receiverNotSubscribed.
	NotSubscribed Kind = iota + 1
	// NotRegistered answers status 5 receiverNotRegistered.
	NotRegistered
	// FreeMessagesExceeded answers status 23 (monthly free chatbot messages used up).
	FreeMessagesExceeded
	// NoBalance answers status 24 (billable bot without balance).
	NoBalance
	// TooManyRequests answers status 12 in a 200, as Viber's rate control does.
	TooManyRequests
	// HTTPTooManyRequests answers HTTP 429 with Retry-After (a proxy or edge limit).
	HTTPTooManyRequests
	// Unavailable answers HTTP 503.
	Unavailable
	// GeneralError answers a status Viber does not document (general error).
	GeneralError
)

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   map[string]any
}

// Server is the fake API; FailFor scripts a receiver's outcome.
type Server struct {
	fake.Provider[Request]
	fake.Script[Kind]

	mu         sync.Mutex
	retryAfter fake.Setting[time.Duration]
	next       int64
}

// New starts a fake Viber API; Close it when done.
func New() *Server {
	s := &Server{next: 5741311803571721087}
	s.retryAfter.Set(30 * time.Second)
	mux := http.NewServeMux()
	mux.HandleFunc("/pa/send_message", s.sendMessage)
	s.Start(mux)
	return s
}

// SetRetryAfter sets the Retry-After of HTTPTooManyRequests answers (30 s by default).
func (s *Server) SetRetryAfter(d time.Duration) { s.retryAfter.Set(d) }

// statuses are the status codes and messages of the outcomes Viber
// answers in a 200 (channels.md §4.3).
var statuses = map[Kind]struct {
	code    int
	message string
}{
	NotSubscribed:        {6, "receiverNotSubscribed"},
	NotRegistered:        {5, "receiverNotRegistered"},
	FreeMessagesExceeded: {23, "freeMessagesExceeded"},
	NoBalance:            {24, "noBalance"},
	TooManyRequests:      {12, "tooManyRequests"},
	GeneralError:         {99, "General error"},
}

// status writes Viber's envelope: HTTP 200 whatever the outcome.
func status(w http.ResponseWriter, code int, msg string, extra map[string]any) {
	out := map[string]any{"status": code, "status_message": msg}
	for k, v := range extra {
		out[k] = v
	}
	fake.JSON(w, http.StatusOK, out)
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	decErr := json.Unmarshal(fake.Body(r, 1<<20), &body)
	s.Record(Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})

	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("X-Viber-Auth-Token") != Token {
		status(w, 2, "invalidAuthToken", nil)
		return
	}
	if decErr != nil {
		status(w, 3, "badData", nil)
		return
	}
	receiver, _ := body["receiver"].(string)
	typ, _ := body["type"].(string)
	snd, _ := body["sender"].(map[string]any)
	name, _ := snd["name"].(string)
	text, _ := body["text"].(string)
	switch {
	case receiver == "" || typ == "" || name == "":
		status(w, 4, "missingData", nil)
		return
	case utf8.RuneCountInString(name) > 28:
		status(w, 3, "badData: sender name longer than 28 characters", nil)
		return
	case typ != "text":
		status(w, 3, "badData: the fake only serves text messages", nil)
		return
	case text == "":
		status(w, 4, "missingData: text", nil)
		return
	case utf8.RuneCountInString(text) > 7000:
		status(w, 3, "badData: text longer than 7000 characters", nil)
		return
	}
	if v, ok := body["tracking_data"]; ok {
		if td, isStr := v.(string); !isStr || len(td) > 4096 {
			status(w, 3, "badData: tracking_data", nil)
			return
		}
	}

	kind, _ := s.Next(receiver)
	retry := s.retryAfter.Get()
	s.mu.Lock()
	s.next++
	token := s.next
	s.mu.Unlock()
	if st, ok := statuses[kind]; ok {
		status(w, st.code, st.message, nil)
		return
	}
	switch kind {
	case HTTPTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(int(retry/time.Second)))
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
	case Unavailable:
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
	default:
		// message_token is a bare 64-bit JSON number, as Viber sends it.
		status(w, 0, "ok", map[string]any{"message_token": json.Number(strconv.FormatInt(token, 10)), "chat_hostname": "SN-CHAT-05_"})
	}
}

// Sign is the X-Viber-Content-Signature value for body.
func Sign(body []byte) string { return hex.EncodeToString(signature.MAC(Token, body)) }

// Signed builds a POST of body to target with a valid signature. It panics
// on an invalid target URL, as httptest.NewRequest does.
func Signed(target string, body []byte) *http.Request {
	return fake.Post(target, body, "Content-Type", "application/json", "X-Viber-Content-Signature", Sign(body))
}

// MessageBody is the JSON of a "message" callback: a subscriber wrote text.
func MessageBody(senderID, name, text string, messageToken int64, at time.Time) []byte {
	return fake.Marshal(map[string]any{
		"event": "message", "timestamp": at.UnixMilli(), "chat_hostname": "SN-CHAT-05_",
		"message_token": messageToken,
		"sender": map[string]any{"id": senderID, "name": name, "avatar": "https://example.com/a.jpg",
			"language": "en", "country": "GB", "api_version": 10},
		"message": map[string]any{"type": "text", "text": text},
		"silent":  false,
	})
}

// StatusBody is the JSON of a "delivered", "seen" or "failed" callback for
// one of the bot's messages; desc is only sent with "failed".
func StatusBody(event, userID string, messageToken int64, desc string, at time.Time) []byte {
	m := map[string]any{"event": event, "timestamp": at.UnixMilli(), "chat_hostname": "SN-CHAT-05_",
		"message_token": messageToken, "user_id": userID}
	if event == "failed" {
		m["desc"] = desc
	}
	return fake.Marshal(m)
}

// SignedMessage is a signed "message" callback to target.
func SignedMessage(target, senderID, name, text string, messageToken int64, at time.Time) *http.Request {
	return Signed(target, MessageBody(senderID, name, text, messageToken, at))
}

// SignedStatus is a signed status callback to target.
func SignedStatus(target, event, userID string, messageToken int64, desc string, at time.Time) *http.Request {
	return Signed(target, StatusBody(event, userID, messageToken, desc, at))
}
