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
	fake := channelstest.Start(t, linetest.New)
	return channelstest.Must(line.New(line.Config{BaseURL: fake.URL(), ChannelAccessToken: linetest.AccessToken}, nil))(t), fake
}

func text(to, body, key string) channels.Outbound {
	return channels.Outbound{Channel: followup.LINE, To: to, Mode: followup.ModeFreeText, Text: body, IdempotencyKey: key}
}

func TestNewNamesMissingToken(t *testing.T) {
	_, err := line.New(line.Config{}, nil)
	channelstest.ErrorNames(t, err, "access token")
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
	r := channelstest.One(t, "requests", fake.Requests())
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

// failure is LINE's answer to a push and the Retry-After (in seconds) a
// proxy in front of it adds.
type failure struct {
	answer     linetest.Failure
	retryAfter int
}

func TestSendErrors(t *testing.T) {
	const rateLimited = "The API rate limit has been exceeded. Try again later."
	channelstest.Failures(t, []channelstest.Failure[failure]{
		{Name: "monthly limit", Fail: failure{linetest.MonthlyLimit, 0}, Class: followup.WindowClosed, Code: "429", Message: "You have reached your monthly limit."},
		{Name: "rate limit", Fail: failure{linetest.RateLimited, 0}, Class: followup.Retryable, Code: "429", Message: rateLimited},
		{Name: "rate limit with Retry-After", Fail: failure{linetest.RateLimited, 3}, Class: followup.Retryable, Code: "429", Message: rateLimited, RetryAfter: 3 * time.Second},
		{Name: "no such user", Fail: failure{linetest.FailedToSend, 0}, Class: followup.Permanent, Code: "400", Message: "Failed to send messages"},
		{Name: "forbidden", Fail: failure{linetest.Forbidden, 0}, Class: followup.Permanent, Code: "403", Message: "Access to this API is not available for your account"},
		{Name: "server error", Fail: failure{linetest.ServerError, 0}, Class: followup.Retryable, Code: "500", Message: "Internal server error"},
	}, func(t *testing.T, f failure) error {
		c, fake := newClient(t)
		fake.FailFor(ada, f.answer)
		fake.SetRetryAfter(f.retryAfter)
		_, err := c.Send(context.Background(), text(ada, "x", "k-ada"))
		if _, err := c.Send(context.Background(), text(bob, "x", "k-bob")); err != nil {
			t.Errorf("other user: %v", err)
		}
		return err
	})
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
	channelstest.RefusesModes(t, c, text(ada, "x", "k"), fake.Received, followup.ModeTemplate)
}

func TestSendTransportError(t *testing.T) {
	fake := linetest.New()
	url := fake.URL()
	fake.Close()
	c, _ := line.New(line.Config{BaseURL: url, ChannelAccessToken: linetest.AccessToken}, nil)
	_, err := c.Send(context.Background(), text(ada, "x", "k"))
	channelstest.Retried(t, err)
}
