package actions_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// TestAuditRecordsActions: a send, a scheduled send, a cancel and a close
// each leave a row naming the agent (or the operator), where it came from
// and the contact; a request run again records once; a refused send
// records nothing.
func TestAuditRecordsActions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, _, err := st.SaveContact(ctx, store.ContactInput{FirstName: "Jane", Email: "jane@example.com", Channel: followup.Email})
	if err != nil {
		t.Fatal(err)
	}
	ann, _, err := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	slack := actions.Actor{Agent: ann, Source: followup.SourceSlack}
	fc := &followups{running: map[followup.Channel]bool{followup.Email: true},
		sent: workflows.SendOutcome{Outcome: workflows.OutcomeSent, Mode: followup.Mode("free_text"), Message: "Sent"}}
	act := actions.New(st, fc, func() time.Time { return now })
	tg, err := act.Resolve(ctx, "#"+itoa(id), followup.Email, false)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run is the same request resumed
		if _, err := act.Send(ctx, slack, tg, workflows.SendRequest{Text: "Hello Jane, a secret"}, "slack-1"); err != nil {
			t.Fatal(err)
		}
	}
	fc.sent = workflows.SendOutcome{Outcome: workflows.OutcomeScheduled, At: now.Add(time.Hour)}
	if _, err := act.Send(ctx, slack, tg, workflows.SendRequest{Text: "later", At: now.Add(time.Hour)}, "slack-2"); err != nil {
		t.Fatal(err)
	}
	fc.sent = workflows.SendOutcome{Outcome: workflows.Outcome("refused"), Message: "window closed"}
	if _, err := act.Send(ctx, slack, tg, workflows.SendRequest{Text: "no"}, "slack-3"); followup.ErrorCodeOf(err) != followup.ERefused {
		t.Fatalf("refused send: %v", err)
	}
	if _, err := act.Cancel(ctx, slack, tg.Contact, "", "slack-4"); err != nil {
		t.Fatal(err)
	}
	if _, err := act.Close(ctx, cli, tg.Contact, "cli-5"); err != nil {
		t.Fatal(err)
	}

	es, err := act.Audit(ctx, actions.AuditFilter{ContactID: id})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		actor  string
		source followup.AuditSource
		action followup.AuditAction
	}
	want := []row{
		{"ops", followup.SourceCLI, followup.AuditFollowupClosed},
		{"U1", followup.SourceSlack, followup.AuditFollowupCancelled},
		{"U1", followup.SourceSlack, followup.AuditFollowupScheduled},
		{"U1", followup.SourceSlack, followup.AuditFollowupSent},
	}
	if len(es) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(es), len(want), es)
	}
	for i, w := range want {
		e := es[i]
		if (row{e.Actor, e.Source, e.Action}) != w || e.ContactID != id || e.Channel != followup.Email {
			t.Errorf("row %d: %+v, want %+v on contact %d by email", i, e, w, id)
		}
	}
	if d := es[3].Detail; d["outcome"] != "sent" || d["mode"] != "free_text" || es[3].DetailText() != "mode=free_text outcome=sent" {
		t.Errorf("send detail %v", d)
	}
	if d := es[2].Detail; d["at"] != now.Add(time.Hour).Format(time.RFC3339) {
		t.Errorf("scheduled detail %v", d)
	}
	if d := es[1].Detail; d["scheduled_dropped"] != "1" {
		t.Errorf("cancel detail %v", d)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
