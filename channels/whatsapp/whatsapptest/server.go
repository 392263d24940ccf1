// Package whatsapptest is a fake WhatsApp Cloud API for tests and the dev
// sandbox: it checks send requests the way the Cloud API does, answers
// with its success and error shapes, lets a test choose per-recipient
// outcomes, and builds correctly signed webhook requests.
package whatsapptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup/channels/fake"
	"github.com/followup-dev/followup/channels/meta"
	"github.com/followup-dev/followup/channels/meta/metatest"
)

// Credentials the fake accepts; configure the client and webhook with them.
const (
	Token         = "whatsapptest-token"
	PhoneNumberID = "106540352242922"
	WABAID        = "102290129340398"
	AppSecret     = "whatsapptest-app-secret"
	VerifyToken   = "whatsapptest-verify-token"
	// RetryAfterSeconds is the Retry-After the fake sends with HTTP 429.
	RetryAfterSeconds = 7
)

// Outcome is what the fake answers for one recipient.
type Outcome int

// Outcomes, each with the Cloud API's real code and HTTP status.
const (
	// OK accepts the message (200 with a wamid).
	OK Outcome = iota
	// WindowClosed answers 400 131047 synchronously.
	WindowClosed
	// WindowClosedAsync accepts with 200, and the message then fails with
	// 131047 in a status webhook, as Meta most often reports it.
	WindowClosedAsync
	// Undeliverable answers 400 131026 (not on WhatsApp, or blocked us).
	Undeliverable
	// Throughput answers 400 130429 (Cloud API throughput limit).
	Throughput
	// TooManyRequests answers HTTP 429 code 4 with Retry-After.
	TooManyRequests
	// ServerError answers 500 131000 ("Something went wrong").
	ServerError
	// Unavailable answers 503 code 2 (service temporarily unavailable).
	Unavailable
	// TokenExpired answers 401 190.
	TokenExpired
	// TemplatePaused answers 400 132015.
	TemplatePaused
)

// Request is one request the fake received.
type Request = metatest.Request

// Accepted is a message the fake accepted.
type Accepted struct {
	ID   string
	To   string
	Type string
	// AsyncError is the code the message will fail with by webhook
	// (131047 for WindowClosedAsync), 0 when it does not fail.
	AsyncError int
	// CallbackData is the biz_opaque_callback_data sent with the message,
	// which its status webhooks echo.
	CallbackData string
}

// Server is the fake Cloud API; FailFor, URL, Close and Requests are the
// kit's, and so are LastInbound, which records when a recipient last
// wrote (free text more than 24 h later is refused with 131047, as the
// customer service window rule says), and SetNow.
type Server struct {
	fake.Provider[Request]
	fake.Script[Outcome]
	fake.Window

	accepted  fake.Log[Accepted]
	mu        sync.Mutex
	templates map[string]int
}

// New starts a fake with one approved template, ticket_followup (en_US,
// two body parameters).
func New() *Server {
	s := &Server{templates: map[string]int{"ticket_followup/en_US": 2}}
	s.Start(http.HandlerFunc(s.serve))
	return s
}

// Template approves a template in one language with n body parameters.
func (s *Server) Template(name, language string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates[name+"/"+language] = n
}

// Accepted returns the messages accepted, in order.
func (s *Server) Accepted() []Accepted { return s.accepted.All() }

// refusals are the HTTP status and code of each failing outcome.
var refusals = map[Outcome]struct{ status, code int }{
	WindowClosed:    {http.StatusBadRequest, 131047},
	Undeliverable:   {http.StatusBadRequest, 131026},
	Throughput:      {http.StatusBadRequest, 130429},
	TooManyRequests: {http.StatusTooManyRequests, 4},
	ServerError:     {http.StatusInternalServerError, 131000},
	Unavailable:     {http.StatusServiceUnavailable, 2},
	TokenExpired:    {http.StatusUnauthorized, 190},
	TemplatePaused:  {http.StatusBadRequest, 132015},
}

// errorTitles are the Cloud API's messages for the codes the fake sends.
var errorTitles = map[int]string{
	2:      "Service temporarily unavailable",
	4:      "Application request limit reached",
	100:    "Invalid parameter",
	131000: "Something went wrong",
	131008: "Required parameter is missing",
	131009: "Parameter value is not valid",
	131026: "Message undeliverable",
	131047: "Re-engagement message",
	130429: "Rate limit hit",
	132000: "Number of parameters does not match the expected number of params",
	132001: "Template name does not exist in the translation",
	132015: "Template is Paused",
	190:    "Invalid OAuth access token - Cannot parse access token",
}

var errorDetails = map[int]string{
	131047: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
	131026: "Message Undeliverable.",
}

func graphError(w http.ResponseWriter, status, code int, extra string) {
	e := meta.Error{
		Message:   "(#" + strconv.Itoa(code) + ") " + errorTitles[code],
		Type:      "OAuthException",
		Code:      code,
		FBTraceID: "AbCfake" + strconv.Itoa(code),
		Data:      &meta.ErrorData{MessagingProduct: "whatsapp", Details: errorDetails[code]},
	}
	if code == 190 {
		e.Message = errorTitles[code]
	}
	if extra != "" {
		e.Data.Details = extra
	}
	metatest.WriteError(w, status, e)
}

// maxCallbackData is the longest biz_opaque_callback_data the Cloud API
// takes: 512 characters (the Cloud API changelog raised it from 256).
const maxCallbackData = 512

type sendRequest struct {
	MessagingProduct      string `json:"messaging_product"`
	RecipientType         string `json:"recipient_type"`
	To                    string `json:"to"`
	Type                  string `json:"type"`
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data"`
	Text                  *struct {
		Body string `json:"body"`
	} `json:"text"`
	Template *struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Type       string `json:"type"`
			Parameters []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := metatest.Read(r)
	s.Record(rec)
	node := metatest.Node(r)
	switch {
	case node == "":
		graphError(w, http.StatusBadRequest, 100, "Unsupported "+strings.ToLower(r.Method)+" request.")
		return
	case fake.Bearer(r) != Token:
		graphError(w, http.StatusUnauthorized, 190, "")
		return
	case node != PhoneNumberID:
		graphError(w, http.StatusBadRequest, 100, "Object with ID '"+node+"' does not exist")
		return
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		graphError(w, http.StatusBadRequest, 100, "the body must be JSON")
		return
	}
	var req sendRequest
	dec := json.NewDecoder(bytes.NewReader(rec.Raw))
	if err := dec.Decode(&req); err != nil {
		graphError(w, http.StatusBadRequest, 100, "Invalid JSON: "+err.Error())
		return
	}
	if req.MessagingProduct != "whatsapp" {
		graphError(w, http.StatusBadRequest, 100, "The parameter messaging_product is required and must be whatsapp.")
		return
	}
	if req.To == "" {
		graphError(w, http.StatusBadRequest, 131008, "The parameter to is required.")
		return
	}
	if n := utf8.RuneCountInString(req.BizOpaqueCallbackData); n > maxCallbackData {
		graphError(w, http.StatusBadRequest, 131009, fmt.Sprintf("biz_opaque_callback_data is %d characters long; the maximum is %d.", n, maxCallbackData))
		return
	}
	switch req.Type {
	case "text":
		if req.Text == nil || req.Text.Body == "" {
			graphError(w, http.StatusBadRequest, 131008, "The parameter text['body'] is required.")
			return
		}
		if len([]rune(req.Text.Body)) > 4096 {
			graphError(w, http.StatusBadRequest, 100, "text['body'] is longer than 4096 characters.")
			return
		}
	case "template":
		t := req.Template
		if t == nil || t.Name == "" || t.Language.Code == "" {
			graphError(w, http.StatusBadRequest, 131008, "The parameters template['name'] and template['language']['code'] are required.")
			return
		}
		s.mu.Lock()
		want, ok := s.templates[t.Name+"/"+t.Language.Code]
		s.mu.Unlock()
		if !ok {
			graphError(w, http.StatusNotFound, 132001, "template name ("+t.Name+") does not exist in "+t.Language.Code)
			return
		}
		got := 0
		for _, c := range t.Components {
			if c.Type == "body" {
				for _, p := range c.Parameters {
					if p.Type != "text" || p.Text == "" {
						graphError(w, http.StatusBadRequest, 131009, "body parameters must be non-empty text")
						return
					}
				}
				got += len(c.Parameters)
			}
		}
		if got != want {
			graphError(w, http.StatusBadRequest, 132000, fmt.Sprintf("body: number of localizable_params (%d) does not match the expected number of params (%d)", got, want))
			return
		}
	default:
		graphError(w, http.StatusBadRequest, 131009, "type must be text or template for this fake")
		return
	}

	outcome, _ := s.Next(req.To)
	if age, known := s.Since(req.To); outcome == OK && req.Type == "text" && known && age > 24*time.Hour {
		outcome = WindowClosed
	}
	if e, ok := refusals[outcome]; ok {
		if outcome == TooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		}
		graphError(w, e.status, e.code, "")
		return
	}
	a := s.accepted.Numbered(func(n int) Accepted {
		a := Accepted{ID: fmt.Sprintf("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI%04X", n), To: req.To, Type: req.Type, CallbackData: req.BizOpaqueCallbackData}
		if outcome == WindowClosedAsync {
			a.AsyncError = 131047
		}
		return a
	})
	fake.JSON(w, http.StatusOK, map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []map[string]string{{"input": req.To, "wa_id": req.To}},
		"messages":          []map[string]string{{"id": a.ID}},
	})
}

// Inbound is a customer's message for SignedMessage.
type Inbound struct {
	From, Name, ID, Text string
	At                   time.Time
}

// Status is a status update for SignedStatus; ErrorCode is set for failed.
type Status struct {
	ID, Recipient, Status string
	At                    time.Time
	ErrorCode             int
	// CallbackData is the biz_opaque_callback_data the status echoes;
	// empty means the one the fake accepted with message ID, if any.
	CallbackData string
}

func envelope(value map[string]any) map[string]any {
	value["messaging_product"] = "whatsapp"
	value["metadata"] = map[string]string{"display_phone_number": "15550783881", "phone_number_id": PhoneNumberID}
	return map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{
			"id":      WABAID,
			"changes": []any{map[string]any{"field": "messages", "value": value}},
		}},
	}
}

// SignedMessage builds the webhook POST to target that Meta sends when a
// customer writes, signed with AppSecret.
func (s *Server) SignedMessage(target string, m Inbound) *http.Request {
	return SignedRaw(target, MessageBody(m))
}

// MessageBody is the JSON Meta posts when a customer writes m (From is
// the wa_id: the number without "+"); sign it with meta.Sign.
func MessageBody(m Inbound) []byte {
	return fake.Marshal(envelope(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]string{"name": m.Name}, "wa_id": m.From}},
		"messages": []any{map[string]any{
			"from": m.From, "id": m.ID, "timestamp": strconv.FormatInt(m.At.Unix(), 10),
			"type": "text", "text": map[string]string{"body": m.Text},
		}},
	}))
}

// SignedStatus builds the status webhook POST to target, signed with
// AppSecret; a failed status carries ErrorCode in errors[] the way the
// Cloud API reports asynchronous failures, and every status echoes the
// message's biz_opaque_callback_data when it had one.
func (s *Server) SignedStatus(target string, st Status) *http.Request {
	status := map[string]any{
		"id": st.ID, "status": st.Status, "timestamp": strconv.FormatInt(st.At.Unix(), 10), "recipient_id": st.Recipient,
	}
	if st.CallbackData == "" {
		for _, a := range s.accepted.All() {
			if a.ID == st.ID {
				st.CallbackData = a.CallbackData
			}
		}
	}
	if st.CallbackData != "" {
		status["biz_opaque_callback_data"] = st.CallbackData
	}
	if st.Status == "failed" {
		title := errorTitles[st.ErrorCode]
		status["errors"] = []any{map[string]any{
			"code": st.ErrorCode, "title": title, "message": title,
			"error_data": map[string]string{"details": errorDetails[st.ErrorCode]},
			"href":       "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
		}}
	} else {
		status["pricing"] = map[string]any{"billable": true, "pricing_model": "PMP", "category": "utility"}
	}
	return Signed(target, envelope(map[string]any{"statuses": []any{status}}))
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
