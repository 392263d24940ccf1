package line_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/line"
	"github.com/followup-dev/followup/channels/line/linetest"
)

const (
	ada = "U4af4980629aaaaaaaaaaaaaaaaaaaaaa"
	bob = "U0000000000000000000000000000bbbb"
)

func newClient(t *testing.T) (*line.Client, *linetest.Server) {
	t.Helper()
	fake := linetest.New()
	t.Cleanup(fake.Close)
	return channelstest.Must(line.New(line.Config{BaseURL: fake.URL(), ChannelAccessToken: linetest.AccessToken}, nil))(t), fake
}

func text(to, body, key string) channels.Outbound {
	return channels.Outbound{Channel: followup.LINE, To: to, Mode: followup.ModeFreeText, Text: body, IdempotencyKey: key}
}

func TestNewNamesMissingToken(t *testing.T) {
	if _, err := line.New(line.Config{}, nil); err == nil || !strings.Contains(err.Error(), "access token") {
		t.Fatalf("New without token = %v, want an error naming the access token", err)
	}
}

func TestRetryKeyIsDeterministicUUID(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b, c := line.RetryKey("msg-1"), line.RetryKey("msg-1"), line.RetryKey("msg-2")
	if !uuid.MatchString(a) {
		t.Errorf("RetryKey = %q, not a version-5 UUID", a)
	}
	if a != b || a == c {
		t.Errorf("RetryKey not a function of the key: %q %q %q", a, b, c)
	}
}

func TestSendPush(t *testing.T) {
	c, fake := newClient(t)
	sent, err := c.Send(context.Background(), text(ada, "Hi Ada, following up on #4821.", "fu-1"))
	if err != nil {
		t.Fatal(err)
	}
	if sent.ProviderID == "" {
		t.Fatal("empty ProviderID")
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("fake got %d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v2/bot/message/push" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+linetest.AccessToken {
		t.Errorf("Authorization = %q", got)
	}
	if got := r.Header.Get("X-Line-Retry-Key"); got != line.RetryKey("fu-1") {
		t.Errorf("X-Line-Retry-Key = %q, want %q", got, line.RetryKey("fu-1"))
	}
	msgs, _ := r.JSON["messages"].([]any)
	if r.JSON["to"] != ada || len(msgs) != 1 {
		t.Fatalf("body = %v", r.JSON)
	}
	m := msgs[0].(map[string]any)
	if m["type"] != "text" || m["text"] != "Hi Ada, following up on #4821." {
		t.Errorf("message = %v", m)
	}
}

func TestSendRetryAfterLostAnswerIsDeduplicated(t *testing.T) {
	c, fake := newClient(t)
	fake.FailOnce(ada, linetest.LostAnswer)
	m := text(ada, "once only", "fu-lost")
	_, err := c.Send(context.Background(), m)
	channelstest.Refusal(t, err, followup.Retryable, "500")
	sent, err := c.Send(context.Background(), m)
	if err != nil {
		t.Fatalf("retry = %v, want success from the 409", err)
	}
	if sent.ProviderID == "" {
		t.Error("retry gave no ProviderID")
	}
	if n := fake.Pushed(); n != 1 {
		t.Errorf("fake accepted %d pushes, want 1", n)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Header.Get("X-Line-Retry-Key") != reqs[1].Header.Get("X-Line-Retry-Key") {
		t.Errorf("the retry did not repeat the retry key")
	}
	// A different message is a different key: it is sent.
	if _, err := c.Send(context.Background(), text(ada, "another", "fu-other")); err != nil || fake.Pushed() != 2 {
		t.Errorf("second message: %v, pushed %d", err, fake.Pushed())
	}
}

func TestSendDuplicateKeyReturnsFirstID(t *testing.T) {
	c, _ := newClient(t)
	m := text(bob, "hello", "fu-dup")
	first, err := c.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Send(context.Background(), m)
	if err != nil || again.ProviderID != first.ProviderID {
		t.Fatalf("duplicate = %q, %v; want %q", again.ProviderID, err, first.ProviderID)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name       string
		fail       linetest.Failure
		retryAfter int
		class      followup.SendErrorClass
		code, msg  string
		wantAfter  time.Duration
	}{
		{"monthly limit", linetest.MonthlyLimit, 0, followup.WindowClosed, "429", "You have reached your monthly limit.", 0},
		{"rate limit", linetest.RateLimited, 0, followup.Retryable, "429", "The API rate limit has been exceeded. Try again later.", 0},
		{"rate limit with Retry-After", linetest.RateLimited, 3, followup.Retryable, "429", "The API rate limit has been exceeded. Try again later.", 3 * time.Second},
		{"no such user", linetest.FailedToSend, 0, followup.Permanent, "400", "Failed to send messages", 0},
		{"forbidden", linetest.Forbidden, 0, followup.Permanent, "403", "Access to this API is not available for your account", 0},
		{"server error", linetest.ServerError, 0, followup.Retryable, "500", "Internal server error", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, fake := newClient(t)
			fake.FailFor(ada, tt.fail)
			fake.SetRetryAfter(tt.retryAfter)
			_, err := c.Send(context.Background(), text(ada, "x", "k-"+tt.name))
			se := channelstest.SendError(t, err)
			if se.Class != tt.class || se.Code != tt.code || se.Message != tt.msg || se.RetryAfter != tt.wantAfter {
				t.Errorf("got %+v, want %s %s %q %s", *se, tt.class, tt.code, tt.msg, tt.wantAfter)
			}
			if _, err := c.Send(context.Background(), text(bob, "x", "k-bob-"+tt.name)); err != nil {
				t.Errorf("other user: %v", err)
			}
		})
	}
}

func TestSendBadRecipientAndToken(t *testing.T) {
	c, fake := newClient(t)
	_, err := c.Send(context.Background(), text("not-a-user-id", "x", "k1"))
	if se := channelstest.Refusal(t, err, followup.Permanent, "400"); !strings.Contains(se.Message, "'to'") {
		t.Errorf("bad to = %v, want a message about 'to'", err)
	}
	bad, _ := line.New(line.Config{BaseURL: fake.URL(), ChannelAccessToken: "wrong"}, nil)
	_, err = bad.Send(context.Background(), text(ada, "x", "k2"))
	channelstest.Refusal(t, err, followup.Permanent, "401")
}

func TestSendRefusesOtherModes(t *testing.T) {
	c, fake := newClient(t)
	m := text(ada, "x", "k")
	m.Mode = followup.ModeTemplate
	_, err := c.Send(context.Background(), m)
	channelstest.Refusal(t, err, followup.Permanent, "unsupported_mode")
	if len(fake.Requests()) != 0 {
		t.Error("an unsupported mode reached the API")
	}
}

func TestSendTransportError(t *testing.T) {
	fake := linetest.New()
	url := fake.URL()
	fake.Close()
	c, _ := line.New(line.Config{BaseURL: url, ChannelAccessToken: linetest.AccessToken}, nil)
	_, err := c.Send(context.Background(), text(ada, "x", "k"))
	channelstest.Retried(t, err)
}
