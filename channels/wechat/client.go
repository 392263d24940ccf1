// Package wechat sends follow-ups as WeChat Official Account customer
// service messages (客服消息) and reads the account's message pushes
// (channels.md §5).
package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/provider"
)

// DefaultBaseURL is WeChat's API root.
const DefaultBaseURL = "https://api.weixin.qq.com"

// refreshMargin is how long before expires_in the cached token is renewed,
// so a send never starts with a token that dies in flight.
const refreshMargin = 5 * time.Minute

// Config is what the client needs to send as one Official Account.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL.
	BaseURL string
	// AppID and AppSecret fetch the access_token.
	AppID     string
	AppSecret string
	// KFAccount, when set, sends as that customer-service account
	// ("test1@kftest"), so the customer sees the agent's seat.
	KFAccount string
}

// Client sends customer-service text messages. One Client holds the
// account's access_token; share it between all senders of the account,
// since fetching a token invalidates the previous one (channels.md §5.4).
type Client struct {
	cfg Config
	api provider.API
	now func() time.Time

	// lock is a one-slot semaphore guarding the token: a channel rather than
	// a mutex so a waiting send can give up when its context ends.
	lock    chan struct{}
	token   string
	expires time.Time // when to stop using token (expires_in minus a margin)
}

// New checks cfg and returns a client using hc (http.DefaultClient when nil).
func New(cfg Config, hc *http.Client) (*Client, error) {
	if err := channels.Missing("wechat", "appid", cfg.AppID, "app secret", cfg.AppSecret); err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, api: provider.NewAPI(cfg.BaseURL, DefaultBaseURL, hc), now: time.Now, lock: make(chan struct{}, 1)}, nil
}

// apiError is WeChat's envelope; HTTP is 200 for errors too.
type apiError struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// Token errors that a new access_token cures (channels.md §5.3).
const (
	errInvalidCredential = 40001 // invalid or not the latest token
	errInvalidToken      = 40014
	errTokenExpired      = 42001
)

func tokenRejected(code int) bool {
	return code == errInvalidCredential || code == errInvalidToken || code == errTokenExpired
}

type textBody struct {
	Content string `json:"content"`
}

type kf struct {
	KFAccount string `json:"kf_account"`
}

type sendRequest struct {
	ToUser        string   `json:"touser"`
	MsgType       string   `json:"msgtype"`
	Text          textBody `json:"text"`
	CustomService *kf      `json:"customservice,omitempty"`
}

// Send posts m as a customer-service text message. WeChat allows only free
// text inside its 48 h window; after it nothing can be sent here
// (PRODUCT.md §2), so every other mode is refused before any request.
//
// WeChat's send has no idempotency key, no opaque field and returns no
// message id: Sent.ProviderID is empty.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if m.Mode != followup.ModeFreeText {
		return channels.Sent{}, provider.Permanent("unsupported_mode", fmt.Sprintf("WeChat cannot send %q messages", m.Mode))
	}
	if m.To == "" {
		return channels.Sent{}, provider.Permanent("no_recipient", "the contact has no WeChat openid")
	}
	req := sendRequest{ToUser: m.To, MsgType: "text", Text: textBody{Content: m.Text}}
	if c.cfg.KFAccount != "" {
		req.CustomService = &kf{KFAccount: c.cfg.KFAccount}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return channels.Sent{}, fmt.Errorf("wechat: encode message: %w", err)
	}
	token, err := c.accessToken(ctx, "")
	if err != nil {
		return channels.Sent{}, err
	}
	e, err := c.post(ctx, token, body)
	if err == nil && e != nil && tokenRejected(e.code) {
		// The token was revoked (someone fetched a newer one) or expired
		// early: refresh once, shared with every concurrent send that saw
		// the same token, and try again once.
		if token, err = c.accessToken(ctx, token); err != nil {
			return channels.Sent{}, err
		}
		e, err = c.post(ctx, token, body)
		if err == nil && e != nil && tokenRejected(e.code) {
			// The token endpoint accepted our secret a moment ago, so this
			// is churn (another process refreshing), not bad credentials.
			return channels.Sent{}, &followup.SendError{Class: followup.Retryable, Code: strconv.Itoa(e.code), Message: e.msg}
		}
	}
	if err != nil {
		return channels.Sent{}, err
	}
	if e != nil {
		return channels.Sent{}, classify(e.code, e.msg)
	}
	return channels.Sent{}, nil
}

type errcode struct {
	code int
	msg  string
}

// post sends body with token; it returns the provider's non-zero errcode,
// or an error for anything that is not a WeChat answer.
func (c *Client) post(ctx context.Context, token string, body []byte) (*errcode, error) {
	var r apiError
	u := "/cgi-bin/message/custom/send?access_token=" + url.QueryEscape(token)
	if err := c.call(ctx, provider.Request{URL: u, Raw: body}, "custom/send", &r); err != nil {
		return nil, err
	}
	if r.ErrCode == nil {
		return nil, &followup.SendError{Class: followup.Retryable, Code: "bad_response", Message: "WeChat answered without errcode"}
	}
	if *r.ErrCode != 0 {
		return &errcode{code: *r.ErrCode, msg: r.ErrMsg}, nil
	}
	return nil, nil
}

// call runs r and decodes a 200 JSON answer into v. Transport errors come
// back plain (retried), with the access_token and secret redacted; HTTP
// errors as classified SendErrors.
func (c *Client) call(ctx context.Context, r provider.Request, what string, v any) error {
	a, err := c.api.Do(ctx, r)
	if err != nil {
		return fmt.Errorf("wechat: %s: %w", what, provider.Redact(err, "access_token", "secret"))
	}
	if a.StatusCode != http.StatusOK {
		return a.HTTPError(fmt.Sprintf("WeChat %s answered HTTP %d: %s", what, a.StatusCode, a.Snippet()), http.StatusRequestTimeout)
	}
	if err := json.Unmarshal(a.Body, v); err != nil {
		return &followup.SendError{Class: followup.Retryable, Code: "bad_response",
			Message: fmt.Sprintf("WeChat %s answered with an unreadable body: %s", what, a.Snippet())}
	}
	return nil
}

// classify maps a WeChat errcode of the send call (channels.md §5.3).
func classify(code int, msg string) *followup.SendError {
	e := &followup.SendError{Code: strconv.Itoa(code), Message: msg}
	if e.Message == "" {
		e.Message = "WeChat refused the message"
	}
	switch code {
	case 45015, 45047:
		// 45015: more than 48 h since the customer's last message (or they
		// unfollowed); 45047: the per-window message quota is used up. Only a
		// customer message reopens either.
		e.Class = followup.WindowClosed
	case 43004, 43019:
		// 43004: the user no longer follows the account; 43019: the user
		// is on the account's blacklist.
		e.Class = followup.RecipientGone
	case -1, 45009, 45011:
		// -1: system busy; 45009/45011: daily or per-minute API quota.
		e.Class = followup.Retryable
	default:
		// 40003 invalid openid, 48001 api unauthorized, 40008 bad msgtype,
		// 47001 bad JSON, 44004 empty content…: the request must change.
		e.Class = followup.Permanent
	}
	return e
}

type tokenResponse struct {
	apiError
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// accessToken returns the cached token, fetching one when there is none,
// it is about to expire, or it is stale (the token a send was refused
// with). Only one fetch runs at a time; sends waiting for it then find the
// fresh token, so N concurrent sends cost one fetch. A second fetch
// would revoke the first's token (channels.md §5.4).
func (c *Client) accessToken(ctx context.Context, stale string) (string, error) {
	select {
	case c.lock <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.lock }()
	if c.token != "" && c.token != stale && c.now().Before(c.expires) {
		return c.token, nil
	}
	q := url.Values{"grant_type": {"client_credential"}, "appid": {c.cfg.AppID}, "secret": {c.cfg.AppSecret}}
	var r tokenResponse
	if err := c.call(ctx, provider.Request{Method: http.MethodGet, URL: "/cgi-bin/token?" + q.Encode()}, "token", &r); err != nil {
		return "", err
	}
	if r.ErrCode != nil && *r.ErrCode != 0 {
		e := &followup.SendError{Class: followup.Permanent, Code: strconv.Itoa(*r.ErrCode), Message: "WeChat refused the access_token request: " + r.ErrMsg}
		if *r.ErrCode == -1 || *r.ErrCode == 45009 || *r.ErrCode == 45011 {
			e.Class = followup.Retryable
		}
		// Otherwise 40013 invalid appid, 40125 invalid secret, 40164 IP not
		// whitelisted: configuration, not luck.
		return "", e
	}
	if r.AccessToken == "" || r.ExpiresIn <= 0 {
		return "", &followup.SendError{Class: followup.Retryable, Code: "bad_response", Message: "WeChat token answer without access_token or expires_in"}
	}
	life := time.Duration(r.ExpiresIn) * time.Second
	margin := refreshMargin
	if life < 2*margin {
		margin = life / 2
	}
	c.token, c.expires = r.AccessToken, c.now().Add(life-margin)
	return c.token, nil
}
