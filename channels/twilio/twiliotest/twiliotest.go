// Package twiliotest is a fake Twilio Messages API for tests and the dev
// sandbox: it serves POST /2010-04-01/Accounts/{sid}/Messages.json the way
// api.twilio.com does (Basic auth, form fields, 201 Message resource, the
// {code, message, more_info, status} error body), records every request,
// fails chosen numbers with Twilio's real error codes, and builds status
// callbacks and inbound-SMS webhooks signed with X-Twilio-Signature.
package twiliotest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup/channels/fake"
)

// Credentials and numbers of the fake account.
const (
	AccountSID = "AC00000000000000000000000000000001"
	AuthToken  = "fake_twilio_auth_token_0123456789"
	// From is a number the account owns.
	From = "+15005550006"
	// MessagingServiceSID is a Messaging Service of the account.
	MessagingServiceSID = "MG00000000000000000000000000000001"
)

// maxBody is Twilio's limit on a message body (concatenated segments).
const maxBody = 1600

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Failure is an error the fake answers for a recipient.
type Failure int

// Failures with Twilio's real codes and HTTP statuses.
const (
	// Unsubscribed: 400 code 21610, the recipient replied STOP.
	Unsubscribed Failure = iota + 1
	// InvalidNumber: 400 code 21211, 'To' is not a valid phone number.
	InvalidNumber
	// NotMobile: 400 code 21614, 'To' cannot receive SMS.
	NotMobile
	// TooManyRequests: 429 code 20429 with Retry-After: RetryAfterSeconds.
	TooManyRequests
	// ServerError: 500 code 20500.
	ServerError
)

// RetryAfterSeconds is the Retry-After a TooManyRequests failure carries.
const RetryAfterSeconds = 4

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	// Form is the decoded form body.
	Form url.Values
	Body []byte
}

// Accepted is a message the fake took.
type Accepted struct {
	SID, To, Body string
	// StatusCallback is the URL the message's status callbacks go to
	// (empty when it named none).
	StatusCallback string
}

// Server is the fake Twilio API; FailFor and FailOnce script a number's
// failures.
type Server struct {
	fake.Provider[Request]
	fake.Script[Failure]

	accepted fake.Log[Accepted]
}

// New starts the fake.
func New() *Server {
	s := &Server{}
	s.Start(http.HandlerFunc(s.serve))
	return s
}

// Accepted returns the messages taken so far, in order.
func (s *Server) Accepted() []Accepted { return s.accepted.All() }

// StatusCallback builds the signed status callback Twilio posts for the
// accepted message sid to the StatusCallback URL it was sent with, as
// given (query included: Twilio signs the whole URL); nil when the
// message is unknown or named no callback.
func (s *Server) StatusCallback(sid, status string, errorCode int) *http.Request {
	for _, a := range s.accepted.All() {
		if a.SID == sid && a.StatusCallback != "" {
			return SignedStatus(a.StatusCallback, a.SID, a.To, status, errorCode)
		}
	}
	return nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body := fake.Body(r, 10<<20)
	rec := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	form, ferr := url.ParseQuery(string(body))
	if ct == "application/x-www-form-urlencoded" && ferr == nil {
		rec.Form = form
	}
	s.Record(rec)

	user, pass, ok := r.BasicAuth()
	if !ok || user != AccountSID || !hmac.Equal([]byte(pass), []byte(AuthToken)) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if r.URL.Path != "/2010-04-01/Accounts/"+AccountSID+"/Messages.json" {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	}
	if rec.Form == nil {
		// Twilio reads only form fields: a JSON body leaves them all empty.
		form = url.Values{}
	}
	to, from, svc, text := form.Get("To"), form.Get("From"), form.Get("MessagingServiceSid"), form.Get("Body")
	switch {
	case to == "":
		writeError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case from == "" && svc == "":
		writeError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case from != "" && from != From:
		writeError(w, http.StatusBadRequest, 21606, "The From phone number "+from+" is not a valid, SMS-capable inbound phone number or short code for your account.")
		return
	case svc != "" && svc != MessagingServiceSID:
		writeError(w, http.StatusBadRequest, 21705, "The Messaging Service Sid "+svc+" is invalid.")
		return
	case text == "" && form.Get("MediaUrl") == "":
		writeError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	case utf8.RuneCountInString(text) > maxBody:
		writeError(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
		return
	case !e164.MatchString(to):
		writeError(w, http.StatusBadRequest, 21211, "The 'To' number "+to+" is not a valid phone number.")
		return
	}
	if cb := form.Get("StatusCallback"); cb != "" {
		if u, err := url.Parse(cb); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			writeError(w, http.StatusBadRequest, 21609, "The StatusCallback URL "+cb+" is not a valid URL.")
			return
		}
	}
	if f, failing := s.Next(to); failing {
		switch f {
		case Unsubscribed:
			writeError(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
		case InvalidNumber:
			writeError(w, http.StatusBadRequest, 21211, "The 'To' number "+to+" is not a valid phone number.")
		case NotMobile:
			writeError(w, http.StatusBadRequest, 21614, "'To' number is not a valid mobile number")
		case TooManyRequests:
			w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
			writeError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		default:
			writeError(w, http.StatusInternalServerError, 20500, "An internal server error has occurred")
		}
		return
	}
	sid := NewSID("SM")
	s.accepted.Append(Accepted{SID: sid, To: to, Body: text, StatusCallback: form.Get("StatusCallback")})
	now := time.Now().UTC().Format(time.RFC1123Z)
	status, fromField := "queued", any(from)
	var svcField any
	if svc != "" {
		// Sent through a Messaging Service, a message is "accepted" until
		// the service picks a sender.
		status, svcField = "accepted", svc
		if from == "" {
			fromField = nil
		}
	}
	segments := (utf8.RuneCountInString(text) + 152) / 153
	if segments < 1 {
		segments = 1
	}
	fake.JSON(w, http.StatusCreated, map[string]any{
		"sid": sid, "account_sid": AccountSID, "api_version": "2010-04-01",
		"to": to, "from": fromField, "messaging_service_sid": svcField, "body": text,
		"status": status, "direction": "outbound-api", "num_segments": strconv.Itoa(segments), "num_media": "0",
		"date_created": now, "date_updated": now, "date_sent": nil,
		"error_code": nil, "error_message": nil, "price": nil, "price_unit": "USD",
		"uri":                "/2010-04-01/Accounts/" + AccountSID + "/Messages/" + sid + ".json",
		"subresource_uris":   map[string]string{"media": "/2010-04-01/Accounts/" + AccountSID + "/Messages/" + sid + "/Media.json"},
		"status_callback":    nilIfEmpty(form.Get("StatusCallback")),
		"messaging_features": nil,
	})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// NewSID returns a random Twilio-style SID with the given prefix ("SM", "MM").
func NewSID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// writeError answers Twilio's REST error body.
func writeError(w http.ResponseWriter, status, code int, msg string) {
	fake.JSON(w, status, map[string]any{
		"code": code, "message": msg, "more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code), "status": status,
	})
}

// Sign computes X-Twilio-Signature for a POST of params to fullURL:
// base64(HMAC-SHA1(authToken, fullURL + each name+value, names sorted)).
// Written out here rather than borrowed from the adapter, so a mistake in
// one is caught by the other.
func Sign(authToken, fullURL string, params url.Values) string {
	s := fullURL
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := append([]string(nil), params[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			s += k + v
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignedForm builds the POST Twilio would make to target (the public URL of
// the product's webhook) with params, signed with authToken.
func SignedForm(target, authToken string, params url.Values) *http.Request {
	return fake.Post(target, []byte(params.Encode()), "Content-Type", "application/x-www-form-urlencoded",
		"User-Agent", "TwilioProxy/1.1", "I-Twilio-Idempotency-Token", NewSID(""), "X-Twilio-Signature", Sign(authToken, target, params))
}

// StatusParams are the fields of a status callback for message sid to the
// number to; errorCode is sent (as ErrorCode) only when non-zero.
func StatusParams(sid, to, status string, errorCode int) url.Values {
	p := url.Values{
		"AccountSid": {AccountSID}, "ApiVersion": {"2010-04-01"}, "From": {From}, "To": {to},
		"MessageSid": {sid}, "SmsSid": {sid}, "MessageStatus": {status}, "SmsStatus": {status},
	}
	if errorCode != 0 {
		p.Set("ErrorCode", strconv.Itoa(errorCode))
	}
	return p
}

// InboundParams are the fields of an inbound-SMS webhook from the number
// from saying body, with message sid (NewSID("SM") when empty).
func InboundParams(sid, from, body string) url.Values {
	if sid == "" {
		sid = NewSID("SM")
	}
	return url.Values{
		"AccountSid": {AccountSID}, "ApiVersion": {"2010-04-01"}, "From": {from}, "To": {From},
		"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid}, "SmsStatus": {"received"},
		"Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "FromCountry": {"US"}, "ToCountry": {"US"},
	}
}

// SignedStatus builds a signed status callback to target.
func SignedStatus(target, sid, to, status string, errorCode int) *http.Request {
	return SignedForm(target, AuthToken, StatusParams(sid, to, status, errorCode))
}

// SignedMessage builds a signed inbound-SMS webhook to target.
func SignedMessage(target, sid, from, body string) *http.Request {
	return SignedForm(target, AuthToken, InboundParams(sid, from, body))
}

// String describes a failure for test names.
func (f Failure) String() string {
	return map[Failure]string{Unsubscribed: "21610 unsubscribed", InvalidNumber: "21211 invalid number", NotMobile: "21614 not mobile",
		TooManyRequests: "20429 too many requests", ServerError: "20500 server error"}[f]
}
