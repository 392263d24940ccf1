package actions_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// listed is the fake follow-ups with these running.
type listed struct {
	followups
	fs []workflows.Summary
}

func (l *listed) List(context.Context, workflows.ListFilter) ([]workflows.Summary, error) {
	return append([]workflows.Summary(nil), l.fs...), nil
}

// TestDigest builds the digest from a seeded database and five running
// follow-ups, its days in Berlin (now is 13:00 there): running per agent,
// a window closing before midnight, one VIP follow-up overdue and one
// answered since its window closed, and yesterday's (Berlin's) outbound
// messages per channel.
func TestDigest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSetting(ctx, "digest_time_zone", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	contact := func(first, email string, ch followup.Channel, ext string) int64 {
		id, _, err := st.SaveContact(ctx, store.ContactInput{FirstName: first, LastName: "Doe", Email: email, Channel: ch, ExternalID: ext})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	ann := contact("Ann", "ann@example.com", followup.Email, "")
	bob := contact("Bob", "bob@example.com", followup.Telegram, "1234567890")
	cat := contact("Cat", "cat@example.com", followup.Email, "")
	msg := func(id int64, ch followup.Channel, dir, status string, at time.Time) {
		if _, err := st.DB().ExecContext(ctx, `INSERT INTO messages (contact_id, direction, channel, status, error_class, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, dir, ch, status, map[bool]string{true: "window_closed"}[status == "undeliverable"], at); err != nil {
			t.Fatal(err)
		}
	}
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	msg(ann, followup.WhatsApp, "outbound", "sent", day(9, 12, 0))
	msg(ann, followup.WhatsApp, "outbound", "delivered", day(9, 12, 5))
	msg(ann, followup.WhatsApp, "outbound", "undeliverable", day(9, 13, 0))
	msg(cat, followup.Telegram, "outbound", "failed", day(8, 23, 30)) // 00:30 in Berlin: yesterday
	msg(bob, followup.Telegram, "outbound", "read", day(9, 22, 30))
	msg(bob, followup.Telegram, "outbound", "sent", day(10, 11, 0)) // today: answers Bob's closed window
	msg(ann, followup.Email, "outbound", "sent", day(8, 22, 0))     // the day before yesterday
	msg(ann, followup.Email, "inbound", "received", day(9, 10, 0))  // not a send
	msg(ann, followup.Email, "outbound", "sent", day(9, 23, 30))    // today in Berlin
	// Bob's Telegram follow-up is escalated; Ann's escalation cleared.
	for _, e := range []followup.Escalation{
		{Key: "e-bob", ContactID: bob, Channel: followup.Telegram, Trigger: followup.EscalateUnanswered, Since: day(10, 9, 0), PostedAt: day(10, 9, 30)},
		{Key: "e-ann", ContactID: ann, Channel: followup.Email, Trigger: followup.EscalateRefused, Since: day(10, 8, 0), PostedAt: day(10, 8, 30)},
	} {
		if _, err := st.AddEscalation(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st.ClearEscalations(ctx, ann, followup.Email, "a message was sent", day(10, 9, 0)); err != nil || n != 1 {
		t.Fatalf("clear: %d %v", n, err)
	}
	fc := &listed{fs: []workflows.Summary{
		{ContactID: ann, Channel: followup.Email, Agent: "U1", VIP: true, WindowClosesAt: now.Add(-2 * time.Hour)},
		{ContactID: bob, Channel: followup.Telegram, Agent: "U2", VIP: true, WindowClosesAt: now.Add(-3 * time.Hour)},
		{ContactID: cat, Channel: followup.Email, Agent: "U1", WindowClosesAt: now.Add(5 * time.Hour)},
		{ContactID: ann, Channel: followup.WhatsApp, Agent: "U1", WindowClosesAt: now.Add(20 * time.Hour)},
		{ContactID: bob, Channel: followup.Email, Agent: "U2"},
	}}
	d, err := actions.New(st, fc, func() time.Time { return now }).Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Date != "2026-03-10" || d.TimeZone != "Europe/Berlin" || d.Running != 5 {
		t.Fatalf("digest %s %s running %d, want 2026-03-10 Europe/Berlin 5", d.Date, d.TimeZone, d.Running)
	}
	if want := []followup.AgentCount{{Agent: "U1", Count: 3}, {Agent: "U2", Count: 2}}; !equalAny(d.RunningByAgent, want) {
		t.Errorf("per agent %+v, want %+v", d.RunningByAgent, want)
	}
	if len(d.ClosingToday) != 1 || d.ClosingToday[0].ContactID != cat || d.ClosingToday[0].Contact != "Cat Doe" {
		t.Errorf("closing today %+v, want Cat's email", d.ClosingToday)
	}
	if len(d.OverdueVIP) != 1 || d.OverdueVIP[0].ContactID != ann || d.OverdueVIP[0].Channel != followup.Email {
		t.Errorf("overdue VIP %+v, want Ann's email only (Bob was answered since)", d.OverdueVIP)
	}
	if len(d.EscalatedVIP) != 1 || d.EscalatedVIP[0].ContactID != bob || d.EscalatedVIP[0].Agent != "U2" || d.EscalatedVIP[0].Escalation != string(followup.EscalateUnanswered) {
		t.Errorf("escalated VIP %+v, want Bob's Telegram (Ann's cleared)", d.EscalatedVIP)
	}
	want := []followup.ChannelCount{{Channel: followup.Telegram, Sent: 1, Failed: 1}, {Channel: followup.WhatsApp, Sent: 2, Refused: 1}}
	if !equalAny(d.Yesterday, want) {
		t.Errorf("yesterday %+v, want %+v", d.Yesterday, want)
	}
	text := d.Text()
	for _, s := range []string{"Daily digest for 2026-03-10 (workspace, Europe/Berlin)", "Running follow-ups: 5 (U1 3, U2 2)",
		"Cat Doe (#", "closes at Mar 10 17:00 UTC", "Overdue VIP follow-ups: 1", "window closed Mar 10 10:00 UTC",
		"Escalated VIP follow-ups: 1", "Bob Doe (#", "escalated: the customer replied and nobody answered", "WhatsApp: 2 sent, 1 refused, 0 failed", "Telegram: 1 sent, 0 refused, 1 failed"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
	u2 := d.ForAgent("U2")
	if u2.Running != 2 || len(u2.ClosingToday) != 0 || len(u2.OverdueVIP) != 0 || len(u2.EscalatedVIP) != 1 || len(u2.Yesterday) != 2 {
		t.Errorf("U2's part %+v", u2)
	}
	if !strings.Contains(u2.Text(), "(your follow-ups, Europe/Berlin)") {
		t.Errorf("U2's text:\n%s", u2.Text())
	}
}

func equalAny[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
