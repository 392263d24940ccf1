package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
)

func open(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestAgents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	a, created, err := s.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	if err != nil || !created || a.Role != followup.RoleAgent {
		t.Fatalf("add: %+v %v %v", a, created, err)
	}
	b, created, err := s.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann B", Role: followup.RoleSupervisor})
	if err != nil || created || b.ID != a.ID || b.Role != followup.RoleSupervisor || b.Name != "Ann B" {
		t.Fatalf("update: %+v %v %v", b, created, err)
	}
	if _, _, err := s.SaveAgent(ctx, followup.Agent{SlackUserID: "U2", Name: "X", Role: "boss"}); followup.ErrorCodeOf(err) != followup.EInvalid {
		t.Fatalf("bad role: %v", err)
	}
	if _, _, err := s.SaveAgent(ctx, followup.Agent{SlackUserID: " ", Name: "X"}); followup.ErrorCodeOf(err) != followup.EInvalid {
		t.Fatalf("no slack id: %v", err)
	}
	list := must[[]followup.Agent](t)(s.Agents(ctx))
	if len(list) != 1 {
		t.Fatalf("agents: %+v", list)
	}
	if err := s.RemoveAgent(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveAgent(ctx, "U1"); followup.ErrorCodeOf(err) != followup.ENotFound {
		t.Fatalf("remove twice: %v", err)
	}
	if _, err := s.AgentBySlackUser(ctx, "U1"); followup.ErrorCodeOf(err) != followup.ENotFound {
		t.Fatalf("removed agent still found: %v", err)
	}
}

func TestSaveContactUpdatesInsteadOfDuplicating(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	id, created, err := s.SaveContact(ctx, store.ContactInput{FirstName: "Zoë", LastName: "Åström", Email: "Zoe@Example.com", Phone: "+46 70 123 45 67"})
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	id2, created, err := s.SaveContact(ctx, store.ContactInput{Email: "zoe@example.COM", LastName: "Astrom-Berg", Channel: followup.WhatsApp})
	if err != nil || created || id2 != id {
		t.Fatalf("re-save by email: id %d→%d created %v err %v", id, id2, created, err)
	}
	c := must[followup.Contact](t)(s.Contact(ctx, id))
	if c.FirstName != "Zoë" || c.LastName != "Astrom-Berg" || c.Phone != "+46701234567" || c.Email != "zoe@example.COM" {
		t.Fatalf("contact after update: %+v", c)
	}
	ids := must[[]followup.Identity](t)(s.Identities(ctx, id))
	if len(ids) != 1 || ids[0].ExternalID != "+46701234567" {
		t.Fatalf("whatsapp identity defaults to the phone: %+v", ids)
	}
	// Found by the new name, not the old one.
	page := must[store.Page](t)(s.Find(ctx, store.Query{Text: "zoe astrom-b"}))
	if len(page.Results) != 1 {
		t.Fatalf("keys not refreshed: %+v", page)
	}
	for _, bad := range []store.ContactInput{
		{FirstName: "A", Phone: "415 555 0142"},
		{FirstName: "A", Email: "not-an-email"},
		{FirstName: "A", Channel: "fax", ExternalID: "1"},
		{FirstName: "A", Channel: followup.Telegram},
		{},
	} {
		if _, _, err := s.SaveContact(ctx, bad); followup.ErrorCodeOf(err) != followup.EInvalid {
			t.Errorf("%+v: want invalid, got %v", bad, err)
		}
	}
}

func TestConversationsClosingLogic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	a, _, _ := s.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	id, _, _ := s.SaveContact(ctx, store.ContactInput{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"})
	now := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

	for _, logic := range []followup.ClosingLogic{followup.Unassign, followup.Keep} {
		conv := must[followup.Conversation](t)(s.ReopenAndAssign(ctx, id, a.ID, now))
		if conv.Status != followup.Open || conv.AssigneeID == nil || *conv.AssigneeID != a.ID {
			t.Fatalf("reopen: %+v", conv)
		}
		again := must[followup.Conversation](t)(s.ReopenAndAssign(ctx, id, a.ID, now.Add(time.Minute)))
		if again.ID != conv.ID {
			t.Fatalf("reopening an open conversation made a new one")
		}
		closed := must[followup.Conversation](t)(s.CloseConversation(ctx, id, logic, now.Add(time.Hour)))
		c := must[followup.Contact](t)(s.Contact(ctx, id))
		if c.Status != followup.Closed || closed.ClosedAt == nil {
			t.Fatalf("%s: contact %+v conv %+v", logic, c, closed)
		}
		if (logic == followup.Keep) != (c.AssigneeID != nil) {
			t.Fatalf("%s: assignee after close %v", logic, c.AssigneeID)
		}
		if _, err := s.CloseConversation(ctx, id, logic, now); followup.ErrorCodeOf(err) != followup.EConflict {
			t.Fatalf("close twice: %v", err)
		}
	}
	convs := must[[]followup.Conversation](t)(s.Conversations(ctx, id))
	if len(convs) != 2 {
		t.Fatalf("conversations: %+v", convs)
	}
	// The workspace setting applies when no logic is given.
	if err := s.SetSetting(ctx, "closing_logic", "keep"); err != nil {
		t.Fatal(err)
	}
	s.ReopenAndAssign(ctx, id, a.ID, now)
	must[followup.Conversation](t)(s.CloseConversation(ctx, id, "", now.Add(time.Hour)))
	if c := must[followup.Contact](t)(s.Contact(ctx, id)); c.AssigneeID == nil {
		t.Fatal("closing logic keep from settings not applied")
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	got := must[followup.Settings](t)(s.Settings(ctx))
	if got != followup.DefaultSettings() {
		t.Fatalf("defaults:\n got %+v\nwant %+v", got, followup.DefaultSettings())
	}
	for k, v := range map[string]string{"reminder_lead": "30m", "wechat_message_limit": "5", "viber_free_allowance": "0", "viber_commercial_terms": "true", "human_agent_window": "7d"} {
		if err := s.SetSetting(ctx, k, v); err != nil {
			t.Fatalf("%s=%s: %v", k, v, err)
		}
	}
	got = must[followup.Settings](t)(s.Settings(ctx))
	if got.ReminderLead != 30*time.Minute || got.WeChatMessageLimit != 5 || got.ViberFreeAllowance != 0 || !got.ViberCommercialTerms {
		t.Fatalf("after set: %+v", got)
	}
	for k, v := range map[string]string{"digest_time": "17:45", "digest_time_zone": "Europe/Berlin"} {
		if err := s.SetSetting(ctx, k, v); err != nil {
			t.Fatalf("%s=%s: %v", k, v, err)
		}
	}
	if err := s.SetSetting(ctx, "digest_time", "OFF"); err != nil {
		t.Fatal(err)
	}
	if got := must[followup.Settings](t)(s.Settings(ctx)); got.DigestTime != followup.DigestOff || got.DigestTimeZone != "Europe/Berlin" {
		t.Fatalf("digest settings: %q %q", got.DigestTime, got.DigestTimeZone)
	}
	if got.VIPEscalateAfter != 30*time.Minute || store.ShowSetting(got, "vip_escalate_after") != "30m0s" {
		t.Fatalf("vip_escalate_after default: %v", got.VIPEscalateAfter)
	}
	for v, want := range map[string]time.Duration{"off": 0, "2h": 2 * time.Hour, "45m": 45 * time.Minute} {
		if err := s.SetSetting(ctx, "vip_escalate_after", v); err != nil {
			t.Fatal(err)
		}
		if got := must[followup.Settings](t)(s.Settings(ctx)); got.VIPEscalateAfter != want {
			t.Fatalf("vip_escalate_after %s: %v", v, got.VIPEscalateAfter)
		} else if v == "off" && store.ShowSetting(got, "vip_escalate_after") != "off" {
			t.Fatalf("shown as %q", store.ShowSetting(got, "vip_escalate_after"))
		}
	}
	if got.QuietHours != followup.QuietOff {
		t.Fatalf("quiet_hours default %q", got.QuietHours)
	}
	if err := s.SetSetting(ctx, "quiet_hours", "21:30 - 7:45"); err != nil {
		t.Fatal(err)
	}
	if got := must[followup.Settings](t)(s.Settings(ctx)); got.QuietHours != "21:30-07:45" {
		t.Fatalf("quiet_hours %q", got.QuietHours)
	}
	if v := store.ShowSetting(got, "human_agent_window"); v != "7d" {
		t.Fatalf("show: %q", v)
	}
	for _, bad := range [][2]string{{"nope", "1"}, {"wechat_message_limit", "0"}, {"reminder_lead", "soon"}, {"closing_logic", "x'; DROP TABLE contacts; --"}, {"viber_commercial_terms", "maybe"},
		{"digest_time", "25:00"}, {"digest_time", "9am"}, {"digest_time_zone", "Mars/Olympus"}, {"digest_time_zone", "Local"},
		{"vip_escalate_after", "soon"}, {"vip_escalate_after", "-5m"},
		{"quiet_hours", "21:00"}, {"quiet_hours", "25:00-08:00"}, {"quiet_hours", "08:00-08:00"}} {
		if err := s.SetSetting(ctx, bad[0], bad[1]); followup.ErrorCodeOf(err) != followup.EInvalid {
			t.Errorf("%v: want invalid, got %v", bad, err)
		}
	}
}

func TestTemplates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	tp := must[followup.Template](t)(s.SaveTemplate(ctx, followup.Template{Channel: followup.WhatsApp, Name: "order_update", ParamCount: 2, Body: "Hi {{1}}, order {{2}}"}))
	if tp.Status != followup.TemplateApproved || tp.Language != "en" {
		t.Fatalf("defaults: %+v", tp)
	}
	must[followup.Template](t)(s.SaveTemplate(ctx, followup.Template{Channel: followup.WhatsApp, Name: "order_update", Status: followup.TemplatePaused, ParamCount: 2}))
	got := must[followup.Template](t)(s.Template(ctx, followup.WhatsApp, "order_update", ""))
	if got.Status != followup.TemplatePaused {
		t.Fatalf("update: %+v", got)
	}
	if _, err := s.Template(ctx, followup.WhatsApp, "nope", ""); followup.ErrorCodeOf(err) != followup.ENotFound {
		t.Fatalf("missing: %v", err)
	}
	if list := must[[]followup.Template](t)(s.Templates(ctx, "")); len(list) != 1 {
		t.Fatalf("list: %+v", list)
	}
	if _, err := s.SaveTemplate(ctx, followup.Template{Channel: followup.WhatsApp, Name: "x", Status: "maybe"}); followup.ErrorCodeOf(err) != followup.EInvalid {
		t.Fatalf("bad status: %v", err)
	}
}

func TestRecordInboundOpensConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	id, _, _ := s.SaveContact(ctx, store.ContactInput{FirstName: "Li", LastName: "Wei", Channel: followup.WeChat, ExternalID: "oAbc"})
	at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	conv := must[followup.Conversation](t)(s.RecordInbound(ctx, id, followup.WeChat, at))
	if conv.Status != followup.Open || conv.AssigneeID != nil {
		t.Fatalf("conv: %+v", conv)
	}
	// An older inbound (a late webhook) never moves the window back.
	must[followup.Conversation](t)(s.RecordInbound(ctx, id, followup.WeChat, at.Add(-time.Hour)))
	ident := must[followup.Identity](t)(s.Identity(ctx, id, followup.WeChat))
	if !ident.LastInboundAt.Equal(at) {
		t.Fatalf("last inbound %v", ident.LastInboundAt)
	}
	if _, err := s.RecordInbound(ctx, id, followup.LINE, at); followup.ErrorCodeOf(err) != followup.ENotFound {
		t.Fatalf("inbound on a channel without identity: %v", err)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	jane, _, _ := s.SaveContact(ctx, store.ContactInput{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Phone: "+14155550142"})
	s.SaveContact(ctx, store.ContactInput{FirstName: "Janet", LastName: "Doerr", Email: "janet@example.com"})
	s.SaveContact(ctx, store.ContactInput{FirstName: "Jane", LastName: "Dough", Email: "dough@example.com"})
	for _, ref := range []string{"jane doe", "JANE@example.com", "(415) 555-0142", "#" + itoa(jane)} {
		c, err := s.Resolve(ctx, ref)
		if err != nil || c.ID != jane {
			t.Errorf("%q: %v %v", ref, c.ID, err)
		}
	}
	if _, err := s.Resolve(ctx, "jane"); followup.ErrorCodeOf(err) != followup.EConflict || !strings.Contains(err.Error(), "Dough") {
		t.Errorf("ambiguous: %v", err)
	}
	if _, err := s.Resolve(ctx, "nobody"); followup.ErrorCodeOf(err) != followup.ENotFound {
		t.Errorf("missing: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestOutboundLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	id, _, _ := s.SaveContact(ctx, store.ContactInput{FirstName: "W", Channel: followup.WeChat, ExternalID: "o1"})
	since := time.Now().Add(-3 * time.Hour)
	begin := func(key, body string) (followup.Message, bool, error) {
		return s.BeginOutbound(ctx, store.Outbound{ContactID: id, Channel: followup.WeChat, Mode: followup.ModeFreeText, Body: body, IdempotencyKey: key}, time.Minute)
	}
	m, existing, err := begin("k1", "hello")
	if err != nil || existing || m.Status != followup.StatusPending {
		t.Fatalf("begin: %+v %v %v", m, existing, err)
	}
	if ok, err := s.ClaimOutbound(ctx, m.ID, "try1", time.Minute); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	// The same try may repeat its claim (a dropped connection); another may not.
	if ok, err := s.ClaimOutbound(ctx, m.ID, "try1", time.Minute); !ok || err != nil {
		t.Fatalf("claim again by the same try: %v %v", ok, err)
	}
	// The same key again is the same message; with another text it is refused.
	if again, existing, err := begin("k1", "hello"); err != nil || !existing || again.ID != m.ID {
		t.Fatalf("begin again: %+v %v %v", again, existing, err)
	}
	if _, _, err := begin("k1", "another text"); followup.ErrorCodeOf(err) != followup.EConflict {
		t.Fatalf("a key reused for another text: %v", err)
	}
	// Sending cannot be claimed; released (the provider refused) it can.
	if ok, err := s.ClaimOutbound(ctx, m.ID, "try2", time.Minute); ok || err != nil {
		t.Fatalf("claimed a message in flight: %v %v", ok, err)
	}
	if err := s.ReleaseOutbound(ctx, m.ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimOutbound(ctx, m.ID, "try2", time.Minute); !ok || err != nil {
		t.Fatalf("claim a released message: %v %v", ok, err)
	}
	if ok, _ := s.MarkUnconfirmed(ctx, m.ID, "lost"); !ok {
		t.Fatal("not marked unconfirmed")
	}
	if ok, _ := s.MarkUnconfirmed(ctx, m.ID, "lost"); ok {
		t.Fatal("marked unconfirmed twice")
	}
	// Counts: unconfirmed and in-flight count (they may have arrived);
	// undeliverable does not.
	m2, _, _ := begin("k2", "two")
	m3, _, _ := begin("k3", "three")
	s.FinishOutbound(ctx, m3.ID, followup.StatusUndeliverable, "", "blocked")
	s.FinishOutbound(ctx, m2.ID, followup.StatusSent, "p2", "")
	if n := must[int](t)(s.OutboundSince(ctx, id, followup.WeChat, since, "")); n != 2 {
		t.Fatalf("count %d, want 2 (unconfirmed and sent)", n)
	}
	// A send run again leaves its own earlier try out of the count.
	if n := must[int](t)(s.OutboundSince(ctx, id, followup.WeChat, since, "k2")); n != 1 {
		t.Fatalf("count %d without k2, want 1", n)
	}
	// Still sending: not counted (it is the send in flight).
	m4, _, _ := begin("k4", "four")
	s.ClaimOutbound(ctx, m4.ID, "try4", time.Minute)
	if n := must[int](t)(s.OutboundSince(ctx, id, followup.WeChat, since, "")); n != 2 {
		t.Fatalf("count %d with k4 sending, want 2", n)
	}
	// Only leases that ended long enough ago are claimed, once; a sending
	// message stays sending, for the reconciler to resolve.
	if got := must[[]store.Unresolved](t)(s.ClaimUnresolved(ctx, 0, time.Minute, 10)); len(got) != 0 {
		t.Fatalf("claimed a live lease: %+v", got)
	}
	s.DB().Exec(`UPDATE messages SET attempt_until = now() - interval '10 minutes' WHERE id = $1`, m4.ID)
	got := must[[]store.Unresolved](t)(s.ClaimUnresolved(ctx, time.Minute, time.Minute, 10))
	if len(got) != 1 || got[0].ID != m4.ID || got[0].Status != followup.StatusSending {
		t.Fatalf("claim unresolved: %+v", got)
	}
	if again := must[[]store.Unresolved](t)(s.ClaimUnresolved(ctx, time.Minute, time.Minute, 10)); len(again) != 0 {
		t.Fatalf("claimed twice: %+v", again)
	}
	if n := must[int](t)(s.CountUnresolved(ctx)); n != 1 {
		t.Fatalf("unresolved %d, want 1", n)
	}
}

func TestRequestsLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	r := store.Request{ID: "r1", AgentSlack: "U1", Payload: []byte(`{}`), ResponseURL: "http://x"}
	if added, err := s.AddRequest(ctx, r, time.Minute); !added || err != nil {
		t.Fatalf("add: %v %v", added, err)
	}
	if added, _ := s.AddRequest(ctx, r, time.Minute); added {
		t.Fatal("the same request added twice")
	}
	// Held by its process: nobody else claims it until the claim runs out.
	if got := must[[]store.Request](t)(s.ClaimRequests(ctx, time.Minute, 10)); len(got) != 0 {
		t.Fatalf("claimed a held request: %+v", got)
	}
	s.DB().MustExec(`UPDATE requests SET claimed_until = now() - interval '1 second'`)
	got := must[[]store.Request](t)(s.ClaimRequests(ctx, time.Minute, 10))
	if len(got) != 1 || got[0].ID != "r1" || got[0].Tries != 2 {
		t.Fatalf("claim: %+v", got)
	}
	if n := must[int](t)(s.CountPendingRequests(ctx)); n != 1 {
		t.Fatalf("pending %d", n)
	}
	if err := s.FinishRequest(ctx, "r1", "done"); err != nil {
		t.Fatal(err)
	}
	if n := must[int](t)(s.CountPendingRequests(ctx)); n != 0 {
		t.Fatalf("pending %d after done", n)
	}
	if n := must[int](t)(s.PruneRequests(ctx, time.Hour)); n != 0 {
		t.Fatalf("pruned a fresh request: %d", n)
	}
	s.DB().MustExec(`UPDATE requests SET done_at = now() - interval '2 hours'`)
	if n := must[int](t)(s.PruneRequests(ctx, time.Hour)); n != 1 {
		t.Fatalf("pruned %d, want 1", n)
	}
}

// TestEscalations: an escalation records once per key, lists while open,
// clears per follow-up; taking over assigns the open conversation, else the
// latest; whether anyone wrote counts every channel.
func TestEscalations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	id := must[int64](t)(firstID(s.SaveContact(ctx, store.ContactInput{FirstName: "Jane", Email: "jane@example.com", Channel: followup.Email})))
	ann := must[followup.Agent](t)(firstAgent(s.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})))
	now := time.Now().UTC().Truncate(time.Second)
	e := followup.Escalation{Key: "k1", ContactID: id, Channel: followup.WhatsApp, Trigger: followup.EscalateRefused, Detail: "refused", Since: now.Add(-time.Hour), PostedAt: now}
	for i, want := range []bool{true, false} {
		if added, err := s.AddEscalation(ctx, e); err != nil || added != want {
			t.Fatalf("add #%d: %v %v", i, added, err)
		}
	}
	e.Key, e.Channel = "k2", followup.Telegram
	must[bool](t)(s.AddEscalation(ctx, e))
	if open := must[[]followup.Escalation](t)(s.OpenEscalations(ctx)); len(open) != 2 || open[0].Trigger != followup.EscalateRefused {
		t.Fatalf("open: %+v", open)
	}
	if n := must[int](t)(s.ClearEscalations(ctx, id, followup.WhatsApp, "taken over by U2", now)); n != 1 {
		t.Fatalf("cleared %d", n)
	}
	if open := must[[]followup.Escalation](t)(s.OpenEscalations(ctx)); len(open) != 1 || open[0].Channel != followup.Telegram {
		t.Fatalf("open after clearing WhatsApp's: %+v", open)
	}
	if n := must[int](t)(s.ClearEscalations(ctx, id, "", "", now)); n != 1 {
		t.Fatalf("cleared all: %d", n)
	}
	if es := must[[]followup.Escalation](t)(s.Escalations(ctx, id, followup.WhatsApp)); len(es) != 1 || es[0].ClearedHow != "taken over by U2" || es[0].ClearedAt == nil {
		t.Fatalf("history: %+v", es)
	}

	// No conversation yet: nothing to assign.
	if _, err := s.AssignConversation(ctx, id, ann.ID, now); followup.ErrorCodeOf(err) != followup.EConflict {
		t.Fatalf("assign without a conversation: %v", err)
	}
	must[followup.Conversation](t)(s.ReopenAndAssign(ctx, id, ann.ID, now))
	must[followup.Conversation](t)(s.CloseConversation(ctx, id, followup.Unassign, now))
	sue := must[followup.Agent](t)(firstAgent(s.SaveAgent(ctx, followup.Agent{SlackUserID: "U2", Name: "Sue"})))
	c := must[followup.Conversation](t)(s.AssignConversation(ctx, id, sue.ID, now))
	if c.Status != followup.Closed || c.AssigneeID == nil || *c.AssigneeID != sue.ID {
		t.Fatalf("assigned the closed one: %+v", c)
	}
	if got := must[followup.Contact](t)(s.Contact(ctx, id)); got.AssigneeID == nil || *got.AssigneeID != sue.ID {
		t.Fatalf("search's copy of the assignee: %v", got.AssigneeID)
	}

	if n := must[int](t)(s.OutboundToContactSince(ctx, id, now.Add(-time.Minute))); n != 0 {
		t.Fatalf("outbound before any: %d", n)
	}
	for _, m := range []struct {
		ch     followup.Channel
		status string
	}{{followup.Email, "failed"}, {followup.Telegram, "sent"}} {
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO messages (contact_id, direction, channel, status, created_at) VALUES ($1, 'outbound', $2, $3, $4)`,
			id, m.ch, m.status, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := must[int](t)(s.OutboundToContactSince(ctx, id, now.Add(-time.Minute))); n != 1 {
		t.Fatalf("outbound since, any channel, failed ones left out: %d", n)
	}
}

func firstID(id int64, _ bool, err error) (int64, error) { return id, err }

func firstAgent(a followup.Agent, _ bool, err error) (followup.Agent, error) { return a, err }
