// Package actions holds what an agent can do with contacts and follow-ups:
// find, resolve a contact and the channel to write on, send, schedule,
// look at status, cancel, close, and list running follow-ups. The CLI and
// the Slack bot both call it, so both behave the same; it is the bot's one
// way to contacts and follow-ups: the reads it needs beside the actions,
// the shapes it passes (store's and workflows' types, named here) and how
// a time to send is read (ParseWhen) are here too.
package actions

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/window"
	"github.com/followup-dev/followup/workflows"
)

// Store is what the actions read and write in the database (a
// *store.Store).
type Store interface {
	Resolve(ctx context.Context, ref string) (followup.Contact, error)
	Find(ctx context.Context, q store.Query) (store.Page, error)
	Contact(ctx context.Context, id int64) (followup.Contact, error)
	Identities(ctx context.Context, contactID int64) ([]followup.Identity, error)
	Agent(ctx context.Context, id int64) (followup.Agent, error)
	AgentBySlackUser(ctx context.Context, slackUserID string) (followup.Agent, error)
	Settings(ctx context.Context) (followup.Settings, error)
	Templates(ctx context.Context, ch followup.Channel) ([]followup.Template, error)
	Cadence(ctx context.Context, name string) (cadences.Cadence, error)
	Cadences(ctx context.Context) ([]cadences.Cadence, error)
	CloseConversation(ctx context.Context, contactID int64, logic followup.ClosingLogic, at time.Time) (followup.Conversation, error)
	AddAudit(ctx context.Context, e followup.AuditEntry) error
	Audit(ctx context.Context, f store.AuditFilter) ([]followup.AuditEntry, error)
	OutboundSince(ctx context.Context, contactID int64, ch followup.Channel, since time.Time, excludeKey string) (int, error)
	ChannelCounts(ctx context.Context, from, to time.Time) ([]followup.ChannelCount, error)
	AssignConversation(ctx context.Context, contactID, agentID int64, at time.Time) (followup.Conversation, error)
	ClearEscalations(ctx context.Context, contactID int64, ch followup.Channel, how string, at time.Time) (int, error)
	OpenEscalations(ctx context.Context) ([]followup.Escalation, error)
}

// Followups drives the follow-up workflows (a *workflows.Client).
type Followups interface {
	Send(ctx context.Context, in workflows.Input, req workflows.SendRequest, requestID string) (workflows.SendOutcome, error)
	State(ctx context.Context, contactID int64, ch followup.Channel) (workflows.State, error)
	Running(ctx context.Context, contactID int64, ch followup.Channel) (bool, error)
	Cancel(ctx context.Context, contactID int64, ch followup.Channel) (workflows.CancelResult, error)
	Close(ctx context.Context, contactID int64, ch followup.Channel) (workflows.CloseResult, error)
	List(ctx context.Context, f workflows.ListFilter) ([]workflows.Summary, error)
	TakeOver(ctx context.Context, contactID int64, ch followup.Channel, t workflows.TakeOver, requestID string) (workflows.TakeOverResult, error)
	Snooze(ctx context.Context, contactID int64, ch followup.Channel, s workflows.Snooze, requestID string) (workflows.SnoozeResult, error)
}

// Service carries the dependencies.
type Service struct {
	st  Store
	fc  Followups
	now func() time.Time
	log *slog.Logger
}

// New returns the actions over a store and a follow-up client; now is the
// clock (time.Now in production). An audit log write that fails is logged
// to slog's default logger until SetLogger names another.
func New(st Store, fc Followups, now func() time.Time) *Service {
	return &Service{st: st, fc: fc, now: now, log: slog.Default()}
}

// SetLogger sets where failures to write the audit log go.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

// Target is a resolved contact and the channel to write on.
type Target struct {
	Contact    followup.Contact
	Identities []followup.Identity
	Channel    followup.Channel
}

// Resolve finds the contact ref names (id, email, phone, or a name matching
// exactly one contact) and the channel to write on: via when given, else
// WhatsApp for a template, else the channel where the most may be sent now.
func (s *Service) Resolve(ctx context.Context, ref string, via followup.Channel, template bool) (Target, error) {
	t, err := s.Lookup(ctx, ref)
	if err != nil {
		return t, err
	}
	if len(t.Identities) == 0 {
		return t, followup.Errorf(followup.EInvalid, "%s has no channel to write on", t.Contact.FullName())
	}
	switch {
	case via != "":
		if !t.has(via) {
			return t, followup.Errorf(followup.EInvalid, "%s has no %s address (channels: %s)", t.Contact.FullName(), i18n.Msg(via.Title()), ChannelList(t.Identities))
		}
		t.Channel = via
	case template:
		if !t.has(followup.WhatsApp) {
			return t, followup.Errorf(followup.EInvalid, "%s has no WhatsApp address, and templates are WhatsApp's (channels: %s)", t.Contact.FullName(), ChannelList(t.Identities))
		}
		t.Channel = followup.WhatsApp
	default:
		set, err := s.st.Settings(ctx)
		if err != nil {
			return t, err
		}
		t.Channel = BestChannel(t.Identities, set, s.now())
	}
	return t, nil
}

// Lookup finds the contact ref names and its identities, without picking
// a channel (status, cancel, close).
func (s *Service) Lookup(ctx context.Context, ref string) (Target, error) {
	var t Target
	var err error
	if t.Contact, err = s.st.Resolve(ctx, ref); err != nil {
		return t, err
	}
	t.Identities, err = s.st.Identities(ctx, t.Contact.ID)
	return t, err
}

func (t Target) has(ch followup.Channel) bool {
	for _, id := range t.Identities {
		if id.Channel == ch {
			return true
		}
	}
	return false
}

// Windows says what may be sent now on each of the contact's channels, in
// the order of ids. It knows the clock, not the counts a running follow-up
// keeps (WeChat messages sent, Viber's monthly quota), which the follow-up
// itself enforces.
func Windows(ids []followup.Identity, set followup.Settings, now time.Time) []window.State {
	out := make([]window.State, len(ids))
	for i, id := range ids {
		in := window.Input{Channel: id.Channel, Now: now, Settings: set}
		if id.LastInboundAt != nil {
			in.LastInbound = *id.LastInboundAt
		}
		out[i] = window.Window(in)
	}
	return out
}

// BestChannel picks the channel where the most may be sent now: free text
// first, then HUMAN_AGENT, then anything but nothing; ties go to the
// channel the customer used most recently.
func BestChannel(ids []followup.Identity, set followup.Settings, now time.Time) followup.Channel {
	ws := Windows(ids, set, now)
	rank := func(i int) int {
		switch ws[i].Allowance {
		case window.FreeText:
			return 0
		case window.HumanAgent:
			return 1
		case window.Nothing:
			return 3
		}
		return 2
	}
	best := 0
	for i := 1; i < len(ids); i++ {
		rb, ri := rank(best), rank(i)
		if ri < rb || (ri == rb && ids[i].LastInboundAt != nil && (ids[best].LastInboundAt == nil || ids[i].LastInboundAt.After(*ids[best].LastInboundAt))) {
			best = i
		}
	}
	return ids[best].Channel
}

// ChannelList names the channels of ids, comma-separated.
func ChannelList(ids []followup.Identity) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = string(id.Channel)
	}
	return strings.Join(names, ", ")
}

// Send asks the contact's follow-up on t.Channel to send req as by.Agent
// (starting the follow-up when none runs), and records it in the audit
// log. A refusal by the channel's rules is an ERefused error naming the
// channel; requestID makes a retried request harmless.
func (s *Service) Send(ctx context.Context, by Actor, t Target, req workflows.SendRequest, requestID string) (workflows.SendOutcome, error) {
	agent := by.Agent
	req.AgentID, req.AgentSlack = agent.ID, agent.SlackUserID
	in := workflows.Input{ContactID: t.Contact.ID, Channel: t.Channel, AgentID: agent.ID, AgentSlack: agent.SlackUserID, VIP: t.Contact.VIP}
	out, err := s.fc.Send(ctx, in, req, requestID)
	if err != nil {
		var fe *followup.Error
		if errors.As(err, &fe) && fe.Code == followup.ERefused {
			// The follow-up's reason, itself a message for the agent.
			return out, followup.Errorf(followup.ERefused, "%s: refused: %s", i18n.Msg(t.Channel.Title()), fe)
		}
		return out, err
	}
	switch out.Outcome {
	case workflows.OutcomeSent, workflows.OutcomeScheduled, workflows.OutcomeUnconfirmed, workflows.OutcomeInProgress:
		s.record(ctx, by, sendEntry(t, req, out, requestID))
		return out, nil
	}
	return out, followup.Errorf(followup.ERefused, "%s: %s: %s", i18n.Msg(t.Channel.Title()), i18n.Word("outcome", string(out.Outcome)), out.Phrase())
}

// Status returns the contact's running follow-ups' states.
func (s *Service) Status(ctx context.Context, c followup.Contact) ([]workflows.State, error) {
	ids, err := s.st.Identities(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	states := []workflows.State{}
	for _, id := range ids {
		running, err := s.fc.Running(ctx, c.ID, id.Channel)
		if err != nil {
			return nil, err
		}
		if !running {
			continue
		}
		st, err := s.fc.State(ctx, c.ID, id.Channel)
		if err != nil {
			return nil, err
		}
		states = append(states, st)
	}
	return states, nil
}

// Cancelled is one follow-up cancelled.
type Cancelled struct {
	Channel   followup.Channel
	Scheduled int // scheduled sends dropped
}

// Cancel cancels the contact's running follow-ups (only the one on via when
// given), and records each in the audit log; ENotFound when none runs.
// requestID makes a retried request record once.
func (s *Service) Cancel(ctx context.Context, by Actor, c followup.Contact, via followup.Channel, requestID string) ([]Cancelled, error) {
	var out []Cancelled
	err := s.eachRunning(ctx, c, via, func(ch followup.Channel) error {
		r, err := s.fc.Cancel(ctx, c.ID, ch)
		if err == nil {
			out = append(out, Cancelled{Channel: ch, Scheduled: r.CancelledScheduled})
			s.record(ctx, by, followup.AuditEntry{Action: followup.AuditFollowupCancelled, ContactID: c.ID, Channel: ch,
				Detail: map[string]string{"scheduled_dropped": strconv.Itoa(r.CancelledScheduled)}, RequestID: channelRequest(requestID, ch)})
		}
		return err
	})
	return out, err
}

// Close closes the contact's conversation (closing logic applied) through
// its running follow-ups, which end; with none running it closes the
// conversation directly. ended lists the follow-ups that ended. The close
// is recorded in the audit log; requestID makes a retried request record
// once.
func (s *Service) Close(ctx context.Context, by Actor, c followup.Contact, requestID string) (ended []followup.Channel, err error) {
	err = s.eachRunning(ctx, c, "", func(ch followup.Channel) error {
		_, err := s.fc.Close(ctx, c.ID, ch)
		if err == nil {
			ended = append(ended, ch)
			s.record(ctx, by, followup.AuditEntry{Action: followup.AuditFollowupClosed, ContactID: c.ID, Channel: ch, RequestID: channelRequest(requestID, ch)})
		}
		return err
	})
	// None running (or the only one ended meanwhile): close it directly.
	if followup.ErrorCodeOf(err) != followup.ENotFound && (err != nil || len(ended) > 0) {
		return ended, err
	}
	if _, err = s.st.CloseConversation(ctx, c.ID, "", s.now()); err == nil {
		s.record(ctx, by, followup.AuditEntry{Action: followup.AuditFollowupClosed, ContactID: c.ID, RequestID: requestID})
	}
	return nil, err
}

// eachRunning applies f to the contact's running follow-ups (only via's
// when given). It goes on past a failing one, so the caller can tell the
// agent what was done as well as what failed; a follow-up that ended in
// the meantime counts as done. ENotFound when none runs.
func (s *Service) eachRunning(ctx context.Context, c followup.Contact, via followup.Channel, f func(followup.Channel) error) error {
	ids, err := s.st.Identities(ctx, c.ID)
	if err != nil {
		return err
	}
	n := 0
	var failed error
	for _, id := range ids {
		if via != "" && id.Channel != via {
			continue
		}
		running, err := s.fc.Running(ctx, c.ID, id.Channel)
		if err != nil {
			failed = errors.Join(failed, err)
			continue
		}
		if !running {
			continue
		}
		n++
		if err := f(id.Channel); err != nil && followup.ErrorCodeOf(err) != followup.ENotFound {
			failed = errors.Join(failed, err)
		}
	}
	if n == 0 && failed == nil {
		return followup.Errorf(followup.ENotFound, "no follow-up is running for %s", c.FullName())
	}
	return failed
}

// Following lists the agent's running follow-ups, those whose window
// closes first at the top.
func (s *Service) Following(ctx context.Context, agentSlack string) ([]workflows.Summary, error) {
	out, err := s.fc.List(ctx, workflows.ListFilter{Agent: agentSlack})
	SortOverdueFirst(out)
	return out, err
}

// VIP lists the running VIP follow-ups, overdue first.
func (s *Service) VIP(ctx context.Context) ([]workflows.Summary, error) {
	out, err := s.fc.List(ctx, workflows.ListFilter{VIPOnly: true})
	SortOverdueFirst(out)
	return out, err
}

// SortOverdueFirst orders follow-ups by when their window closes, earliest
// (overdue: already closed) first; those without a closing window go last,
// oldest first. Visibility stores cannot ORDER BY, so it is done here.
func SortOverdueFirst(fs []workflows.Summary) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].WindowClosesAt, fs[j].WindowClosesAt
		switch {
		case a.IsZero() != b.IsZero():
			return !a.IsZero()
		case !a.Equal(b):
			return a.Before(b)
		}
		return fs[i].StartedAt.Before(fs[j].StartedAt)
	})
}

// TemplateParams orders template parameters given as "2=b 1=a" by number;
// names that are not numbers keep the order given.
func TemplateParams(args []string) ([]string, error) {
	type kv struct {
		n int
		v string
	}
	kvs := make([]kv, 0, len(args))
	numbered := true
	for _, arg := range args {
		k, v, ok := strings.Cut(arg, "=")
		if !ok || k == "" {
			return nil, followup.Errorf(followup.EInvalid, "template parameter %q: write it as 1=value", arg)
		}
		n, err := strconv.Atoi(k)
		numbered = numbered && err == nil
		kvs = append(kvs, kv{n, v})
	}
	if numbered {
		sort.SliceStable(kvs, func(i, j int) bool { return kvs[i].n < kvs[j].n })
		for i, p := range kvs {
			if p.n != i+1 {
				return nil, followup.Errorf(followup.EInvalid, "template parameters must be numbered 1, 2, 3 … without gaps")
			}
		}
	}
	out := make([]string, len(kvs))
	for i, p := range kvs {
		out[i] = p.v
	}
	return out, nil
}
