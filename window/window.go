// Package window holds the channel rules of PRODUCT.md §2: given a channel, the
// time the customer last wrote on it, the counts against its limits and the
// workspace settings, it says what may be sent now and in which form, or why
// nothing may.
//
// Everything here is a pure function of its input: no I/O, no clock, no
// randomness, no mutable package state and no map iteration, so workflow code
// may call it directly (with workflow.Now as Input.Now) and replays get the
// same answer. Decide does not allocate.
//
// The window of a channel starts at the customer's last inbound message on that
// channel; outbound messages never extend it. A window is open while
// Now < LastInbound + window: at exactly 24 h a 24-hour window is closed.
package window

import (
	"strconv"
	"time"

	"github.com/followup-dev/followup"
)

// Template is the approved-template part of a send request (WhatsApp).
type Template struct {
	// Name identifies the template for the caller's records; the rules do not read it.
	Name string
	// Status is the template's approval state at the provider.
	Status followup.TemplateStatus
	// ParamCount is how many parameters the template defines.
	ParamCount int
	// ParamsGiven is how many parameters the agent filled in.
	ParamsGiven int
}

// Input is everything the rules look at: the channel's state and what the agent
// wants to send.
type Input struct {
	// Channel is the channel the message would go out on.
	Channel followup.Channel
	// Now is the decision time (workflow.Now inside workflows).
	Now time.Time
	// LastInbound is when the customer last wrote on this channel; zero means
	// they never have.
	LastInbound time.Time
	// SentInWindow is how many outbound messages were already sent since
	// LastInbound (WeChat counts them).
	SentInWindow int
	// ChatbotThisMonth is how many Viber chatbot-initiated messages the account
	// already sent this calendar month (UTC).
	ChatbotThisMonth int
	// Settings are the workspace's numbers and switches, used as given: pass
	// followup.DefaultSettings() with the workspace's overrides applied. A zero
	// or negative window is always closed.
	Settings followup.Settings
	// Text is true when the agent supplied free text.
	Text bool
	// Template is the template the agent picked, or nil.
	Template *Template
	// Tag is the message tag the agent picked, or "" for none.
	Tag followup.Tag
	// Automated is true when the product composed the message itself
	// (reminders, automated steps). Such messages never carry HUMAN_AGENT.
	Automated bool
	// WindowClosed is true when the provider said the window is closed
	// (WhatsApp 131047, Messenger 10/2018278, Instagram 10/2534022, WeChat
	// 45015/45047, Viber 23/24) although the clock says it is open. The
	// provider is the final word, so the window is treated as closed.
	WindowClosed bool
}

// Reason is the machine-readable reason for a refusal. It implements error so
// callers can carry it in an error chain and recover it with errors.As.
type Reason string

// Refusal reasons.
const (
	// ReasonUnknownChannel: the channel is not one the product knows.
	ReasonUnknownChannel Reason = "unknown_channel"
	// ReasonNoContent: neither text nor a template was supplied.
	ReasonNoContent Reason = "no_content"
	// ReasonTagInvalid: the agent's tag is not one agents may pick.
	ReasonTagInvalid Reason = "tag_invalid"
	// ReasonTemplateNotSupported: a template without text on a channel that
	// has no templates.
	ReasonTemplateNotSupported Reason = "template_not_supported"
	// ReasonTemplateNotApproved: the template is pending, rejected or paused.
	ReasonTemplateNotApproved Reason = "template_not_approved"
	// ReasonTemplateParams: the number of parameters given differs from the
	// template's.
	ReasonTemplateParams Reason = "template_params"
	// ReasonTemplateRequired: free text on WhatsApp outside the 24-hour window.
	ReasonTemplateRequired Reason = "window_closed_template_required"
	// ReasonTagRequired: Messenger after the window without a message tag.
	ReasonTagRequired Reason = "tag_required"
	// ReasonTagsDisabled: Messenger after the window, and the workspace has
	// message tags turned off.
	ReasonTagsDisabled Reason = "tags_disabled"
	// ReasonHumanAgentAutomated: Messenger or Instagram between 24 h and 7 d,
	// where only a person's text may go out (HUMAN_AGENT), and the product
	// composed the message itself.
	ReasonHumanAgentAutomated Reason = "human_agent_automated"
	// ReasonInstagramClosed: Instagram allows nothing after 7 d.
	ReasonInstagramClosed Reason = "instagram_closed"
	// ReasonWeChatWindowClosed: WeChat allows nothing after 48 h.
	ReasonWeChatWindowClosed Reason = "wechat_window_closed"
	// ReasonWeChatLimit: WeChat's message limit for the window is reached.
	ReasonWeChatLimit Reason = "wechat_limit"
	// ReasonViberQuota: the month's free Viber chatbot messages are used up and
	// the workspace has not accepted Viber's commercial terms.
	ReasonViberQuota Reason = "viber_quota"
	// ReasonNoInbound: the customer never wrote on a channel (Instagram,
	// WeChat) that allows nothing until they do.
	ReasonNoInbound Reason = "no_inbound"
)

// Error returns the reason's code.
func (r Reason) Error() string { return string(r) }

// Allowance is what a channel allows at some moment, whatever the agent supplied.
type Allowance string

// Allowances.
const (
	// FreeText: any text (WhatsApp also takes an approved template).
	FreeText Allowance = "free_text"
	// HumanAgent: text a person wrote, sent with the HUMAN_AGENT tag.
	HumanAgent Allowance = "human_agent"
	// TemplateOnly: only an approved template.
	TemplateOnly Allowance = "template_only"
	// TagOnly: only text carrying a message tag the agent picks.
	TagOnly Allowance = "tag_only"
	// Chatbot: a billable Viber chatbot-initiated message.
	Chatbot Allowance = "chatbot"
	// Nothing: no outbound message at all.
	Nothing Allowance = "nothing"
)

// Label is the allowance as agents read it ("template only").
func (a Allowance) Label() string {
	switch a {
	case FreeText:
		return "free text"
	case HumanAgent:
		return "agent-written text (HUMAN_AGENT tag)"
	case TemplateOnly:
		return "template only"
	case TagOnly:
		return "message tag only"
	case Chatbot:
		return "chatbot message (billable)"
	case Nothing:
		return "nothing until the customer writes"
	}
	return string(a)
}

// Decision is the answer to "may this be sent now, and how?".
type Decision struct {
	// Allowed says whether the message may be sent.
	Allowed bool
	// Mode is the form to send it in; "" when refused.
	Mode followup.Mode
	// Tag is the tag to send it with: HUMAN_AGENT, the agent's tag in
	// message-tag mode, or "".
	Tag followup.Tag
	// Reason says why it was refused; "" when allowed.
	Reason Reason
	// Message tells the agent, in one sentence, why it was refused and what
	// they can do next; "" when allowed.
	Message string
	// Allowance is what the channel allows now whatever the agent supplied, so
	// a refusal can offer the right picker (template, tag).
	Allowance Allowance
	// ClosesAt is when the chosen mode stops being allowed; zero means it does
	// not end by itself. On WeChat it is Now when this send uses the last
	// message of the window.
	ClosesAt time.Time
	// Next is what the channel allows after ClosesAt; "" when ClosesAt is zero.
	Next Allowance
	// Remaining is how many WeChat messages are left in the window after this
	// send, or how many free Viber chatbot messages are left this month after
	// it; -1 when not limited.
	Remaining int
}

// Err returns nil when the decision allows the send, and otherwise a refusal
// error whose message is for the agent and whose cause is the Reason.
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	return &followup.Error{Code: followup.ERefused, Message: d.Message, Err: d.Reason}
}

// State is what a channel allows now, whatever the agent would supply: the
// answer to "what may be sent now on this channel" ("WhatsApp: template only").
type State struct {
	// Channel is the channel described.
	Channel followup.Channel
	// Allowance is what may be sent now.
	Allowance Allowance
	// OpenUntil is when Allowance ends; zero means it does not end by itself.
	OpenUntil time.Time
	// Next is what the channel allows after OpenUntil; "" when OpenUntil is zero.
	Next Allowance
	// Remaining is how many more messages the current allowance permits:
	// WeChat messages left in the window, free Viber chatbot messages left
	// this month; -1 when not limited.
	Remaining int
	// Reason says why nothing may be sent, when Allowance is Nothing.
	Reason Reason
	// Message tells the agent why nothing may be sent and what to do instead,
	// when Allowance is Nothing.
	Message string
}

// Summary is the state in a few words for Slack, such as
// "WhatsApp: free text until Mar 2 14:05 UTC, then template only". It
// allocates; workflow code that only decides should use the fields.
func (s State) Summary() string {
	out := s.Channel.Title() + ": " + s.Allowance.Label()
	if !s.OpenUntil.IsZero() {
		out += " until " + s.OpenUntil.UTC().Format("Jan 2 15:04 UTC")
		if s.Next != "" {
			out += ", then " + s.Next.Label()
		}
	}
	if s.Remaining >= 0 && s.Allowance != Nothing {
		out += " (" + strconv.Itoa(s.Remaining) + " left)"
	}
	return out
}

// Agent-facing messages. They are constants so that Decide never allocates,
// and they avoid quoting window lengths because those are workspace settings.
const (
	msgUnknownChannel = "This channel is not supported; use another channel the contact has."
	msgNoContent      = "The message is empty; type the text to send, or pick an approved template on WhatsApp."
	msgTagInvalid     = "That message tag cannot be used; pick ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE or POST_PURCHASE_UPDATE, or send without a tag (HUMAN_AGENT is added automatically when it applies)."
	msgTemplateOnly   = "Templates exist only on WhatsApp; type the message as text instead."

	msgTemplatePending  = "This template is still waiting for WhatsApp's approval; pick an approved template."
	msgTemplateRejected = "WhatsApp rejected this template; pick an approved template."
	msgTemplatePaused   = "WhatsApp paused this template; pick another approved template."
	msgTemplateUnknown  = "This template is not approved by WhatsApp; pick an approved template."
	msgTemplateParams   = "The number of template parameters given does not match the template; fill in every parameter it defines."

	msgWhatsAppClosed = "WhatsApp's window since the customer's last message has closed, so only an approved template can be sent; pick an approved template, or use another channel the contact has."
	msgWhatsAppNever  = "The customer has never written on WhatsApp, so only an approved template can be sent; pick an approved template, or use another channel the contact has."

	msgMessengerTagRequired = "Messenger's window since the customer's last message has closed: pick a message tag (ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE or POST_PURCHASE_UPDATE) for a non-promotional update, or use another channel the contact has."
	msgMessengerTagsOff     = "Messenger allows nothing more until the customer writes again (message tags are turned off for this workspace); wait for a reply, or use another channel the contact has."
	msgMessengerAutoTags    = "Past Messenger's standard window only text an agent writes may go out (HUMAN_AGENT); have an agent write this message, or pick a message tag for a non-promotional update."
	msgMessengerAutoNoTags  = "Past Messenger's standard window only text an agent writes may go out (HUMAN_AGENT); have an agent write this message, or use another channel the contact has."

	msgInstagramAuto   = "Past Instagram's standard window only text an agent writes may go out (HUMAN_AGENT); have an agent write this message, or use another channel the contact has."
	msgInstagramClosed = "Instagram allows nothing more until the customer writes again; wait for a reply, or use another channel the contact has."
	msgInstagramNever  = "The customer has never written on Instagram, and Instagram allows nothing until they do; use another channel the contact has."

	msgWeChatClosed = "WeChat's window since the customer's last message has closed, and WeChat allows nothing until they write again; wait for a reply, or use another channel the contact has."
	msgWeChatLimit  = "WeChat's limit of messages since the customer's last message is reached, and WeChat allows nothing more until they write again; wait for a reply, or use another channel the contact has."
	msgWeChatNever  = "The customer has never written on WeChat, and WeChat allows nothing until they do; use another channel the contact has."

	msgViberQuota = "This month's free Viber chatbot messages are used up and the workspace has not accepted Viber's commercial terms; wait for the customer to write, accept the terms in the workspace settings, or use another channel the contact has."
)

// phase is where the customer's last message puts the channel's clock.
type phase uint8

const (
	phaseNone       phase = iota // the channel has no window
	phaseOpen                    // inside the standard window
	phaseHumanAgent              // past the standard window, inside the HUMAN_AGENT one
	phaseAfter                   // past every window, or the provider said closed
	phaseNever                   // the customer never wrote on the channel
)

// clock places in on a channel whose standard window is std and whose
// HUMAN_AGENT window is ha (0 for channels without one). Windows are half-open:
// open while Now < LastInbound + window.
func clock(in Input, std, ha time.Duration) phase {
	switch {
	case in.LastInbound.IsZero():
		return phaseNever
	case in.WindowClosed:
		return phaseAfter
	}
	// Sub saturates instead of overflowing, so a LastInbound centuries ago is
	// simply long past every window.
	age := in.Now.Sub(in.LastInbound)
	switch {
	case age < std:
		return phaseOpen
	case age < ha:
		return phaseHumanAgent
	}
	return phaseAfter
}

// Window says what the channel allows now, whatever the agent would supply.
// Only Automated among the send fields matters: an automated message never
// gets HUMAN_AGENT. Text, Template and Tag are ignored.
func Window(in Input) State {
	s, _ := assess(in)
	return s
}

func nothing(s State, r Reason, msg string) State {
	s.Allowance, s.Reason, s.Message = Nothing, r, msg
	return s
}

func open(s State, until time.Time, next Allowance) State {
	s.Allowance, s.OpenUntil, s.Next = FreeText, until, next
	return s
}

// assess computes the channel's state and the clock phase it came from.
func assess(in Input) (State, phase) {
	st := &in.Settings
	s := State{Channel: in.Channel, Remaining: -1}
	switch in.Channel {
	case followup.Telegram, followup.LINE, followup.Webchat, followup.SMS, followup.Email:
		// No window: free text any time.
		s.Allowance = FreeText
		return s, phaseNone

	case followup.WhatsApp:
		// WhatsApp: free text only within 24 h of the customer's last
		// message; after that only an approved template.
		p := clock(in, st.WhatsAppWindow, 0)
		if p == phaseOpen {
			return open(s, in.LastInbound.Add(st.WhatsAppWindow), TemplateOnly), p
		}
		s.Allowance = TemplateOnly
		return s, p

	case followup.Messenger:
		// Messenger: free text within 24 h; up to 7 d free text a person wrote,
		// tagged HUMAN_AGENT; after that only with a message tag the agent
		// picks, if the workspace allows tags.
		p := clock(in, st.MessengerWindow, st.HumanAgentWindow)
		after := TagOnly
		if !st.MessageTagsEnabled {
			after = Nothing
		}
		switch {
		case p == phaseOpen:
			next := after
			if !in.Automated && st.HumanAgentWindow > st.MessengerWindow {
				next = HumanAgent
			}
			return open(s, in.LastInbound.Add(st.MessengerWindow), next), p
		case p == phaseHumanAgent && !in.Automated:
			s.Allowance, s.OpenUntil, s.Next = HumanAgent, in.LastInbound.Add(st.HumanAgentWindow), after
			return s, p
		case p == phaseHumanAgent && after == Nothing:
			return nothing(s, ReasonHumanAgentAutomated, msgMessengerAutoNoTags), p
		case after == Nothing:
			return nothing(s, ReasonTagsDisabled, msgMessengerTagsOff), p
		}
		s.Allowance = TagOnly
		return s, p

	case followup.Instagram:
		// Instagram: as Messenger up to 7 d, then nothing; it has no tags.
		p := clock(in, st.InstagramWindow, st.HumanAgentWindow)
		switch {
		case p == phaseOpen:
			next := Nothing
			if !in.Automated && st.HumanAgentWindow > st.InstagramWindow {
				next = HumanAgent
			}
			return open(s, in.LastInbound.Add(st.InstagramWindow), next), p
		case p == phaseHumanAgent && !in.Automated:
			s.Allowance, s.OpenUntil, s.Next = HumanAgent, in.LastInbound.Add(st.HumanAgentWindow), Nothing
			return s, p
		case p == phaseHumanAgent:
			return nothing(s, ReasonHumanAgentAutomated, msgInstagramAuto), p
		case p == phaseNever:
			return nothing(s, ReasonNoInbound, msgInstagramNever), p
		}
		return nothing(s, ReasonInstagramClosed, msgInstagramClosed), p

	case followup.Viber:
		// Viber: free text within 24 h; after that a billable chatbot-initiated
		// message, free up to the monthly allowance, unlimited once the
		// workspace accepted Viber's commercial terms.
		p := clock(in, st.ViberWindow, 0)
		after, left := Chatbot, -1
		if !st.ViberCommercialTerms {
			left = max(st.ViberFreeAllowance-max(in.ChatbotThisMonth, 0), 0)
			if left == 0 {
				after = Nothing
			}
		}
		if p == phaseOpen {
			return open(s, in.LastInbound.Add(st.ViberWindow), after), p
		}
		if after == Nothing {
			s.Remaining = 0
			return nothing(s, ReasonViberQuota, msgViberQuota), p
		}
		s.Allowance, s.Remaining = Chatbot, left
		return s, p

	case followup.WeChat:
		// WeChat: free text within 48 h and at most WeChatMessageLimit
		// messages since the customer's last message; nothing after either.
		p := clock(in, st.WeChatWindow, 0)
		switch p {
		case phaseNever:
			return nothing(s, ReasonNoInbound, msgWeChatNever), p
		case phaseAfter:
			return nothing(s, ReasonWeChatWindowClosed, msgWeChatClosed), p
		}
		s.Remaining = max(st.WeChatMessageLimit-max(in.SentInWindow, 0), 0)
		if s.Remaining == 0 {
			return nothing(s, ReasonWeChatLimit, msgWeChatLimit), p
		}
		return open(s, in.LastInbound.Add(st.WeChatWindow), Nothing), p
	}
	return nothing(s, ReasonUnknownChannel, msgUnknownChannel), phaseNone
}

func refuse(a Allowance, r Reason, msg string) Decision {
	return Decision{Reason: r, Message: msg, Allowance: a, Remaining: -1}
}

// agentTag reports whether t is a tag agents may pick.
func agentTag(t followup.Tag) bool {
	switch t {
	case followup.TagAccountUpdate, followup.TagConfirmedEventUpdate, followup.TagPostPurchaseUpdate:
		return true
	}
	return false
}

// template decides a WhatsApp template send, allowed inside and outside the window.
func template(a Allowance, t *Template) Decision {
	switch t.Status {
	case followup.TemplateApproved:
	case followup.TemplatePending:
		return refuse(a, ReasonTemplateNotApproved, msgTemplatePending)
	case followup.TemplateRejected:
		return refuse(a, ReasonTemplateNotApproved, msgTemplateRejected)
	case followup.TemplatePaused:
		return refuse(a, ReasonTemplateNotApproved, msgTemplatePaused)
	default:
		return refuse(a, ReasonTemplateNotApproved, msgTemplateUnknown)
	}
	if t.ParamsGiven != t.ParamCount {
		return refuse(a, ReasonTemplateParams, msgTemplateParams)
	}
	// Templates may be sent at any time, so the mode never closes.
	return Decision{Allowed: true, Mode: followup.ModeTemplate, Allowance: a, Remaining: -1}
}

// Decide says whether what the agent supplied may be sent now, in which mode
// and with which tag, or why not and what the agent can do instead.
//
// Content is free text (Text) or a template. A template is used only on
// WhatsApp, where it takes precedence over text inside and outside the window;
// elsewhere a template is ignored when text is given and refused when it is
// the only content. An agent's tag is used only on Messenger after the
// standard window when no HUMAN_AGENT send is possible (the message is
// automated, or the HUMAN_AGENT window has passed); inside the standard window
// the message goes out as plain free text, and between 24 h and 7 d a message a
// person wrote goes out with HUMAN_AGENT. On other channels a valid tag is
// ignored. A tag agents may not pick (including HUMAN_AGENT) is always refused.
//
// Decide does not allocate.
func Decide(in Input) Decision {
	s, p := assess(in)
	switch {
	case s.Reason == ReasonUnknownChannel:
		return refuse(s.Allowance, s.Reason, s.Message)
	case !in.Text && in.Template == nil:
		return refuse(s.Allowance, ReasonNoContent, msgNoContent)
	case in.Tag != "" && !agentTag(in.Tag):
		return refuse(s.Allowance, ReasonTagInvalid, msgTagInvalid)
	}

	switch s.Allowance {
	case Nothing:
		d := refuse(s.Allowance, s.Reason, s.Message)
		d.Remaining = s.Remaining
		return d
	case TemplateOnly:
		if in.Template != nil {
			return template(s.Allowance, in.Template)
		}
		if p == phaseNever {
			return refuse(s.Allowance, ReasonTemplateRequired, msgWhatsAppNever)
		}
		return refuse(s.Allowance, ReasonTemplateRequired, msgWhatsAppClosed)
	}
	if in.Channel == followup.WhatsApp && in.Template != nil {
		return template(s.Allowance, in.Template)
	}
	if !in.Text {
		return refuse(s.Allowance, ReasonTemplateNotSupported, msgTemplateOnly)
	}

	d := Decision{Allowed: true, Allowance: s.Allowance, Remaining: -1}
	switch s.Allowance {
	case FreeText:
		d.Mode, d.ClosesAt, d.Next = followup.ModeFreeText, s.OpenUntil, s.Next
		if s.Remaining > 0 { // WeChat counts messages in the window
			d.Remaining = s.Remaining - 1
			if d.Remaining == 0 {
				// This send uses the window's last message.
				d.ClosesAt, d.Next = in.Now, Nothing
			}
		}
	case HumanAgent:
		// Allowed because a person wrote it; assess never offers HumanAgent
		// for automated messages.
		d.Mode, d.Tag, d.ClosesAt, d.Next = followup.ModeHumanAgent, followup.TagHumanAgent, s.OpenUntil, s.Next
	case TagOnly:
		switch {
		case in.Tag != "":
			d.Mode, d.Tag = followup.ModeMessageTag, in.Tag
		case p == phaseHumanAgent:
			return refuse(s.Allowance, ReasonHumanAgentAutomated, msgMessengerAutoTags)
		default:
			return refuse(s.Allowance, ReasonTagRequired, msgMessengerTagRequired)
		}
	case Chatbot:
		d.Mode = followup.ModeChatbot
		if s.Remaining > 0 {
			d.Remaining = s.Remaining - 1
		}
	}
	return d
}
