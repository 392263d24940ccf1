// Package wechattest is a fake WeChat Official Account API for tests and
// the dev sandbox: access_token issuing (/cgi-bin/token, /cgi-bin/stable_token)
// where a new token revokes the previous one, customer-service sends
// checked against the token, a per-openid 48 h window and message quota,
// scripted failures per openid, and signed XML pushes.
package wechattest

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/followup-dev/followup/channels/fake"
)

// Credentials the fake accepts.
const (
	AppID     = "wx5f9b2c3a1d7e4b60"
	AppSecret = "0f8e7d6c5b4a39281706f5e4d3c2b1a0"
	// Token is the server-configuration token that signs pushes.
	Token = "followupwebhooktoken"
	// Account is the Official Account's original id (ToUserName of pushes).
	Account = "gh_3f5b9a7c2e11"
)

// Kind is a scripted outcome for one openid.
type Kind int

// Outcomes a test can script, with WeChat's errcodes (channels.md §5.3).
const (
	// OutOfTime answers 45015 (past 48 h, or unfollowed).
	OutOfTime Kind = iota + 1
	// OutOfCount answers 45047 (quota used up).
	OutOfCount
	// InvalidOpenID answers 40003.
	InvalidOpenID
	// Unfollowed answers 43004 (require subscribe).
	Unfollowed
	// Unauthorized answers 48001 (api unauthorized).
	Unauthorized
	// Busy answers -1 (system busy).
	Busy
	// InvalidCredential answers 40001 whatever the token, as when another
	// process keeps refreshing it.
	InvalidCredential
	// Unavailable answers HTTP 503.
	Unavailable
	// HTTPTooManyRequests answers HTTP 429 with Retry-After.
	HTTPTooManyRequests
)

// Request is one request the fake received; Body is the decoded JSON (nil for GETs).
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   map[string]any
}

type window struct {
	last  time.Time
	count int
}

// Server is the fake API.
type Server struct {
	fake.Provider[Request]
	fake.Script[Kind]

	mu         sync.Mutex
	now        func() time.Time
	fetches    int
	seq        int
	current    string
	expires    time.Time
	revoked    map[string]bool
	stable     string
	tokenDelay time.Duration
	tokenLife  time.Duration
	quota      int
	window     time.Duration
	windows    map[string]*window
	retryAfter time.Duration
}

// New starts a fake WeChat API; Close it when done. Quotas default to the
// current rule: 5 messages within 48 h of the customer's last message.
func New() *Server {
	s := &Server{now: time.Now, revoked: map[string]bool{}, tokenLife: 7200 * time.Second,
		quota: 5, window: 48 * time.Hour, windows: map[string]*window{}, retryAfter: 30 * time.Second}
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/token", s.tokenHandler)
	mux.HandleFunc("/cgi-bin/stable_token", s.stableToken)
	mux.HandleFunc("/cgi-bin/message/custom/send", s.send)
	s.Start(mux)
	return s
}

func (s *Server) with(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// SetNow replaces the fake's clock (token expiry and windows).
func (s *Server) SetNow(now func() time.Time) { s.with(func() { s.now = now }) }

// SetQuota sets the messages allowed per window (5 now, 20 under the older rule).
func (s *Server) SetQuota(n int) { s.with(func() { s.quota = n }) }

// SetTokenLife sets expires_in of new tokens (7200 s by default).
func (s *Server) SetTokenLife(d time.Duration) { s.with(func() { s.tokenLife = d }) }

// SetTokenDelay makes the token endpoints wait d before answering, so
// concurrent callers overlap.
func (s *Server) SetTokenDelay(d time.Duration) { s.with(func() { s.tokenDelay = d }) }

// SetRetryAfter sets the Retry-After of HTTPTooManyRequests answers.
func (s *Server) SetRetryAfter(d time.Duration) { s.with(func() { s.retryAfter = d }) }

// Inbound records that openid wrote to the account now: the window
// restarts and the quota count resets.
func (s *Server) Inbound(openid string) {
	s.with(func() { s.windows[openid] = &window{last: s.now()} })
}

// InboundAt records that openid wrote at `at`, as a push the fake did not
// deliver itself (the dev sandbox learns it from the database): when at is
// after the last message the fake knows of, the window restarts from at and
// the quota count resets; an older time changes nothing.
func (s *Server) InboundAt(openid string, at time.Time) {
	s.with(func() {
		if w := s.windows[openid]; w == nil || at.After(w.last) {
			s.windows[openid] = &window{last: at}
		}
	})
}

// ExpireToken makes the current access_token expired (42001).
func (s *Server) ExpireToken() { s.with(func() { s.expires = s.now() }) }

// RevokeToken invalidates the current access_token (40001), as a fetch by
// another process would.
func (s *Server) RevokeToken() {
	s.with(func() {
		s.revoked[s.current] = true
		s.current = ""
	})
}

// TokenFetches counts calls to /cgi-bin/token.
func (s *Server) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

// Sends returns the custom/send requests received so far.
func (s *Server) Sends() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Path == "/cgi-bin/message/custom/send" {
			out = append(out, r)
		}
	}
	return out
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// errcode writes WeChat's error envelope: HTTP 200, errcode and errmsg with a hint.
func errcode(w http.ResponseWriter, code int, msg string) {
	reply(w, map[string]any{"errcode": code, "errmsg": fmt.Sprintf("%s rid: 65f0c1a2-1b2c3d4e-%d", msg, code)})
}

func (s *Server) record(r *http.Request) (map[string]any, error) {
	var body map[string]any
	var err error
	if r.Method == http.MethodPost {
		err = json.Unmarshal(fake.Body(r, 1<<20), &body)
	}
	s.Record(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
	return body, err
}

func (s *Server) credentials(w http.ResponseWriter, appid, secret string) bool {
	switch {
	case appid != AppID:
		errcode(w, 40013, "invalid appid")
		return false
	case secret != AppSecret:
		errcode(w, 40125, "invalid appsecret")
		return false
	}
	return true
}

func (s *Server) tokenHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = s.record(r)
	q := r.URL.Query()
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if q.Get("grant_type") != "client_credential" {
		errcode(w, 40002, "invalid grant_type")
		return
	}
	if !s.credentials(w, q.Get("appid"), q.Get("secret")) {
		return
	}
	s.mu.Lock()
	s.fetches++
	delay := s.tokenDelay
	s.mu.Unlock()
	time.Sleep(delay)
	s.mu.Lock()
	// A new token revokes the previous one. (WeChat keeps the old one
	// usable for ~5 min; the fake is strict so that needless fetches show.)
	if s.current != "" {
		s.revoked[s.current] = true
	}
	s.seq++
	s.current = fmt.Sprintf("ACCESS_TOKEN_%d_%s", s.seq, strings.Repeat("x", 100))
	s.expires = s.now().Add(s.tokenLife)
	tok, life := s.current, s.tokenLife
	s.mu.Unlock()
	reply(w, map[string]any{"access_token": tok, "expires_in": int(life / time.Second)})
}

func (s *Server) stableToken(w http.ResponseWriter, r *http.Request) {
	body, err := s.record(r)
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err != nil {
		errcode(w, 47001, "data format error")
		return
	}
	appid, _ := body["appid"].(string)
	secret, _ := body["secret"].(string)
	if body["grant_type"] != "client_credential" {
		errcode(w, 40002, "invalid grant_type")
		return
	}
	if !s.credentials(w, appid, secret) {
		return
	}
	s.mu.Lock()
	// The stable token is independent of /cgi-bin/token's (channels.md §5.4).
	if s.stable == "" || body["force_refresh"] == true {
		s.seq++
		s.stable = fmt.Sprintf("STABLE_TOKEN_%d", s.seq)
	}
	tok, life := s.stable, s.tokenLife
	s.mu.Unlock()
	reply(w, map[string]any{"access_token": tok, "expires_in": int(life / time.Second)})
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	body, decErr := s.record(r)
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	tok := r.URL.Query().Get("access_token")
	s.mu.Lock()
	now := s.now()
	var tokErr int
	switch {
	case tok == "":
		tokErr = 41001
	case tok == s.stable:
	case tok == s.current && now.Before(s.expires):
	case tok == s.current:
		tokErr = 42001
	default: // revoked or never issued
		tokErr = 40001
	}
	s.mu.Unlock()
	switch tokErr {
	case 41001:
		errcode(w, 41001, "access_token missing")
		return
	case 42001:
		errcode(w, 42001, "access_token expired")
		return
	case 40001:
		errcode(w, 40001, "invalid credential, access_token is invalid or not latest")
		return
	}
	if decErr != nil {
		errcode(w, 47001, "data format error")
		return
	}
	touser, _ := body["touser"].(string)
	msgtype, _ := body["msgtype"].(string)
	switch {
	case touser == "":
		errcode(w, 40003, "invalid openid")
		return
	case msgtype != "text":
		errcode(w, 40008, "invalid message type")
		return
	}
	text, _ := body["text"].(map[string]any)
	if content, _ := text["content"].(string); content == "" {
		errcode(w, 44004, "empty content")
		return
	}
	if cs, ok := body["customservice"]; ok {
		m, _ := cs.(map[string]any)
		if acct, _ := m["kf_account"].(string); !strings.Contains(acct, "@") {
			errcode(w, 65400, "invalid kf_account")
			return
		}
	}

	kind, _ := s.Next(touser)
	s.mu.Lock()
	retry := s.retryAfter
	win := s.windows[touser]
	var code int
	var msg string
	switch kind {
	case OutOfTime:
		code, msg = 45015, "response out of time limit or subscription is canceled"
	case OutOfCount:
		code, msg = 45047, "out of response count limit"
	case InvalidOpenID:
		code, msg = 40003, "invalid openid"
	case Unfollowed:
		code, msg = 43004, "require subscribe"
	case Unauthorized:
		code, msg = 48001, "api unauthorized"
	case Busy:
		code, msg = -1, "system error"
	case InvalidCredential:
		code, msg = 40001, "invalid credential, access_token is invalid or not latest"
	case Unavailable, HTTPTooManyRequests:
	default:
		// The customer-service rule: a customer message allows `quota`
		// messages within `window` (客服消息下发规则).
		switch {
		case win == nil || now.Sub(win.last) > s.window:
			code, msg = 45015, "response out of time limit or subscription is canceled"
		case win.count >= s.quota:
			code, msg = 45047, "out of response count limit"
		default:
			win.count++
		}
	}
	s.mu.Unlock()
	switch {
	case kind == Unavailable:
		http.Error(w, "<html>502 Bad Gateway</html>", http.StatusServiceUnavailable)
	case kind == HTTPTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(int(retry/time.Second)))
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
	case code != 0:
		errcode(w, code, msg)
	default:
		reply(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	}
}

// Signature is sha1 of the sorted, concatenated token, timestamp and nonce.
func Signature(token, timestamp, nonce string) string {
	p := []string{token, timestamp, nonce}
	sort.Strings(p)
	sum := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(sum[:])
}

// SignedQuery returns target with signature, timestamp (now) and nonce
// added, as WeChat calls the server URL.
func SignedQuery(target string, now time.Time, nonce string) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	q := url.Values{"signature": {Signature(Token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	return target + sep + q.Encode()
}

// Handshake is the GET WeChat sends when the server URL is configured.
func Handshake(target, echostr string) *http.Request {
	r, err := http.NewRequest(http.MethodGet, SignedQuery(target, time.Now(), "1514711492")+"&echostr="+url.QueryEscape(echostr), nil)
	if err != nil {
		panic(fmt.Sprintf("wechattest: %v", err))
	}
	return r
}

// cdata writes s as XML text inside CDATA, as WeChat does.
type cdata struct {
	Text string `xml:",cdata"`
}

type textPush struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata    `xml:"ToUserName"`
	FromUserName cdata    `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      cdata    `xml:"MsgType"`
	Content      cdata    `xml:"Content"`
	MsgID        int64    `xml:"MsgId"`
}

// TextBody is the XML WeChat pushes when openid writes text.
func TextBody(openid, text string, msgID int64, at time.Time) []byte {
	b, _ := xml.Marshal(textPush{ToUserName: cdata{Account}, FromUserName: cdata{openid}, CreateTime: at.Unix(),
		MsgType: cdata{"text"}, Content: cdata{text}, MsgID: msgID})
	return b
}

// SignedPush is a POST of body to target with a valid query signature
// (timestamp now). It panics on an invalid target, as httptest.NewRequest does.
func SignedPush(target string, body []byte) *http.Request {
	return fake.Post(SignedQuery(target, time.Now(), "1320562725"), body, "Content-Type", "text/xml")
}

// SignedMessage is a signed push of a text message from openid.
func SignedMessage(target, openid, text string, msgID int64, at time.Time) *http.Request {
	return SignedPush(target, TextBody(openid, text, msgID, at))
}
