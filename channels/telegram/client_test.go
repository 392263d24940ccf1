package telegram_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/telegram"
	"github.com/followup-dev/followup/channels/telegram/telegramtest"
)

func newClient(t *testing.T) (*telegram.Client, *telegramtest.Server) {
	t.Helper()
	fake := telegramtest.New()
	t.Cleanup(fake.Close)
	return channelstest.Must(telegram.New(telegram.Config{BaseURL: fake.URL(), Token: telegramtest.Token}, nil))(t), fake
}

func text(to, body string) channels.Outbound {
	return channels.Outbound{Channel: followup.Telegram, To: to, Mode: followup.ModeFreeText, Text: body, IdempotencyKey: "k-" + to}
}

func TestNewNamesMissingToken(t *testing.T) {
	_, err := telegram.New(telegram.Config{}, nil)
	if err == nil || !strings.Contains(err.Error(), "token") {
		t.Fatalf("New without token = %v, want an error naming the token", err)
	}
}

func TestSendText(t *testing.T) {
	c, fake := newClient(t)
	sent, err := c.Send(context.Background(), text("4242", "Hi Ada, following up on #4821."))
	if err != nil {
		t.Fatal(err)
	}
	if sent.ProviderID != "4242:1" {
		t.Errorf("ProviderID = %q, want chat:message id 4242:1", sent.ProviderID)
	}
	sent2, err := c.Send(context.Background(), text("4242", "second"))
	if err != nil || sent2.ProviderID != "4242:2" {
		t.Errorf("second send = %q, %v; want 4242:2", sent2.ProviderID, err)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("fake got %d requests, want 2", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/bot"+telegramtest.Token+"/sendMessage" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if r.Params["chat_id"] != "4242" || r.Params["text"] != "Hi Ada, following up on #4821." {
		t.Errorf("params = %v", r.Params)
	}
}

func TestSendRefusesOtherModesWithoutCalling(t *testing.T) {
	c, fake := newClient(t)
	for _, mode := range []followup.Mode{followup.ModeTemplate, followup.ModeHumanAgent, followup.ModeMessageTag, followup.ModeChatbot} {
		m := text("4242", "x")
		m.Mode = mode
		_, err := c.Send(context.Background(), m)
		channelstest.Refusal(t, err, followup.Permanent, "unsupported_mode")
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("fake got %d requests for unsupported modes", n)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		fail       telegramtest.Failure
		class      followup.SendErrorClass
		code       string
		msg        string
		retryAfter time.Duration
	}{
		{telegramtest.Blocked, followup.RecipientGone, "403", "Forbidden: bot was blocked by the user", 0},
		{telegramtest.Deactivated, followup.RecipientGone, "403", "Forbidden: user is deactivated", 0},
		{telegramtest.CantInitiate, followup.RecipientGone, "403", "Forbidden: bot can't initiate conversation with a user", 0},
		{telegramtest.ChatNotFound, followup.Permanent, "400", "Bad Request: chat not found", 0},
		{telegramtest.TooManyRequests, followup.Retryable, "429", "Too Many Requests: retry after 7", 7 * time.Second},
		{telegramtest.ServerError, followup.Retryable, "500", "Internal Server Error", 0},
		{telegramtest.BadGateway, followup.Retryable, "502", "Telegram answered 502 Bad Gateway", 0},
	}
	for _, tt := range tests {
		t.Run(tt.code+" "+tt.msg, func(t *testing.T) {
			c, fake := newClient(t)
			fake.FailFor("777", tt.fail)
			_, err := c.Send(context.Background(), text("777", "hello"))
			se := channelstest.SendError(t, err)
			if se.Class != tt.class || se.Code != tt.code || se.Message != tt.msg || se.RetryAfter != tt.retryAfter {
				t.Errorf("got %+v, want class %s code %s msg %q retry %s", *se, tt.class, tt.code, tt.msg, tt.retryAfter)
			}
			// Other chats are unaffected.
			if _, err := c.Send(context.Background(), text("778", "hello")); err != nil {
				t.Errorf("other chat: %v", err)
			}
		})
	}
}

func TestSendRetryAfterFailOnce(t *testing.T) {
	c, fake := newClient(t)
	fake.FailOnce("9", telegramtest.TooManyRequests)
	if _, err := c.Send(context.Background(), text("9", "x")); err == nil {
		t.Fatal("first send succeeded, want 429")
	}
	if _, err := c.Send(context.Background(), text("9", "x")); err != nil {
		t.Fatalf("retry: %v", err)
	}
}

func TestSendBadTokenIsPermanent(t *testing.T) {
	fake := telegramtest.New()
	defer fake.Close()
	c, _ := telegram.New(telegram.Config{BaseURL: fake.URL(), Token: "1:wrong"}, nil)
	_, err := c.Send(context.Background(), text("4242", "x"))
	channelstest.Refusal(t, err, followup.Permanent, "401")
}

func TestSendInvalidRecipientFromFake(t *testing.T) {
	c, _ := newClient(t)
	_, err := c.Send(context.Background(), text("@not_a_user", "x"))
	if se := channelstest.Refusal(t, err, followup.Permanent, "400"); se.Message != "Bad Request: chat not found" {
		t.Fatalf("message %q, want chat not found", se.Message)
	}
}

func TestSendTransportErrorHidesToken(t *testing.T) {
	fake := telegramtest.New()
	url := fake.URL()
	fake.Close()
	c, _ := telegram.New(telegram.Config{BaseURL: url, Token: telegramtest.Token}, nil)
	_, err := c.Send(context.Background(), text("4242", "x"))
	channelstest.Retried(t, err)
	if err != nil && strings.Contains(err.Error(), telegramtest.Token) {
		t.Errorf("error leaks the bot token: %v", err)
	}
}
