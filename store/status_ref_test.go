package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/store"
)

// TestStatusRefMatchesDatabase: the reference adapters send
// (channels.StatusRef) is the one the database computes from the stored
// key (status_ref), for keys a plain ::bytea cast would misread or that
// are longer than a provider takes.
func TestStatusRefMatchesDatabase(t *testing.T) {
	t.Parallel()
	s := open(t)
	for _, key := range []string{"fu-1/upd-1", `back\slash\\x00`, "Zoë/🌟/ключ", `it's "quoted"`, strings.Repeat("long-key/", 300)} {
		var got string
		if err := s.DB().Get(&got, `SELECT status_ref($1)`, key); err != nil {
			t.Fatalf("%.20q: %v", key, err)
		}
		if want := channels.StatusRef(key); got != want {
			t.Errorf("%.20q: database %s, Go %s", key, got, want)
		}
	}
}

// unconfirmed records an outbound message whose send answer was lost, as
// activities.Send leaves it: recorded, claimed, then marked unconfirmed.
func unconfirmed(t *testing.T, s *store.Store, contact int64, ch followup.Channel, key string) followup.Message {
	t.Helper()
	ctx := context.Background()
	m := sending(t, s, contact, ch, key)
	if ok, err := s.MarkUnconfirmed(ctx, m.ID, "the connection to "+ch.Title()+" was lost while sending"); err != nil || !ok {
		t.Fatalf("mark unconfirmed: %v %v", ok, err)
	}
	return m
}

// sending records an outbound message a try is sending now.
func sending(t *testing.T, s *store.Store, contact int64, ch followup.Channel, key string) followup.Message {
	t.Helper()
	ctx := context.Background()
	m, _, err := s.BeginOutbound(ctx, store.Outbound{ContactID: contact, Channel: ch, Mode: followup.ModeFreeText, Body: "hello " + key, IdempotencyKey: key}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimOutbound(ctx, m.ID, "try-1", time.Minute); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	return m
}

func message(t *testing.T, s *store.Store, key string) followup.Message {
	t.Helper()
	m, err := s.OutboundByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUpdateStatusByRefConfirmsUnconfirmed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	contact, _, err := s.SaveContact(ctx, store.ContactInput{FirstName: "Ada", Channel: followup.WhatsApp, ExternalID: "+16505551234"})
	if err != nil {
		t.Fatal(err)
	}
	unconfirmed(t, s, contact, followup.WhatsApp, "fu-1/upd-1")
	ref := channels.StatusRef("fu-1/upd-1")

	// Another channel's status with the same reference is not this message's.
	if _, err := s.UpdateStatusByRef(ctx, followup.SMS, ref, "SM1", followup.StatusDelivered, ""); followup.ErrorCodeOf(err) != followup.ENotFound {
		t.Fatalf("other channel: %v", err)
	}
	if _, err := s.UpdateStatusByRef(ctx, followup.WhatsApp, channels.StatusRef("nobody"), "wamid.0", followup.StatusDelivered, ""); followup.ErrorCodeOf(err) != followup.ENotFound {
		t.Fatalf("unknown reference: %v", err)
	}
	if _, err := s.UpdateStatusByRef(ctx, followup.WhatsApp, ref, "wamid.1", followup.StatusPending, ""); followup.ErrorCodeOf(err) != followup.EInvalid {
		t.Fatalf("a pending status: %v", err)
	}
	if m := message(t, s, "fu-1/upd-1"); m.Status != followup.StatusUnconfirmed || m.ProviderID != "" {
		t.Fatalf("changed by a refused status: %+v", m)
	}

	got, err := s.UpdateStatusByRef(ctx, followup.WhatsApp, ref, "wamid.1", followup.StatusSent, "")
	if err != nil || got != contact {
		t.Fatalf("confirm: contact %d, %v", got, err)
	}
	m := message(t, s, "fu-1/upd-1")
	if m.Status != followup.StatusSent || m.ProviderID != "wamid.1" || m.Reason != "" {
		t.Fatalf("confirmed as sent: %+v", m)
	}
	// From now on its statuses find it by the provider's id.
	if _, err := s.UpdateStatusByRef(ctx, followup.WhatsApp, ref, "wamid.1", followup.StatusDelivered, ""); followup.ErrorCodeOf(err) != followup.ENotFound {
		t.Fatalf("by reference once the id is known: %v", err)
	}
	if _, err := s.UpdateStatus(ctx, followup.WhatsApp, "wamid.1", followup.StatusRead, ""); err != nil {
		t.Fatal(err)
	}
	if m := message(t, s, "fu-1/upd-1"); m.Status != followup.StatusRead {
		t.Fatalf("read by provider id: %+v", m)
	}
}

func TestUpdateStatusByRefFailuresAndOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	contact, _, err := s.SaveContact(ctx, store.ContactInput{FirstName: "Zoë", Phone: "+33612345678", Channel: followup.SMS, ExternalID: "+33612345678"})
	if err != nil {
		t.Fatal(err)
	}

	// A failure of an unconfirmed message: undeliverable, with the reason.
	unconfirmed(t, s, contact, followup.SMS, "k/fail")
	if _, err := s.UpdateStatusByRef(ctx, followup.SMS, channels.StatusRef("k/fail"), "SMfail", followup.StatusUndeliverable, "30003: Unreachable destination handset"); err != nil {
		t.Fatal(err)
	}
	if m := message(t, s, "k/fail"); m.Status != followup.StatusUndeliverable || m.ProviderID != "SMfail" || !strings.Contains(m.Reason, "30003") {
		t.Fatalf("failed by reference: %+v", m)
	}

	// Read straight away (a 'sent' webhook lost on the way).
	unconfirmed(t, s, contact, followup.SMS, "k/read")
	if _, err := s.UpdateStatusByRef(ctx, followup.SMS, channels.StatusRef("k/read"), "SMread", followup.StatusRead, ""); err != nil {
		t.Fatal(err)
	}
	if m := message(t, s, "k/read"); m.Status != followup.StatusRead {
		t.Fatalf("read by reference: %+v", m)
	}

	// A status that outruns the send's own answer: the message is still
	// sending; recording the provider's answer afterwards keeps the
	// status the webhook brought.
	m := sending(t, s, contact, followup.SMS, "k/race")
	if _, err := s.UpdateStatusByRef(ctx, followup.SMS, channels.StatusRef("k/race"), "SMrace", followup.StatusDelivered, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishOutbound(ctx, m.ID, followup.StatusSent, "SMrace", ""); err != nil {
		t.Fatal(err)
	}
	if m := message(t, s, "k/race"); m.Status != followup.StatusDelivered || m.ProviderID != "SMrace" {
		t.Fatalf("the send's answer moved a delivered message back: %+v", m)
	}

	// A message already resolved as failed is not moved forward by a
	// status naming it, but learns the provider's id.
	m = sending(t, s, contact, followup.SMS, "k/failed")
	if err := s.FinishOutbound(ctx, m.ID, followup.StatusFailed, "", "not sent"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.UpdateStatusByRef(ctx, followup.SMS, channels.StatusRef("k/failed"), "SMlate", followup.StatusDelivered, ""); err != nil || got != contact {
		t.Fatalf("late status of a failed message: %d %v", got, err)
	}
	if m := message(t, s, "k/failed"); m.Status != followup.StatusFailed || m.Reason != "not sent" || m.ProviderID != "SMlate" {
		t.Fatalf("failed message: %+v", m)
	}

	// FinishOutbound still records every ordinary outcome.
	m = sending(t, s, contact, followup.SMS, "k/plain")
	if err := s.FinishOutbound(ctx, m.ID, followup.StatusSent, "SMplain", ""); err != nil {
		t.Fatal(err)
	}
	if m := message(t, s, "k/plain"); m.Status != followup.StatusSent || m.ProviderID != "SMplain" {
		t.Fatalf("plain send: %+v", m)
	}
}

// TestStatusRefLookupCanUseIndex: the lookup by reference matches
// messages_status_ref (expression and predicate), so it reads the few
// messages without a provider id, not the table. Sequential scans are
// discouraged so that the plan of an empty table shows the choice.
func TestStatusRefLookupCanUseIndex(t *testing.T) {
	t.Parallel()
	s := open(t)
	tx, err := s.DB().Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	var plan []string
	if err := tx.Select(&plan, `EXPLAIN UPDATE messages SET provider_id = 'p'
		WHERE channel = 'whatsapp' AND status_ref(idempotency_key) = 'x' AND direction = 'outbound' AND provider_id = ''`); err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "messages_status_ref") {
		t.Fatalf("plan does not use messages_status_ref:\n%s", p)
	}
}
