package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels/telegram/telegramtest"
	"github.com/followup-dev/followup/window"
)

// TestDevMetrics drives `followup dev` with sends, a refusal, a
// recipient that blocked us, a slow provider, a forged webhook and a slash
// command, and reads the numbers back from /metrics (issue #13).
func TestDevMetrics(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	const providerDelay = 300 * time.Millisecond
	c := newCLI(t)
	httpPort, port := freePort(t), freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(httpPort)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(httpPort)
	c.env["TELEGRAM_API_URL"] = slowAnswers(t, tg.URL(), providerDelay)
	c.env["TELEGRAM_BOT_TOKEN"] = telegramtest.Token
	c.env["TELEGRAM_WEBHOOK_SECRET"] = telegramtest.Secret
	startDev(t, c, &port)
	c.env["TEMPORAL_ADDRESS"] = "127.0.0.1:" + strconv.Itoa(port)

	c.ok("send", "jane.doe@demo.followup.dev", "Your refund has landed")        // WhatsApp sandbox: sent
	c.ok("send", "liam.murphy@demo.followup.dev", "--via", "telegram", "Hello") // Telegram, slow: sent
	if code, out, errs := c.run("", "send", "carlos.ruiz@demo.followup.dev", "--via", "whatsapp", "Hi"); code == 0 {
		t.Fatalf("carlos should be refused: %s %s", out, errs)
	}
	if code, out, errs := c.run("first_name,last_name,email,channel,external_id\nBob,Blocked,bob@example.com,telegram,4243\n", "contacts", "import", "-"); code != 0 {
		t.Fatalf("import: %s %s", out, errs)
	}
	tg.FailFor("4243", telegramtest.Blocked)
	if code, out, errs := c.run("", "send", "bob@example.com", "--via", "telegram", "Hi"); code != 1 || !strings.Contains(out+errs, "cannot be reached") {
		t.Fatalf("blocked recipient: %d %s %s", code, out, errs)
	}
	forged := tg.SignedMessage(base+"/webhooks/telegram", telegramtest.Inbound{ChatID: 4243, FirstName: "Bob", Text: "forged"})
	forged.Header.Set("X-Telegram-Bot-Api-Secret-Token", "wrong")
	resp, err := http.DefaultClient.Do(forged)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged webhook: %v %v", resp, err)
	}
	resp.Body.Close()
	c.ok("slash", "find jane")

	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sum := func(name string, labels map[string]string) float64 {
		t.Helper()
		f, ok := families[name]
		if !ok {
			t.Fatalf("/metrics has no %s", name)
		}
		total := 0.0
	series:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue series
				}
			}
			total += value(m)
		}
		return total
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"followup_messages_total", map[string]string{"outcome": "sent"}, 2},
		{"followup_messages_total", map[string]string{"channel": "whatsapp", "mode": "free_text", "outcome": "sent", "reason": ""}, 1},
		{"followup_messages_total", map[string]string{"channel": "telegram", "outcome": "sent"}, 1},
		{"followup_messages_total", map[string]string{"outcome": "refused"}, 1},
		{"followup_messages_total", map[string]string{"channel": "whatsapp", "outcome": "refused", "reason": string(window.ReasonTemplateRequired)}, 1},
		{"followup_messages_total", map[string]string{"channel": "telegram", "outcome": "undeliverable", "reason": activities.ErrRecipientGone}, 1},
		{"followup_followups_started_total", map[string]string{}, 4},
		{"followup_followups_ended_total", map[string]string{"channel": "telegram", "outcome": "done"}, 1},
		{"followup_provider_errors_total", map[string]string{"channel": "telegram", "class": "recipient_gone"}, 1},
		{"followup_webhooks_total", map[string]string{"channel": "telegram", "verdict": "bad_signature"}, 1},
		{"followup_webhooks_total", map[string]string{"verdict": "accepted"}, 0},
		{"followup_slack_ack_duration_seconds", map[string]string{"verb": "find"}, 1},
		{"followup_messages_pending", map[string]string{"status": "unconfirmed"}, 0},
		// Without a Slack bot token, dev records the agents' notifications
		// (one per attempt) and delivers none.
		{"followup_notifications_undelivered", nil, 4},
	} {
		if got := sum(c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// Two Telegram sends, each held back by the provider.
	lat := families["followup_provider_request_duration_seconds"]
	for _, m := range lat.GetMetric() {
		if m.GetLabel()[0].GetValue() == "telegram" {
			if h := m.GetHistogram(); h.GetSampleCount() != 2 || h.GetSampleSum() < 2*providerDelay.Seconds() {
				t.Errorf("telegram provider latency: %d sends, %.3f s", h.GetSampleCount(), h.GetSampleSum())
			}
		}
	}
	// The Temporal SDK's own metrics are on the same registry.
	for _, name := range []string{"temporal_workflow_task_execution_latency_seconds", "temporal_request_total"} {
		if _, ok := families[name]; !ok {
			var temporal []string
			for n := range families {
				if strings.HasPrefix(n, "temporal_") {
					temporal = append(temporal, n)
				}
			}
			t.Errorf("/metrics has no %s; temporal metrics: %v", name, temporal)
		}
	}
}

// value is a series' value: a counter's or gauge's, a histogram's count.
func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Histogram != nil:
		return float64(m.GetHistogram().GetSampleCount())
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}
