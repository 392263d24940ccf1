// Package telegramtest is a fake Telegram Bot API for tests and the dev
// sandbox: it serves sendMessage the way api.telegram.org does (token in
// the path, JSON or form parameters, the ok/error_code envelope), records
// every request, fails chosen chats with Telegram's real errors, and
// builds webhook updates carrying the secret token header.
package telegramtest

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup/channels/fake"
)

// Token is the bot token the fake accepts.
const Token = "123456789:AAFakeTokenForTests_abcdefghijklmn"

// Secret is the webhook secret_token the fake's signed requests carry.
const Secret = "fake-webhook-secret_0123456789"

// BotID is the fake bot's user id (the digits before the token's colon).
const BotID = 123456789

// maxText is Telegram's limit for sendMessage text after entity parsing.
const maxText = 4096

// Failure is an error the fake answers for a chat, with Telegram's real
// status, description and parameters.
type Failure int

// Failures the fake can produce (descriptions from TelegramBotAPI/errors).
const (
	// Blocked: 403 "Forbidden: bot was blocked by the user".
	Blocked Failure = iota + 1
	// Deactivated: 403 "Forbidden: user is deactivated".
	Deactivated
	// CantInitiate: 403 "Forbidden: bot can't initiate conversation with a user".
	CantInitiate
	// ChatNotFound: 400 "Bad Request: chat not found".
	ChatNotFound
	// TooManyRequests: 429 with parameters.retry_after = RetryAfterSeconds.
	TooManyRequests
	// ServerError: 500 "Internal Server Error".
	ServerError
	// BadGateway: an HTML 502 from the front proxy, not a Bot API envelope.
	BadGateway
)

// RetryAfterSeconds is the retry_after a TooManyRequests failure carries.
const RetryAfterSeconds = 7

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	// Params are the decoded parameters (JSON body or form), as strings.
	Params map[string]string
	Body   []byte
}

// Server is the fake Bot API; FailFor and FailOnce script a chat's
// failures.
type Server struct {
	fake.Provider[Request]
	fake.Script[Failure]

	mu       sync.Mutex
	nextID   map[int64]int64
	updateID int64
}

// New starts the fake.
func New() *Server {
	s := &Server{nextID: map[int64]int64{}, updateID: 500000000}
	s.Start(http.HandlerFunc(s.serve))
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body := fake.Body(r, 10<<20)
	params, perr := decodeParams(r, body)
	s.Record(Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Params: params, Body: body})

	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	switch {
	case !strings.HasPrefix(r.URL.Path, "/bot") || !ok:
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	case token != Token:
		writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	case !strings.EqualFold(method, "sendMessage"):
		writeError(w, http.StatusNotFound, "Not Found: method not found", 0)
		return
	case r.Method != http.MethodPost && r.Method != http.MethodGet:
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	case perr != nil:
		writeError(w, http.StatusBadRequest, "Bad Request: "+perr.Error(), 0)
		return
	}
	s.sendMessage(w, params)
}

func (s *Server) sendMessage(w http.ResponseWriter, p map[string]string) {
	chat, text := p["chat_id"], p["text"]
	switch {
	case chat == "":
		writeError(w, http.StatusBadRequest, "Bad Request: chat_id is empty", 0)
		return
	case text == "":
		writeError(w, http.StatusBadRequest, "Bad Request: message text is empty", 0)
		return
	case utf8.RuneCountInString(text) > maxText:
		writeError(w, http.StatusBadRequest, "Bad Request: message is too long", 0)
		return
	}
	chatID, err := strconv.ParseInt(chat, 10, 64)
	if err != nil || chatID == 0 {
		// Usernames (@channel) address public channels, never a customer.
		writeError(w, http.StatusBadRequest, "Bad Request: chat not found", 0)
		return
	}
	if f, failing := s.Next(chat); failing {
		writeFailure(w, f)
		return
	}
	s.mu.Lock()
	s.nextID[chatID]++
	msgID := s.nextID[chatID]
	s.mu.Unlock()
	result := map[string]any{
		"message_id": msgID,
		"from":       map[string]any{"id": BotID, "is_bot": true, "first_name": "Followup", "username": "followup_test_bot"},
		"chat":       map[string]any{"id": chatID, "type": "private", "first_name": "Customer"},
		"date":       time.Now().Unix(),
		"text":       text,
	}
	fake.JSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func writeFailure(w http.ResponseWriter, f Failure) {
	switch f {
	case Blocked:
		writeError(w, http.StatusForbidden, "Forbidden: bot was blocked by the user", 0)
	case Deactivated:
		writeError(w, http.StatusForbidden, "Forbidden: user is deactivated", 0)
	case CantInitiate:
		writeError(w, http.StatusForbidden, "Forbidden: bot can't initiate conversation with a user", 0)
	case ChatNotFound:
		writeError(w, http.StatusBadRequest, "Bad Request: chat not found", 0)
	case TooManyRequests:
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("Too Many Requests: retry after %d", RetryAfterSeconds), RetryAfterSeconds)
	case BadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
	default:
		writeError(w, http.StatusInternalServerError, "Internal Server Error", 0)
	}
}

// writeError answers Telegram's error envelope; the HTTP status equals error_code.
func writeError(w http.ResponseWriter, code int, desc string, retryAfter int) {
	env := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		env["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	fake.JSON(w, code, env)
}

// decodeParams reads the parameters the way the Bot API does: the query
// string, then a JSON or urlencoded body.
func decodeParams(r *http.Request, body []byte) (map[string]string, error) {
	p := map[string]string{}
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	if len(body) == 0 {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return p, fmt.Errorf("can't parse JSON object")
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				p[k] = v
			case json.Number:
				p[k] = v.String()
			default:
				b, _ := json.Marshal(v)
				p[k] = string(b)
			}
		}
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return p, fmt.Errorf("can't parse form")
		}
		for k, v := range q {
			p[k] = v[0]
		}
	default:
		return p, fmt.Errorf("unsupported Content-Type %q", ct)
	}
	return p, nil
}

// Inbound is a customer's text message to the bot.
type Inbound struct {
	// UpdateID is the update's id; zero takes the fake's next one.
	UpdateID  int64
	ChatID    int64
	FirstName string
	LastName  string
	Text      string
	// Date is when the customer wrote; zero means now.
	Date time.Time
	// MessageID is the message's id in the chat; zero means 1.
	MessageID int64
}

// Update builds the JSON Update Telegram would post for in, numbering
// updates from the fake's counter when in.UpdateID is zero.
func (s *Server) Update(in Inbound) []byte {
	if in.UpdateID == 0 {
		s.mu.Lock()
		s.updateID++
		in.UpdateID = s.updateID
		s.mu.Unlock()
	}
	return UpdateBody(in)
}

// UpdateBody is the JSON Update Telegram posts for in. Give it a unique
// UpdateID (Telegram's dedup key); zero takes a random one. Send it with
// SignedUpdate.
func UpdateBody(in Inbound) []byte {
	if in.UpdateID == 0 {
		var b [4]byte
		_, _ = rand.Read(b[:])
		in.UpdateID = int64(binary.BigEndian.Uint32(b[:])>>1) + 1
	}
	if in.Date.IsZero() {
		in.Date = time.Now()
	}
	if in.MessageID == 0 {
		in.MessageID = 1
	}
	from := map[string]any{"id": in.ChatID, "is_bot": false, "first_name": in.FirstName, "language_code": "en"}
	if in.LastName != "" {
		from["last_name"] = in.LastName
	}
	chat := map[string]any{"id": in.ChatID, "type": "private", "first_name": in.FirstName}
	return fake.Marshal(map[string]any{
		"update_id": in.UpdateID,
		"message": map[string]any{
			"message_id": in.MessageID, "from": from, "chat": chat,
			"date": in.Date.Unix(), "text": in.Text,
		},
	})
}

// SignedMessage builds the POST Telegram would make to target (the
// product's webhook URL) for in, carrying Secret.
func (s *Server) SignedMessage(target string, in Inbound) *http.Request {
	return SignedUpdate(target, Secret, s.Update(in))
}

// SignedUpdate builds a webhook POST of body to target with secret in the
// X-Telegram-Bot-Api-Secret-Token header, as setWebhook's secret_token makes
// Telegram send.
func SignedUpdate(target, secret string, body []byte) *http.Request {
	return fake.Post(target, body, "Content-Type", "application/json", "X-Telegram-Bot-Api-Secret-Token", secret)
}
