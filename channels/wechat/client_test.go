package wechat

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/wechat/wechattest"
)

func newClient(t *testing.T, fake *wechattest.Server, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: fake.URL(), AppID: wechattest.AppID, AppSecret: wechattest.AppSecret}
	for _, f := range mod {
		f(&cfg)
	}
	return channelstest.Must(New(cfg, nil))(t)
}

func text(to string) channels.Outbound {
	return channels.Outbound{Channel: followup.WeChat, To: to, Mode: followup.ModeFreeText, Text: "您好 Ada, following up", IdempotencyKey: "k1"}
}

func TestNewNamesMissingCredential(t *testing.T) {
	_, err := New(Config{AppSecret: "s"}, nil)
	channelstest.ErrorNames(t, err, "appid")
	_, err = New(Config{AppID: "a"}, nil)
	channelstest.ErrorNames(t, err, "secret")
}

func TestSendRequestShape(t *testing.T) {
	fake := channelstest.Start(t, wechattest.New)
	fake.Inbound("oUser1")
	c := newClient(t, fake, func(c *Config) { c.KFAccount = "ada@kftest" })
	if _, err := c.Send(context.Background(), text("oUser1")); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("fake got %d requests, want token + send", len(reqs))
	}
	tok, send := reqs[0], reqs[1]
	if tok.Method != http.MethodGet || tok.Path != "/cgi-bin/token" || tok.Query.Get("grant_type") != "client_credential" ||
		tok.Query.Get("appid") != wechattest.AppID || tok.Query.Get("secret") != wechattest.AppSecret {
		t.Errorf("token request %s %s %v", tok.Method, tok.Path, tok.Query)
	}
	if send.Method != http.MethodPost || send.Path != "/cgi-bin/message/custom/send" || !strings.HasPrefix(send.Query.Get("access_token"), "ACCESS_TOKEN_1_") {
		t.Errorf("send request %s %s %v", send.Method, send.Path, send.Query)
	}
	txt, _ := send.Body["text"].(map[string]any)
	cs, _ := send.Body["customservice"].(map[string]any)
	if send.Body["touser"] != "oUser1" || send.Body["msgtype"] != "text" || txt["content"] != "您好 Ada, following up" || cs["kf_account"] != "ada@kftest" {
		t.Errorf("body = %v", send.Body)
	}
}

func TestSendRefusesOtherModes(t *testing.T) {
	fake := channelstest.Start(t, wechattest.New)
	channelstest.RefusesModes(t, newClient(t, fake), text("oUser1"), fake.Received,
		followup.ModeTemplate, followup.ModeChatbot, followup.ModeHumanAgent, followup.ModeMessageTag)
}

func TestSendWindowAndQuota(t *testing.T) {
	fake := channelstest.Start(t, wechattest.New)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	fake.SetNow(func() time.Time { return now })
	c := newClient(t, fake)
	ctx := context.Background()

	if se := channelstest.SendError(t, func() error { _, err := c.Send(ctx, text("oNever")); return err }()); se.Class != followup.WindowClosed || se.Code != "45015" {
		t.Errorf("never wrote: %+v", se)
	}
	fake.Inbound("oAda")
	for i := range 5 {
		if _, err := c.Send(ctx, text("oAda")); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
	}
	if se := channelstest.SendError(t, func() error { _, err := c.Send(ctx, text("oAda")); return err }()); se.Class != followup.WindowClosed || se.Code != "45047" {
		t.Errorf("6th message: %+v", se)
	}
	fake.Inbound("oBob")
	now = now.Add(48*time.Hour + time.Second)
	if se := channelstest.SendError(t, func() error { _, err := c.Send(ctx, text("oBob")); return err }()); se.Class != followup.WindowClosed || se.Code != "45015" {
		t.Errorf("after 48 h: %+v", se)
	}
}

func TestSendErrors(t *testing.T) {
	channelstest.Failures(t, []channelstest.Failure[wechattest.Kind]{
		{Fail: wechattest.OutOfTime, Class: followup.WindowClosed, Code: "45015"},
		{Fail: wechattest.OutOfCount, Class: followup.WindowClosed, Code: "45047"},
		{Fail: wechattest.Unfollowed, Class: followup.RecipientGone, Code: "43004"},
		{Fail: wechattest.InvalidOpenID, Class: followup.Permanent, Code: "40003"},
		{Fail: wechattest.Unauthorized, Class: followup.Permanent, Code: "48001"},
		{Fail: wechattest.Busy, Class: followup.Retryable, Code: "-1"},
		{Fail: wechattest.Unavailable, Class: followup.Retryable, Code: "http_503"},
		{Fail: wechattest.HTTPTooManyRequests, Class: followup.Retryable, Code: "http_429", RetryAfter: 17 * time.Second},
	}, func(t *testing.T, kind wechattest.Kind) error {
		fake := channelstest.Start(t, wechattest.New)
		fake.Inbound("oBad")
		fake.FailFor("oBad", kind)
		fake.SetRetryAfter(17 * time.Second)
		_, err := newClient(t, fake).Send(context.Background(), text("oBad"))
		if n := len(fake.Sends()); n != 1 {
			t.Errorf("%d sends, want 1 (no blind retry)", n)
		}
		return err
	})
}

func TestTokenCachedUntilShortlyBeforeExpiry(t *testing.T) {
	fake := channelstest.Start(t, wechattest.New)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	fake.SetNow(clock)
	fake.Inbound("oAda")
	fake.SetQuota(100)
	c := newClient(t, fake)
	c.now = clock
	ctx := context.Background()
	send := func() {
		t.Helper()
		if _, err := c.Send(ctx, text("oAda")); err != nil {
			t.Fatal(err)
		}
	}
	send()
	now = now.Add(7200*time.Second - refreshMargin - time.Second)
	send()
	if n := fake.TokenFetches(); n != 1 {
		t.Fatalf("%d token fetches inside the token's life, want 1", n)
	}
	now = now.Add(2 * time.Second) // inside the margin: renew before it dies
	send()
	if n := fake.TokenFetches(); n != 2 {
		t.Errorf("%d token fetches, want 2", n)
	}
	if n := len(fake.Sends()); n != 3 {
		t.Errorf("%d sends, want 3 (no refusal, no retry)", n)
	}
}

func TestRefreshOnceOnRejectedToken(t *testing.T) {
	for name, spoil := range map[string]func(*wechattest.Server){
		"40001 revoked": (*wechattest.Server).RevokeToken,
		"42001 expired": (*wechattest.Server).ExpireToken,
	} {
		t.Run(name, func(t *testing.T) {
			fake := channelstest.Start(t, wechattest.New)
			fake.Inbound("oAda")
			c := newClient(t, fake)
			if _, err := c.Send(context.Background(), text("oAda")); err != nil {
				t.Fatal(err)
			}
			spoil(fake)
			if _, err := c.Send(context.Background(), text("oAda")); err != nil {
				t.Fatalf("send after %s: %v", name, err)
			}
			sends := fake.Sends()
			if fake.TokenFetches() != 2 || len(sends) != 3 {
				t.Fatalf("fetches %d sends %d, want 2 and 3", fake.TokenFetches(), len(sends))
			}
			if a, b := sends[1].Query.Get("access_token"), sends[2].Query.Get("access_token"); a == b || !strings.HasPrefix(b, "ACCESS_TOKEN_2_") {
				t.Errorf("retry used %q after %q", b, a)
			}
		})
	}
}

func TestRefreshOnlyOnce(t *testing.T) {
	fake := channelstest.Start(t, wechattest.New)
	fake.Inbound("oAda")
	fake.FailFor("oAda", wechattest.InvalidCredential)
	_, err := newClient(t, fake).Send(context.Background(), text("oAda"))
	se := channelstest.SendError(t, err)
	if se.Code != "40001" || se.Class != followup.Retryable {
		t.Errorf("got %+v", se)
	}
	if fake.TokenFetches() != 2 || len(fake.Sends()) != 2 {
		t.Errorf("fetches %d sends %d, want 2 and 2", fake.TokenFetches(), len(fake.Sends()))
	}
}

func TestConcurrentSendsShareOneFetch(t *testing.T) {
	fake := channelstest.Start(t, wechattest.New)
	fake.SetQuota(1000)
	fake.SetTokenDelay(50 * time.Millisecond)
	fake.Inbound("oAda")
	c := newClient(t, fake)
	run := func() {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Go(func() {
				if _, err := c.Send(context.Background(), text("oAda")); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	run()
	if n := fake.TokenFetches(); n != 1 {
		t.Errorf("20 concurrent first sends made %d token fetches, want 1", n)
	}
	// All 20 now hold a revoked token: each sees 40001, one refreshes.
	fake.RevokeToken()
	run()
	if n := fake.TokenFetches(); n != 2 {
		t.Errorf("20 concurrent sends after a revocation made %d token fetches in all, want 2", n)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	fake := channelstest.Start(t, wechattest.New)
	c := newClient(t, fake, func(c *Config) { c.AppSecret = "wrong" })
	_, err := c.Send(context.Background(), text("oAda"))
	if se := channelstest.SendError(t, err); se.Class != followup.Permanent || se.Code != "40125" {
		t.Errorf("wrong secret: %+v", se)
	}
	if len(fake.Sends()) != 0 {
		t.Error("sent without a token")
	}
}

func TestTransportErrorIsPlainAndRedacted(t *testing.T) {
	fake := wechattest.New()
	fake.Inbound("oAda")
	c := newClient(t, fake)
	if _, err := c.Send(context.Background(), text("oAda")); err != nil {
		t.Fatal(err)
	}
	fake.Close()
	_, err := c.Send(context.Background(), text("oAda"))
	channelstest.Plain(t, err)
	if err != nil && strings.Contains(err.Error(), "ACCESS_TOKEN_") {
		t.Errorf("error leaks the access_token: %v", err)
	}
}

func TestWaitingForTokenHonoursContext(t *testing.T) {
	fake := channelstest.Start(t, wechattest.New)
	c := newClient(t, fake)
	c.lock <- struct{}{} // a refresh in progress
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Send(ctx, text("oAda")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
}
