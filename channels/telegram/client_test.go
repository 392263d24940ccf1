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
	fake := channelstest.Start(t, telegramtest.New)
	return channelstest.Must(telegram.New(telegram.Config{BaseURL: fake.URL(), Token: telegramtest.Token}, nil))(t), fake
}

func text(to, body string) channels.Outbound {
	return channels.Outbound{Channel: followup.Telegram, To: to, Mode: followup.ModeFreeText, Text: body, IdempotencyKey: "k-" + to}
}

func TestNewNamesMissingToken(t *testing.T) {
	_, err := telegram.New(telegram.Config{}, nil)
	channelstest.ErrorNames(t, err, "token")
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
	channelstest.RefusesModes(t, c, text("4242", "x"), fake.Received,
		followup.ModeTemplate, followup.ModeHumanAgent, followup.ModeMessageTag, followup.ModeChatbot)
}

func TestSendErrors(t *testing.T) {
	channelstest.Failures(t, []channelstest.Failure[telegramtest.Failure]{
		{Fail: telegramtest.Blocked, Class: followup.RecipientGone, Code: "403", Message: "Forbidden: bot was blocked by the user"},
		{Fail: telegramtest.Deactivated, Class: followup.RecipientGone, Code: "403", Message: "Forbidden: user is deactivated"},
		{Fail: telegramtest.CantInitiate, Class: followup.RecipientGone, Code: "403", Message: "Forbidden: bot can't initiate conversation with a user"},
		{Fail: telegramtest.ChatNotFound, Class: followup.Permanent, Code: "400", Message: "Bad Request: chat not found"},
		{Fail: telegramtest.TooManyRequests, Class: followup.Retryable, Code: "429", Message: "Too Many Requests: retry after 7", RetryAfter: 7 * time.Second},
		{Fail: telegramtest.ServerError, Class: followup.Retryable, Code: "500", Message: "Internal Server Error"},
		{Fail: telegramtest.BadGateway, Class: followup.Retryable, Code: "502", Message: "Telegram answered 502 Bad Gateway"},
	}, func(t *testing.T, fail telegramtest.Failure) error {
		c, fake := newClient(t)
		fake.FailFor("777", fail)
		_, err := c.Send(context.Background(), text("777", "hello"))
		// Other chats are unaffected.
		if _, err := c.Send(context.Background(), text("778", "hello")); err != nil {
			t.Errorf("other chat: %v", err)
		}
		return err
	})
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
	fake := channelstest.Start(t, telegramtest.New)
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
