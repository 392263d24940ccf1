package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/demo"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSandboxSendsThroughTheFakes sends to the demo workspace through every
// sandboxed adapter: the fakes accept what the real providers would, refuse
// what they would (knowing from the database when the customer last wrote
// and which templates are approved), and what they accepted is listed in
// the outbox once and logged.
func TestSandboxSendsThroughTheFakes(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Load(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	sb, err := sandbox.Start(st, sandbox.Options{Channels: followup.Channels, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if got := sb.Channels(); len(got) != len(followup.Channels) {
		t.Fatalf("sandboxed %v", got)
	}
	id := func(ch followup.Channel, first, last string) string { return demo.ExternalID(ch, first, last) }
	free := func(ch followup.Channel, to, text string) channels.Outbound {
		return channels.Outbound{Channel: ch, To: to, Mode: followup.ModeFreeText, Text: text}
	}
	tagged := func(ch followup.Channel, to string, mode followup.Mode, tag followup.Tag, text string) channels.Outbound {
		return channels.Outbound{Channel: ch, To: to, Mode: mode, Tag: tag, Text: text}
	}
	cases := []struct {
		m       channels.Outbound
		refused followup.SendErrorClass // "" = accepted
	}{
		{free(followup.WhatsApp, "+14155550142", "Your refund has landed"), ""},
		// Carlos wrote 30 h ago: the fake refuses free text with 131047 …
		{free(followup.WhatsApp, "+34612345678", "Hi"), followup.WindowClosed},
		// … and takes the approved template (language "en", as stored).
		{channels.Outbound{Channel: followup.WhatsApp, To: "+34612345678", Mode: followup.ModeTemplate,
			Template: &channels.TemplateRef{Name: "order_update", Language: "en", Params: []string{"Carlos", "A-17"}}}, ""},
		{tagged(followup.Messenger, id(followup.Messenger, "Mia", "Chen"), followup.ModeHumanAgent, followup.TagHumanAgent, "A person wrote this"), ""},
		{free(followup.Messenger, id(followup.Messenger, "Tom", "Becker"), "No tag after 9 days"), followup.WindowClosed},
		{tagged(followup.Messenger, id(followup.Messenger, "Tom", "Becker"), followup.ModeMessageTag, followup.TagPostPurchaseUpdate, "Shipped"), ""},
		{tagged(followup.Instagram, id(followup.Instagram, "Aiko", "Sato"), followup.ModeHumanAgent, followup.TagHumanAgent, "9 days on"), followup.WindowClosed},
		{free(followup.Instagram, id(followup.Instagram, "Mia", "Chen"), "Inside the window"), ""},
		{channels.Outbound{Channel: followup.Viber, To: id(followup.Viber, "Olga", "Petrova"), Mode: followup.ModeChatbot, Text: "Hello"}, ""},
		{free(followup.WeChat, id(followup.WeChat, "Wei", "Zhang"), "Hello"), ""},
		// Lukas wrote 50 h ago: 45015.
		{free(followup.WeChat, id(followup.WeChat, "Lukas", "Müller"), "Hello"), followup.WindowClosed},
		{free(followup.Telegram, id(followup.Telegram, "Liam", "Murphy"), "Checking in"), ""},
		{free(followup.LINE, id(followup.LINE, "Aiko", "Sato"), "hi"), ""},
		{free(followup.SMS, "+33612345678", "Hello by SMS"), ""},
		{free(followup.Email, "zoe.martin@demo.followup.dev", "Hello by email"), ""},
		{free(followup.Webchat, id(followup.Webchat, "Liam", "Murphy"), "Hello on the site"), ""},
	}
	accepted := 0
	for i, tc := range cases {
		tc.m.IdempotencyKey = fmt.Sprintf("test-%d", i)
		sent, err := sb.Sender(tc.m.Channel).Send(ctx, tc.m)
		var se *followup.SendError
		switch {
		case tc.refused == "" && err != nil:
			t.Errorf("%s to %s: %v", tc.m.Channel, tc.m.To, err)
		case tc.refused == "":
			accepted++
			if sent.ProviderID == "" && tc.m.Channel != followup.WeChat { // WeChat returns no id
				t.Errorf("%s to %s: no provider id", tc.m.Channel, tc.m.To)
			}
		case !errors.As(err, &se) || se.Class != tc.refused:
			t.Errorf("%s to %s: %v, want a %s refusal", tc.m.Channel, tc.m.To, err, tc.refused)
		}
	}
	// A retry with the same key (the answer was lost) is listed once.
	again := cases[0].m
	again.IdempotencyKey = "test-0"
	if _, err := sb.Sender(followup.WhatsApp).Send(ctx, again); err != nil {
		t.Fatal(err)
	}
	box, err := sandbox.Outbox(ctx, st.DB(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(box) != accepted {
		t.Fatalf("outbox has %d messages, want %d: %+v", len(box), accepted, box)
	}
	byKey := map[string]sandbox.Message{}
	for _, m := range box {
		byKey[m.IdempotencyKey] = m
	}
	if m := byKey["test-2"]; m.Channel != "whatsapp" || m.Recipient != "+34612345678" || m.Template != "order_update" || m.Body != "order_update(Carlos, A-17)" {
		t.Errorf("template row %+v", m)
	}
	if m := byKey["test-5"]; m.Mode != "message_tag" || m.Tag != "POST_PURCHASE_UPDATE" || m.Body != "Shipped" {
		t.Errorf("tag row %+v", m)
	}
	if _, ok := byKey["test-1"]; ok {
		t.Error("a refused message is in the outbox")
	}
	out := log.String()
	for _, want := range []string{
		`outbound whatsapp → +14155550142: text "Your refund has landed" (wamid.`,
		`outbound whatsapp → +34612345678: template order_update(Carlos, A-17) (wamid.`,
		`outbound messenger → ` + id(followup.Messenger, "Tom", "Becker") + `: message tag POST_PURCHASE_UPDATE "Shipped"`,
		`outbound whatsapp → +34612345678: text "Hi" refused:`,
		`outbound email → zoe.martin@demo.followup.dev: text "Hello by email" (<`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// TestSandboxWeChatQuotaIsTheWorkspaceSetting: the fake allows as many
// messages per window as the workspace's wechat_message_limit, then
// refuses with 45047 like WeChat.
func TestSandboxWeChatQuotaIsTheWorkspaceSetting(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Load(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE settings SET wechat_message_limit = 2`); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Start(st, sandbox.Options{Channels: []followup.Channel{followup.WeChat}})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	to := demo.ExternalID(followup.WeChat, "Wei", "Zhang")
	for i := range 3 {
		_, err := sb.Sender(followup.WeChat).Send(ctx, channels.Outbound{Channel: followup.WeChat, To: to, Mode: followup.ModeFreeText, Text: "n", IdempotencyKey: fmt.Sprint("q", i)})
		var se *followup.SendError
		if i < 2 && err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
		if i == 2 && (!errors.As(err, &se) || se.Code != "45047") {
			t.Fatalf("the third message: %v, want 45047", err)
		}
	}
	// WeChat returns no message id: both accepted messages are listed.
	if box, err := sandbox.Outbox(ctx, st.DB(), 10); err != nil || len(box) != 2 {
		t.Fatalf("outbox %+v %v", box, err)
	}
}
