package bot

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/workflows"
)

// TestDescribeSaysWhatTheFollowUpSays: in English, the bot's words for a
// follow-up's state are the follow-up's own (workflows), word for word,
// for every outcome, mode, reason, fallback and cadence; in Russian they
// are Russian.
func TestDescribeSaysWhatTheFollowUpSays(t *testing.T) {
	t.Parallel()
	en, ru := i18n.New(i18n.English), i18n.New(i18n.Russian)
	outcomes := []workflows.Outcome{workflows.OutcomeSent, workflows.OutcomeRefused, workflows.OutcomeScheduled, workflows.OutcomeUndeliverable,
		workflows.OutcomeCancelled, workflows.OutcomeUnconfirmed, workflows.OutcomeInProgress}
	modes := []followup.Mode{followup.ModeFreeText, followup.ModeHumanAgent, followup.ModeMessageTag, followup.ModeTemplate, followup.ModeChatbot}
	reasonKeys := []string{"", "no_such_reason"}
	reasonKeys = append(reasonKeys, workflows.ReasonKeys()...)
	for _, o := range outcomes {
		for _, m := range modes {
			for _, r := range reasonKeys {
				for _, fb := range []bool{false, true} {
					a := workflows.Attempt{Outcome: o, Mode: m, Tag: followup.TagAccountUpdate, Reason: r, Fallback: fb}
					if got, want := DescribeAttempt(en, a), a.Describe(); got != want {
						t.Errorf("%+v: %q, want %q", a, got, want)
					}
					if r != "no_such_reason" && !cyrillic(DescribeAttempt(ru, a)) {
						t.Errorf("%+v in Russian: %q", a, DescribeAttempt(ru, a))
					}
				}
			}
		}
	}

	at := time.Date(2026, 12, 3, 15, 4, 0, 0, time.UTC)
	cadence := func(reached int, ended string) *workflows.CadenceProgress {
		return &workflows.CadenceProgress{Name: "renewal", Touches: 3, Reached: reached, Ended: ended}
	}
	for _, s := range []workflows.State{
		{Channel: followup.WhatsApp},
		{Channel: followup.WhatsApp, Cadence: cadence(0, "")},
		{Channel: followup.WhatsApp, Cadence: cadence(0, "cancelled")},
		{Channel: followup.WhatsApp, Cadence: cadence(1, ""), Scheduled: []workflows.Scheduled{{ID: 2, At: at, Touch: 2}}},
		{Channel: followup.WhatsApp, Cadence: cadence(2, "finished"), Attempts: []workflows.Attempt{{Touch: 2, Outcome: workflows.OutcomeSent, Fallback: true}}},
		{Channel: followup.WhatsApp, Cadence: cadence(2, "stopped by the customer's reply"), Attempts: []workflows.Attempt{{Touch: 2, Outcome: workflows.OutcomeInProgress}}},
		{Channel: followup.WhatsApp, Cadence: cadence(1, "conversation closed"), Attempts: []workflows.Attempt{{Touch: 1, Outcome: workflows.OutcomeRefused}}},
	} {
		if got, want := CadenceStatus(en, s), s.CadenceStatus(); got != want {
			t.Errorf("cadence %+v: %q, want %q", s.Cadence, got, want)
		}
		if c := CadenceStatus(ru, s); s.Cadence != nil && !cyrillic(c) {
			t.Errorf("cadence %+v in Russian: %q", s.Cadence, c)
		}
	}

	wa := workflows.State{Channel: followup.WhatsApp, Settings: followup.Settings{ReengagementTemplate: "welcome_back:en"}}
	inCadence := workflows.State{Channel: followup.Messenger, Cadence: cadence(1, "")}
	for _, c := range []struct {
		s  workflows.State
		sc workflows.Scheduled
	}{
		{wa, workflows.Scheduled{Request: workflows.SendRequest{Text: "Checking in"}}},
		{wa, workflows.Scheduled{Request: workflows.SendRequest{Template: &workflows.TemplateRequest{Name: "order_update"}}}},
		{wa, workflows.Scheduled{Request: workflows.SendRequest{Text: "Hi", Else: &workflows.Fallback{Template: &workflows.TemplateRequest{Name: "renewal"}}}}},
		{inCadence, workflows.Scheduled{Touch: 2, Request: workflows.SendRequest{Text: "Shipped", Else: &workflows.Fallback{Tag: followup.TagPostPurchaseUpdate}}}},
		{inCadence, workflows.Scheduled{Touch: 3, Request: workflows.SendRequest{Text: "Card expiring", Tag: followup.TagAccountUpdate}}},
	} {
		if got, want := DescribeScheduled(en, c.s, c.sc), c.s.DescribeScheduled(c.sc); got != want {
			t.Errorf("%+v: %q, want %q", c.sc, got, want)
		}
	}
}

func cyrillic(s string) bool {
	for _, r := range s {
		if r >= 'А' && r <= 'я' || r == 'ё' || r == 'Ё' {
			return true
		}
	}
	return false
}

// TestProfileOneCallForZoneAndLanguage: one users.info call, with
// include_locale, gives an agent's zone and language; both are kept, and
// once they expire the kept ones still answer at once while Slack is asked
// again in the background.
func TestProfileOneCallForZoneAndLanguage(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var locale atomic.Value
	locale.Store("ru-RU")
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/users.info", func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			if r.FormValue("include_locale") != "true" {
				t.Errorf("users.info without include_locale: %v", r.Form)
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"user":{"id":"UMOSCOW","tz":"Europe/Moscow","tz_offset":10800,"locale":%q}}`, locale.Load())
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	b := New(nil, nil, slack.New("xoxb-test", slack.OptionAPIURL(srv.GetAPIURL())), Config{})
	ctx := t.Context()

	if p := b.printer(ctx, "UMOSCOW"); p.Lang() != i18n.Russian {
		t.Errorf("language %v, want Russian", p.Lang())
	}
	if loc := b.zone(ctx, "UMOSCOW"); loc.String() != "Europe/Moscow" {
		t.Errorf("zone %v", loc)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("users.info asked %d times for the zone and the language, want once", n)
	}

	// Expired: the kept profile answers, and a renewal brings the new one.
	locale.Store("en-GB")
	b.profiles.mu.Lock()
	c := b.profiles.m["UMOSCOW"]
	c.expires = time.Now().Add(-time.Second)
	b.profiles.m["UMOSCOW"] = c
	b.profiles.mu.Unlock()
	if p := b.printer(ctx, "UMOSCOW"); p.Lang() != i18n.Russian {
		t.Errorf("an expired profile: %v, want the kept one at once", p.Lang())
	}
	deadline := time.Now().Add(10 * time.Second)
	for b.printer(ctx, "UMOSCOW").Lang() != i18n.English {
		if time.Now().After(deadline) {
			t.Fatal("the profile was not renewed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("users.info asked %d times, want twice", n)
	}
}

// TestAuditLine: App Home's audit lines are in the reader's language;
// in English they keep the log's own words.
func TestAuditLine(t *testing.T) {
	t.Parallel()
	e := followup.AuditEntry{At: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Actor: "U0SAM", Source: followup.SourceSlack,
		Action: followup.AuditFollowupSent, ContactID: 7, ContactName: "Jane Doe", Channel: followup.WhatsApp, Detail: map[string]string{"mode": "free_text"}}
	en := auditLine(i18n.New(i18n.English), e)
	if !strings.Contains(en, "(slack): *followup sent*") || !strings.Contains(en, "mode=free_text") {
		t.Errorf("English: %s", en)
	}
	ru := auditLine(i18n.New(i18n.Russian), e)
	if strings.Contains(ru, "followup sent") || strings.Contains(ru, "mode=") || !cyrillic(ru) || !strings.Contains(ru, "Jane Doe #7") {
		t.Errorf("Russian: %s", ru)
	}
}
