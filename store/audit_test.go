package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
)

// TestAudit: entries read back newest first with the contact's name; a
// request recorded twice is one row; Since, ContactID and Limit filter.
func TestAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	id, _, err := s.SaveContact(ctx, store.ContactInput{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Channel: followup.Email})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, e := range []followup.AuditEntry{
		{At: t0, Actor: "alice", Source: followup.SourceCLI, Action: followup.AuditSettingSet, Detail: map[string]string{"setting": "reminder_lead", "value": "2h"}},
		{At: t0.Add(time.Minute), Actor: "U1", Source: followup.SourceSlack, Action: followup.AuditFollowupSent, ContactID: id, Channel: followup.Email,
			Detail: map[string]string{"outcome": "sent", "mode": "free_text"}, RequestID: "r1"},
		// The same request after a crash: not recorded again.
		{At: t0.Add(2 * time.Minute), Actor: "U1", Source: followup.SourceSlack, Action: followup.AuditFollowupSent, ContactID: id, Channel: followup.Email, RequestID: "r1"},
		{Actor: "U2", Source: followup.SourceSlack, Action: followup.AuditFollowupCancelled, ContactID: id + 1000, RequestID: "r2"},
	} {
		if err := s.AddAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all := must[[]followup.AuditEntry](t)(s.Audit(ctx, store.AuditFilter{}))
	if len(all) != 3 {
		t.Fatalf("%d rows, want 3: %+v", len(all), all)
	}
	// The last has no time given: now, after the others.
	if all[0].Action != followup.AuditFollowupCancelled || all[0].ContactName != "" || all[0].Channel != "" || all[0].Detail != nil {
		t.Errorf("newest: %+v", all[0])
	}
	sent := all[1]
	if sent.Actor != "U1" || sent.Source != followup.SourceSlack || sent.ContactID != id || sent.ContactName != "Jane Doe" || sent.Channel != followup.Email ||
		sent.Detail["outcome"] != "sent" || sent.RequestID != "r1" || !sent.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("send: %+v", sent)
	}
	if set := all[2]; set.Actor != "alice" || set.Source != followup.SourceCLI || set.ContactID != 0 || set.Detail["value"] != "2h" {
		t.Errorf("setting: %+v", set)
	}

	if got := must[[]followup.AuditEntry](t)(s.Audit(ctx, store.AuditFilter{ContactID: id})); len(got) != 1 || got[0].ID != sent.ID {
		t.Errorf("by contact: %+v", got)
	}
	if got := must[[]followup.AuditEntry](t)(s.Audit(ctx, store.AuditFilter{Since: t0.Add(30 * time.Second)})); len(got) != 2 || got[1].ID != sent.ID {
		t.Errorf("since: %+v", got)
	}
	if got := must[[]followup.AuditEntry](t)(s.Audit(ctx, store.AuditFilter{Limit: 1})); len(got) != 1 || got[0].ID != all[0].ID {
		t.Errorf("limit: %+v", got)
	}
	err = s.AddAudit(ctx, followup.AuditEntry{Actor: "x", Source: "email", Action: followup.AuditSettingSet})
	if followup.ErrorCodeOf(err) != followup.EInvalid {
		t.Errorf("unknown source: %v", err)
	}
}
