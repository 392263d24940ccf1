package actions_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// cli is an operator at the command line.
var cli = actions.Actor{Name: "ops", Source: followup.SourceCLI}

func ago(d time.Duration) *time.Time { t := now.Add(-d); return &t }

func TestBestChannel(t *testing.T) {
	set := followup.DefaultSettings()
	for _, c := range []struct {
		name string
		ids  []followup.Identity
		want followup.Channel
	}{
		{"free text beats template only", []followup.Identity{{Channel: followup.WhatsApp, LastInboundAt: ago(30 * time.Hour)}, {Channel: followup.Email}}, followup.Email},
		{"the most recent among equals", []followup.Identity{{Channel: followup.Telegram, LastInboundAt: ago(5 * time.Hour)}, {Channel: followup.WhatsApp, LastInboundAt: ago(time.Hour)}}, followup.WhatsApp},
		{"HUMAN_AGENT beats a tag", []followup.Identity{{Channel: followup.Messenger, LastInboundAt: ago(9 * 24 * time.Hour)}, {Channel: followup.Instagram, LastInboundAt: ago(30 * time.Hour)}}, followup.Instagram},
		{"anything beats nothing", []followup.Identity{{Channel: followup.WeChat, LastInboundAt: ago(50 * time.Hour)}, {Channel: followup.WhatsApp, LastInboundAt: ago(30 * time.Hour)}}, followup.WhatsApp},
	} {
		if got := actions.BestChannel(c.ids, set, now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestSortOverdueFirst(t *testing.T) {
	fs := []workflows.Summary{
		{ContactID: 1, StartedAt: now},
		{ContactID: 2, WindowClosesAt: now.Add(time.Hour)},
		{ContactID: 3, WindowClosesAt: now.Add(-time.Hour)},
		{ContactID: 4, StartedAt: now.Add(-time.Hour)},
	}
	actions.SortOverdueFirst(fs)
	var got []int64
	for _, f := range fs {
		got = append(got, f.ContactID)
	}
	if want := []int64{3, 2, 4, 1}; !equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func equal(a, b []int64) bool {
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

func TestTemplateParams(t *testing.T) {
	got, err := actions.TemplateParams([]string{"2=A-17", "1=Carlos"})
	if err != nil || strings.Join(got, ",") != "Carlos,A-17" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range [][]string{{"1=a", "3=c"}, {"x"}, {"=v"}} {
		if _, err := actions.TemplateParams(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// followups is a Temporal stand-in whose follow-ups run on the channels
// in running, and whose Cancel fails on failOn.
type followups struct {
	sent    workflows.SendOutcome // what Send answers
	running map[followup.Channel]bool
	failOn  followup.Channel
	gone    followup.Channel // ended between Running and Cancel
}

func (f *followups) Send(context.Context, workflows.Input, workflows.SendRequest, string) (workflows.SendOutcome, error) {
	if f.sent.Outcome == "" {
		return workflows.SendOutcome{}, errors.New("not used")
	}
	return f.sent, nil
}
func (f *followups) State(context.Context, int64, followup.Channel) (workflows.State, error) {
	return workflows.State{}, errors.New("not used")
}
func (f *followups) Running(_ context.Context, _ int64, ch followup.Channel) (bool, error) {
	return f.running[ch], nil
}
func (f *followups) Cancel(_ context.Context, _ int64, ch followup.Channel) (workflows.CancelResult, error) {
	switch ch {
	case f.failOn:
		return workflows.CancelResult{}, &followup.Error{Code: followup.EInternal, Message: "Temporal did not answer in time"}
	case f.gone:
		return workflows.CancelResult{}, followup.Errorf(followup.ENotFound, "no follow-up is running")
	}
	return workflows.CancelResult{CancelledScheduled: 1}, nil
}
func (f *followups) Close(ctx context.Context, id int64, ch followup.Channel) (workflows.CloseResult, error) {
	_, err := f.Cancel(ctx, id, ch)
	return workflows.CloseResult{}, err
}
func (f *followups) TakeOver(_ context.Context, _ int64, ch followup.Channel, t workflows.TakeOver, _ string) (workflows.TakeOverResult, error) {
	if ch == f.gone {
		return workflows.TakeOverResult{}, followup.Errorf(followup.ENotFound, "no follow-up is running")
	}
	return workflows.TakeOverResult{PreviousAgentSlack: "U1", Message: "taken over by " + t.AgentSlack}, nil
}
func (f *followups) Snooze(context.Context, int64, followup.Channel, workflows.Snooze, string) (workflows.SnoozeResult, error) {
	return workflows.SnoozeResult{Snoozed: true}, nil
}
func (f *followups) List(context.Context, workflows.ListFilter) ([]workflows.Summary, error) {
	return nil, nil
}

// TestCancelReportsWhatWasDone: with three follow-ups running, one failing
// and one ended meanwhile, Cancel reports the one it cancelled and the
// failure; with none running it says so.
func TestCancelReportsWhatWasDone(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var id int64
	for _, ch := range []followup.Channel{followup.Email, followup.Telegram, followup.LINE} {
		in := store.ContactInput{FirstName: "Jane", Email: "jane@example.com", Channel: ch}
		if ch != followup.Email {
			in.ExternalID = map[followup.Channel]string{followup.Telegram: "1234567890", followup.LINE: "U" + strings.Repeat("a", 32)}[ch]
		}
		if id, _, err = st.SaveContact(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	c, err := st.Contact(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	fc := &followups{running: map[followup.Channel]bool{followup.Email: true, followup.Telegram: true, followup.LINE: true}, failOn: followup.Telegram, gone: followup.LINE}
	act := actions.New(st, fc, func() time.Time { return now })
	cs, err := act.Cancel(ctx, cli, c, "", "")
	if len(cs) != 1 || cs[0].Channel != followup.Email || followup.ErrorCodeOf(err) != followup.EInternal {
		t.Fatalf("cancelled %+v, err %v: want Email cancelled and Telegram's failure", cs, err)
	}
	if _, err := actions.New(st, &followups{}, time.Now).Cancel(ctx, cli, c, "", ""); followup.ErrorCodeOf(err) != followup.ENotFound {
		t.Fatalf("none running: %v", err)
	}
	// Closing with none running closes the conversation itself.
	ann, _, err := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReopenAndAssign(ctx, id, ann.ID, now); err != nil {
		t.Fatal(err)
	}
	ended, err := actions.New(st, &followups{}, time.Now).Close(ctx, cli, c, "")
	if err != nil || len(ended) != 0 {
		t.Fatalf("close with none running: %v %v", ended, err)
	}
	if c, _ := st.Contact(ctx, id); c.Status != "closed" {
		t.Fatalf("conversation %s after close", c.Status)
	}
}
