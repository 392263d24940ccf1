package wechat

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/wechat/wechattest"
)

const target = "http://followup.test/webhooks/wechat"

func TestSignatureKnownValue(t *testing.T) {
	// sha1 of the three values sorted and joined: "1409304348" + "nonce" + "token".
	const want = "c21d07973d69a8327f8346d879d072ef58bd3a9a"
	if got := Signature("token", "1409304348", "nonce"); got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
	if got := wechattest.Signature("token", "1409304348", "nonce"); got != want {
		t.Errorf("wechattest.Signature = %s, want %s", got, want)
	}
}

func TestWebhookTextMessage(t *testing.T) {
	hook := NewWebhook(wechattest.Token)
	at := time.Unix(1348831860, 0).UTC()
	channelstest.Event(t, channelstest.ReceiveOne(t, hook, wechattest.SignedMessage(target, "oUser1_openid", "还是不行 <still broken> & more", 1234567890123456, at)), channels.Event{
		Channel: followup.WeChat, Kind: channels.Message, ExternalID: "oUser1_openid",
		Text: "还是不行 <still broken> & more", At: at, ProviderMessageID: "1234567890123456",
		DedupKey: "wechat:" + wechattest.Account + ":1234567890123456"})
}

func TestWebhookPlainXMLAndOtherTypes(t *testing.T) {
	hook := NewWebhook(wechattest.Token)
	// The documented example, without CDATA.
	b := []byte(`<xml><ToUserName>gh_1</ToUserName><FromUserName>oX</FromUserName><CreateTime>1348831860</CreateTime><MsgType>image</MsgType><PicUrl>http://x/y.jpg</PicUrl><MediaId>m</MediaId><MsgId>42</MsgId></xml>`)
	evs, err := hook.Parse(nil, b)
	if err != nil || len(evs) != 1 || evs[0].Kind != channels.Message || evs[0].ExternalID != "oX" || evs[0].Text != "" {
		t.Errorf("image: %+v, %v (an image reopens the window too)", evs, err)
	}
	channelstest.Skips(t, hook,
		`<xml><ToUserName>gh_1</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>`,
		`<xml><ToUserName>gh_1</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>CLICK</Event><EventKey>K</EventKey></xml>`)
}

func TestWebhookMalformed(t *testing.T) {
	channelstest.Rejects(t, NewWebhook(wechattest.Token),
		``, `not xml`, `<xml><FromUserName>oX</FromUserName>`, `<other><FromUserName>oX</FromUserName></other>`,
		`<xml><ToUserName>gh</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>`,
		`<xml><FromUserName>oX</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>`,
		`<xml><FromUserName>oX</FromUserName><CreateTime>soon</CreateTime><MsgType>text</MsgType><MsgId>1</MsgId></xml>`,
		`<xml><ToUserName>gh</ToUserName><Encrypt>c2VjcmV0</Encrypt></xml>`)
}

func TestWebhookDuplicateDeliverySameKey(t *testing.T) {
	b := wechattest.TextBody("oX", "hi", 99, time.Unix(1700000000, 0))
	channelstest.Redelivered(t, NewWebhook(wechattest.Token), b, b, wechattest.TextBody("oX", "hi", 100, time.Unix(1700000000, 0)))
}

func TestWebhookSignature(t *testing.T) {
	hook := NewWebhook(wechattest.Token)
	body := wechattest.TextBody("oX", "hi", 1, time.Now())
	mod := func(f func(q url.Values)) *http.Request {
		r := wechattest.SignedPush(target, body)
		q := r.URL.Query()
		f(q)
		r.URL.RawQuery = q.Encode()
		return r
	}
	old := time.Now().Add(-MaxSkew - time.Minute)
	stale, _ := http.NewRequest(http.MethodPost, wechattest.SignedQuery(target, old, "n"), bytes.NewReader(body))
	channelstest.Refuses(t, hook, map[string]channelstest.Signed{
		"forged":                     {R: mod(func(q url.Values) { q.Set("signature", strings.Repeat("0", 40)) }), Body: body},
		"missing signature":          {R: mod(func(q url.Values) { q.Del("signature") }), Body: body},
		"missing timestamp":          {R: mod(func(q url.Values) { q.Del("timestamp") }), Body: body},
		"tampered nonce":             {R: mod(func(q url.Values) { q.Set("nonce", "123") }), Body: body},
		"no query":                   {R: httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body)), Body: body},
		"replayed (stale timestamp)": {R: stale, Body: body},
	})
	channelstest.Refuses(t, NewWebhook("other-token"), map[string]channelstest.Signed{"other token": {R: wechattest.SignedPush(target, body), Body: body}})
	// Plaintext mode signs no body: a changed body with a fresh valid query
	// passes Verify. Only the timestamp bound limits replays (see Verify).
	if err := hook.Verify(wechattest.SignedPush(target, body), []byte("<xml/>")); err != nil {
		t.Errorf("valid query: %v", err)
	}
}

func TestHandshake(t *testing.T) {
	hook := NewWebhook(wechattest.Token)
	w := httptest.NewRecorder()
	if !hook.Handshake(w, wechattest.Handshake(target, "5838479218127813673")) {
		t.Fatal("handshake not handled")
	}
	if w.Code != http.StatusOK || w.Body.String() != "5838479218127813673" {
		t.Errorf("handshake answered %d %q", w.Code, w.Body.String())
	}

	r := wechattest.Handshake(target, "5838479218127813673")
	q := r.URL.Query()
	q.Set("signature", strings.Repeat("a", 40))
	r.URL.RawQuery = q.Encode()
	w = httptest.NewRecorder()
	if !hook.Handshake(w, r) || w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "5838479218127813673") {
		t.Errorf("forged handshake answered %d %q", w.Code, w.Body.String())
	}

	w = httptest.NewRecorder()
	if NewWebhook("other").Handshake(w, wechattest.Handshake(target, "e")); w.Code != http.StatusForbidden {
		t.Errorf("handshake for another token answered %d", w.Code)
	}

	if hook.Handshake(httptest.NewRecorder(), wechattest.SignedPush(target, nil)) {
		t.Error("a POST was taken for a handshake")
	}
}

func FuzzParse(f *testing.F) {
	channelstest.Fuzz(f, NewWebhook(wechattest.Token), followup.WeChat, func(e channels.Event) string {
		if e.At.IsZero() {
			return "event without a time"
		}
		return channelstest.HasExternalID(e)
	},
		wechattest.TextBody("oX", "hi", 1, time.Unix(1, 0)),
		[]byte(`<xml><FromUserName>oX</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType></xml>`),
		[]byte(`<xml><Encrypt>x</Encrypt></xml>`))
}
