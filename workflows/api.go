// Package workflows holds the FollowUp workflow: one per contact and
// channel, it sends in the only form the channel allows, tracks the
// channel's window, reminds the agent before it closes, and reacts to the
// customer's replies. Callers use the names and types declared here.
package workflows

import (
	"fmt"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/window"
)

// Names Temporal records. Renaming one breaks running follow-ups.
const (
	// FollowUpName is the workflow type.
	FollowUpName = "FollowUp"
	// SignalReply carries a customer's inbound message (Reply).
	SignalReply = "customer-reply"
	// SignalDeliveryFailed carries a provider's asynchronous failure of one
	// of our messages (DeliveryFailure), e.g. WhatsApp's failed status 131047.
	SignalDeliveryFailed = "delivery-failed"
	// UpdateSend asks for a send, now or scheduled (SendRequest → SendOutcome).
	UpdateSend = "send"
	// UpdateCancel cancels the follow-up and its scheduled sends.
	UpdateCancel = "cancel"
	// UpdateClose closes the conversation with the workspace's closing logic
	// and ends the follow-up.
	UpdateClose = "close"
	// UpdateTakeOver makes whoever asks the follow-up's agent and the
	// conversation's assignee (TakeOver → TakeOverResult).
	UpdateTakeOver = "take-over"
	// UpdateSnooze puts off a VIP follow-up's escalation (Snooze →
	// SnoozeResult).
	UpdateSnooze = "snooze-escalation"
	// QueryState returns State.
	QueryState = "state"
	// DefaultTaskQueue is the task queue workers listen on.
	DefaultTaskQueue = "followup"
)

// Typed search attributes: ids only, never names or phones (visibility
// stores them unencrypted).
var (
	AttrContactID       = temporal.NewSearchAttributeKeyKeyword("FollowupContactID")
	AttrChannel         = temporal.NewSearchAttributeKeyKeyword("FollowupChannel")
	AttrAgent           = temporal.NewSearchAttributeKeyKeyword("FollowupAgent")
	AttrVIP             = temporal.NewSearchAttributeKeyBool("FollowupVIP")
	AttrStatus          = temporal.NewSearchAttributeKeyKeyword("FollowupStatus")
	AttrWindowClosesAt  = temporal.NewSearchAttributeKeyTime("FollowupWindowClosesAt")
	SearchAttributeKeys = []temporal.SearchAttributeKey{AttrContactID, AttrChannel, AttrAgent, AttrVIP, AttrStatus, AttrWindowClosesAt}
)

// WorkflowID is the follow-up's id: one per contact and channel, so a
// second request for the same pair reaches the running one.
func WorkflowID(contactID int64, ch followup.Channel) string {
	return fmt.Sprintf("followup-%d-%s", contactID, ch)
}

// Input starts a follow-up. Carry is set only by continue-as-new.
type Input struct {
	ContactID  int64
	Channel    followup.Channel
	AgentID    int64
	AgentSlack string
	VIP        bool
	Carry      *State
	// HistoryLimit overrides the history length at which the follow-up
	// continues as new (tests use a small one).
	HistoryLimit int
}

// SendRequest is what an agent asks to send.
type SendRequest struct {
	AgentID    int64
	AgentSlack string
	Text       string
	Template   *TemplateRequest
	Tag        followup.Tag
	// At schedules the send ("later"); zero sends now.
	At time.Time
	// Else is what to send instead when, at the time of sending, the
	// channel no longer takes Text (a closed window): an approved template
	// or a message tag. A scheduled send without one falls back on the
	// workspace's default re-engagement template (WhatsApp).
	Else *Fallback
	// Automated marks a message the product composed (a cadence's touch):
	// it never goes out with HUMAN_AGENT.
	Automated bool
	// Cadence starts a cadence instead of one send: its touches are
	// scheduled from now, each decided by the rules at its time, and a
	// reply from the customer stops the rest.
	Cadence *Cadence
}

// Fallback is what a send falls back on when its text is no longer
// allowed: an approved template (WhatsApp) or a message tag (Messenger).
type Fallback struct {
	Template *TemplateRequest
	Tag      followup.Tag
}

// Cadence is a named sequence of touches, each After the cadence started.
type Cadence struct {
	Name    string
	Touches []Touch
}

// Touch is one step of a cadence: what to send, and what instead.
type Touch struct {
	After    time.Duration
	Text     string
	Template *TemplateRequest
	Tag      followup.Tag
	Else     *Fallback
}

// TemplateRequest names a template and its parameters.
type TemplateRequest struct {
	Name     string
	Language string
	Params   []string
}

// Outcome is what became of a send request.
type Outcome string

// Outcomes.
const (
	OutcomeSent          Outcome = "sent"
	OutcomeRefused       Outcome = "refused"
	OutcomeScheduled     Outcome = "scheduled"
	OutcomeUndeliverable Outcome = "undeliverable"
	OutcomeCancelled     Outcome = "cancelled"
	// OutcomeUnconfirmed: a try may have reached a provider that cannot
	// tell a repeat from a new message; it was not repeated.
	OutcomeUnconfirmed Outcome = "unconfirmed"
	// OutcomeInProgress: the follow-up accepted the request and had not
	// finished sending when the caller stopped waiting; it tells the
	// agent the outcome.
	OutcomeInProgress Outcome = "in_progress"
)

// SendOutcome answers a send request.
type SendOutcome struct {
	Outcome Outcome
	Mode    followup.Mode
	Tag     followup.Tag
	Reason  string // machine-readable (window.Reason or the provider's error type)
	Message string // for the agent: what happened and what to do next (English)
	// Say is Message as a phrase, for the reader's language; nil in
	// outcomes recorded before phrases.
	Say        *followup.Phrase `json:",omitempty"`
	MessageID  int64
	ProviderID string
	ScheduleID int
	At         time.Time
	// Fallback: the text was not allowed any more, and its fallback (a
	// template, a tag) went out instead.
	Fallback bool
}

// Reply is a customer's inbound message, signalled by the inbound webhook.
type Reply struct {
	At      time.Time // the provider's timestamp
	Preview string
	// Key identifies the webhook event, so a redelivery is ignored.
	Key string
}

// DeliveryFailure is a provider's late refusal of a message it had accepted.
type DeliveryFailure struct {
	ProviderMessageID string
	Class             followup.SendErrorClass
	Code              string
	Message           string
}

// Status is where a follow-up is.
type Status string

// Follow-up states.
const (
	StatusScheduled Status = "scheduled" // waiting for a scheduled send
	StatusWaiting   Status = "waiting"   // sent; tracking the window
	StatusDone      Status = "done"      // nothing more can be sent
	StatusCancelled Status = "cancelled"
	StatusClosed    Status = "closed"
)

// Scheduled is a send waiting for its time.
type Scheduled struct {
	ID      int
	At      time.Time
	Request SendRequest
	// Key is the idempotency key of the message it sends (empty in state
	// carried from before keys named their request).
	Key string
	// Touch numbers a cadence's touch from 1 (0: not part of a cadence).
	Touch int
	// Held: it fell in the contact's quiet hours and waits for the
	// morning (it is not held twice).
	Held bool `json:",omitempty"`
}

// CadenceProgress is where the follow-up's cadence is.
type CadenceProgress struct {
	Name      string
	Touches   int       // how many the cadence has
	Reached   int       // the last touch whose time came (0: none yet)
	StartedAt time.Time // when the agent started it
	// Ended says why no further touch will come ("" while running):
	// finished, stopped by a reply, cancelled.
	Ended string
}

// Attempt is one send the follow-up tried.
type Attempt struct {
	At         time.Time
	Outcome    Outcome
	Mode       followup.Mode
	Tag        followup.Tag
	Reason     string
	MessageID  int64
	ProviderID string
	Fallback   bool // the fallback went out instead of the text
	Touch      int  // the cadence touch it was (0: none)
}

// Describe says what became of the attempt in words, as agents read it:
// "sent as free text", "refused: only an approved template may be sent".
func (a Attempt) Describe() string {
	switch a.Outcome {
	case OutcomeSent:
		if a.Fallback {
			return "sent as " + modeLabel(a.Mode, a.Tag).String() + ", the fallback (the text was no longer allowed)"
		}
		return "sent as " + modeLabel(a.Mode, a.Tag).String()
	case OutcomeUnconfirmed:
		return "may not have been sent (" + modeLabel(a.Mode, a.Tag).String() + "): the connection was lost while sending"
	case OutcomeRefused:
		return "refused: " + reasonWords(a.Reason)
	case OutcomeUndeliverable:
		return "not delivered: " + reasonWords(a.Reason)
	}
	return strings.ReplaceAll(string(a.Outcome), "_", " ")
}

// reasonWords says a refusal's reason (a window.Reason, a provider
// refusal's kind, or the follow-up's own) in words.
func reasonWords(r string) string {
	if w, ok := reasons[r]; ok {
		return w
	}
	if r == "" {
		return "no reason given"
	}
	return strings.ReplaceAll(r, "_", " ")
}

// ReasonWords is reasonWords for the bot, which says it in the reader's
// language (each is a text of the catalog).
func ReasonWords(r string) string { return reasonWords(r) }

// reasonTerm is reasonWords as a phrase's argument.
func reasonTerm(r string) followup.Term { return followup.Term(reasonWords(r)) }

// reasons are the refusals' reasons in words.
var reasons = map[string]string{
	string(window.ReasonNoContent):            "nothing to send",
	string(window.ReasonTagInvalid):           "that message tag cannot be used here",
	string(window.ReasonTemplateNotSupported): "this channel has no templates",
	string(window.ReasonTemplateNotApproved):  "the template is not approved",
	string(window.ReasonTemplateParams):       "the template's parameters do not match",
	string(window.ReasonTemplateRequired):     "the window is closed: only an approved template may be sent",
	string(window.ReasonTagRequired):          "the window is closed: only a message with a tag may be sent",
	string(window.ReasonTagsDisabled):         "message tags are turned off for this workspace",
	string(window.ReasonHumanAgentAutomated):  "HUMAN_AGENT is only for a person's own reply",
	string(window.ReasonInstagramClosed):      "Instagram allows nothing until the customer writes",
	string(window.ReasonWeChatWindowClosed):   "WeChat's 48-hour window is closed",
	string(window.ReasonWeChatLimit):          "WeChat's message limit for this window is reached",
	string(window.ReasonViberQuota):           "Viber's free chatbot messages for the month are used up",
	string(window.ReasonNoInbound):            "the customer never wrote on this channel",
	"load_failed":                             "the contact's state could not be read",
	"reopen_failed":                           "the conversation could not be reopened",
	"cancelled":                               "the follow-up was ending",
	"send_failed":                             "the provider did not answer after retries",
	"WindowClosed":                            "the provider says the window is closed",
	"RecipientGone":                           "the customer cannot be reached there any more",
	"Permanent":                               "the provider refused the message",
	"unconfirmed":                             "the connection was lost while sending",
}

// WindowView is the window as the state query shows it.
type WindowView struct {
	Allowance   window.Allowance // what may be sent now
	OpenUntil   time.Time        // when that changes (zero: it does not)
	Next        window.Allowance // what is allowed after OpenUntil
	ClosedSince time.Time        // when the free-text window closed (zero: open or never)
	Remaining   int              // WeChat messages left / Viber free messages left; -1 unlimited
	Reason      window.Reason    // why nothing (or less) may be sent, when so
}

// State is the follow-up's state and what the state query returns.
type State struct {
	ContactID        int64
	Channel          followup.Channel
	AgentID          int64
	AgentSlack       string
	VIP              bool
	ContactName      string
	Status           Status
	LastInbound      time.Time
	SentInWindow     int
	ChatbotThisMonth int
	ProviderClosed   bool // the provider said the window is closed
	Settings         followup.Settings
	Loaded           bool
	Window           WindowView
	Scheduled        []Scheduled
	Cadence          *CadenceProgress // the latest cadence started, nil for none
	Attempts         []Attempt
	NextScheduleID   int
	Seq              int       // numbers messages for their idempotency keys
	NotifySeq        int       // numbers notifications for theirs
	RemindedFor      time.Time // the window end already reminded about
	AnnouncedFor     time.Time // the window end already announced
	LastEventAt      time.Time
	Result           string
	Attrs            AttrValues // search attributes as last upserted
	SeenKeys         []string   // webhook events already handled
	// Escalation is what a VIP follow-up needs a person for, nil when
	// nothing; Escalated counts the escalations posted.
	Escalation *Escalation
	Escalated  int
}

// Escalation is a VIP follow-up's call for a person: posted to the
// supervisors' channel when nobody acted within the workspace's
// vip_escalate_after, dropped when the condition clears.
type Escalation struct {
	Trigger followup.EscalationTrigger
	Detail  string // what happened, in words (English)
	// Said is Detail as a phrase; nil in state from before phrases.
	Said  *followup.Phrase `json:",omitempty"`
	Since time.Time        // when the condition began
	// Due is when it is posted (again, after a snooze); zero once posted.
	Due      time.Time
	Posted   int // how often it was posted
	PostedAt time.Time
	// SnoozedBy is who last snoozed it (a Slack user id), until
	// SnoozedUntil.
	SnoozedBy    string
	SnoozedUntil time.Time
}

// TakeOver asks for a follow-up to change hands: AgentID becomes its
// agent and the conversation's assignee.
type TakeOver struct {
	AgentID    int64
	AgentSlack string
}

// TakeOverResult says who had the follow-up and what happened.
type TakeOverResult struct {
	PreviousAgentID    int64
	PreviousAgentSlack string
	ConversationID     int64 // 0: no conversation yet (the next send opens one)
	Message            string
	Say                *followup.Phrase `json:",omitempty"`
}

// Snooze puts off an escalation until Until; By is who asked (a Slack user id).
type Snooze struct {
	Until time.Time
	By    string
}

// SnoozeResult answers a snooze.
type SnoozeResult struct {
	// Snoozed is false when nothing needed a person any more.
	Snoozed bool
	Message string
	Say     *followup.Phrase `json:",omitempty"`
}

// maxAttemptsKept bounds the attempts carried in state and across
// continue-as-new.
const maxAttemptsKept = 50

// maxSeenKeys bounds the webhook event keys a follow-up remembers.
const maxSeenKeys = 32

// RegisterOptions registers FollowUp under its recorded name.
func RegisterOptions() workflow.RegisterOptions {
	return workflow.RegisterOptions{Name: FollowUpName}
}

// SearchAttributeTypes is what a namespace must register for follow-ups
// (`followup dev` does it; for a cluster, see the README).
func SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	out := make(map[string]enumspb.IndexedValueType, len(SearchAttributeKeys))
	for _, k := range SearchAttributeKeys {
		out[k.GetName()] = k.GetValueType()
	}
	return out
}

// CadenceStatus says where the follow-up's cadence is: the touch reached
// and what became of it, and when the next is due or why none will come.
// "" when the follow-up has no cadence.
func (s State) CadenceStatus() string {
	c := s.Cadence
	if c == nil {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "cadence %s: ", c.Name)
	switch {
	case c.Reached == 0 && c.Ended == "":
		fmt.Fprintf(&sb, "%d touch(es), none yet", c.Touches)
	case c.Reached == 0:
		fmt.Fprintf(&sb, "%d touch(es), none reached", c.Touches)
	default:
		fmt.Fprintf(&sb, "touch %d of %d %s", c.Reached, c.Touches, touchOutcome(s.Attempts, c.Reached))
	}
	if c.Ended != "" {
		sb.WriteString("; ended: " + c.Ended)
		return sb.String()
	}
	var next time.Time
	for _, sc := range s.Scheduled {
		if sc.Touch > 0 && (next.IsZero() || sc.At.Before(next)) {
			next = sc.At
		}
	}
	if !next.IsZero() {
		sb.WriteString("; next " + next.UTC().Format("Jan 2 15:04 UTC"))
	}
	return sb.String()
}

// touchOutcome is what became of a cadence's touch, from the latest
// attempt that was that touch: "sent", "refused", … or "reached" while it
// is being sent.
func touchOutcome(attempts []Attempt, touch int) string {
	for i := len(attempts) - 1; i >= 0; i-- {
		if a := attempts[i]; a.Touch == touch {
			if a.Outcome == OutcomeSent && a.Fallback {
				return "sent (the fallback)"
			}
			return strings.ReplaceAll(string(a.Outcome), "_", " ")
		}
	}
	return "reached"
}

// DescribeScheduled says what a scheduled send will send, and what
// instead if the window has closed by then: its own fallback, or on
// WhatsApp the workspace's re-engagement template (as last read).
func (s State) DescribeScheduled(sc Scheduled) string {
	req := sc.Request
	var what string
	switch {
	case req.Template != nil:
		what = "the template " + req.Template.Name
	case req.Tag != "":
		what = fmt.Sprintf("“%s” with the %s tag", followup.Clip(req.Text, 80), req.Tag)
	default:
		what = "“" + followup.Clip(req.Text, 80) + "”"
	}
	if sc.Touch > 0 && s.Cadence != nil {
		what = fmt.Sprintf("touch %d of %d of the cadence %s: %s", sc.Touch, s.Cadence.Touches, s.Cadence.Name, what)
	}
	if req.Template != nil {
		return what
	}
	switch e := req.Else; {
	case e != nil && e.Tag != "":
		what += fmt.Sprintf(", then with the %s tag if the window has closed", e.Tag)
	case e != nil && e.Template != nil:
		what += ", then the template " + e.Template.Name + " if the window has closed"
	case s.Channel == followup.WhatsApp && s.Settings.ReengagementTemplate != "":
		name, _ := s.Settings.Reengagement()
		what += ", then the workspace's re-engagement template " + name + " if the window has closed"
	}
	return what
}

// tell sets what the outcome says: the phrase, and its English.
func (o SendOutcome) tell(p followup.Phrase) SendOutcome {
	o.Say, o.Message = &p, p.String()
	return o
}

// phrase is what the outcome says, as a phrase.
func (o SendOutcome) phrase() followup.Phrase { return spoken(o.Say, o.Message) }

// Phrase is what the outcome says, for the reader's language.
func (o SendOutcome) Phrase() followup.Phrase { return o.phrase() }

func (r TakeOverResult) tell(p followup.Phrase) TakeOverResult {
	r.Say, r.Message = &p, p.String()
	return r
}

// Phrase is what the take-over says, for the reader's language.
func (r TakeOverResult) Phrase() followup.Phrase { return spoken(r.Say, r.Message) }

func (r SnoozeResult) tell(p followup.Phrase) SnoozeResult {
	r.Say, r.Message = &p, p.String()
	return r
}

// Phrase is what the snooze says, for the reader's language.
func (r SnoozeResult) Phrase() followup.Phrase { return spoken(r.Say, r.Message) }

// spoken is what a result says: its phrase, or, for a result from before
// phrases, its English (which the catalog translates when it is one of
// its texts).
func spoken(said *followup.Phrase, message string) followup.Phrase {
	if said != nil {
		return *said
	}
	return say("%s", followup.Term(message))
}

// say is followup.Say: a text for the agent, kept for their language.
func say(format string, args ...any) followup.Phrase { return followup.Say(format, args...) }

// times is a list of moments as a phrase ("Dec 2 16:59 UTC, Dec 5 16:59 UTC").
func times(ts []time.Time) followup.Phrase { return joined(ts) }

// list is a list of terms as a phrase ("WhatsApp, Telegram").
func list(ts []followup.Term) followup.Phrase { return joined(ts) }

// joined is xs as a phrase, separated by commas.
func joined[T any](xs []T) followup.Phrase {
	var p followup.Phrase
	for _, x := range xs {
		if p.IsZero() {
			p = say("%s", x)
		} else {
			p = say("%s, %s", p, x)
		}
	}
	return p
}

// ReasonKeys lists the reasons ReasonWords says in words of its own.
func ReasonKeys() []string {
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
