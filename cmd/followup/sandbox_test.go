package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/demo"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
)

// TestDevSandboxFakesAndSignedReplies runs `followup dev` with no channel
// credentials: follow-ups go out through the real adapters to the local
// fake providers (listed by `followup outbox`, logged by dev), and
// `followup reply` posts each provider's signed webhook, which the server
// verifies and acts on. A webhook secret that is set is enforced in the
// sandbox too; forged and unsigned webhooks get 401 and change nothing.
func TestDevSandboxFakesAndSignedReplies(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	c := newCLI(t)
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	c.env["HTTP_ADDR"] = addr
	// Set for dev and the CLI alike: Telegram is sandboxed (no bot token)
	// but its webhook is verified with this secret, not the fake's.
	c.env["TELEGRAM_WEBHOOK_SECRET"] = "configured-telegram-secret"
	_, devOut := startDev(t, c, &port)
	c.env["TEMPORAL_ADDRESS"] = "127.0.0.1:" + strconv.Itoa(port)
	for _, want := range []string{"sandbox for whatsapp, messenger, instagram, viber, wechat, telegram, line, webchat, sms, email", "local fake providers", "signed webhook"} {
		if !strings.Contains(devOut.String(), want) {
			t.Errorf("the banner lacks %q:\n%s", want, devOut.String())
		}
	}

	// Outbound: one follow-up per channel the fakes can take now.
	for _, args := range [][]string{
		{"send", "jane.doe@demo.followup.dev", "Your refund has landed"},
		{"template", "carlos.ruiz@demo.followup.dev", "order_update", "1=Carlos", "2=A-17"},
		{"send", "mia.chen@demo.followup.dev", "--via", "messenger", "A person wrote this"},
		{"send", "Aiko Sato", "--via", "line", "Konnichiwa"},
		{"send", "olga.petrova@demo.followup.dev", "Hello Olga"},
		{"send", "wei.zhang@demo.followup.dev", "Hello Wei"},
		{"send", "Liam Murphy", "--via", "webchat", "Hello Liam"},
		{"send", "zoe.martin@demo.followup.dev", "--via", "sms", "Hello by SMS"},
		{"send", "zoe.martin@demo.followup.dev", "--via", "email", "Hello by email"},
	} {
		c.ok(args...)
	}
	var box []sandbox.Message
	if err := json.Unmarshal([]byte(c.ok("outbox", "--json")), &box); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ to, body, id string }{
		"whatsapp:free_text": {"+14155550142", "Your refund has landed", `^wamid\.`},
		"whatsapp:template":  {"+34612345678", "order_update(Carlos, A-17)", `^wamid\.`},
		"messenger":          {demo.ExternalID(followup.Messenger, "Mia", "Chen"), "A person wrote this", `^m_`},
		"line":               {demo.ExternalID(followup.LINE, "Aiko", "Sato"), "Konnichiwa", `^[0-9]+$`},
		"viber":              {demo.ExternalID(followup.Viber, "Olga", "Petrova"), "Hello Olga", `^[0-9]+$`},
		"wechat":             {demo.ExternalID(followup.WeChat, "Wei", "Zhang"), "Hello Wei", `^$`},
		"webchat":            {demo.ExternalID(followup.Webchat, "Liam", "Murphy"), "Hello Liam", `^wcm_`},
		"sms":                {"+33612345678", "Hello by SMS", `^SM[0-9a-f]{32}$`},
		"email":              {"zoe.martin@demo.followup.dev", "Hello by email", `^<[0-9a-f]+@demo\.followup\.dev>$`},
	}
	if len(box) != len(want) {
		t.Errorf("outbox has %d messages, want %d: %+v", len(box), len(want), box)
	}
	for _, m := range box {
		key := m.Channel
		if m.Channel == "whatsapp" {
			key += ":" + m.Mode
		}
		w, ok := want[key]
		if !ok || m.Recipient != w.to || m.Body != w.body || !regexp.MustCompile(w.id).MatchString(m.ProviderID) {
			t.Errorf("outbox row %+v; want %+v", m, w)
		}
	}
	for _, line := range []string{
		"outbound whatsapp → +14155550142: text \"Your refund has landed\" (wamid.",
		"outbound messenger → " + demo.ExternalID(followup.Messenger, "Mia", "Chen") + ": text tagged HUMAN_AGENT",
		"outbound viber → " + demo.ExternalID(followup.Viber, "Olga", "Petrova") + ": chatbot message \"Hello Olga\"",
	} {
		if !strings.Contains(devOut.String(), line) {
			t.Errorf("dev did not log %q:\n%s", line, devOut.String())
		}
	}

	// Inbound: a signed webhook per channel, from the contact's identity.
	ctx := context.Background()
	st, err := store.Open(ctx, c.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	before := time.Now().Add(-time.Second)
	replies := []struct {
		contact string
		ch      followup.Channel
	}{
		{"jane.doe@demo.followup.dev", followup.WhatsApp},
		{"mia.chen@demo.followup.dev", followup.Messenger},
		{"mia.chen@demo.followup.dev", followup.Instagram},
		{"olga.petrova@demo.followup.dev", followup.Viber},
		{"lukas.mueller@demo.followup.dev", followup.WeChat},
		{"Liam Murphy", followup.Telegram},
		{"Aiko Sato", followup.LINE},
		{"Liam Murphy", followup.Webchat},
		{"zoe.martin@demo.followup.dev", followup.SMS},
		{"zoe.martin@demo.followup.dev", followup.Email},
	}
	for _, r := range replies {
		out := c.ok("reply", r.contact, string(r.ch), "thanks on "+string(r.ch))
		if !strings.Contains(out, " wrote on "+r.ch.Title()+" (webhook 200 in ") {
			t.Errorf("reply on %s: %s", r.ch, out)
		}
		ct, err := st.Resolve(ctx, r.contact)
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := st.Identities(ctx, ct.ID)
		for _, id := range ids {
			if id.Channel == r.ch && (id.LastInboundAt == nil || id.LastInboundAt.Before(before)) {
				t.Errorf("%s's %s window did not restart: %v", ct.FullName(), r.ch, id.LastInboundAt)
			}
		}
	}
	// Jane's follow-up was running: it was told, and so was her agent.
	out := c.ok("reply", "jane.doe@demo.followup.dev", "whatsapp", "one more thing")
	if !strings.Contains(out, "running follow-up was told") {
		t.Errorf("reply: %s", out)
	}
	var states []struct {
		Channel     followup.Channel
		LastInbound time.Time
	}
	if err := json.Unmarshal([]byte(c.ok("status", "jane.doe@demo.followup.dev", "--json")), &states); err != nil || len(states) != 1 {
		t.Fatalf("status: %v %v", states, err)
	}
	if states[0].Channel != followup.WhatsApp || states[0].LastInbound.Before(before) {
		t.Errorf("the follow-up's last inbound is %v, want after %v", states[0].LastInbound, before)
	}
	waitFor(t, func() bool {
		out := c.ok("notifications", "--contact", "jane.doe@demo.followup.dev")
		return strings.Contains(out, "replied") && strings.Contains(out, "one more thing")
	}, "the agent was not told of Jane's reply")

	// Forged and unsigned webhooks: 401, nothing recorded.
	count := func() (n int) {
		if err := st.DB().Get(&n, `SELECT count(*) FROM messages WHERE direction = 'inbound'`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	inbound := count()
	base := "http://" + addr + "/webhooks/"
	forged, _ := sandbox.WebhookRequest(sandbox.Inbound{Channel: followup.WhatsApp, From: "+14155550142", Text: "forged"},
		sandbox.Target{URL: base + "whatsapp", Secret: "not-the-secret"})
	unsigned, _ := http.NewRequest(http.MethodPost, base+"line", strings.NewReader(`{"destination":"U0","events":[]}`))
	// Signed with the Telegram fake's own secret, while dev enforces the
	// configured one.
	fakeSigned, _ := sandbox.WebhookRequest(sandbox.Inbound{Channel: followup.Telegram, From: demo.ExternalID(followup.Telegram, "Liam", "Murphy"), Text: "forged"},
		sandbox.Target{URL: base + "telegram"})
	for _, req := range []*http.Request{forged, unsigned, fakeSigned} {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", req.URL.Path, resp.StatusCode, b)
		}
	}
	if n := count(); n != inbound {
		t.Errorf("forged webhooks recorded %d inbound message(s)", n-inbound)
	}

	// The CLI with another secret than the server: 401, explained.
	c.env["TELEGRAM_WEBHOOK_SECRET"] = "another-secret"
	code, out, errs := c.run("", "reply", "Liam Murphy", "telegram", "x")
	if code != 1 || !strings.Contains(errs, "401") || !strings.Contains(errs, "TELEGRAM_WEBHOOK_SECRET") {
		t.Errorf("reply with the wrong secret: exit %d %s%s", code, out, errs)
	}
	c.env["TELEGRAM_WEBHOOK_SECRET"] = "configured-telegram-secret"
	// A contact without that channel.
	if code, _, errs := c.run("", "reply", "Aiko Sato", "sms", "x"); code != 1 || !strings.Contains(errs, "no SMS identity") {
		t.Errorf("reply on a channel the contact lacks: %d %s", code, errs)
	}
	// No server on HTTP_ADDR.
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	code, _, errs = c.run("", "reply", "Liam Murphy", "webchat", "x")
	if code != 1 || !strings.Contains(errs, "is `followup dev` running on "+c.env["HTTP_ADDR"]) {
		t.Errorf("reply without a server: %d %s", code, errs)
	}
	if n := count(); n != inbound {
		t.Errorf("failed replies recorded %d inbound message(s)", n-inbound)
	}
}

func waitFor(t *testing.T, ok func() bool, msg string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
	}
}
